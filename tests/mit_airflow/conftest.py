"""The operators' tests: botocore's back-off between retries returns at once, and is recorded."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import botocore.endpoint
import pytest


class RetryWaits:
    """Stands in for `time` in botocore's endpoint, whose only use of it is the back-off sleep."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.seconds.append(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@pytest.fixture(autouse=True)
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> Iterator[RetryWaits]:
    """botocore's back-offs (throttling, 5xx, a lost answer) take no wall time here.

    The fakes of these tests run on a manual clock, so nothing changes while botocore
    waits: with standard retries a throttled call waited about 7 s of real time in
    which a test worker sat idle. The waits are still asked for, in the same number;
    a test can read them (`retry_waits.seconds`).
    """
    waits = RetryWaits()
    monkeypatch.setattr(botocore.endpoint, "time", waits)
    yield waits
