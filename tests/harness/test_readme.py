"""The README's harness section stays true: its scenario table and its pytest examples."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.docs import replace_table

README = Path(__file__).resolve().parents[2] / "README.md"


def harness_section() -> str:
    text = README.read_text()
    return text[
        text.index("<!-- section:harness:start -->") : text.index("<!-- section:harness:end -->")
    ]


def readme_examples() -> dict[str, Callable[..., Any]]:
    namespace: dict[str, Any] = {}
    for block in re.findall(r"```python\n(.*?)```", harness_section(), re.S):
        exec(compile(block, "README.md (harness section)", "exec"), namespace)
    return {name: fn for name, fn in namespace.items() if name.startswith("test_")}


def test_readme_scenario_table_is_current() -> None:
    text = README.read_text()
    assert replace_table(text) == text, (
        "README's harness scenario table is stale: run `make docs` and commit README.md"
    )


@pytest.mark.parametrize("name", sorted(readme_examples()))
def test_readme_example(name: str, run_dag: Any) -> None:
    readme_examples()[name](run_dag)
