"""The docs' table of supported operations, generated from the operation registry.

`python -m fakeecs.docs docs/reference/fakeecs-operations.md` rewrites the table in
place (`make docs-tables`); a test fails when the page's table differs from what the
registry says.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from fakeecs import api
from fakeecs.wire import service_model

START = "<!-- fakeecs-operations:start -->"
END = "<!-- fakeecs-operations:end -->"

_AREAS = {
    "clusters": "Clusters",
    "task_definitions": "Task definitions",
    "tasks": "Tasks",
    "tags": "Tags",
    "services": "Services",
    "container_instances": "Container instances",
    "attributes": "Attributes",
    "capacity_providers": "Capacity providers",
    "account_settings": "Account settings",
    "task_sets": "Task sets",
    "agent": "Agent and ECS Exec",
}


def operations_table() -> str:
    by_area: dict[str, list[str]] = defaultdict(list)
    for name, fn in api.OPERATIONS.items():
        area = fn.__module__.rsplit(".", 1)[-1]
        by_area[_AREAS.get(area, area)].append(name)
    total = len(service_model().operation_names)
    lines = [
        f"fakeecs implements {len(api.OPERATIONS)} of the {total} operations in botocore's ECS "
        "model. Any other operation answers `UnknownOperationException` naming it.",
        "",
        "| Area | Operations |",
        "|---|---|",
    ]
    for area in sorted(by_area):
        lines.append(f"| {area} | {', '.join(f'`{n}`' for n in sorted(by_area[area]))} |")
    return "\n".join(lines)


def replace_block(readme: str, start: str, end: str, content: str) -> str:
    """`readme` with the text between the `start` and `end` markers replaced by `content`."""
    head, found, rest = readme.partition(start)
    if not found or end not in rest:
        raise SystemExit(f"the page has no {start} ... {end} block")
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{content}\n{end}{tail}"


def replace_table(readme: str) -> str:
    return replace_block(readme, START, END, operations_table())


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/reference/fakeecs-operations.md")
    path.write_text(replace_table(path.read_text()))


if __name__ == "__main__":
    main()
