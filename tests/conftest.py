"""Test-session set-up: an offline Airflow home in a temp dir, configured before airflow is imported."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from fakeecs import moto_backend
from harness import airflow_env

# No AWS account is ever used by the tests: make that explicit, so a stray call to
# real AWS fails instead of using a developer's credentials.
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECS"):
    os.environ.pop(_name, None)
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"

# Speed is measured by `make bench`, never asserted: hypothesis's per-example deadline would
# fail a test on a loaded machine (xdist workers share the cores), so no test has one.
settings.register_profile("project", deadline=None)
settings.load_profile("project")

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="mit-airflow-tests-"))
AIRFLOW_HOME = _SESSION_DIR / "airflow"
DAGS_FOLDER = _SESSION_DIR / "dags"
airflow_env.configure(AIRFLOW_HOME, DAGS_FOLDER)
# moto's 44 default AMIs, not the region's 1,300: every test that makes a network pays for them.
moto_backend.use_default_amis_only(_SESSION_DIR)


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """A migrated SQLite metadata DB for this test session; returns AIRFLOW_HOME."""
    airflow_env.migrate(AIRFLOW_HOME)
    return AIRFLOW_HOME


@pytest.fixture
def dags_folder() -> Iterator[Path]:
    """The DAGS_FOLDER of this session: `dag.test()` only runs DAG files placed here.

    Emptied after each test: every run parses the whole folder, so files left behind would
    make each later DAG test slower and its cost depend on which tests ran before it on
    the same xdist worker.
    """
    yield DAGS_FOLDER
    for leftover in DAGS_FOLDER.glob("*.py"):
        leftover.unlink()


@pytest.fixture(scope="session", autouse=True)
def _one_botocore_loader() -> Iterator[None]:
    """Every botocore session of this test process shares one data loader, as under the harness.

    Airflow's AWS hook builds a new boto3 session for every client, and each new session
    decodes botocore's JSON models again: in tests that build a client per attempt (a worker
    dies, the retry builds its own) that was most of their time. The loader only reads files
    that never change, so sharing it changes what a test costs, not what it checks.
    """
    from harness.instrument import sharing_botocore_loader

    with sharing_botocore_loader():
        yield


@pytest.fixture(scope="session", autouse=True)
def _fast_execution_api() -> Iterator[None]:
    """dag.test() in these tests talks to Airflow's in-process execution API as under the
    harness: built for the task SDK's API version only, its dependency trees reused. Each
    test worker's first DAG test paid 3 to 4 s for routes of API versions nobody here calls;
    tests/harness/test_cell_cost.py shows the outcomes are the same."""
    from harness.instrument import fast_execution_api

    with fast_execution_api():
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked slow run first (the rest keep their order).

    pytest-xdist's worksteal hands each worker a contiguous share and lets an idle worker take
    the end of another's queue. With the slow tests (tens of seconds, several of them starting
    Airflow processes) first, one worker works through them while the other runs the short
    ones, and the suite ends on short tests that both workers share, instead of one worker
    finishing a long test alone, or two multi-process tests fighting for the same two cores.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Remove the deployment's configuration variables for one test."""
    for name in list(os.environ):
        if name.startswith(("ECS_", "ES_URL", "AIRFLOW_ENVIRONMENT")):
            monkeypatch.delenv(name, raising=False)
    yield monkeypatch
