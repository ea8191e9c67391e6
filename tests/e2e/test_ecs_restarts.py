"""Issue 9's ECS scenarios: real Celery workers signalled for real, the real operators, `fakeecs serve`.

The DAG `e2e_ecs_<n>` of scenario n (tests/e2e/dags/e2e_ecs.py) launches a container
with ECSOperator (queue `launch-<n>`) and watches it with ECSTaskSensor (queue
`wait-<n>`); every test starts the workers of its queues itself, so it can SIGTERM
or SIGKILL the one that runs the task it means. The container runs an hour of fakeecs's scaled
clock, so it is still running when a retry looks for it; the test then moves the
clock on and the container ends. A latency fault on the call the operator makes
right after RunTask (DescribeTaskDefinition) or on the sensor's DescribeTasks holds
that task at a known point; fakeecs's `fired` count says when it is there.

Every test asserts the ECS calls log (RunTask calls of the task instance), the ECS
tasks the task instance started (by its startedBy) and the final DAG run state.
`E2E_IDEMPOTENCY=off make test-e2e` runs them with the operator's idempotency
switched off (harness/e2e/no_idempotency) to show which scenarios depend on it.
"""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass
from typing import Any

from harness.e2e import ecs_world
from harness.e2e.airflow_cluster import AirflowCluster
from harness.e2e.fakeecs_server import FakeEcsServer
from harness.e2e.processes import ManagedProcess
from harness.e2e.waiting import wait_for
from mit_airflow.identity import LaunchIdentity

#: A Celery worker that gives an unacknowledged message back to the queue after 5 s and sweeps
#: every second (kombu's Redis transport), so a redelivery shows within the test.
SHORT_VISIBILITY = {
    "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": "5",
    "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__UNACKED_RESTORE_INTERVAL": "1",
    "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__UNACKED_RESTORE_THROTTLE": "1",
}
RECEIVED = re.compile(r"execute_workload\[([0-9a-f-]+)\] received")


@dataclass
class EcsRun:
    """One DAG run of e2e_ecs and what ECS saw of it."""

    cluster: AirflowCluster
    fake: FakeEcsServer
    scenario: int
    run_id: str = "run-1"

    @property
    def dag_id(self) -> str:
        return f"e2e_ecs_{self.scenario}"

    @property
    def started_by(self) -> str:
        return LaunchIdentity(self.dag_id, self.run_id, "launch").started_by

    def trigger(self) -> EcsRun:
        self.cluster.wait_dag_parsed(self.dag_id)
        self.cluster.trigger(self.dag_id, self.run_id)
        return self

    def ti(self, task_id: str) -> tuple[str | None, int] | None:
        return self.cluster.ti(self.dag_id, self.run_id, task_id)

    def wait_finished(self) -> str:
        return self.cluster.wait_run_finished(self.dag_id, self.run_id)

    def worker(self, role: str, name: str, **kw: Any) -> ManagedProcess:
        """A worker for this scenario's `launch` or `wait` queue (not started yet)."""
        return self.cluster.worker(name, grace=60, queues=f"{role}-{self.scenario}", **kw)

    def start_workers(
        self, workers: list[ManagedProcess], *procs: ManagedProcess
    ) -> list[ManagedProcess]:
        """Start them side by side (stopped after the test); returns them once all are ready."""
        workers.extend(procs)
        return self.cluster.start_workers(*procs)

    def start_worker(
        self, workers: list[ManagedProcess], role: str, name: str, **kw: Any
    ) -> ManagedProcess:
        return self.start_workers(workers, self.worker(role, name, **kw))[0]

    def run_task_calls(self) -> list[dict[str, Any]]:
        """RunTask calls of this run's ECSOperator that ECS answered."""
        return [
            c
            for c in self.fake.calls()
            if c["operation"] == "RunTask"
            and (c.get("params") or {}).get("startedBy") == self.started_by
            and c.get("status") == 200
        ]

    def ecs_tasks(self) -> dict[str, str]:
        """Task ARN -> last status, for every ECS task this run's ECSOperator started."""
        ecs = self.fake.client()
        arns = [
            arn
            for desired in ("RUNNING", "STOPPED")
            for arn in ecs.list_tasks(
                cluster=ecs_world.CLUSTER, startedBy=self.started_by, desiredStatus=desired
            )["taskArns"]
        ]
        if not arns:
            return {}
        described = ecs.describe_tasks(cluster=ecs_world.CLUSTER, tasks=arns)["tasks"]
        return {t["taskArn"]: t["lastStatus"] for t in described}

    def wait_held(self, timeout: float = 120) -> None:
        """Until the fault rule in force has caught its call (the task is held inside it)."""
        wait_for(
            lambda: all(rule["fired"] for rule in self.fake.control.fault_rules()),
            timeout=timeout,
            what="the latency fault to hold the task's ECS call",
        )

    def finish_container(self) -> None:
        """Move fakeecs's clock past the container's run: it exits 0 and the task stops."""
        self.fake.control.advance(ecs_world.RUN_SECONDS + 60)

    def wait_state(self, task_id: str, states: set[str], timeout: float = 240) -> int:
        return self.cluster.wait_ti_state(self.dag_id, self.run_id, task_id, states, timeout)


def hold(fake: FakeEcsServer, operation: str, seconds: float) -> None:
    fake.control.faults(
        [{"operation": operation, "action": "latency", "seconds": seconds, "times": 1}]
    )


def test_1_sigterm_between_runtask_and_return_lets_the_operator_finish(
    cluster: AirflowCluster, fake_ecs: FakeEcsServer, workers: list[ManagedProcess]
) -> None:
    run = EcsRun(cluster, fake_ecs, 1)
    hold(fake_ecs, "DescribeTaskDefinition", 10)  # the operator's next call after RunTask
    launcher, _ = run.start_workers(
        workers, run.worker("launch", "launch-1"), run.worker("wait", "wait-1")
    )
    run.trigger().wait_held()
    assert len(run.run_task_calls()) == 1  # RunTask answered; the operator has not returned
    launcher.signal(signal.SIGTERM)  # ECS stopping the worker container
    launcher.wait_exit(timeout=90)  # warm shutdown: it waited for the operator
    assert run.ti("launch") == ("success", 1)
    run.finish_container()
    assert run.wait_finished() == "success"
    assert len(run.run_task_calls()) == 1
    assert list(run.ecs_tasks().values()) == ["STOPPED"]


def test_2_sigkill_between_runtask_and_return_reattaches_on_retry(
    cluster: AirflowCluster, fake_ecs: FakeEcsServer, workers: list[ManagedProcess]
) -> None:
    run = EcsRun(cluster, fake_ecs, 2)
    hold(fake_ecs, "DescribeTaskDefinition", 30)
    launcher, _ = run.start_workers(
        workers, run.worker("launch", "launch-2a"), run.worker("wait", "wait-2")
    )
    run.trigger().wait_held()
    launcher.kill_group()  # the container is gone: no clean-up, no XCom, no state store
    run.start_worker(workers, "launch", "launch-2b")
    run.wait_state("launch", {"success"})  # after the heartbeat timeout, try 2 on the new worker
    assert run.ti("launch") == ("success", 2)
    assert list(run.ecs_tasks().values()) == ["RUNNING"]  # re-attached to the running container
    run.finish_container()
    assert run.wait_finished() == "success"
    assert len(run.run_task_calls()) == 1  # try 2 found the task and sent no RunTask
    assert list(run.ecs_tasks().values()) == ["STOPPED"]


def test_3_sigkill_while_the_sensor_pokes_the_container_runs_on(
    cluster: AirflowCluster, fake_ecs: FakeEcsServer, workers: list[ManagedProcess]
) -> None:
    run = EcsRun(cluster, fake_ecs, 3)
    _, sensor_worker = run.start_workers(
        workers, run.worker("launch", "launch-3"), run.worker("wait", "wait-3a")
    )
    run.trigger().wait_state("launch", {"success"})
    hold(fake_ecs, "DescribeTasks", 30)  # the sensor's next check hangs in ECS
    run.wait_held()
    sensor_worker.kill_group()
    run.start_worker(workers, "wait", "wait-3b")
    wait_for(
        lambda: (ti := run.ti("wait")) and ti[1] == 2 and ti,
        timeout=180,
        what="the sensor's try 2",
    )
    assert list(run.ecs_tasks().values()) == ["RUNNING"]  # the container ran on meanwhile
    run.finish_container()
    assert run.wait_finished() == "success"
    assert run.ti("wait") == ("success", 2)
    assert run.ti("launch") == ("success", 1)
    assert len(run.run_task_calls()) == 1
    assert list(run.ecs_tasks().values()) == ["STOPPED"]


def test_5_a_redelivered_celery_message_starts_no_second_container(
    cluster: AirflowCluster, fake_ecs: FakeEcsServer, workers: list[ManagedProcess]
) -> None:
    run = EcsRun(cluster, fake_ecs, 5)
    hold(fake_ecs, "DescribeTaskDefinition", 25)  # the operator runs well past the timeout
    first, _ = run.start_workers(
        workers,
        run.worker("launch", "launch-5a", extra_env=SHORT_VISIBILITY),
        run.worker("wait", "wait-5"),
    )
    run.trigger().wait_held()
    second = run.start_worker(workers, "launch", "launch-5b", extra_env=SHORT_VISIBILITY)

    def redelivered() -> list[str] | None:
        ids = RECEIVED.findall(first.log_text(10**9) + second.log_text(10**9))
        return [i for i in set(ids) if ids.count(i) > 1] or None

    wait_for(redelivered, timeout=60, what="Celery to deliver the launch message a second time")
    run.wait_state("launch", {"success"})
    run.finish_container()
    assert run.wait_finished() == "success"
    assert run.ti("launch") == ("success", 1)
    assert len(run.run_task_calls()) == 1
    assert list(run.ecs_tasks().values()) == ["STOPPED"]


def test_6_a_scheduler_restart_mid_run_resumes_it(
    cluster: AirflowCluster, fake_ecs: FakeEcsServer, workers: list[ManagedProcess]
) -> None:
    run = EcsRun(cluster, fake_ecs, 6)
    run.start_workers(workers, run.worker("launch", "launch-6"), run.worker("wait", "wait-6"))
    run.trigger().wait_state("launch", {"success"})
    run.wait_state("wait", {"up_for_reschedule"})
    scheduler = cluster.processes["scheduler"]
    scheduler.signal(signal.SIGTERM)  # `workflow redeploy`: the scheduler service scaled to 0
    scheduler.wait_exit(timeout=60)
    run.finish_container()  # the container ends while no scheduler runs
    cluster.start_scheduler()  # ... and is scaled back to 1
    assert run.wait_finished() == "success"
    assert run.ti("wait") == ("success", 1)
    assert len(run.run_task_calls()) == 1
    assert list(run.ecs_tasks().values()) == ["STOPPED"]
