"""Harness tests: the folder of deliberately broken DAGs, next to the real workflows/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

BROKEN_DAGS = Path(__file__).parent / "broken_dags"


@pytest.fixture(scope="session")
def broken_harness() -> Iterator[object]:
    """A harness session over `broken_dags/` (Airflow itself is shared with `harness`)."""
    from harness.runner import Session

    with Session(BROKEN_DAGS, reuse_configured=True) as session:
        yield session
