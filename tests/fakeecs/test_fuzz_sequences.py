"""The stateful fuzzer: arbitrary sequences of calls to every supported operation, with the
clock moving between them, not just one request against a fresh fake.

Each step sends one operation (chosen from the registry, so the fuzzer grows with the API)
with parameters generated from botocore's model and aimed at things that exist, or one of
the calls that build state (RunTask, StopTask, services), or moves the clock. After every
step: the answer is HTTP 200 or 400 and botocore parses it (no server error, no traceback
turned into a 500), and a rejected request left the state exactly as it was. `make test`
runs a few sequences; `make fuzz` runs FUZZ_EXAMPLES of them.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from fakeecs.wire import TARGET_PREFIX
from tests.fakeecs.fuzz_record import EXAMPLES
from tests.fakeecs.model_strategies import valid_params
from tests.fakeecs.test_fuzz_wire import (
    OPERATIONS,
    aim_at_existing,
    check_answer,
    fingerprint,
    fresh_engine,
    send,
)
from tests.fakeecs.test_stateful import network


class CallSequences(RuleBasedStateMachine):
    """One engine through a whole sequence; every step is checked as it happens."""

    def __init__(self) -> None:
        super().__init__()
        self.engine = fresh_engine()
        self.steps = 0

    def _send(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        before = fingerprint(self.engine)
        answer = send(self.engine, TARGET_PREFIX + operation, json.dumps(params).encode())
        error = check_answer(operation, answer.status, answer.body)
        if error:
            assert fingerprint(self.engine) == before, (
                f"{operation} was rejected ({error['__type']}) but changed state: {params!r}"
            )
        self.steps += 1
        return error

    @rule(operation=st.sampled_from(OPERATIONS), data=st.data())
    def fuzzed_call(self, operation: str, data: st.DataObject) -> None:
        params = aim_at_existing(data, self.engine, data.draw(valid_params(operation)))
        self._send(operation, params)

    @rule(count=st.integers(1, 3), family=st.sampled_from(["a", "b"]), token=st.booleans())
    def run_task(self, count: int, family: str, token: bool) -> None:
        params: dict[str, Any] = {
            "cluster": "c",
            "taskDefinition": family,
            "launchType": "FARGATE",
            "networkConfiguration": network(),
            "count": count,
        }
        if token:
            params["clientToken"] = f"token-{family}-{count}"
        self._send("RunTask", params)

    @rule(data=st.data())
    def stop_task(self, data: st.DataObject) -> None:
        tasks = list(self.engine.region("us-east-1").tasks)
        if tasks:
            task = data.draw(st.sampled_from(tasks))
            self._send("StopTask", {"cluster": "c", "task": task, "reason": "fuzz"})

    @rule(name=st.sampled_from(["s1", "s2"]), desired=st.integers(0, 3))
    def service(self, name: str, desired: int) -> None:
        error = self._send(
            "UpdateService", {"cluster": "c", "service": name, "desiredCount": desired}
        )
        if error and error["__type"] == "ServiceNotFoundException":
            self._send(
                "CreateService",
                {
                    "cluster": "c",
                    "serviceName": name,
                    "taskDefinition": "a",
                    "desiredCount": desired,
                    "launchType": "FARGATE",
                    "networkConfiguration": network(),
                },
            )

    @rule(seconds=st.sampled_from([1, 10, 60, 600, 3700]))
    def advance(self, seconds: float) -> None:
        self.engine.advance(seconds)

    @invariant()
    def reading_changes_nothing(self) -> None:
        before = fingerprint(self.engine)
        self._send("ListTasks", {"cluster": "c"})
        assert fingerprint(self.engine) == before


TestCallSequences = CallSequences.TestCase
TestCallSequences.settings = settings(
    max_examples=max(EXAMPLES // 5, 5),
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
