"""The harness runs real DAGs faithfully, and fails when the operators break their promises.

These use the `run_dag` fixture of the harness's pytest plugin, as a DAG author would,
mostly on hoard_jpal_harvest (one container, one sensor: the cheapest DAG to run).
"""

from __future__ import annotations

import itertools
import secrets
from typing import Any

import pytest

from harness.scenarios import Death, Expect

DAG = "hoard_jpal_harvest"


def test_all_containers_succeed_in_virtual_time(run_dag: Any) -> None:
    result = run_dag(DAG)
    assert result.ok, result.problems
    assert result.run_state == "success"
    harvest = result.tasks["harvest"]
    assert len(harvest.launches) == 1 and harvest.succeeded == harvest.launches
    # the container ran 10 virtual minutes (it stopped at 608 s); the sensor (poke 300 s)
    # looked at 0, 300, 600 and 900 s
    assert result.virtual_seconds >= 600
    assert [e.virtual for e in result.timeline.of("poke")] == [0, 300, 600, 900]


def test_an_hour_long_container_is_waited_for_at_the_dags_own_poke_interval(run_dag: Any) -> None:
    result = run_dag(DAG, behaviour={"runSeconds": 3600})
    assert result.ok, result.problems
    assert result.virtual_seconds >= 3600
    pokes = [e.virtual for e in result.timeline.of("poke")]
    assert all(b - a == pytest.approx(300) for a, b in itertools.pairwise(pokes))


def test_a_worker_killed_after_runtask_is_retried_and_reattaches(run_dag: Any) -> None:
    result = run_dag(DAG, "worker-dies-after-runtask")
    assert result.ok, result.problems
    harvest = result.tasks["harvest"]
    assert harvest.tries == 2 and len(harvest.launches) == 1
    kinds = [(e.kind, e.task_id) for e in result.timeline.events if e.task_id == "harvest"]
    death = kinds.index(("death", "harvest"))
    assert ("ecs-state", "harvest") in kinds[:death]  # the task had started when the worker died
    retry = [e for e in result.timeline.of("clock") if "retry delay" in e.text]
    assert retry and retry[0].text.startswith("+300 s")  # the DAG's retry_delay, in virtual time


def test_a_killed_worker_runs_no_clean_up_but_a_redeploy_calls_on_kill(
    run_dag: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mit_airflow.operators import ECSOperator

    killed: list[str] = []
    monkeypatch.setattr(ECSOperator, "on_kill", lambda self: killed.append(self.task_id))
    run_dag(DAG, "worker-dies-after-runtask")
    assert killed == []
    result = run_dag(
        DAG, deaths=(Death("operators", "after:RunTask", graceful=True, downtime=600),)
    )
    assert killed == ["harvest"]
    assert result.tasks["harvest"].launches and result.run_state == "success"


def test_the_harness_catches_an_operator_that_launches_again_on_retry(
    run_dag: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The original operator's bug: no lookup, no stable token. The matrix must go red."""
    import mit_airflow.operators as operators
    from mit_airflow.identity import LaunchIdentity
    from mit_airflow.launches import Found

    monkeypatch.setattr(operators, "find", lambda *args, **kwargs: Found())
    monkeypatch.setattr(LaunchIdentity, "client_token", lambda self, gen: secrets.token_hex(32))
    result = run_dag(DAG, "worker-dies-after-runtask")
    assert not result.ok
    assert "harvest: started 2 ECS tasks, expected 1" in result.problems
    assert "harvest: 2 containers ran to success for one task instance" in result.problems


def test_the_harness_catches_a_sensor_that_ignores_exit_codes(
    run_dag: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The original sensor's bug: it read only whether the task stopped."""
    import mit_airflow.sensors as sensors
    from mit_airflow.verdict import SUCCEEDED, Verdict

    real = sensors.judge

    def lenient(task: dict[str, Any], essential: Any = None) -> Verdict:
        verdict = real(task, essential)
        return Verdict(SUCCEEDED, "stopped") if verdict.done else verdict

    monkeypatch.setattr(sensors, "judge", lenient)
    result = run_dag(DAG, "container-exits-nonzero")
    assert "run success, expected failed" in result.problems
    assert "the run succeeded but no container of harvest succeeded" in result.problems


def test_the_same_seed_gives_the_same_trace_and_another_seed_other_task_arns(
    run_dag: Any,
) -> None:
    def trace(result: Any) -> list[tuple[Any, ...]]:
        return [(e.kind, e.task_id, e.text, e.virtual) for e in result.timeline.events]

    first = run_dag(DAG, "flaky-ecs-api", seed=11)
    again = run_dag(DAG, "flaky-ecs-api", seed=11)
    other = run_dag(DAG, "flaky-ecs-api", seed=12)
    assert trace(first) == trace(again)
    assert first.tasks["harvest"].launches == again.tasks["harvest"].launches
    assert first.tasks["harvest"].launches != other.tasks["harvest"].launches


def test_prepare_hands_over_the_runs_fakeecs_and_the_calls_log_comes_back(run_dag: Any) -> None:
    """No Fargate capacity on every try: the operator fails three times, nothing starts."""

    def no_capacity(fake: Any) -> None:
        fake.faults([{"operation": "RunTask", "action": "no-capacity", "times": 3}])

    result = run_dag(
        DAG,
        prepare=no_capacity,
        expect=Expect("failed", "first-operator", "Capacity is unavailable", launches=0),
    )
    assert result.ok, result.problems
    assert result.tasks["harvest"].tries == 3
    run_tasks = [c for c in result.calls if c["operation"] == "RunTask"]
    assert [c.get("fault") for c in run_tasks] == ["no-capacity"] * 3


def test_an_unknown_scenario_or_dag_is_refused_with_what_exists(run_dag: Any) -> None:
    with pytest.raises(KeyError, match="no scenario 'all-suceed'; known: all-succeed"):
        run_dag(DAG, "all-suceed")
    with pytest.raises(KeyError, match=r"no DAG 'hoard' in .*workflows \(it has: example_ecs"):
        run_dag("hoard")


def test_a_worker_redeploy_waits_for_the_protected_worker_then_completes(run_dag: Any) -> None:
    result = run_dag(DAG, "worker-redeploy-protected")
    assert result.ok, result.problems
    assert result.tasks["harvest"].tries == 1
    steps = [e.text for e in result.timeline.of("redeploy")]
    assert steps == [
        "worker protects its task for 60 min",
        "worker service redeployed (revision 2)",
        "worker clears its task protection",
        "worker service deployment SUCCESSFUL",
    ]
    # the old worker stops only after the Airflow task ended and its protection was cleared
    events = result.timeline.events
    cleared = next(e.seq for e in events if e.text == "worker clears its task protection")
    stops = [
        e.seq for e in result.timeline.of("ecs-state") if e.task_id is None and "STOPPED" in e.text
    ]
    assert stops and min(stops) > cleared


def test_the_harness_catches_a_deployment_that_ignores_task_protection(
    run_dag: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fakeecs.engine.services as services

    monkeypatch.setattr(services, "is_protected", lambda task, now: False)
    result = run_dag(DAG, "worker-redeploy-protected")
    assert (
        "worker service deployment SUCCESSFUL while the worker is protected, expected IN_PROGRESS"
        in result.problems
    )
    assert "the protected worker task was stopped while the worker is protected" in result.problems


def test_an_expired_protection_kills_the_worker_and_the_retry_reattaches(run_dag: Any) -> None:
    result = run_dag(DAG, "worker-redeploy-protection-expires")
    assert result.ok, result.problems
    harvest = result.tasks["harvest"]
    assert harvest.tries == 2 and len(harvest.launches) == 1
    assert [e.text for e in result.timeline.of("death")] == [
        "worker stopped by its redeploy at after:RunTask"
    ]
    assert "worker service deployment SUCCESSFUL" in [
        e.text for e in result.timeline.of("redeploy")
    ]


def test_the_harness_catches_a_relaunch_after_the_redeploy_killed_the_worker(
    run_dag: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mit_airflow.operators as operators
    from mit_airflow.identity import LaunchIdentity
    from mit_airflow.launches import Found

    monkeypatch.setattr(operators, "find", lambda *args, **kwargs: Found())
    monkeypatch.setattr(LaunchIdentity, "client_token", lambda self, gen: secrets.token_hex(32))
    result = run_dag(DAG, "worker-redeploy-protection-expires")
    assert "harvest: started 2 ECS tasks, expected 1" in result.problems
