"""The generated reference pages are what the code says (regenerate: make docs-tables)."""

from __future__ import annotations

import re
from pathlib import Path

from fakeecs import api
from fakeecs.docs import PAGES, operations_page, stale_pages
from fakeecs.wire import service_model

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference"


def test_reference_pages_are_current() -> None:
    stale = stale_pages(REFERENCE)
    assert not stale, (
        f"docs/reference/{', '.join(stale)} stale: run `make docs-tables` and commit docs/reference/"
    )


def test_every_generated_page_is_committed() -> None:
    assert sorted(PAGES) == sorted(p.name for p in REFERENCE.glob("*.md") if p.name in PAGES)


def test_support_table_lists_every_ecs_operation_once_with_its_status() -> None:
    rows = re.findall(
        r"^\| \[`(\w+)`\]\([^)]*\) \| (supported|not yet) \|", operations_page(), re.M
    )
    names = [name for name, _ in rows]
    assert sorted(names) == sorted(service_model().operation_names)
    assert {name for name, status in rows if status == "supported"} == set(api.OPERATIONS)
