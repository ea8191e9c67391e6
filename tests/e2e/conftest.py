"""Fixtures that start real services and processes for the e2e suite (never run by `make test`).

One Airflow deployment per pytest session, so per pytest-xdist worker (`make test-e2e`
runs two side by side; starting one costs 30 to 50 s): a fresh PostgreSQL database, a
fresh Redis DB index, `fakeecs serve`, an api-server, a scheduler and a dag-processor on
ports of their own, all stopped and removed afterwards. A test that restarts the
scheduler restarts its own worker's, never the other's. Every test starts the Celery
workers it needs on queues of its own, so it can signal exactly them. When a test
fails, every process's log of its deployment is attached to the report.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.e2e import ecs_world, services
from harness.e2e.airflow_cluster import AirflowCluster, airflow_env, free_port
from harness.e2e.fakeecs_server import FakeEcsServer
from harness.e2e.processes import ManagedProcess

E2E_DAGS = Path(__file__).parent / "dags"
WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


@pytest.fixture(scope="session")
def servers() -> None:
    """PostgreSQL and Redis running, started here if they were down; a clear failure otherwise."""
    try:
        services.ensure_postgres()
        services.ensure_redis()
    except services.ServiceUnavailable as err:
        pytest.fail(str(err), pytrace=False)


def _dags_folder(root: Path) -> Path:
    dags = root / "dags"
    if WORKFLOWS.is_dir():
        shutil.copytree(WORKFLOWS, dags / "workflows", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(E2E_DAGS, dags / "e2e", ignore=shutil.ignore_patterns("__pycache__"))
    return dags


def start_cluster(
    root: Path, overrides: dict[str, str] | None = None, workers: int = 2
) -> Iterator[AirflowCluster]:
    """A whole Airflow deployment in `root`; yields it running, tears everything down after."""
    db = services.PostgresDatabase.create()
    broker = services.RedisDatabase.claim()
    port = free_port()
    env = airflow_env(
        dict(os.environ), root / "home", _dags_folder(root), db, broker, port, overrides or {}
    )
    cluster = AirflowCluster(root, env, db, port)
    try:
        cluster.migrate()
        cluster.start_api_server()  # it starts while the scheduler and dag-processor do
        cluster.start_dag_processor()
        cluster.start_scheduler()
        cluster.wait_api_server()
        for n in range(1, workers + 1):
            cluster.start_worker(
                f"worker{n}", grace=float(env.get("WORKER_STOP_GRACE_SECONDS", "120"))
            )
    except Exception as err:
        cluster.stop_all()
        broker.release()
        db.drop()
        raise RuntimeError(
            f"the Airflow cluster did not start: {err}{cluster.failure_report()}"
        ) from err
    try:
        yield cluster
    finally:
        cluster.stop_all()
        broker.release()
        db.drop()


RUN_DIR = pytest.StashKey[Path]()


def _keep_logs() -> bool:
    return os.environ.get("E2E_KEEP_LOGS") == "1"


def pytest_configure(config: pytest.Config) -> None:
    """The run's work dir, made once by the process that reports (the xdist controller, or
    the only process with -n 0); each deployment works in a sub-folder of it."""
    if not hasattr(config, "workerinput"):
        config.stash[RUN_DIR] = Path(tempfile.mkdtemp(prefix="mit-airflow-e2e-"))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Tell each xdist worker the run's work dir (worker processes print nowhere visible)."""
    node.workerinput["e2e_run_dir"] = str(node.config.stash[RUN_DIR])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    run_dir = terminalreporter.config.stash.get(RUN_DIR, None)
    if run_dir is not None and _keep_logs():
        terminalreporter.write_line(f"e2e logs kept in {run_dir}/<worker>/logs")


def pytest_unconfigure(config: pytest.Config) -> None:
    run_dir = config.stash.get(RUN_DIR, None)
    if run_dir is not None and not _keep_logs():
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def e2e_root(request: pytest.FixtureRequest) -> Iterator[Path]:
    """This deployment's work dir (logs under logs/), named after the xdist worker (`gw0`,
    ...; `main` without xdist); E2E_KEEP_LOGS=1 keeps it after the run."""
    workerinput = getattr(request.config, "workerinput", None)
    if workerinput is None:
        root = request.config.stash[RUN_DIR] / "main"
    else:
        root = Path(workerinput["e2e_run_dir"]) / workerinput["workerid"]
    root.mkdir(parents=True)
    yield root
    if not _keep_logs():
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def fake_ecs(e2e_root: Path) -> Iterator[FakeEcsServer]:
    """`fakeecs serve --clock scaled:10` with the e2e cluster and its one task definition."""
    (e2e_root / "logs").mkdir(parents=True, exist_ok=True)
    server = FakeEcsServer(e2e_root / "logs", dict(os.environ), scale=ecs_world.SCALE)
    server.start()
    server.network = ecs_world.create(server)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cluster(servers: None, e2e_root: Path, fake_ecs: FakeEcsServer) -> Iterator[AirflowCluster]:
    """One Airflow deployment for the suite (api-server, scheduler, dag-processor) pointed at
    fakeecs; each test starts the workers it needs (`workers`), on queues of its own."""
    yield from start_cluster(
        e2e_root, ecs_world.environment(fake_ecs.url, fake_ecs.network), workers=0
    )


@pytest.fixture
def workers(cluster: AirflowCluster, fake_ecs: FakeEcsServer) -> Iterator[list[ManagedProcess]]:
    """Workers a test started (append them); killed after it (the test has asserted what it
    meant to: a warm shutdown would only wait for task runners to exit), with its fault rules."""
    started: list[ManagedProcess] = []
    yield started
    fake_ecs.control.faults([])
    for proc in started:
        proc.kill_group()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed and "cluster" in getattr(item, "funcargs", {}):
        report.sections.append(("airflow process logs", item.funcargs["cluster"].failure_report()))
