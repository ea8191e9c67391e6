"""The harness docs stay true: the scenario table (docs/reference) and the pytest examples (docs/harness.md)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.docs import replace_table

DOCS = Path(__file__).resolve().parents[2] / "docs"
HARNESS_PAGE = DOCS / "harness.md"
SCENARIOS_PAGE = DOCS / "reference" / "harness-scenarios.md"


def harness_section() -> str:
    return HARNESS_PAGE.read_text()


def readme_examples() -> dict[str, Callable[..., Any]]:
    namespace: dict[str, Any] = {}
    for block in re.findall(r"```python\n(.*?)```", harness_section(), re.S):
        exec(compile(block, "docs/harness.md", "exec"), namespace)
    return {name: fn for name, fn in namespace.items() if name.startswith("test_")}


def test_readme_scenario_table_is_current() -> None:
    text = SCENARIOS_PAGE.read_text()
    assert replace_table(text) == text, (
        "docs/reference/harness-scenarios.md is stale: run `make docs-tables` and commit it"
    )


@pytest.mark.parametrize("name", sorted(readme_examples()))
def test_readme_example(name: str, run_dag: Any) -> None:
    readme_examples()[name](run_dag)
