"""What a run gave, as data: a run's `Result`, its tasks' outcomes, a DAG file's `Problem`.

The runner fills these in, `harness.expect` judges them, the reports draw them. They
also travel as JSON (`to_json` / `from_json`): every pytest-xdist worker and every CI
shard writes one file per cell, and the matrix, JUnit and HTML reports are built from
those files, so a report built from many processes is the one a single process builds.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.scenarios import Death, Expect, Redeploy, Scenario
from harness.timeline import Event, Timeline


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a DAG file, said so a DAG author knows what to fix."""

    where: str  # file or dag_id
    check: str  # import, config-at-import, sensor-target, xcom-template
    message: str

    def __str__(self) -> str:
        return f"{self.where}: [{self.check}] {self.message}"


@dataclass
class TaskOutcome:
    task_id: str
    state: str
    tries: int
    error: str | None = None
    launches: list[str] = field(default_factory=list)  # ECS task ARNs this task instance started
    succeeded: list[str] = field(default_factory=list)  # of those, the ones that ran to exit 0
    #: Launches started while an earlier one still ran or had succeeded (must stay empty).
    relaunched_early: list[str] = field(default_factory=list)


@dataclass
class Result:
    dag_id: str
    scenario: Scenario
    seed: int
    run_state: str
    tasks: dict[str, TaskOutcome]
    timeline: Timeline
    seconds: float
    virtual_seconds: float
    problems: list[str] = field(default_factory=list)  # unexpected outcomes (empty: as expected)
    log: str = ""
    task_order: list[str] = field(default_factory=list)  # the DAG's task ids, upstream first
    calls: list[dict[str, Any]] = field(default_factory=list)  # fakeecs's calls log of the run
    #: The DAGs folder when it is not the repository's workflows/ (for the reproduce command).
    dags_folder: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def launches(self) -> int:
        return sum(len(t.launches) for t in self.tasks.values())

    def reproduce(self) -> str:
        """The one command that runs this again, with Airflow's logs and the timeline."""
        folder = "" if self.dags_folder is None else f"--dags-folder {self.dags_folder} "
        return (
            f"harness {folder}reproduce {self.scenario.name} --dag {self.dag_id} --seed {self.seed}"
        )


# -- JSON ---------------------------------------------------------------------------------------


def result_to_json(result: Result) -> dict[str, Any]:
    """Everything the reports read, as JSON-ready data (the timeline's clock stays behind)."""
    return {
        "dag_id": result.dag_id,
        "scenario": dataclasses.asdict(result.scenario),
        "seed": result.seed,
        "run_state": result.run_state,
        "tasks": {k: dataclasses.asdict(v) for k, v in result.tasks.items()},
        "events": result.timeline.as_dicts(),
        "virtual_start": result.timeline.virtual_start,
        "seconds": result.seconds,
        "virtual_seconds": result.virtual_seconds,
        "problems": list(result.problems),
        "log": result.log,
        "task_order": list(result.task_order),
        "calls": result.calls,
        "dags_folder": None if result.dags_folder is None else str(result.dags_folder),
    }


def scenario_from_json(data: dict[str, Any]) -> Scenario:
    fields = dict(data)
    fields["faults"] = tuple(fields.get("faults", ()))
    fields["deaths"] = tuple(Death(**d) for d in fields.get("deaths", ()))
    fields["unset"] = tuple(fields.get("unset", ()))
    plan = fields.get("redeploy")
    fields["redeploy"] = None if plan is None else Redeploy(**plan)
    fields["expect"] = Expect(**fields.get("expect", {}))
    return Scenario(**fields)


def result_from_json(data: dict[str, Any]) -> Result:
    timeline = Timeline(virtual_start=data["virtual_start"])
    timeline.events = [Event(**e) for e in data["events"]]
    return Result(
        dag_id=data["dag_id"],
        scenario=scenario_from_json(data["scenario"]),
        seed=data["seed"],
        run_state=data["run_state"],
        tasks={k: TaskOutcome(**v) for k, v in data["tasks"].items()},
        timeline=timeline,
        seconds=data["seconds"],
        virtual_seconds=data["virtual_seconds"],
        problems=list(data["problems"]),
        log=data["log"],
        task_order=list(data["task_order"]),
        calls=list(data["calls"]),
        dags_folder=None if data["dags_folder"] is None else Path(data["dags_folder"]),
    )


def problem_to_json(problem: Problem) -> dict[str, str]:
    return dataclasses.asdict(problem)


def problem_from_json(data: dict[str, str]) -> Problem:
    return Problem(**data)
