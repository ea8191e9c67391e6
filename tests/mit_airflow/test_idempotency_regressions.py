"""Replays of the interleavings `make property` found breaking a promise (shrunk, saved in
idempotency_regressions.json beside this file), and a few of its generated cases, so the
property runner's world and judge are themselves exercised by `make test`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mit_airflow.identity import LaunchIdentity
from reliability import property as property_run
from reliability.interleavings import GENERATOR, Attempt, Interleaving, generate
from reliability.operator_world import Outcome, operator_world
from tests.mit_airflow.ecs_dag_support import CLUSTER
from tests.mit_airflow.operator_attempts import TaskInstance

SAVED = Path(__file__).with_name("idempotency_regressions.json")
saved = json.loads(SAVED.read_text()) if SAVED.exists() else []
#: Hand-picked: a SIGKILL right after RunTask, then a redeploy after DescribeTasks with a lost
#: answer and a late ListTasks; a failed first container that a genuine retry relaunches;
#: a protected worker whose redeploy waits for the try to clear its protection, one whose
#: protection expires mid-try, one whose protection expired before the redeploy, and a
#: SIGKILLed try's protection left behind when the next try's redeploy comes.
CASES = [
    *(Interleaving.from_json(entry["case"]) for entry in saved),
    Interleaving(attempts=(Attempt(death="RunTask"),), describe_delay=30),
    Interleaving(
        attempts=(
            Attempt(death="DescribeTasks", redeploy=True, lose_response=True, pause=30),
            Attempt(death="RunTask", throttle=1),
        ),
        with_store=True,
        service_redeploys=True,
    ),
    Interleaving(
        attempts=(
            Attempt(death="RunTask", redeploy=True, protect_minutes=1),
            Attempt(death="ListTasks", redeploy=True, protect_minutes=2, protection_ends="expires"),
        ),
        describe_delay=5,
    ),
    Interleaving(
        attempts=(
            Attempt(
                death="DescribeTasks", redeploy=True, protect_minutes=5, protection_ends="expired"
            ),
        ),
        exit_codes=(1, 0),
    ),
    Interleaving(
        attempts=(
            Attempt(death="RunTask", protect_minutes=5, pause=30),
            Attempt(death="ListTasks", redeploy=True, protection_ends="expires"),
        ),
        with_store=True,
    ),
    generate(0, 0),
]


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_no_duplicate_launch_and_an_honest_verdict(case: Interleaving) -> None:
    with operator_world() as world:
        outcome = world.run(case)
    assert outcome.launches >= 1
    assert not outcome.broken, outcome.detail


def test_a_second_launch_beside_a_live_task_is_caught() -> None:
    """The judge is not blind: a task started by hand beside the operator's counts."""
    with operator_world() as world:
        world.set_up(Interleaving())
        world.fake.behaviour("worker", runSeconds=20, exitCode=0)
        ti = TaskInstance()
        for _ in range(2):
            world.ecs.run_task(
                cluster=CLUSTER,
                taskDefinition="worker",
                launchType="FARGATE",
                startedBy=LaunchIdentity.from_context({"ti": ti}).started_by,
                networkConfiguration=world.network,
            )
        outcome = Outcome()
        world.judge(outcome, ti, None, None)
    assert outcome.launches == 2 and outcome.duplicates == 1


def test_a_redeploy_waits_for_the_protection_the_try_clears() -> None:
    """The worker protected for the whole try outlives the redeploy: the try re-attaches
    nothing and launches once, and the deployment stops the worker only after it cleared."""
    case = Interleaving(attempts=(Attempt(death="RunTask", redeploy=True, protect_minutes=1),))
    with operator_world() as world:
        outcome = world.run(case)
        assert world.worker is not None
        first = world.worker.protections[0]
        stopped = world.ecs.describe_tasks(cluster=CLUSTER, tasks=[first.task_arn])["tasks"][0]
    assert outcome.launches == 1 and outcome.operator_errors == 0
    assert outcome.protected_redeploys == 1 and outcome.protection_violations == 0
    assert stopped["desiredStatus"] == "STOPPED"
    assert stopped["stoppingAt"].timestamp() >= first.until


def test_a_protected_worker_stopped_early_is_caught() -> None:
    """The protection check is not blind: a worker stopped while protected is a violation."""
    with operator_world() as world:
        world.set_up(Interleaving(attempts=(Attempt(protect_minutes=5),)))
        assert world.worker is not None
        world.worker.protect(5)
        world.ecs.stop_task(cluster=CLUSTER, task=world.worker.arn, reason="too early")
        violations = world.worker.violations()
    assert len(violations) == 1 and "stopped at" in violations[0]


def test_an_unknown_protection_end_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"protection_ends is 'later'.*cleared, expires, expired"):
        Attempt(protection_ends="later")


def test_a_progress_file_of_another_generator_is_not_resumed(tmp_path: Path) -> None:
    """Case N changes with the generator, so an older run's progress must not be mixed in."""
    path = tmp_path / "progress.json"
    old = {**property_run._fresh_totals(0, 0), "generator": GENERATOR - 1, "next_case": 500}
    path.write_text(json.dumps(old))
    assert property_run._load_progress(path, 0, 0, fresh=False)["next_case"] == 0
    path.write_text(json.dumps({**old, "generator": GENERATOR}))
    assert property_run._load_progress(path, 0, 0, fresh=False)["next_case"] == 500
