"""Running the real operators through Airflow's `dag.test()` against an in-process fakeecs.

A DAG file is written into the session's DAGS_FOLDER (dag.test() only runs
serialized DAGs from there), loaded, and run. The sensor's pokes move the
fake's manual clock by the nominal poke interval, so containers that run an
hour finish in a few pokes and nothing waits on wall time.
"""

from __future__ import annotations

import textwrap
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest

from fakeecs import FakeECS
from fakeecs.fixtures import awslogs, fargate_task_definition
from harness.network import config_value

CLUSTER = "airflow-test"
VIRTUAL_POKE_SECONDS = 60.0


def network_env(fake: FakeECS) -> str:
    """ECS_NETWORK_CONFIG for `fake`'s default VPC (fakeecs checks subnets as ECS does)."""
    return config_value(fake.default_network())


def register(ecs: Any, family: str, containers: list[dict[str, Any]] | None = None) -> None:
    ecs.register_task_definition(
        **fargate_task_definition(
            family,
            containers
            or [
                {
                    "name": "main",
                    "image": f"example/{family}",
                    "logConfiguration": awslogs(f"/ecs/{family}"),
                }
            ],
            executionRoleArn="arn:aws:iam::123456789012:role/exec",
        )
    )


@contextmanager
def ecs_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeECS, Any]]:
    """A manual-clock fakeecs with a cluster, and the worker's environment pointing at it."""
    with FakeECS(clock="manual", seed=0) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL", fake.endpoint_url)
        monkeypatch.setenv("ECS_CLUSTER", CLUSTER)
        monkeypatch.setenv("ECS_NETWORK_CONFIG", network_env(fake))
        ecs = boto3.client("ecs", endpoint_url=fake.endpoint_url, region_name="us-east-1")
        ecs.create_cluster(clusterName=CLUSTER)
        yield fake, ecs


def advance_on_poke(monkeypatch: pytest.MonkeyPatch, fake: FakeECS) -> None:
    """Each sensor check first lets VIRTUAL_POKE_SECONDS of ECS time pass."""
    from mit_airflow.sensors import ECSTaskSensor

    real_poke = ECSTaskSensor.poke

    def poke(self: ECSTaskSensor, context: Any) -> bool:
        fake.advance(VIRTUAL_POKE_SECONDS)
        return real_poke(self, context)

    monkeypatch.setattr(ECSTaskSensor, "poke", poke)


def write_dag(dags_folder: Path, body: str) -> str:
    """Write a DAG file (its `dag_id` is generated) and return the dag_id."""
    dag_id = f"t_{uuid.uuid4().hex[:10]}"
    dags_folder.mkdir(parents=True, exist_ok=True)
    source = textwrap.dedent(body).replace("DAG_ID", dag_id)
    (dags_folder / f"{dag_id}.py").write_text(source)
    return dag_id


def run_dag(dags_folder: Path, dag_id: str) -> Any:
    """dag.test() the DAG and return its DagRun."""
    from airflow.dag_processing.dagbag import BundleDagBag

    bag = BundleDagBag(
        dag_folder=str(dags_folder), bundle_path=dags_folder, bundle_name="dags-folder"
    )
    assert not bag.import_errors, bag.import_errors
    return bag.get_dag(dag_id).test()


def task_states(run: Any) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
