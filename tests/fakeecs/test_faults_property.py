"""Hypothesis: under any seeded mix of faults, a client that retries with its clientToken starts one task.

A logical RunTask is retried (same token) while it is throttled, answered 500 or its answer is
lost, as botocore does. Whatever the rules, seed and order: every RunTask that was answered
with a task has exactly that one task, a lost answer never leaves a second task behind, a
throttled or failed call leaves none, and the calls log marks exactly the calls a rule hit.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fakeecs.engine import Engine
from fakeecs.wire import TARGET_PREFIX, handle
from tests.fakeecs.test_stateful import network, setup

ACTIONS = ["throttle", "server-error", "lose-response", "no-capacity", "fail-to-start"]
rules = st.lists(
    st.fixed_dictionaries(
        {
            "operation": st.sampled_from(["RunTask", "*"]),
            "action": st.sampled_from(ACTIONS),
            "probability": st.sampled_from([0.1, 0.3, 0.6]),
        }
    ),
    min_size=1,
    max_size=4,
)


def send(
    engine: Engine, operation: str, params: dict[str, Any]
) -> tuple[int, dict[str, Any], bool]:
    answer = handle(engine, TARGET_PREFIX + operation, json.dumps(params).encode(), "us-east-1")
    return answer.status, json.loads(answer.body), answer.drop_connection


@given(rules, st.integers(0, 2**16), st.integers(1, 12))
@settings(max_examples=60, deadline=None)
def test_retrying_with_the_token_never_starts_a_second_task(
    plan: list[dict[str, Any]], seed: int, calls: int
) -> None:
    engine = Engine(seed=seed)
    setup(engine)
    engine.faults.set(plan, engine.now())
    outcome: dict[str, str] = {}
    for i in range(calls):
        token = f"call-{i}"
        params = {
            "cluster": "c",
            "taskDefinition": "a",
            "launchType": "FARGATE",
            "networkConfiguration": network(),
            "clientToken": token,
            "startedBy": token,
        }
        for _attempt in range(50):
            status, body, dropped = send(engine, "RunTask", params)
            if status == 200 and not dropped:
                outcome[token] = "task" if body["tasks"] else "failure"
                break
        else:
            outcome[token] = "gave-up"
        engine.advance(1)

    engine.faults.clear()  # the checks below must not be hit themselves
    for token, result in outcome.items():
        _, listed, _ = send(
            engine, "ListTasks", {"cluster": "c", "startedBy": token, "desiredStatus": "RUNNING"}
        )
        _, stopped, _ = send(
            engine, "ListTasks", {"cluster": "c", "startedBy": token, "desiredStatus": "STOPPED"}
        )
        count = len(listed["taskArns"]) + len(stopped["taskArns"])
        assert count == (1 if result == "task" else 0) or result == "gave-up", (token, result)
        assert count <= 1, (token, count)
    for entry in engine.calls:
        if "fault" in entry:
            assert entry["fault"] in ACTIONS
            assert entry["operation"] == "RunTask" or entry["fault"] not in (
                "no-capacity",
                "fail-to-start",
            )
