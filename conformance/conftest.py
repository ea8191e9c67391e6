"""Fixtures of the conformance suite: the served fakes, the clients' environment, scene setters."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance import clients
from conformance.server import ServedFake, default_network

pytest_plugins = ["conformance.report"]


@pytest.fixture(scope="session", autouse=True)
def _clients_installed() -> None:
    missing = [c.pin for c in clients.CLIENTS if not clients.installed(c)]
    if missing:
        pytest.exit(f"clients not installed: {missing}; run: python -m conformance.clients", 2)


@pytest.fixture(scope="session")
def client_home() -> Iterator[Path]:
    """An empty home for client config files, so a developer's ~/.aws never leaks in."""
    with tempfile.TemporaryDirectory(prefix="conformance-") as home:
        yield Path(home)


def _served(clock: str, home: Path) -> Iterator[ServedFake]:
    fake = ServedFake(clock, home).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="session")
def _manual_fake(client_home: Path) -> Iterator[ServedFake]:
    yield from _served("manual", client_home)


@pytest.fixture
def fake(_manual_fake: ServedFake) -> ServedFake:
    """The manual-clock fake, reset: time moves only when a check moves it."""
    _manual_fake.control.reset()
    return _manual_fake


@pytest.fixture(scope="session")
def _scaled_fake(client_home: Path) -> Iterator[ServedFake]:
    yield from _served("scaled:30", client_home)


@pytest.fixture
def scaled_fake(_scaled_fake: ServedFake) -> ServedFake:
    """A fake whose clock runs 30x wall time, for clients that poll on wall-clock intervals."""
    _scaled_fake.control.reset()
    return _scaled_fake


@pytest.fixture
def env(fake: ServedFake, client_home: Path) -> dict[str, str]:
    return fake.environment(client_home)


@pytest.fixture
def network(fake: ServedFake) -> dict[str, Any]:
    return default_network(fake)
