"""The docs' scenario catalogue table, generated from `harness.scenarios.CATALOGUE`.

`python -m harness.docs docs/reference/harness-scenarios.md` rewrites it in place
(`make docs-tables`); a test fails when the page's table differs from the catalogue.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fakeecs.docs import replace_block
from harness.scenarios import CATALOGUE, Expect, Scenario

START = "<!-- harness-scenarios:start -->"
END = "<!-- harness-scenarios:end -->"
ROLES = {
    "first-operator": "the first ECSOperator",
    "first-sensor": "the first sensor",
    "operators": "every ECSOperator",
    "sensors": "every sensor",
    "s3-input": "the task reading S3",
}


def expected(expect: Expect) -> str:
    if expect.fails_at is None:
        parts = ["succeeds"]
    else:
        parts = [f"fails at {ROLES.get(expect.fails_at, expect.fails_at)}"]
        if expect.message:
            parts[0] += f" (`{expect.message}`)"
    tries = ", ".join(f"{ROLES.get(role, role)} {n}" for role, n in expect.tries.items())
    if tries:
        parts.append(f"tries: {tries}")
    parts.append(
        "no ECS task started" if expect.launches == 0 else "one ECS task per ECSOperator that runs"
    )
    return "; ".join(parts)


def applies_to(scenario: Scenario) -> str:
    return "DAGs that read an S3 input" if scenario.requires == "s3-input" else "every ECS DAG"


def scenarios_table() -> str:
    lines = [
        f"{len(CATALOGUE)} scenarios (`harness list` shows which DAGs each applies to):",
        "",
        "| scenario | what the world does | a correct DAG | applies to |",
        "|---|---|---|---|",
    ]
    for s in CATALOGUE:
        lines.append(f"| `{s.name}` | {s.summary} | {expected(s.expect)} | {applies_to(s)} |")
    return "\n".join(lines)


def replace_table(readme: str) -> str:
    return replace_block(readme, START, END, scenarios_table())


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/reference/harness-scenarios.md")
    path.write_text(replace_table(path.read_text()))


if __name__ == "__main__":
    main()
