"""`FakeECS`: a fakeecs server running in a background thread of this process.

    with FakeECS(clock="manual") as ecs:
        boto3.client("ecs", endpoint_url=ecs.endpoint_url)...
        ecs.advance(60)

Control goes through the same HTTP control API as a remote `fakeecs serve`, so
what works here works against a server. `ecs.engine` is there for white-box tests.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, ClassVar

from fakeecs import backends, moto_backend
from fakeecs.assembly import assemble
from fakeecs.clock import Clock, parse_clock
from fakeecs.control import ControlClient


class FakeECS(ControlClient):
    #: How many FakeECS of this process are running: moto's state is per process, so the
    #: last one to stop clears it (the next fake starts with no log groups, buckets, ...),
    #: and nothing set up in moto before a fake starts is lost.
    _running: ClassVar[int] = 0
    _running_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        clock: str | Clock | None = None,
        seed: int = 0,
        faults: list[dict[str, Any]] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        state: str | Path | None = None,
        backend: str = "simulated",
        lenient_network: bool = False,
    ) -> None:
        """`state`: a state file as for `fakeecs serve --state` (loaded if it exists, kept up to date).

        `backend="docker"` runs every task's containers in the local Docker engine (real
        clock only); the default clock is manual for the simulated backend.
        awsvpc subnets and security groups must exist in the EC2 on the same port, in one VPC,
        as ECS requires: `default_network()` gives the default VPC's. `lenient_network=True`
        accepts any (`fakeecs serve --lenient-network`), for callers that cannot create theirs.
        """
        clock = clock if clock is not None else backends.default_clock(backend)
        parsed = parse_clock(clock) if isinstance(clock, str) else clock
        fake = assemble(
            parsed,
            seed=seed,
            backend=backend,
            state=state,
            host=host,
            port=port,
            lenient_network=lenient_network,
        )
        self.engine, self.server, self.store = fake.engine, fake.server, fake.store
        self._start_backend = fake.start_backend
        self._seed_other_services = fake.seed_other_services
        self._stop_backend: Any = None
        # Applied once serving, through the control API, like any client's rules.
        self._initial_faults = None if fake.restored else faults
        super().__init__(self.server.url)

    def start(self) -> FakeECS:
        with FakeECS._running_lock:
            FakeECS._running += 1
            if FakeECS._running == 1:
                self._seed_other_services()
        self.server.start()
        self._stop_backend = self._start_backend()
        if self._initial_faults:
            self.faults(self._initial_faults)
        if self.store is not None:
            self.store.save()
        return self

    def stop(self) -> None:
        self.server.stop()
        if self._stop_backend is not None:
            self._stop_backend()
            self._stop_backend = None
        if self.store is not None:
            self.store.close()
        with FakeECS._running_lock:
            FakeECS._running = max(0, FakeECS._running - 1)
            if FakeECS._running == 0:
                moto_backend.reset()

    def restart(self) -> FakeECS:
        """Stop this fake as a crash would and start a new one from its state file, same address.

        Clients keep their endpoint URL; what they were answered is there. Needs `state=`.
        The other AWS services' state (moto) is not kept, as with `fakeecs serve`.
        """
        if self.store is None:
            raise RuntimeError("restart() needs a state file: FakeECS(state=PATH)")
        clock = self.engine.clock
        spec = f"scaled:{getattr(clock, 'factor', 1)}" if clock.kind == "scaled" else clock.kind
        self.stop()
        return FakeECS(
            clock=spec,
            seed=self.engine.seed,
            host=self.server.host,
            port=self.server.port,
            state=self.store.path,
            lenient_network=self.engine.lenient_network,
        ).start()

    def __enter__(self) -> FakeECS:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
