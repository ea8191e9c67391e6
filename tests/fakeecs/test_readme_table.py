"""The docs' supported-operations table is what the registry says (regenerate: make docs-tables)."""

from __future__ import annotations

from pathlib import Path

from fakeecs.docs import replace_table

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "fakeecs-operations.md"


def test_readme_operations_table_is_current() -> None:
    text = PAGE.read_text()
    assert replace_table(text) == text, (
        "docs/reference/fakeecs-operations.md is stale: run `make docs-tables` and commit it"
    )
