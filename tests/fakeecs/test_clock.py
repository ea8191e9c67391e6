"""The clocks: virtual time moves only as documented, and bad specs get clear errors."""

from __future__ import annotations

import pytest

from fakeecs.clock import DEFAULT_EPOCH, ManualClock, ScaledClock, SystemClock, parse_clock


def test_manual_clock_moves_only_when_advanced() -> None:
    clock = ManualClock()
    assert clock.now() == DEFAULT_EPOCH
    assert clock.now() == DEFAULT_EPOCH
    assert clock.advance(90.5) == DEFAULT_EPOCH + 90.5
    assert clock.now() == DEFAULT_EPOCH + 90.5


def test_manual_clock_refuses_to_go_backwards() -> None:
    clock = ManualClock(start=100.0)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
    clock.set(50.0)
    assert clock.now() == 100.0


def test_scaled_clock_runs_faster_than_wall_time_and_can_jump() -> None:
    clock = ScaledClock(factor=1000.0, start=0.0)
    first = clock.now()
    jumped = clock.advance(3600)
    assert jumped >= first + 3600
    assert clock.now() >= jumped


def test_real_clock_cannot_be_advanced() -> None:
    with pytest.raises(ValueError, match="--clock manual"):
        SystemClock().advance(1)


@pytest.mark.parametrize(
    ("spec", "kind"), [("real", "real"), ("manual", "manual"), ("scaled:60", "scaled")]
)
def test_parse_clock(spec: str, kind: str) -> None:
    assert parse_clock(spec).kind == kind


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("fast", "use real, manual or scaled:FACTOR"),
        ("scaled:x", "must be a number"),
        ("scaled:0", "positive"),
    ],
)
def test_parse_clock_rejects_bad_specs_with_a_clear_message(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_clock(spec)
