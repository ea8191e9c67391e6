"""The README's supported-operations table is what the registry says (regenerate: make docs)."""

from __future__ import annotations

from pathlib import Path

from fakeecs.docs import replace_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_operations_table_is_current() -> None:
    text = README.read_text()
    assert replace_table(text) == text, (
        "README's fakeecs operations table is stale: run `make docs` and commit README.md"
    )
