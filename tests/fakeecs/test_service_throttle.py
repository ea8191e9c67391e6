"""ECS's service throttle logic through boto3: a service whose tasks keep failing to start backs off.

The developer guide ("Amazon ECS service throttle logic"): launches of tasks that fail to reach
RUNNING are spaced out more and more, up to 27 minutes; the service posts "(service NAME) is
unable to consistently start tasks successfully."; tasks stopped after RUNNING never count; a new
task definition ends the throttling at once. The steps between are fakeecs's documented choice.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fakeecs import FakeECS
from fakeecs.rules import service_throttle
from tests.fakeecs.conftest import CLUSTER, FAMILY, fargate_task_definition
from tests.fakeecs.test_services import SERVICE, create, describe

THROTTLED = f"(service {SERVICE}) is unable to consistently start tasks successfully."
PULL_FAILS = "CannotPullContainerError: pull image manifest has been retried 5 time(s)"


def gaps_between(launches: list[float]) -> list[float]:
    return [b - a for a, b in pairwise(launches)]


def started_times(ecs: Any) -> list[float]:
    """When the scheduler started tasks, oldest first (one task per event: desiredCount 1)."""
    events = describe(ecs)["events"]
    return sorted(e["createdAt"].timestamp() for e in events if "has started" in e["message"])


def throttle_events(ecs: Any) -> int:
    return sum(1 for e in describe(ecs)["events"] if e["message"] == THROTTLED)


def failing_service(ecs: Any, fake: FakeECS) -> None:
    fake.behaviour(FAMILY, failToStart=PULL_FAILS)
    create(ecs, desiredCount=1)


def test_a_service_whose_tasks_fail_to_start_backs_off_and_says_so(ecs: Any, fake: FakeECS) -> None:
    failing_service(ecs, fake)
    fake.advance(600)

    launches = started_times(ecs)
    # 0, 0, then 30 s, 1, 2, 4 minutes between attempts: 7 launches in 10 minutes, not 120
    assert len(launches) == 7
    gaps = gaps_between(launches)
    assert gaps == sorted(gaps)
    assert gaps[-1] > 4 * 60
    assert throttle_events(ecs) == 1


def test_the_wait_grows_to_27_minutes_and_no_further_and_never_stops(
    ecs: Any, fake: FakeECS
) -> None:
    failing_service(ecs, fake)
    fake.advance(3 * 3600)

    launches = started_times(ecs)
    gaps = gaps_between(launches)
    longest = 27 * 60 + 10  # the wait, plus the few seconds a failing task takes to stop
    assert max(gaps) <= longest
    assert gaps[-1] >= 27 * 60
    assert throttle_events(ecs) == 1  # once per episode, however long it lasts
    fake.advance(3600)
    assert len(started_times(ecs)) > len(launches)  # ECS never stops retrying


def test_tasks_that_stop_after_running_are_not_throttled(ecs: Any, fake: FakeECS) -> None:
    fake.behaviour(FAMILY, runSeconds=1, exitCode=1)  # the command exits at once, non-zero
    create(ecs, desiredCount=1)
    fake.advance(600)

    pages = ecs.get_paginator("list_tasks").paginate(cluster=CLUSTER, desiredStatus="STOPPED")
    assert sum(len(p["taskArns"]) for p in pages) > 60  # one every few seconds, all along
    assert throttle_events(ecs) == 0


def test_a_task_that_starts_ends_the_throttling(ecs: Any, fake: FakeECS) -> None:
    failing_service(ecs, fake)
    fake.advance(600)  # throttled: the next attempt is minutes away
    fake.behaviour(FAMILY, runSeconds=3600)  # the image is fixed
    fake.advance(20 * 60)
    assert describe(ecs)["runningCount"] == 1

    fake.behaviour(FAMILY, failToStart=PULL_FAILS)  # broken again: a new episode
    [running] = ecs.list_tasks(cluster=CLUSTER, serviceName=SERVICE)["taskArns"]
    ecs.stop_task(cluster=CLUSTER, task=running)
    before = len(started_times(ecs))
    fake.advance(40)
    # two prompt retries (no waiting yet), and the service says it is throttled again
    assert len(started_times(ecs)) - before >= 2
    assert throttle_events(ecs) == 2


def test_a_new_task_definition_ends_the_throttling_at_once(ecs: Any, fake: FakeECS) -> None:
    failing_service(ecs, fake)
    fake.advance(600)
    ecs.register_task_definition(**fargate_task_definition(family="fixed"))

    ecs.update_service(cluster=CLUSTER, service=SERVICE, taskDefinition="fixed")
    fake.advance(10)  # not the minutes the throttle would still wait

    service = describe(ecs)
    assert service["runningCount"] == 1
    assert service["deployments"][0]["taskDefinition"].endswith("fixed:1")


@given(st.integers(min_value=0, max_value=10_000))
def test_the_schedule_never_shrinks_and_never_exceeds_27_minutes(failures: int) -> None:
    delay = service_throttle.delay_after(failures)
    assert 0 <= delay <= 27 * 60
    assert service_throttle.delay_after(failures + 1) >= delay
    assert service_throttle.starts_throttling(failures) == (
        delay > 0 and service_throttle.delay_after(failures - 1) == 0
    )
