"""Hypothesis over random scenarios: the promises hold whatever ECS and the workers do.

Random container behaviours, fault plans (lost answers, throttling, server errors,
no capacity, Spot interruptions), worker deaths at random points of random tries,
and seeds, on a real DAG through the real operators. After every run:
at most one container runs to success per task instance, and the DAG run succeeds
exactly when every container it needed succeeded (unless a task ran out of tries).
`PROPERTY_EXAMPLES` sets how many scenarios are tried (default 12).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import expect
from harness.scenarios import Death, Scenario

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "12"))

behaviours = st.one_of(
    st.just({}),
    st.builds(
        lambda code, seconds: {"exitCode": code, "runSeconds": seconds},
        st.sampled_from([0, 0, 1, 2, 137, 255]),
        st.integers(10, 3600),
    ),
    st.just({"failToStart": "CannotPullContainerError: pull access denied"}),
    st.just({"outOfMemory": True, "runSeconds": 120}),
)

fault_rules = st.one_of(
    st.builds(
        lambda op, action, times: {"operation": op, "action": action, "times": times},
        st.sampled_from(["RunTask", "DescribeTasks", "ListTasks"]),
        st.sampled_from(["lose-response", "throttle", "server-error"]),
        st.integers(1, 6),
    ),
    st.builds(
        lambda times: {"operation": "RunTask", "action": "no-capacity", "times": times},
        st.integers(1, 2),
    ),
    st.builds(
        lambda after: {
            "operation": "DescribeTasks",
            "action": "interrupt",
            "stopCode": "SpotInterruption",
            "after": after,
            "times": 1,
        },
        st.integers(0, 1800),
    ),
    st.builds(
        lambda p: {"operation": "*", "action": "throttle", "probability": p},
        st.sampled_from([0.05, 0.1, 0.2]),
    ),
)

#: Where each kind of task dies on the tries it makes (a sensor never calls RunTask; an
#: operator makes each call once per try, ListTasks twice: running, then stopped tasks).
DEATH_POINTS = {
    "operators": ["before:ListTasks", "before:RunTask", "after:RunTask", "before:DescribeTasks"],
    "sensors": ["before:DescribeTasks", "after:DescribeTasks"],
}
deaths = st.sampled_from(sorted(DEATH_POINTS)).flatmap(
    lambda role: st.builds(
        Death,
        role=st.just(role),
        point=st.sampled_from(DEATH_POINTS[role]),
        attempt=st.sampled_from([1, 1, 2]),  # within the DAG's retries: a third try always lives
        nth=st.sampled_from([1, 1, 2, 3]) if role == "sensors" else st.just(1),
        graceful=st.booleans(),
        downtime=st.sampled_from([0.0, 600.0]),
    )
)

scenarios = st.builds(
    lambda behaviour, faults, died, seed: Scenario(
        "random", "a random scenario", behaviour=behaviour, faults=faults, deaths=died, seed=seed
    ),
    behaviours,
    st.lists(fault_rules, max_size=3).map(tuple),
    st.lists(deaths, max_size=2, unique_by=lambda d: (d.role, d.attempt)).map(tuple),
    st.integers(0, 10_000),
)


@pytest.mark.slow
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,  # the same examples on every run: CI is reproducible
)
@given(scenario=scenarios)
def test_promises_hold_under_random_scenarios(harness: Any, scenario: Scenario) -> None:
    dag_id = "hoard_jpal_harvest"
    result = harness.run(dag_id, scenario)
    broken = expect.invariants(result, harness.shape(dag_id))
    assert not broken, (broken, scenario, [e.text for e in result.timeline.events])
