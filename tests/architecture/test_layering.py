"""What import-linter (make lint) cannot check about fakeecs's layers.

import-linter checks which layer imports which (pyproject.toml's contracts); these
tests check that no modules import each other in a circle, even inside one layer, and
that no fakeecs module hides an import of another inside a function (the usual way to
dodge a circle, which would hide it from import-linter too).
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("fakeecs", "harness", "mit_airflow")


def _cycles(package: str) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in edges.get(module, []):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_circles(package: str) -> None:
    assert _cycles(package) == [], f"{package} has modules importing each other in a circle"


def _local_imports(path: Path) -> list[str]:
    """`line: module` for every import of a fakeecs module inside a function of `path`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and inner.level == 0:
                names = [inner.module or ""]
            elif isinstance(inner, ast.Import):
                names = [alias.name for alias in inner.names]
            else:
                continue
            found += [f"{inner.lineno}: {n}" for n in names if n.split(".")[0] == "fakeecs"]
    return found


def test_no_fakeecs_import_inside_a_function() -> None:
    hidden = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "fakeecs").rglob("*.py"))
        if (lines := _local_imports(path))
    }
    assert hidden == {}, "move these imports to the top of the module (and break the circle)"
