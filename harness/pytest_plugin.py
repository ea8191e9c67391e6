"""pytest plugin: run the real DAGs under harness scenarios from your own tests.

    from harness.scenarios import Expect

    def test_the_harvest_survives_a_lost_answer(run_dag):
        result = run_dag("timdex_aspace_harvest", "lost-runtask-response")
        assert result.ok, result.problems

    def test_a_slow_harvest_is_waited_for(run_dag):
        result = run_dag("timdex_aspace_harvest", behaviour={"runSeconds": 5 * 3600})
        assert result.tasks["harvest_done"].state == "success"

Fixtures: `harness` (the session: Airflow started once, the DAGs of the folder loaded
and checked), `run_dag` (run one DAG under a catalogue scenario, changed or new),
`harness_scenarios` (the catalogue by name). Each run gets its own fakeecs on a
virtual clock; `run_dag(..., prepare=fn)` hands it to `fn(fake)` before the DAG starts
(script behaviours or faults, add S3 objects, move the clock with `fake.advance`), and
`result.calls` is its calls log afterwards. The DAGs folder is `workflows/` of this
repository unless `--harness-dags PATH` (or the `harness_dags` ini option) says otherwise.
Nothing here imports Airflow until a fixture is used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.scenarios import BY_NAME, Scenario

if TYPE_CHECKING:
    from fakeecs import FakeECS
    from harness.outcome import Result
    from harness.runner import Session


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--harness-dags",
        default=None,
        metavar="PATH",
        help="DAGs folder for the harness fixtures (default: the repository's workflows/)",
    )
    parser.addini("harness_dags", "DAGs folder for the harness fixtures", default="")


def _folder(config: pytest.Config) -> Path | None:
    given = config.getoption("--harness-dags") or config.getini("harness_dags")
    return Path(given) if given else None


@pytest.fixture(scope="session")
def harness(request: pytest.FixtureRequest) -> Iterator[Session]:
    """Airflow and the DAGs folder, loaded once for the test session."""
    from harness.runner import Session

    with Session(_folder(request.config), reuse_configured=True) as session:
        yield session


@pytest.fixture(scope="session")
def harness_scenarios() -> dict[str, Scenario]:
    """The scenario catalogue by name (`harness list` shows it)."""
    return dict(BY_NAME)


RunDag = Callable[..., "Result"]


@pytest.fixture
def run_dag(harness: Session) -> RunDag:
    """`run_dag(dag_id, scenario="all-succeed", *, seed=None, prepare=None, **changes)`.

    `scenario` is a catalogue name or a `Scenario`; `changes` replace its fields
    (`behaviour=`, `faults=`, `deaths=`, `expect=`, ...). Returns the judged `Result`.
    """

    def run(
        dag_id: str,
        scenario: str | Scenario = "all-succeed",
        *,
        seed: int | None = None,
        prepare: Callable[[FakeECS], None] | None = None,
        **changes: Any,
    ) -> Result:
        if isinstance(scenario, str):
            if scenario not in BY_NAME:
                raise KeyError(f"no scenario {scenario!r}; known: {', '.join(BY_NAME)}")
            scenario = BY_NAME[scenario]
        if changes:
            scenario = dataclasses.replace(scenario, **changes)
        return harness.run(dag_id, scenario, seed=seed, prepare=prepare)

    return run
