"""The installed `workflow` console script, run as a real process against a `fakeecs serve` process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli_support import CLUSTER, create_airflow_cluster

BIN = Path(sys.executable).parent


@pytest.fixture
def server() -> Iterator[str]:
    """`fakeecs serve` on a free port, with virtual time 600 times faster than wall time."""
    proc = subprocess.Popen(
        [str(BIN / "fakeecs"), "serve", "--port", "0", "--clock", "scaled:600", "--seed", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("fakeecs listening on http://"), line
        yield line.split()[-1]
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _control(url: str, path: str, body: dict) -> None:
    request = urllib.request.Request(
        f"{url}/_fakeecs/{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def _workflow(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": url,
        "WORKFLOW_CLUSTER": CLUSTER,
        "WORKFLOW_POLL_INTERVAL": "0.05",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [str(BIN / "workflow"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.timeout(180)
def test_workflow_console_script_against_fakeecs_serve(server: str) -> None:
    create_airflow_cluster(server, scheduler_count=1)
    _control(server, "behaviours", {"family": f"{CLUSTER}-worker", "runSeconds": 30, "exitCode": 0})

    migrated = _workflow(server, "migrate-db")

    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert "migrate-db finished" in migrated.stdout

    _control(
        server,
        "behaviours",
        {"family": f"{CLUSTER}-worker", "runSeconds": 5, "exitCode": 2, "logLines": ["boom"]},
    )
    failed = _workflow(server, "rotate-fernet-key")

    assert failed.returncode == 1
    assert "exited with code 2" in failed.stdout
    assert failed.stderr.strip().splitlines()[-1].startswith("Error: rotate-fernet-key failed")
    assert "Traceback" not in failed.stderr

    status = _workflow(server, "status")
    assert status.returncode == 0, status.stderr
    assert f"{CLUSTER}-scheduler" in status.stdout
