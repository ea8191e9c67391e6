"""`make stage` for real: the image pushed to a registry, then `workflow redeploy` of the cluster,
with a local registry in place of ECR and `fakeecs serve` (the five Airflow services) as the cluster."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make

from harness.docker.registry import LocalRegistry
from harness.e2e.fakeecs_server import FakeEcsServer
from tests.mit_airflow.test_cli_support import create_airflow_cluster

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "x",
    "AWS_SECRET_ACCESS_KEY": "x",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[LocalRegistry]:
    started = LocalRegistry(tmp_path / "registry").start()
    yield started
    started.stop()


@pytest.fixture
def stage_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEcsServer]:
    server = FakeEcsServer(tmp_path, {**os.environ, **CREDENTIALS}, scale=200)
    server.start()
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    create_airflow_cluster(server.url, cluster="airflow-stage")
    yield server
    server.stop()


def test_stage_pushes_the_image_and_redeploys_the_cluster(
    image: str, registry: LocalRegistry, stage_cluster: FakeEcsServer
) -> None:
    done = make(
        "stage",
        f"STAGE_ECR_REPOSITORY={registry.host}/airflow",
        "IMAGE_TAG=test-docker",
        env={**CREDENTIALS, "AWS_ENDPOINT_URL": stage_cluster.url, "WORKFLOW_POLL_INTERVAL": "0.2"},
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]
    assert f"2. docker push {registry.host}/airflow:test-docker" in done.stdout
    assert "redeploy of airflow-stage complete" in done.stdout
    assert registry.tags("airflow") == ["test-docker"]
    forced = sorted(
        c["params"]["service"]
        for c in stage_cluster.calls()
        if c["operation"] == "UpdateService" and c["params"].get("forceNewDeployment")
    )
    assert forced == [f"airflow-stage-{s}" for s in ("dag-processor", "triggerer", "web", "worker")]
