"""The containers' healthcheck against the real thing: fakeecs, token and all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.servers import start_fakeecs

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "healthcheck.py"


def healthcheck(component: str, **env: str) -> int:
    return subprocess.run(
        [sys.executable, str(SCRIPT), component],
        env={**os.environ, **env},
        capture_output=True,
        timeout=60,
        check=False,
    ).returncode


def test_a_fakeecs_that_requires_a_control_token_is_healthy_to_its_own_check() -> None:
    with start_fakeecs(0, "--control-token", "compose-token") as server:
        port = server.url.rsplit(":", 1)[1]
        assert healthcheck("fakeecs", FAKEECS_PORT=port, FAKEECS_CONTROL_TOKEN="compose-token") == 0
        assert healthcheck("fakeecs", FAKEECS_PORT=port, FAKEECS_CONTROL_TOKEN="wrong") == 1


def test_nothing_listening_is_unhealthy() -> None:
    with start_fakeecs() as server:
        port = server.url.rsplit(":", 1)[1]
    assert healthcheck("fakeecs", FAKEECS_PORT=port) == 1


def test_an_unknown_component_is_unhealthy() -> None:
    assert healthcheck("database") == 1
