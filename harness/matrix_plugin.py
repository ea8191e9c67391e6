"""The DAG x scenario matrix as pytest items: `pytest -p harness.matrix_plugin workflows/`.

Each cell is an item with the node id `<dag_id>::<scenario>` (JUnit: classname the DAG,
name the scenario), each DAG check problem an item `checks::<check>: <where>`, so the
whole pytest toolbox works on the matrix: -k, --lf, -x, --junitxml, and pytest-xdist's
-n to spread the cells over every core. Each process that runs cells (the only one, or
each xdist worker) has its own Airflow home and database (`harness.setup`), its own
session, and a fresh seeded fakeecs per cell; it writes every result to the results
folder (`harness.results`). The process that reports (the only one, or xdist's
controller) prints progress lines as reports arrive and, at the end, builds the text
matrix and the HTML report from the results folder: the same report from one process,
many workers, or merged CI shards. `harness run` is the friendly way to call this.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness import airflow_env, changes, report_html, report_text, results, selection, setup
from harness.matrix import Cell, UnknownName, plan
from harness.outcome import Problem, Result

if TYPE_CHECKING:
    from harness.runner import Session

RESULTS = Path("build/test-dags")


@dataclass(frozen=True)
class Options:
    scenarios: tuple[str, ...]
    dags: tuple[str, ...]
    seed: int | None
    shard: tuple[int, int] | None
    changed: str | None  # None: every DAG; "": since the merge base with main; else BASE
    results: Path
    html: Path | None
    checks_only: bool
    verbose: bool


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "the DAG x scenario matrix")
    group.addoption("--harness-scenario", action="append", default=[], help="only this scenario")
    group.addoption("--harness-dag", action="append", default=[], help="only this DAG")
    group.addoption("--harness-seed", type=int, default=None, help="seed for every scenario")
    group.addoption("--harness-shard", default=None, metavar="I/N", help="run slice I of N")
    group.addoption(
        "--harness-changed",
        default=None,
        metavar="BASE",
        help="only DAGs changed since BASE ('' : the merge base with main)",
    )
    group.addoption("--harness-results", default=str(RESULTS), metavar="DIR", help="results folder")
    group.addoption("--harness-html", default=None, metavar="PATH", help="write the HTML report")
    group.addoption("--harness-checks-only", action="store_true", help="only the DAG checks")
    group.addoption("--harness-verbose", action="store_true", help="Airflow's logs, timelines")


def options(config: pytest.Config) -> Options:
    opt = config.getoption
    shard = opt("--harness-shard")
    html = opt("--harness-html")
    return Options(
        scenarios=tuple(opt("--harness-scenario")),
        dags=tuple(opt("--harness-dag")),
        seed=opt("--harness-seed"),
        shard=selection.parse_shard(shard) if shard else None,
        changed=opt("--harness-changed"),
        results=Path(opt("--harness-results")).resolve(),
        html=Path(html).resolve() if html else None,
        checks_only=opt("--harness-checks-only"),
        verbose=opt("--harness-verbose"),
    )


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _is_controller(config: pytest.Config) -> bool:
    """xdist's controller: it never collects or runs cells, it only reports."""
    return not _is_worker(config) and bool(getattr(config.option, "numprocesses", None))


def _dags_folder(config: pytest.Config) -> Path:
    folders = [config.invocation_params.dir / arg.split("::")[0] for arg in config.args]
    folders = [f.resolve() for f in folders if f.is_dir()]
    if len(folders) != 1:
        raise pytest.UsageError("give exactly one DAGs folder, e.g. pytest ... workflows/")
    return folders[0]


class Matrix:
    """This process's part: Airflow and the session where cells run; the report where they end."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.options = options(config)
        self.folder = _dags_folder(config)
        self.session: Session | None = None
        self.started = time.monotonic()
        self.total = 0
        self.done = 0

    # -- where cells run -----------------------------------------------------------------

    def harness_session(self) -> Session:
        if self.session is None:
            from harness.runner import Session  # Airflow loads here, after setup.prepare

            self.session = Session(self.folder, verbose=self.options.verbose)
            # Airflow's modules and the loaded DAGs live as long as the process: out of the
            # collector's sight, each garbage collection during a cell has far less to walk.
            gc.freeze()
        return self.session

    # -- the reporting side ----------------------------------------------------------------

    @property
    def terminal(self) -> Any:
        return self.config.pluginmanager.getplugin("terminalreporter")

    def collected(self, count: int) -> None:
        found = results.read([self.options.results])
        shard = self.options.shard
        checks = len(found.problems) if shard is None or shard[0] == 1 else 0
        self.total = max(count - checks, 0)
        if self.terminal is None:
            return
        self.terminal.write_line(f"Checked {len(found.dags)} DAGs in {self.folder}")
        if found.problems:
            self.terminal.write_line(report_text.check_problems(found.problems))
        if self.total > 0:
            self.terminal.write_line(f"Running {self.total} scenario runs")

    def progress(self, report: pytest.TestReport) -> None:
        line = getattr(report, "harness_line", None)
        if line is None or self.terminal is None:
            return
        self.done += 1
        self.terminal.write_line(report_text.numbered(self.done, max(self.total, 1), line))
        timeline = getattr(report, "harness_timeline", None)
        if timeline:
            self.terminal.write_line(timeline)

    def summary(self) -> None:
        seconds = time.monotonic() - self.started
        results.write_run(self.options.results, seconds)
        found = results.read([self.options.results])
        write = self.terminal.write_line if self.terminal is not None else print
        for line in report(found.results, found.problems, seconds):
            write(line)
        if self.options.html is not None:
            report_html.write(self.options.html, found.results, found.problems, seconds)
            write(f"HTML report: {self.options.html}")


def report(found: list[Result], problems: list[Problem], seconds: float) -> list[str]:
    """The end of a run on the terminal: matrix, what went wrong, the one-line summary."""
    lines = []
    if found:
        lines += ["", report_text.matrix(found)]
    details = report_text.unexpected(found)
    if details:
        lines += ["", details]
    if problems:
        lines += ["", "DAG check problems (rerun: harness run --checks-only):"]
        lines.append(report_text.check_problems(problems))
    lines += ["", report_text.summary(found, problems, seconds)]
    return lines


_KEY = pytest.StashKey[Matrix]()


def _matrix(config: pytest.Config) -> Matrix:
    return config.stash[_KEY]


# -- pytest hooks --------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    matrix = Matrix(config)
    config.stash[_KEY] = matrix
    if not _is_worker(config):
        results.clear(matrix.options.results)
        airflow_env.template_db()  # migrated once, before any worker needs a copy
    if not _is_controller(config):
        setup.prepare(matrix.folder)
    if not _is_worker(config):
        config.pluginmanager.register(Reporting(matrix), "harness-matrix-reporting")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks(matrix), "harness-matrix-xdist")


def pytest_unconfigure(config: pytest.Config) -> None:
    matrix = config.stash.get(_KEY, None)
    if matrix is not None and matrix.session is not None:
        matrix.session.close()


def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if path.resolve() == _matrix(parent.config).folder:
        return DagsFolder.from_parent(parent, path=path)
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    _matrix(session.config).collected(len(session.items))


class XdistHooks:
    def __init__(self, matrix: Matrix) -> None:
        self.matrix = matrix

    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        if self.matrix.total == 0:
            self.matrix.collected(len(ids))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if call.when == "call" and isinstance(item, CellItem) and item.result is not None:
        report.harness_line = report_text.cell_line(item.result)
        if _matrix(item.config).options.verbose:
            report.harness_timeline = report_text.timeline(item.result)
    elif call.when == "call" and isinstance(item, CellItem):
        report.harness_line = f"{item.cell.dag_id} x {item.cell.scenario.name}: harness error"
    return report


class Reporting:
    """The reporting side's per-report hooks (they need the config, which reports lack)."""

    def __init__(self, matrix: Matrix) -> None:
        self.matrix = matrix

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call":
            self.matrix.progress(report)

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(self, report: Any) -> tuple[str, str, str] | None:
        """No pytest dot for a cell: its progress line says more."""
        quiet = self.matrix.config.get_verbosity() <= 0
        if quiet and report.when == "call" and hasattr(report, "harness_line"):
            return report.outcome, "", ""
        return None


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not _is_worker(config):
        _matrix(config).summary()


# -- collection ----------------------------------------------------------------------------


class DagsFolder(pytest.Directory):
    """The DAGs folder: its check problems and its (DAG, scenario) cells, as items."""

    def collect(self) -> Iterator[pytest.Item]:
        matrix = _matrix(self.config)
        opts = matrix.options
        session = matrix.harness_session()
        loaded = session.loaded
        results.write_checks(opts.results, sorted(loaded.dags), loaded.problems)
        if opts.shard is None or opts.shard[0] == 1:  # checks belong to the first shard
            seen: set[str] = set()
            for problem in loaded.problems:
                nodeid = unique(f"checks::{problem.check}: {problem.where}", seen)
                yield CheckItem.from_parent(
                    self, name=nodeid.split("::", 1)[1], nodeid=nodeid, problem=problem
                )
        if opts.checks_only:
            return
        positioned = list(enumerate(plan(session, opts.scenarios, opts.dags, opts.seed)))
        if opts.changed is not None:
            affected = changes.affected_dags(loaded.files, self.path, opts.changed or None)
            positioned = [(k, c) for k, c in positioned if c.dag_id in affected]
        if opts.shard is not None:
            positioned = selection.shard(
                positioned, *opts.shard, weight=lambda kc: len(session.shape(kc[1].dag_id).order)
            )
        for position, cell in positioned:
            yield CellItem.from_parent(
                self, name=cell.id, nodeid=cell.id, cell=cell, position=position
            )

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:
        if isinstance(excinfo.value, (UnknownName, changes.GitError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


def unique(nodeid: str, seen: set[str]) -> str:
    candidate, n = nodeid, 1
    while candidate in seen:
        n += 1
        candidate = f"{nodeid} #{n}"
    seen.add(candidate)
    return candidate


class Unexpected(Exception):
    """A cell did not end as its scenario expects."""


class CellItem(pytest.Item):
    """One DAG under one scenario: runs it, writes its result, fails when it was unexpected."""

    def __init__(self, *, cell: Cell, position: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cell = cell
        self.position = position
        self.result: Result | None = None

    def runtest(self) -> None:
        matrix = _matrix(self.config)
        self.result = matrix.harness_session().run(self.cell.dag_id, self.cell.scenario)
        results.write_cell(matrix.options.results, self.position, self.result)
        self.add_report_section("call", "stdout", report_text.timeline(self.result))
        if not self.result.ok:
            raise Unexpected(self.result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:
        if isinstance(excinfo.value, Unexpected) and self.result is not None:
            return "\n".join([*self.result.problems, "", f"reproduce: {self.result.reproduce()}"])
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.cell.id


class CheckProblem(Exception):
    """A DAG file failed a static check."""


class CheckItem(pytest.Item):
    """A DAG check problem: always a failure, saying what to fix."""

    def __init__(self, *, problem: Problem, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problem = problem

    def runtest(self) -> None:
        raise CheckProblem(str(self.problem))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:
        return str(self.problem)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.problem.check}: {self.problem.where}"
