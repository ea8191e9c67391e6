"""The idempotency contract, rule by rule: worker deaths, lost answers and genuine retries."""

from __future__ import annotations

from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException

from mit_airflow.operators import ECSOperator
from mit_airflow.sensors import ECSTaskSensor
from tests.mit_airflow.conftest import RetryWaits
from tests.mit_airflow.ecs_dag_support import CLUSTER, ecs_environment, register
from tests.mit_airflow.operator_attempts import (
    StateStore,
    TaskInstance,
    WorkerDied,
    context,
    die_after,
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Any:
    with ecs_environment(monkeypatch) as (fake, ecs):
        register(ecs, "worker")
        yield fake, ecs


def operator() -> ECSOperator:
    return ECSOperator(task_id="run", task_definition="worker")


def started(fake: Any) -> int:
    """How many tasks ECS started (RunTask answers, not counting replays of a clientToken)."""
    arns = set()
    for call in fake.calls():
        if call["operation"] == "RunTask" and call["status"] == 200:
            arns.add(call["params"]["clientToken"])
    return len(arns)


def running_tasks(ecs: Any) -> list[str]:
    return ecs.list_tasks(cluster=CLUSTER)["taskArns"]


@pytest.mark.parametrize("store", [None, StateStore()], ids=["no-state-store", "state-store"])
def test_a_retry_after_death_between_runtask_and_xcom_reuses_the_task(
    env: Any, monkeypatch: pytest.MonkeyPatch, store: StateStore | None
) -> None:
    fake, ecs = env
    ti = TaskInstance()
    die_after(monkeypatch, "RunTask")
    with pytest.raises(WorkerDied):
        operator().execute(context(ti, store))
    die_after(monkeypatch, None)
    fake.advance(10)
    arn = operator().execute(context(ti, store))
    assert running_tasks(ecs) == [arn]
    assert started(fake) == 1


def test_a_retry_before_ecs_lists_the_task_gets_the_same_task_from_its_token(
    env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, ecs = env
    fake.settings(describeDelaySeconds=30)  # ECS is eventually consistent
    ti = TaskInstance()
    die_after(monkeypatch, "RunTask")
    with pytest.raises(WorkerDied):
        operator().execute(context(ti, None))
    die_after(monkeypatch, None)
    arn = operator().execute(context(ti, None))  # ListTasks does not show it yet
    fake.advance(30)
    assert running_tasks(ecs) == [arn]


def test_a_lost_runtask_answer_starts_one_task(env: Any) -> None:
    fake, ecs = env
    fake.faults([{"operation": "RunTask", "action": "lose-response", "times": 1}])
    arn = operator().execute(context(TaskInstance(), None))
    assert running_tasks(ecs) == [arn]
    assert [c.get("fault") for c in fake.calls() if c["operation"] == "RunTask"] == [
        "lose-response",
        None,
    ]


def test_a_succeeded_task_is_not_run_again(env: Any) -> None:
    fake, _ecs = env
    ti = TaskInstance()
    first = operator().execute(context(ti, None))
    fake.advance(120)
    again = operator().execute(context(ti, None))
    assert again == first
    assert started(fake) == 1


def test_a_failed_task_is_relaunched_on_a_genuine_retry(env: Any) -> None:
    fake, _ecs = env
    fake.behaviour("worker", runSeconds=5, exitCode=1)
    ti = TaskInstance()
    first = operator().execute(context(ti, None))
    fake.advance(60)
    fake.behaviour("worker", runSeconds=5, exitCode=0)
    second = operator().execute(context(ti, None))
    assert second != first
    third = operator().execute(context(ti, None))  # the relaunch is running: reused
    assert third == second
    assert started(fake) == 2


def test_different_task_instances_get_different_tasks(env: Any) -> None:
    _fake, _ = env
    a = operator().execute(context(TaskInstance(map_index=0), None))
    b = operator().execute(context(TaskInstance(map_index=1), None))
    c = operator().execute(context(TaskInstance(run_id="other"), None))
    assert len({a, b, c}) == 3


def test_on_kill_leaves_the_container_running(env: Any) -> None:
    fake, ecs = env
    op = operator()
    arn = op.execute(context(TaskInstance(), None))
    op.on_kill()
    fake.advance(10)
    task = ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]
    assert task["desiredStatus"] == "RUNNING"
    assert not [c for c in fake.calls() if c["operation"] == "StopTask"]


def test_no_capacity_is_a_retryable_failure(env: Any) -> None:
    fake, _ = env
    fake.faults([{"operation": "RunTask", "action": "no-capacity", "times": 1}])
    with pytest.raises(Exception, match="Capacity is unavailable") as exc:
        operator().execute(context(TaskInstance(), None))
    assert not isinstance(exc.value, AirflowFailException)
    assert operator().execute(context(TaskInstance(), None))


def sensor(**kwargs: Any) -> ECSTaskSensor:
    return ECSTaskSensor(task_id="wait", ecs_task_id="run", **kwargs)


def test_the_sensor_survives_its_worker_dying(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    fake, _ = env
    ti = TaskInstance()
    ti.xcom["run"] = operator().execute(context(ti, None))
    die_after(monkeypatch, "DescribeTasks")
    with pytest.raises(WorkerDied):
        sensor().poke(context(ti, None))
    die_after(monkeypatch, None)
    fake.advance(120)
    assert sensor().poke(context(ti, None)) is True
    assert started(fake) == 1


def test_the_sensor_waits_through_throttling_and_server_errors(
    env: Any, retry_waits: RetryWaits
) -> None:
    fake, _ = env
    ti = TaskInstance()
    ti.xcom["run"] = operator().execute(context(ti, None))
    fake.advance(120)
    fake.faults(
        [
            {"operation": "DescribeTasks", "action": "throttle", "times": 10},
            {"operation": "DescribeTasks", "action": "server-error", "times": 10},
        ]
    )
    assert sensor().poke(context(ti, None)) is False  # botocore's retries ran out: not a failure
    assert len(retry_waits.seconds) == 4  # it backed off between its 5 attempts
    fake.faults([])
    assert sensor().poke(context(ti, None)) is True


def test_missing_is_tolerated_briefly_then_fails(env: Any) -> None:
    fake, _ = env
    fake.settings(describeDelaySeconds=3600)
    ti, store = TaskInstance(), StateStore()
    ti.xcom["run"] = operator().execute(context(ti, None))
    for _ in range(3):
        assert sensor().poke(context(ti, store)) is False
    with pytest.raises(AirflowFailException, match="MISSING"):
        sensor().poke(context(ti, store))


def test_the_sensor_fails_clearly_without_a_task_arn(env: Any) -> None:
    with pytest.raises(AirflowFailException, match="ecs_task_id must name the ECSOperator"):
        sensor().poke(context(TaskInstance(), None))


def test_the_sensor_reads_the_container_logs(env: Any) -> None:
    fake, ecs = env
    fake.behaviour("worker", runSeconds=5, logLines=["fetched 10 records", "done"])
    ti = TaskInstance()
    arn = operator().execute(context(ti, None))
    fake.advance(60)
    task = ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]
    assert sensor().container_logs(ecs, task) == ["[main] fetched 10 records", "[main] done"]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("SpotInterruption", "Fargate Spot interruption"),
        ("TerminationNotice", "termination notice"),
    ],
)
def test_a_task_stopped_by_ecs_fails_the_sensor(env: Any, code: str, words: str) -> None:
    fake, _ = env
    fake.behaviour("worker", runSeconds=3600)
    ti = TaskInstance()
    ti.xcom["run"] = operator().execute(context(ti, None))
    fake.advance(30)
    fake.faults(
        [{"operation": "DescribeTasks", "action": "interrupt", "stopCode": code, "times": 1}]
    )
    sensor().poke(context(ti, None))
    fake.advance(30)
    with pytest.raises(AirflowFailException, match=words):
        sensor().poke(context(ti, None))
