"""Property: whatever the interleaving of worker deaths, lost answers and retries, a task
instance gets at most one successful container run, and the sensor's verdict always
matches the containers' exit codes; and when the worker is an ECS service task that
protects itself during its tries, a redeploy stops it only once its protection was cleared
or expired (the `make property` world and judge, at a few examples)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import boto3
import pytest
from airflow.sdk.exceptions import AirflowFailException
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeecs import FakeECS
from mit_airflow.operators import ECSOperator
from mit_airflow.sensors import ECSTaskSensor
from reliability.interleavings import (
    PAUSES,
    PROTECT_MINUTES,
    PROTECTION_ENDS,
    Attempt,
    Interleaving,
)
from reliability.operator_world import OperatorWorld, operator_world
from tests.mit_airflow.ecs_dag_support import CLUSTER, network_env, register
from tests.mit_airflow.operator_attempts import (
    StateStore,
    TaskInstance,
    WorkerDied,
    context,
    die_after,
)

KILL_POINTS = [None, "ListTasks", "RunTask", "DescribeTasks"]
attempt_plans = st.lists(
    st.fixed_dictionaries(
        {
            "kill_after": st.sampled_from(KILL_POINTS),
            "lose_response": st.booleans(),
            "pause": st.sampled_from([0, 2, 30, 600]),
        }
    ),
    min_size=1,
    max_size=4,
)
outcomes = st.lists(st.sampled_from([0, 0, 1, 137]), min_size=1, max_size=3)
#: Tries of a worker that protects itself (no throttling: botocore's back-off really sleeps).
protected_tries = st.builds(
    Attempt,
    death=st.sampled_from(KILL_POINTS),
    redeploy=st.booleans(),
    lose_response=st.booleans(),
    pause=st.sampled_from(PAUSES),
    protect_minutes=st.sampled_from(PROTECT_MINUTES),
    protection_ends=st.sampled_from(PROTECTION_ENDS),
)


@pytest.fixture(scope="module")
def shared_fake() -> Iterator[FakeECS]:
    with FakeECS(clock="manual", seed=0) as fake:
        yield fake


@pytest.mark.slow
@given(
    plans=attempt_plans,
    exit_codes=outcomes,
    with_store=st.booleans(),
    describe_delay=st.sampled_from([0, 0, 5]),
)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_at_most_one_successful_run_and_an_honest_verdict(
    shared_fake: FakeECS,
    plans: list[dict[str, Any]],
    exit_codes: list[int],
    with_store: bool,
    describe_delay: int,
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        fake = shared_fake
        fake.reset()
        mp.setenv("AWS_ENDPOINT_URL", fake.endpoint_url)
        mp.setenv("ECS_CLUSTER", CLUSTER)
        mp.setenv("ECS_NETWORK_CONFIG", network_env(fake))
        ecs = boto3.client("ecs", endpoint_url=fake.endpoint_url, region_name="us-east-1")
        ecs.create_cluster(clusterName=CLUSTER)
        register(ecs, "worker")
        fake.settings(describeDelaySeconds=describe_delay)
        run_attempts(mp, fake, ecs, plans, exit_codes, StateStore() if with_store else None)


def run_attempts(
    mp: pytest.MonkeyPatch,
    fake: FakeECS,
    ecs: Any,
    plans: list[dict[str, Any]],
    exit_codes: list[int],
    store: StateStore | None,
) -> None:
    ti = TaskInstance()
    codes = iter(exit_codes)
    fake.behaviour("worker", runSeconds=20, exitCode=next(codes))
    arn = None
    for plan in [*plans, {"kill_after": None, "lose_response": False, "pause": 0}]:
        if plan["lose_response"]:
            fake.faults([{"operation": "RunTask", "action": "lose-response", "times": 1}])
        die_after(mp, plan["kill_after"])
        try:
            arn = ECSOperator(task_id="run", task_definition="worker").execute(context(ti, store))
        except WorkerDied:
            arn = None
        finally:
            die_after(mp, None)
            fake.faults([])
        fake.advance(plan["pause"])
        if arn is not None:
            break
        # A genuine retry may meet a container that already finished; script the next one.
        fake.behaviour("worker", runSeconds=20, exitCode=next(codes, 0))
    assert arn is not None
    ti.xcom["run"] = arn

    fake.advance(60 + 30)
    verdict_ok: bool | None = None
    try:
        verdict_ok = ECSTaskSensor(task_id="wait", ecs_task_id="run", missing_grace_checks=3).poke(
            context(ti, None)
        )
    except AirflowFailException:
        verdict_ok = False

    stopped = ecs.list_tasks(cluster=CLUSTER, desiredStatus="STOPPED")["taskArns"]
    running = ecs.list_tasks(cluster=CLUSTER)["taskArns"]
    described = ecs.describe_tasks(cluster=CLUSTER, tasks=stopped)["tasks"] if stopped else []
    successes = [t for t in described if all(c.get("exitCode") == 0 for c in t["containers"])]
    assert running == []
    assert len(successes) <= 1, "two successful container runs for one task instance"
    watched = next(t for t in described if t["taskArn"] == arn)
    assert verdict_ok == all(c.get("exitCode") == 0 for c in watched["containers"])


@pytest.fixture(scope="module")
def world() -> Iterator[OperatorWorld]:
    with operator_world() as made:
        yield made


@given(
    tries=st.lists(protected_tries, min_size=1, max_size=3),
    exit_codes=outcomes,
    with_store=st.booleans(),
)
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_a_protected_worker_is_stopped_only_once_protection_allows(
    world: OperatorWorld, tries: list[Attempt], exit_codes: list[int], with_store: bool
) -> None:
    first = tries[0]
    if first.protect_minutes == 0:  # the worker protects itself at least in its first try
        tries[0] = replace(first, protect_minutes=1)
    case = Interleaving(attempts=tuple(tries), exit_codes=tuple(exit_codes), with_store=with_store)
    outcome = world.run(case)
    assert outcome.protection_violations == 0, outcome.detail
    assert outcome.duplicates == 0 and not outcome.false_success, outcome.detail
    assert not outcome.false_failure, outcome.detail
