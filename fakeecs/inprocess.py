"""`FakeECS`: a fakeecs server running in a background thread of this process.

    with FakeECS(clock="manual") as ecs:
        boto3.client("ecs", endpoint_url=ecs.endpoint_url)...
        ecs.advance(60)

Control goes through the same HTTP control API as a remote `fakeecs serve`, so
what works here works against a server. `ecs.engine` is there for white-box tests.
"""

from __future__ import annotations

from typing import Any

from fakeecs.clock import Clock, parse_clock
from fakeecs.control import ControlClient
from fakeecs.engine import Engine
from fakeecs.server import App, Server


class FakeECS(ControlClient):
    def __init__(
        self,
        clock: str | Clock = "manual",
        seed: int = 0,
        faults: list[dict[str, Any]] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.engine = Engine(parse_clock(clock) if isinstance(clock, str) else clock, seed=seed)
        self._initial_faults = faults
        self.server = Server(App(self.engine), host=host, port=port)
        super().__init__(self.server.url)

    def start(self) -> FakeECS:
        self.server.start()
        if self._initial_faults:
            self.faults(self._initial_faults)
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> FakeECS:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
