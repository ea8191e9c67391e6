"""Hypothesis over random sequences of ECS calls and clock moves.

Promises checked after every step: a task never moves backwards along the
lifecycle, timestamps once set never change and stay in lifecycle order, a task
that ECS decided to stop is never wanted RUNNING again; and the same seed with
the same calls gives the same answers byte for byte.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from fakeecs import moto_backend
from fakeecs.engine import Engine
from fakeecs.model import STATE_INDEX
from fakeecs.wire import call

TIMES = (
    "createdAt",
    "pullStartedAt",
    "pullStoppedAt",
    "startedAt",
    "executionStoppedAt",
    "stoppingAt",
    "stoppedAt",
)


def network() -> dict[str, Any]:
    """The default VPC's network in the EC2 of this process (the engine checks subnets there)."""
    return moto_backend.default_network("us-east-1")


behaviours = st.fixed_dictionaries(
    {
        "runSeconds": st.integers(0, 400),
        "exitCode": st.integers(0, 3),
        "failToStart": st.sampled_from([None, None, None, "CannotPullContainerError: nope"]),
        "outOfMemory": st.booleans(),
    }
)


def setup(engine: Engine) -> None:
    call(engine, "CreateCluster", {"clusterName": "c"})
    for family in ("a", "b"):
        call(
            engine,
            "RegisterTaskDefinition",
            {
                "family": family,
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "256",
                "memory": "512",
                "containerDefinitions": [
                    {"name": "main", "image": "x"},
                    {"name": "side", "image": "y", "essential": False},
                ],
            },
        )


class TaskLifecycle(RuleBasedStateMachine):
    tasks = Bundle("tasks")

    @initialize()
    def start(self) -> None:
        self.engine = Engine(seed=0)
        setup(self.engine)
        self.seen: dict[str, dict[str, Any]] = {}

    @rule(
        target=tasks,
        family=st.sampled_from(["a", "b"]),
        behaviour=behaviours,
        count=st.integers(1, 3),
        token=st.sampled_from([None, "t1", "t2"]),
    )
    def run_task(
        self, family: str, behaviour: dict[str, Any], count: int, token: str | None
    ) -> Any:
        self.engine.behaviours.load([{"family": family, **behaviour}])
        params: dict[str, Any] = {
            "cluster": "c",
            "taskDefinition": family,
            "count": count,
            "launchType": "FARGATE",
            "networkConfiguration": network(),
        }
        if token:
            params["clientToken"] = token
        status, answer = call(self.engine, "RunTask", params)
        if status != 200:
            assert answer["__type"] == "ConflictException"
            return None
        if not answer["tasks"]:  # a replayed token whose tasks are past retention
            assert {f["reason"] for f in answer["failures"]} == {"MISSING"}
            return None
        return answer["tasks"][0]["taskArn"]

    @rule(arn=tasks)
    def stop(self, arn: str | None) -> None:
        if arn is not None:
            status, answer = call(self.engine, "StopTask", {"cluster": "c", "task": arn})
            assert status == 200 or answer["__type"] == "InvalidParameterException"

    @rule(seconds=st.sampled_from([0.5, 1, 3, 10, 60, 400, 3700]))
    def advance(self, seconds: float) -> None:
        self.engine.advance(seconds)

    @invariant()
    def tasks_only_move_forwards(self) -> None:
        if not hasattr(self, "engine"):
            return
        arns = [a for a in self.engine.region("us-east-1").tasks]
        for i in range(0, len(arns), 100):
            _, answer = call(
                self.engine, "DescribeTasks", {"cluster": "c", "tasks": arns[i : i + 100]}
            )
            for task in answer["tasks"]:
                self._check(task)

    def _check(self, task: dict[str, Any]) -> None:
        before = self.seen.get(task["taskArn"])
        times = [task[t] for t in TIMES if t in task]
        assert times == sorted(times), task
        if task["lastStatus"] == "STOPPED":
            assert task["desiredStatus"] == "STOPPED" and task["stopCode"]
        if before is not None:
            assert STATE_INDEX[task["lastStatus"]] >= STATE_INDEX[before["lastStatus"]]
            for name in TIMES:
                if name in before:
                    assert task[name] == before[name], name
            if before["desiredStatus"] == "STOPPED":
                assert task["desiredStatus"] == "STOPPED"
            for old, new in zip(before["containers"], task["containers"], strict=True):
                if "exitCode" in old:
                    assert new["exitCode"] == old["exitCode"]
        self.seen[task["taskArn"]] = task


TestTaskLifecycle = TaskLifecycle.TestCase
TestTaskLifecycle.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

programs = st.lists(
    st.one_of(
        st.tuples(st.just("run"), st.sampled_from(["a", "b"]), behaviours),
        st.tuples(st.just("stop"), st.integers(0, 5), st.none()),
        st.tuples(st.just("advance"), st.sampled_from([1, 5, 30, 600]), st.none()),
    ),
    max_size=25,
)


def trace(program: list[tuple[str, Any, Any]], seed: int) -> bytes:
    """Everything a client would see running `program` on a fresh fake."""
    engine = Engine(seed=seed)
    setup(engine)
    out, arns = [], []
    for kind, arg, extra in program:
        if kind == "run":
            engine.behaviours.load([{"family": arg, **extra}])
            _, answer = call(
                engine,
                "RunTask",
                {
                    "cluster": "c",
                    "taskDefinition": arg,
                    "launchType": "FARGATE",
                    "networkConfiguration": network(),
                },
            )
            arns.append(answer["tasks"][0]["taskArn"])
            out.append(answer)
        elif kind == "stop" and arns:
            out.append(call(engine, "StopTask", {"cluster": "c", "task": arns[arg % len(arns)]})[1])
        elif kind == "advance":
            engine.advance(arg)
        if arns:
            out.append(call(engine, "DescribeTasks", {"cluster": "c", "tasks": arns[-100:]})[1])
    return json.dumps(out, sort_keys=True).encode()


@given(programs, st.integers(0, 2**16))
@settings(max_examples=30, deadline=None)
def test_same_seed_same_calls_same_bytes(program: list[Any], seed: int) -> None:
    assert trace(program, seed) == trace(program, seed)
