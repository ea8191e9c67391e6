"""Choosing what runs the containers: `simulated` (scripted, any clock) or `docker` (real).

`fakeecs serve --backend` and `FakeECS(backend=...)` both come here, so they
accept and refuse the same combinations with the same words.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from fakeecs.clock import Clock
from fakeecs.containers import DockerRuntime
from fakeecs.engine import Engine
from fakeecs.engine.driver import Driver
from fakeecs.engine.runtime import Runtime, SimulatedRuntime

BACKENDS = ("simulated", "docker")


def default_clock(backend: str) -> str:
    """Real containers run in real time; scripted ones default to a clock that moves when told."""
    return "real" if backend == "docker" else "manual"


def runtime_for(backend: str, clock: Clock, state: Path | str | None) -> Runtime:
    """The runtime for `backend`; ValueError (or DockerUnavailable) says what to change."""
    if backend == "simulated":
        return SimulatedRuntime()
    if backend != "docker":
        raise ValueError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    if clock.kind != "real":
        raise ValueError(
            f"the docker backend runs real containers in real time: use the real clock, "
            f"not {clock.kind!r}"
        )
    if state is not None:
        raise ValueError(
            "the docker backend cannot keep state in a file: real containers do not survive "
            "a restart of fakeecs (use the simulated backend to test restarts)"
        )
    return DockerRuntime()


def start(engine: Engine, server_url: str) -> Callable[[], None]:
    """Start what the engine's runtime needs once the server listens; returns how to stop it."""
    runtime = engine.runtime
    if runtime.name == "simulated":
        return runtime.close
    parts = urlsplit(server_url)
    host = parts.hostname or "127.0.0.1"
    if host in ("0.0.0.0", "::"):  # containers share the host's network: loopback reaches it
        host = "127.0.0.1"
    runtime.endpoint_url = f"http://{host}:{parts.port}"  # type: ignore[attr-defined]
    driver = Driver(engine).start()

    def stop() -> None:
        driver.stop()
        runtime.close()

    return stop
