"""What the `harness` sub-commands do, kept apart from argument parsing.

Every command checks the DAG files first (imports, configuration read at import,
sensor targets, XCom templates), then runs what was asked in one `Session`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from harness import report_text
from harness.matrix import plan, run_matrix

if TYPE_CHECKING:  # the runner imports Airflow, which the CLI configures first
    from harness.runner import Result, Session


def _session(folder: Path, verbose: bool) -> Session:
    from harness.runner import Session

    return Session(folder, verbose=verbose)


def list_scenarios(folder: Path, out: TextIO) -> int:
    """Each scenario, what it does, and the DAGs of the folder it applies to."""
    with _session(folder, verbose=False) as session:
        cells = plan(session)
        for problem in session.loaded.problems:
            out.write(f"FAIL {problem}\n")
    applies: dict[str, list[str]] = {}
    summaries: dict[str, str] = {}
    for c in cells:
        applies.setdefault(c.scenario.name, []).append(c.dag_id)
        summaries[c.scenario.name] = c.scenario.summary
    dags = sorted({c.dag_id for c in cells})
    out.write(f"{len(applies)} scenarios on {len(dags)} DAGs ({len(cells)} runs)\n")
    width = max(len(name) for name in applies) if applies else 0
    for name, on in applies.items():
        out.write(f"{name.ljust(width)}  {summaries[name]}\n{' ' * width}  on: {', '.join(on)}\n")
    return 0


def run(
    folder: Path,
    *,
    scenarios: Sequence[str],
    dags: Sequence[str],
    seed: int | None,
    junit: Path | None,
    html: Path | None,
    checks_only: bool,
    verbose: bool,
    out: TextIO,
) -> int:
    """Check the DAG files and run the matrix; 0 when everything was as expected."""
    started = time.monotonic()
    with _session(folder, verbose) as session:
        problems = list(session.loaded.problems)
        out.write(f"Checked {len(session.loaded.dags)} DAGs in {folder}\n")
        if problems:
            out.write(report_text.check_problems(problems) + "\n")
        cells = [] if checks_only else plan(session, scenarios, dags, seed)
        if cells:
            out.write(f"Running {len(cells)} scenario runs\n")

        def progress(index: int, total: int, result: Result) -> None:
            out.write(report_text.progress_line(index, total, result) + "\n")
            if verbose:
                out.write(report_text.timeline(result) + "\n")
            out.flush()

        results = run_matrix(session, cells, progress)
    seconds = time.monotonic() - started
    if results:
        out.write("\n" + report_text.matrix(results) + "\n")
    details = report_text.unexpected(results)
    if details:
        out.write("\n" + details + "\n")
    if problems:
        out.write("\nDAG check problems (rerun: harness run --checks-only):\n")
        out.write(report_text.check_problems(problems) + "\n")
    out.write("\n" + report_text.summary(results, problems, seconds) + "\n")
    if junit is not None:
        from harness import report_junit

        report_junit.write(junit, results, problems, seconds)
        out.write(f"JUnit XML: {junit}\n")
    if html is not None:
        from harness import report_html

        report_html.write(html, results, problems, seconds)
        out.write(f"HTML report: {html}\n")
    return 1 if problems or any(not r.ok for r in results) else 0
