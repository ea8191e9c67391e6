"""The Dockerfile's promises and the entrypoint's: checked without a Docker engine."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"


def test_dockerfile_promises() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "ARG BASE_IMAGE=python:3.11-slim" in text
    assert "Pipfile.lock" in text and "--require-hashes" in text
    assert "\nUSER airflow\n" in text
    assert 'ENTRYPOINT ["/opt/app/deploy/entrypoint.sh"]' in text
    assert "HEALTHCHECK" in text and "workflows /opt/airflow/dags" in text


@pytest.fixture
def stub_bin(tmp_path: Path) -> Path:
    """Commands that report their PID and arguments instead of starting Airflow."""
    for name in ("airflow", "fakeecs", "python"):
        script = tmp_path / name
        script.write_text(f'#!/bin/sh\necho "{name} pid=$$ args=$*"\n')
        script.chmod(0o755)
    return tmp_path


def run(stub_bin: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{stub_bin}:{os.environ['PATH']}"}
    return subprocess.run(
        ["sh", "-c", f'echo "entrypoint pid=$$"; exec {ENTRYPOINT} "$@"', "sh", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )


@pytest.mark.parametrize(
    ("component", "expected"),
    [
        ("scheduler", "airflow pid={pid} args=scheduler"),
        ("api-server", "airflow pid={pid} args=api-server"),
        ("dag-processor", "airflow pid={pid} args=dag-processor"),
        ("triggerer", "airflow pid={pid} args=triggerer"),
        (
            "worker",
            "python pid={pid} args=-m mit_airflow.worker_supervisor -- airflow celery worker",
        ),
        ("fakeecs", "fakeecs pid={pid} args=serve --host 0.0.0.0 --port 5090 --clock real"),
    ],
)
def test_each_component_replaces_the_entrypoint_process(
    stub_bin: Path, component: str, expected: str
) -> None:
    result = run(stub_bin, component)
    first, second = result.stdout.splitlines()[:2]
    pid = first.split("=", 1)[1]
    assert second == expected.format(pid=pid)  # same PID: exec, so SIGTERM reaches the component


def test_unknown_component_is_a_clear_error(stub_bin: Path) -> None:
    result = run(stub_bin, "schedular")
    assert result.returncode == 64 and "unknown component 'schedular'" in result.stderr
