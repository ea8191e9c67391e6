"""A long run cannot exhaust memory: the calls log keeps only the newest calls."""

from __future__ import annotations

import pytest

from fakeecs import wire
from fakeecs.engine import Engine, core


def test_the_calls_log_keeps_the_newest_calls_up_to_its_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(core, "CALLS_LOG_LIMIT", 5)
    engine = Engine()
    for n in range(8):
        wire.call(engine, "CreateCluster", {"clusterName": f"c{n}"})
    names = [call["params"]["clusterName"] for call in engine.calls]
    assert names == ["c3", "c4", "c5", "c6", "c7"]
    assert len(engine.region("us-east-1").clusters) == 8  # only the log forgets, not ECS


def test_the_documented_limit_is_the_real_one() -> None:
    assert Engine().calls.maxlen == core.CALLS_LOG_LIMIT == 20_000
