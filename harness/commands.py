"""What the `harness` sub-commands do, kept apart from argument parsing.

`run` and `reproduce` are pytest underneath (`harness.matrix_plugin`): the cells are
pytest items, spread over every core by pytest-xdist, and the matrix, JUnit and HTML
reports are built from the per-cell results every process writes. `merge` joins the
results folders of CI shards into the reports one machine would have written. `list`
loads the DAGs in this process and says which scenario applies where.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import pytest

from harness import junit, report_html, report_text, results, setup
from harness.matrix import plan
from harness.matrix_plugin import RESULTS, report

if TYPE_CHECKING:  # the runner imports Airflow, which `setup.prepare` configures first
    from harness.runner import Session


def _session(folder: Path) -> Session:
    setup.prepare(folder)
    from harness.runner import Session

    return Session(folder)


def list_scenarios(folder: Path, out: TextIO) -> int:
    """Each scenario, what it does, and the DAGs of the folder it applies to."""
    with _session(folder) as session:
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


@dataclass(frozen=True)
class RunRequest:
    """What `harness run` (and `reproduce`) was asked for."""

    folder: Path
    scenarios: Sequence[str] = ()
    dags: Sequence[str] = ()
    seed: int | None = None
    junit: Path | None = None
    html: Path | None = None
    results: Path = RESULTS
    checks_only: bool = False
    verbose: bool = False
    workers: str = "auto"  # pytest-xdist's -n: a number, "auto" (every core) or "0"
    shard: str | None = None
    changed: str | None = None


def pytest_args(request: RunRequest) -> list[str]:
    """The pytest command line that runs `request` (what `make test-dags` runs underneath)."""
    args = [
        str(request.folder),
        "-p",
        "harness.matrix_plugin",
        "--noconftest",  # a DAGs folder is not a test suite: no conftest of the repository
        "-q",
        "-o",
        "junit_suite_name=test-dags",
        "-o",
        "junit_logging=system-out",
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        # Cells are not property tests, and the unraisable-exception check ends each process
        # with a full garbage collection of Airflow's heap: 2 to 3 s of a run between them.
        "-p",
        "no:hypothesispytest",
        "-p",
        "no:unraisableexception",
        "--harness-results",
        str(request.results),
    ]
    args += [f"--harness-scenario={name}" for name in request.scenarios]
    args += [f"--harness-dag={dag}" for dag in request.dags]
    if request.seed is not None:
        args.append(f"--harness-seed={request.seed}")
    if request.junit is not None:
        args.append(f"--junitxml={request.junit}")
    if request.html is not None:
        args.append(f"--harness-html={request.html}")
    if request.checks_only:
        args.append("--harness-checks-only")
    if request.shard is not None:
        args.append(f"--harness-shard={request.shard}")
    if request.changed is not None:
        args.append(f"--harness-changed={request.changed}")
    workers = "0" if request.verbose else request.workers
    if workers != "0":
        args += ["-n", workers, "--dist", "worksteal"]
    else:
        args += ["-p", "no:xdist"]
    if request.verbose:
        args += ["--harness-verbose", "-s"]
    return args


def run(request: RunRequest, out: TextIO = sys.stdout) -> int:
    """Check the DAG files and run the matrix; 0 when everything was as expected."""
    code = pytest.main(pytest_args(request))
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        why = "no DAG changed" if request.changed is not None else "no cell selected"
        out.write(f"harness: {why}: nothing to run\n")
        return 0
    if code == pytest.ExitCode.USAGE_ERROR:
        return 2
    return 0 if code == pytest.ExitCode.OK else 1


def merge(folders: Sequence[Path], junit_path: Path | None, html: Path | None, out: TextIO) -> int:
    """Join shards' results folders into one matrix, JUnit file and HTML report."""
    found = results.read(folders)
    for line in report(found.results, found.problems, found.seconds):
        out.write(line + "\n")
    if junit_path is not None:
        junit.merge(sorted(p for f in folders for p in f.glob("*.xml")), junit_path)
        out.write(f"JUnit XML: {junit_path}\n")
    if html is not None:
        report_html.write(html, found.results, found.problems, found.seconds)
        out.write(f"HTML report: {html}\n")
    bad = found.problems or any(not r.ok for r in found.results)
    if not found.results and not found.problems:
        out.write(report_text.summary([], [], 0.0) + "\n")
    return 1 if bad else 0
