"""Judging a run: the scenario's expectations for this DAG, and the promises that always hold.

`expected_states` turns a scenario's role-based expectation into a state per
task of one DAG; `judge` compares, and returns every difference in words.
`invariants` are the promises that hold under any scenario (the property tests
check them on random scenarios): at most one successful container run per task
instance, and a DAG run succeeds exactly when every container it needed succeeded.
"""

from __future__ import annotations

from harness.outcome import Result
from harness.scenarios import Scenario
from harness.shape import Shape


def failing_task(scenario: Scenario, shape: Shape) -> str | None:
    return shape.first(scenario.expect.fails_at) if scenario.expect.fails_at else None


def expected_states(scenario: Scenario, shape: Shape) -> dict[str, str]:
    failing = failing_task(scenario, shape)
    states = dict.fromkeys(shape.order, "success")
    if failing is not None:
        states[failing] = "failed"
        for task_id in shape.downstream[failing]:
            states[task_id] = "upstream_failed"
    return states


def expected_launches(scenario: Scenario, shape: Shape) -> dict[str, int]:
    states = expected_states(scenario, shape)
    failing = failing_task(scenario, shape)
    out: dict[str, int] = {}
    for op in shape.operators:
        if states[op] == "upstream_failed":
            out[op] = 0
        elif op == failing:
            out[op] = scenario.expect.launches
        else:
            out[op] = 1 if scenario.expect.launches else 0
    return out


def invariants(result: Result, shape: Shape) -> list[str]:
    """The promises that hold under any scenario, in words when broken.

    1. At most one container run to success per ECSOperator task instance, and no second
       ECS task while the first still runs or after it succeeded (a relaunch follows a failure).
    2. A run that succeeded had every container it needed run to success.
    3. A run that failed had a container that did not succeed, or a task that used all
       its tries (worker deaths and ECS errors beyond what retries absorb): it never
       fails while every container succeeded and Airflow still had tries left.
    """
    problems: list[str] = []
    for op in shape.operators:
        outcome = result.tasks.get(op)
        if outcome is not None and len(outcome.succeeded) > 1:
            problems.append(
                f"{op}: {len(outcome.succeeded)} containers ran to success for one task instance"
            )
        for arn in outcome.relaunched_early if outcome is not None else []:
            problems.append(
                f"{op}: started {arn.rsplit('/', 1)[-1][:8]} while an earlier ECS task of the same "
                "task instance was still running or had succeeded"
            )
    missing = [
        op for op in shape.operators if not (op in result.tasks and result.tasks[op].succeeded)
    ]
    if result.run_state == "success" and missing:
        problems.append(f"the run succeeded but no container of {', '.join(missing)} succeeded")
    exhausted = [
        t.task_id
        for t in result.tasks.values()
        if t.state == "failed" and t.tries > shape.retries.get(t.task_id, 0)
    ]
    if result.run_state == "failed" and not missing and not exhausted:
        problems.append(
            "the run failed although every container succeeded and no task ran out of tries"
        )
    return problems


def judge(result: Result, shape: Shape) -> list[str]:
    scenario = result.scenario
    problems: list[str] = []
    if result.run_state != scenario.expect.run:
        problems.append(f"run {result.run_state}, expected {scenario.expect.run}")
    for task_id, want in expected_states(scenario, shape).items():
        got = result.tasks.get(task_id)
        state = got.state if got else "missing"
        if state != want:
            why = f" ({got.error})" if got and got.error else ""
            problems.append(f"{task_id}: {state}, expected {want}{why}")
    for op, want in expected_launches(scenario, shape).items():
        got = result.tasks.get(op)
        count = len(got.launches) if got else 0
        if count != want:
            problems.append(f"{op}: started {count} ECS tasks, expected {want}")
    for role, want in scenario.expect.tries.items():
        for task_id in sorted(shape.members(role)):
            got = result.tasks.get(task_id)
            if got is not None and got.state == "success" and got.tries != want:
                problems.append(f"{task_id}: {got.tries} tries, expected {want}")
    failing = failing_task(scenario, shape)
    if failing and scenario.expect.message:
        error = (result.tasks.get(failing).error if failing in result.tasks else None) or ""
        if scenario.expect.message not in error:
            problems.append(
                f"{failing}: error should mention {scenario.expect.message!r}, got {error!r}"
            )
    problems.extend(invariants(result, shape))
    return problems
