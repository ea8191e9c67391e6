"""`fakeecs serve` as a real process for the e2e suite: started, its URL read, driven.

The ECS scenarios point every Airflow process at it (`AWS_ENDPOINT_URL`), script
containers and faults through its control API, and read its calls log.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import boto3

from fakeecs.control import ControlClient
from harness.e2e.processes import ManagedProcess
from harness.e2e.waiting import wait_for

READY = re.compile(r"fakeecs listening on (http://\S+)")


class FakeEcsServer:
    """One `fakeecs serve --clock scaled:FACTOR` process and its control API."""

    def __init__(
        self, log_dir: Path, env: dict[str, str], scale: float = 60.0, seed: int = 1
    ) -> None:
        argv = [str(Path(sys.executable).parent / "fakeecs"), "serve", "--host", "127.0.0.1", "--port", "0",
                "--clock", f"scaled:{scale:g}", "--seed", str(seed)]  # fmt: skip
        self.process = ManagedProcess("fakeecs", argv, env, log_dir / "fakeecs.log")
        self.url = ""
        #: The networkConfiguration the world made in this fake's EC2 (ecs_world.create).
        self.network: dict[str, Any] = {}

    def start(self, timeout: float = 60) -> str:
        """Start the server and return its base URL once it printed its listening line."""
        self.process.start()

        def listening() -> str | None:
            if not self.process.alive():
                raise RuntimeError(
                    f"fakeecs serve exited during start-up:\n{self.process.log_text()}"
                )
            match = READY.search(self.process.log_text())
            return match.group(1) if match else None

        self.url = wait_for(listening, timeout=timeout, what="fakeecs to print its listening line")
        return self.url

    @property
    def control(self) -> ControlClient:
        return ControlClient(self.url)

    def client(self, service: str = "ecs") -> Any:
        """A boto3 client of `service` on this fakeecs (fake credentials, us-east-1)."""
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="e2e",
            aws_secret_access_key="e2e",
        )

    def calls(self) -> list[dict[str, Any]]:
        """The ECS API calls fakeecs received, in order (GET /_fakeecs/calls)."""
        return self.control.calls()

    def stop(self) -> None:
        self.process.stop(grace=10)
