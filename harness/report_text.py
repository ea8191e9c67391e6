"""What the harness prints on a terminal: progress, the DAG x scenario matrix, what went wrong.

Plain text with fixed-width columns, so a CI log reads like the terminal.
Every unexpected outcome ends with the one command that reproduces it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.outcome import Problem, Result

NOT_APPLICABLE = "-"


def verdict(result: Result) -> str:
    return "ok" if result.ok else "FAIL"


def cell(result: Result) -> str:
    """`ok success 2L 1.3s`: verdict, run state, ECS tasks launched, wall time."""
    return f"{verdict(result)} {result.run_state} {result.launches}L {result.seconds:.1f}s"


def cell_line(result: Result) -> str:
    """`hoard_jpal_harvest x all-succeed: ok success 1L 0.9s`, and the first problem if any."""
    text = f"{result.dag_id} x {result.scenario.name}: {cell(result)}"
    return text if result.ok else f"{text}  <- {result.problems[0]}"


def numbered(index: int, total: int, line: str) -> str:
    """`[ 3/73] line`: where a progress line stands in the run."""
    return f"[{index:>{len(str(total))}}/{total}] {line}"


def matrix(results: Sequence[Result]) -> str:
    """Rows are scenarios, columns DAGs; `-` where a scenario does not apply to a DAG."""
    dags = sorted({r.dag_id for r in results})
    scenarios = list(dict.fromkeys(r.scenario.name for r in results))
    by_cell = {(r.scenario.name, r.dag_id): r for r in results}
    first = max([len("scenario"), *(len(s) for s in scenarios)])
    widths = [max([len(d), *(len(cell(r)) for r in results if r.dag_id == d)]) for d in dags]
    lines = [
        "  ".join(
            ["scenario".ljust(first), *(d.ljust(w) for d, w in zip(dags, widths, strict=True))]
        )
    ]
    lines.append("  ".join(["-" * first, *("-" * w for w in widths)]))
    for name in scenarios:
        row = [name.ljust(first)]
        for dag, w in zip(dags, widths, strict=True):
            found = by_cell.get((name, dag))
            row.append((cell(found) if found else NOT_APPLICABLE).ljust(w))
        lines.append("  ".join(row).rstrip())
    return "\n".join(lines)


def unexpected(results: Sequence[Result]) -> str:
    """Each run that did not end as its scenario expects: every difference, and how to rerun it."""
    blocks = []
    for r in results:
        if r.ok:
            continue
        lines = [f"UNEXPECTED {r.dag_id} x {r.scenario.name} (seed {r.seed}): {r.scenario.summary}"]
        lines += [f"  - {problem}" for problem in r.problems]
        lines.append(f"  reproduce: {r.reproduce()}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def check_problems(problems: Sequence[Problem]) -> str:
    return "\n".join(f"  FAIL {problem}" for problem in problems)


def summary(results: Sequence[Result], problems: Sequence[Problem], seconds: float) -> str:
    bad = sum(1 for r in results if not r.ok)
    dags = len({r.dag_id for r in results})
    scenarios = len({r.scenario.name for r in results})
    launches = sum(r.launches for r in results)
    text = (
        f"{len(results)} runs ({dags} DAGs x {scenarios} scenarios): "
        f"{len(results) - bad} as expected, {bad} unexpected; "
        f"{len(problems)} DAG check problem(s); {launches} ECS tasks launched; {seconds:.1f} s"
    )
    return ("FAILED: " if bad or problems else "PASSED: ") + text


def timeline(result: Result) -> str:
    """The run's events in order, for `harness reproduce`."""
    lines = [f"Timeline of {result.dag_id} x {result.scenario.name} (seed {result.seed}):"]
    for event in result.timeline.events:
        who = event.task_id or "-"
        lines.append(f"  {event.virtual:>9.1f}s  {event.kind:<11} {who:<16} {event.text}")
    return "\n".join(lines)
