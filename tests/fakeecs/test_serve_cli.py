"""`fakeecs serve` as a process: the ready line, a free port, clean stop, and the AWS CLI against it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakeecs.control import ControlClient

BIN = Path(sys.executable).parent


@pytest.fixture
def server() -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(
        [str(BIN / "fakeecs"), "serve", "--port", "0", "--clock", "manual"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline().strip()  # blocks until the server is ready (or dies)
    assert line.startswith("fakeecs listening on http://127.0.0.1:"), proc.stderr.read()
    yield proc, line.rsplit(" ", 1)[1]
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)


def aws(url: str, *args: str) -> dict:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    out = subprocess.run(
        [
            str(BIN / "aws"),
            "--endpoint-url",
            url,
            "--region",
            "us-east-1",
            "--output",
            "json",
            "ecs",
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if out.stdout.strip() else {}


def test_aws_cli_runs_a_task(server: tuple[subprocess.Popen[str], str]) -> None:
    _, url = server
    aws(url, "create-cluster", "--cluster-name", "cli")
    aws(
        url,
        "register-task-definition",
        "--family",
        "hello",
        "--network-mode",
        "awsvpc",
        "--requires-compatibilities",
        "FARGATE",
        "--cpu",
        "256",
        "--memory",
        "512",
        "--container-definitions",
        '[{"name": "main", "image": "hello"}]',
    )
    started = aws(
        url,
        "run-task",
        "--cluster",
        "cli",
        "--task-definition",
        "hello",
        "--launch-type",
        "FARGATE",
        "--network-configuration",
        json.dumps(ControlClient(url).default_network()),
    )
    arn = started["tasks"][0]["taskArn"]
    described = aws(url, "describe-tasks", "--cluster", "cli", "--tasks", arn)
    assert described["tasks"][0]["lastStatus"] == "PROVISIONING"
    assert ControlClient(url).health()["lenientNetwork"] is False  # checked as ECS does


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stops_cleanly_on_signals(server: tuple[subprocess.Popen[str], str], sig: int) -> None:
    proc, _ = server
    proc.send_signal(sig)
    assert proc.wait(timeout=10) == 0
    assert "Traceback" not in proc.stderr.read()


def test_bad_clock_is_a_clear_error() -> None:
    out = subprocess.run(
        [str(BIN / "fakeecs"), "serve", "--clock", "fast"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert "use real, manual or scaled:FACTOR" in out.stderr and "Traceback" not in out.stderr


def test_binding_beyond_loopback_needs_a_control_token() -> None:
    out = subprocess.run(
        [str(BIN / "fakeecs"), "serve", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "FAKEECS_CONTROL_TOKEN"},
    )
    assert out.returncode == 2
    assert "warning" in out.stderr and "--control-token" in out.stderr
