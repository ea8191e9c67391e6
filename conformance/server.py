"""`fakeecs serve` as the clients meet it: a separate process on a free loopback port.

The suite never talks to an in-process fake: the clients under test are other programs, so the
fake they talk to is the real server, started exactly as a user starts it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

from fakeecs import ControlClient

REGION = "us-east-1"
ACCOUNT = "123456789012"
START_TIMEOUT = 60.0


class ServedFake:
    """One `fakeecs serve --port 0` process and the ways to reach it."""

    def __init__(self, clock: str, workdir: Path) -> None:
        self.clock = clock
        self.workdir = workdir
        self.process: subprocess.Popen[str] | None = None
        self.endpoint_url = ""

    def start(self) -> ServedFake:
        argv = [sys.executable, "-c", "from fakeecs.cli import main; main()"]
        argv += ["serve", "--port", "0", "--clock", self.clock, "--seed", "0"]
        self.process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=self.workdir
        )
        assert self.process.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT
        for line in self.process.stdout:
            if line.startswith("fakeecs listening on "):
                self.endpoint_url = line.split()[-1]
                break
            if time.monotonic() > deadline:
                break
        if not self.endpoint_url:
            self.stop()
            raise RuntimeError(f"fakeecs serve --clock {self.clock} did not start")
        self.control = ControlClient(self.endpoint_url)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def client(self, service: str = "ecs") -> Any:
        """A boto3 client of the suite's own (for setting the scene, never under test)."""
        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id="conformance",
            aws_secret_access_key="conformance",
        )

    def environment(self, home: Path) -> dict[str, str]:
        """What a client process needs to reach this fake, and nothing of the user's AWS set-up."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ENDPOINT_URL=self.endpoint_url,
            AWS_ACCESS_KEY_ID="conformance",
            AWS_SECRET_ACCESS_KEY="conformance",
            AWS_DEFAULT_REGION=REGION,
            AWS_REGION=REGION,
            AWS_CONFIG_FILE=str(home / "aws-config"),
            AWS_SHARED_CREDENTIALS_FILE=str(home / "aws-credentials"),
            AWS_PAGER="",
        )
        return env

    def calls(self, operation: str | None = None) -> list[dict[str, Any]]:
        calls = self.control.calls()
        return [c for c in calls if operation is None or c["operation"] == operation]

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
        """Wait on a condition about the fake (its calls, its state), polling; fail after `timeout`."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(0.05)

    def wait_for_calls(self, operation: str, count: int, timeout: float = 60.0) -> None:
        self.wait_for(
            lambda: len(self.calls(operation)) >= count,
            f"{count} {operation} call(s) from the client",
            timeout,
        )


def default_network(fake: ServedFake) -> dict[str, Any]:
    """An awsvpcConfiguration from the default VPC EC2 answers on the fake's port (real ids)."""
    ec2 = fake.client("ec2")
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])
    group = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])
    return {
        "awsvpcConfiguration": {
            "subnets": [subnets["Subnets"][0]["SubnetId"]],
            "securityGroups": [group["SecurityGroups"][0]["GroupId"]],
        }
    }


class ClockDriver:
    """Moves a manual clock on by `seconds` each time the client makes a new `operation` call.

    The provider's operators and sensors poll on wall-clock intervals of a minute; driving the
    clock from the calls they make lets a task finish between two of their polls without a
    scaled clock racing the one-hour retention of stopped tasks.
    """

    def __init__(self, fake: ServedFake, operation: str, seconds: float) -> None:
        self.fake = fake
        self.operation = operation
        self.seconds = seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drive, daemon=True)

    def _drive(self) -> None:
        seen = len(self.fake.calls(self.operation))
        while not self._stop.wait(0.05):
            count = len(self.fake.calls(self.operation))
            for _ in range(count - seen):
                self.fake.control.advance(self.seconds)
            seen = count

    def __enter__(self) -> ClockDriver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
