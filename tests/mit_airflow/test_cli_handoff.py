"""The password hand-off on its own: the SSM parameter's life, and the script the container runs.

These run against a real moto server (the same SSM that fakeecs passes through to), so they
need no ECS at all.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from mit_airflow.maintenance import secret_handoff
from mit_airflow.maintenance.errors import WorkflowError

PASSWORD = "s3cret-Pa55word-for-the-handoff"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """One server for the module: stopping one waits out its half-second poll."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def endpoint(moto_server: str) -> str:
    """The module's moto server, emptied (moto's own reset) before each test."""
    reset = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(reset):
        pass
    return moto_server


@pytest.fixture
def ssm(endpoint: str) -> Any:
    return boto3.client("ssm", endpoint_url=endpoint, region_name=REGION)


def test_the_parameter_is_a_secure_string_only_while_the_block_runs(
    ssm: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    name = secret_handoff.parameter_name("airflow-test", "abc")

    with secret_handoff.password_parameter(ssm, name, PASSWORD):
        assert PASSWORD not in caplog.text  # before this test's own reads log the answer
        stored = ssm.get_parameter(Name=name)["Parameter"]
        assert stored["Type"] == "SecureString"
        assert ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"] == PASSWORD

    with pytest.raises(ClientError, match="ParameterNotFound"):
        ssm.get_parameter(Name=name)


def test_the_parameter_is_deleted_when_the_block_fails(ssm: Any) -> None:
    name = secret_handoff.parameter_name("airflow-test", "failing")

    with pytest.raises(RuntimeError), secret_handoff.password_parameter(ssm, name, PASSWORD):
        raise RuntimeError("the task failed")

    assert ssm.describe_parameters()["Parameters"] == []


def test_a_refused_put_names_the_parameter_but_never_the_password(ssm: Any) -> None:
    name = "/workflow/x/handoff/1"
    ssm.put_parameter(Name=name, Value="taken", Type="String")  # AWS refuses to overwrite it

    with (
        pytest.raises(WorkflowError) as caught,
        secret_handoff.password_parameter(ssm, name, PASSWORD),
    ):
        pass

    assert (
        str(caught.value)
        == f"could not store the password in SSM parameter {name}: ParameterAlreadyExists"
    )
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_the_in_task_script_reads_deletes_and_pipes_the_password(
    ssm: Any, endpoint: str, tmp_path: Path
) -> None:
    """The script the container runs, run here for real against SSM with a stand-in `airflow` on PATH."""
    name = secret_handoff.parameter_name("airflow-test", "task")
    ssm.put_parameter(Name=name, Value=PASSWORD, Type="SecureString")
    stand_in = tmp_path / "airflow"
    stand_in.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > {tmp_path}/argv\ncat > {tmp_path}/stdin\n'
    )
    stand_in.chmod(0o755)
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint,
        "PATH": f"{tmp_path}:{os.environ['PATH']}",
        "WORKFLOW_PASSWORD_PARAMETER": name,
        "WORKFLOW_PASSWORD_REGION": REGION,
    }
    argv = ["airflow", "users", "create", "--username", "alice"]

    done = subprocess.run(
        [sys.executable, "-c", secret_handoff.in_task_script(), *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert (tmp_path / "stdin").read_text() == f"{PASSWORD}\n{PASSWORD}\n"
    assert (tmp_path / "argv").read_text().split() == argv[1:]
    assert PASSWORD not in done.stdout + done.stderr
    with pytest.raises(ClientError, match="ParameterNotFound"):
        ssm.get_parameter(Name=name)
