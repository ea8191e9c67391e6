"""One way to put a fakeecs together, for `fakeecs serve` and `FakeECS` alike.

clock -> runtime (what runs containers) -> engine (knowing the operations the API
serves) -> state store (loaded from its file) -> fault rules -> the WSGI app (saving
state after each request when there is a store) -> the HTTP server. The CLI and the
in-process fake differ only in what they do around it (flags and messages, a thread
and a context manager), so a fake in a test is the fake a developer serves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fakeecs import api, backends, moto_backend
from fakeecs.clock import Clock
from fakeecs.engine import Engine
from fakeecs.persistence import PersistingApp, StateStore
from fakeecs.server import App, Server


@dataclass
class Assembly:
    """A fakeecs ready to serve: its engine, its server (bound, not yet serving), its store."""

    engine: Engine
    server: Server
    store: StateStore | None
    #: The state (and its fault rules) came from the state file.
    restored: bool

    def start_backend(self) -> Callable[[], None]:
        """Start what the runtime needs once the server listens; returns how to stop it."""
        return backends.start(self.engine, self.server.url)

    def seed_other_services(self) -> None:
        """Make moto's ids (the EC2 networks tasks name) follow this fake's seed. Only for the
        one fake of its process using moto: it restarts the process-wide random sequence."""
        moto_backend.seed(self.engine.seed)


def assemble(
    clock: Clock,
    *,
    seed: int = 0,
    backend: str = "simulated",
    state: Path | str | None = None,
    faults: Callable[[], Any] | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    lenient_network: bool = False,
    control_token: str | None = None,
) -> Assembly:
    """Build every part in order; the server is bound but not started.

    `faults` gives the initial fault rules, asked only when the state file did not bring
    its own (saved rules carry on, with how often they fired). Raises ValueError or
    DockerUnavailable (the backend cannot run with this clock or state), StateFileError
    (a damaged state file), ECSError (a bad fault rule) and OSError (cannot listen).
    """
    runtime = backends.runtime_for(backend, clock, state)
    engine = Engine(
        clock,
        seed=seed,
        runtime=runtime,
        operations=frozenset(api.OPERATIONS),
        lenient_network=lenient_network,
    )
    store = StateStore(engine, state) if state is not None else None
    restored = store.load() if store is not None else False
    if faults is not None and not restored:
        engine.faults.set(faults(), engine.now())
    app: Any = App(engine, control_token=control_token)
    if store is not None:
        app = PersistingApp(app, store)
    try:
        server = Server(app, host=host, port=port)
    except OSError:
        runtime.close()
        raise
    return Assembly(engine, server, store, restored)
