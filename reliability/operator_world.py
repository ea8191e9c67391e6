"""Playing one `Interleaving` against the real operators and a real fakeecs, and judging it.

The operators run unchanged over HTTP; only the worker's death is simulated, with the
machinery the operator tests use (tests/mit_airflow/operator_attempts.py): an exception
no operator code catches, raised by a botocore hook right after the chosen ECS answer,
so nothing after that point runs, as with SIGKILL. A redeploy death is ECS's doing: the
worker is a task of an ECS service (reliability/worker_service.py) that may protect
itself during a try, the hook redeploys that service, and the worker dies (`on_kill`,
then the exception) only once the deployment stops it. One boto3 client per service is
built once and shared by every attempt (building one costs about 0.25 s of CPU, which
10,000 cases would otherwise pay many times over); the hooks are added and removed
per attempt.

The judge reads ECS, not the operators: every task this task instance started
(by its `startedBy`), when each was created and stopped, and how its containers ended.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from airflow.sdk.exceptions import AirflowException, AirflowFailException

import mit_airflow.ecs_client as ecs_client_module
from fakeecs import FakeECS
from fakeecs.fixtures import fargate_task_definition
from harness.network import config_value
from mit_airflow.identity import LaunchIdentity
from mit_airflow.operators import ECSOperator
from mit_airflow.sensors import ECSTaskSensor
from reliability.interleavings import Attempt, Interleaving
from reliability.worker_service import WorkerService
from tests.mit_airflow.ecs_dag_support import CLUSTER, register
from tests.mit_airflow.operator_attempts import StateStore, TaskInstance, WorkerDied, context

FAMILY = "worker"
SERVICE = "web"
#: Tries after the scripted ones before the case counts as a false failure.
EXTRA_TRIES = 4
#: Sensor pokes (each a minute of fake time) before the case counts as a false failure.
POKES = 20
_hook_ids = itertools.count()


@dataclass
class Outcome:
    """What ECS and the sensor say happened to one task instance."""

    launches: int = 0  # tasks started for this task instance
    duplicates: int = 0  # launches while an earlier one was alive or had succeeded
    false_success: bool = False  # the sensor passed a container that did not exit 0
    false_failure: bool = False  # the sensor failed a container that exited 0, or no verdict
    operator_errors: int = 0  # tries that ended in an AirflowException (Airflow retries them)
    protected_redeploys: int = 0  # worker-service redeploys that met the worker's protection
    protection_violations: int = 0  # protected worker stopped early, or a deployment stuck
    detail: str = ""

    @property
    def broken(self) -> bool:
        return (
            self.duplicates > 0
            or self.false_success
            or self.false_failure
            or self.protection_violations > 0
        )


class Clients:
    """The clients mit_airflow gets while a case runs, with per-attempt death hooks."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self.made: dict[str, Any] = {}
        self.hooks: list[tuple[str, str]] = []

    def client(self, service: str, aws_conn_id: str | None, region_name: str | None) -> Any:
        if service not in self.made:
            self.made[service] = ecs_client_module.aws_client(service, aws_conn_id, region_name)
        return self.made[service]

    def die_after(self, operation: str, redeploy: Callable[[], bool] | None) -> None:
        """The worker dies right after `operation` first answers: by SIGKILL, or, with
        `redeploy`, when that says the deployment stopped it (else the try goes on)."""
        fired = False

        def die(**_: Any) -> None:
            nonlocal fired
            if fired:
                return
            fired = True
            if redeploy is None or redeploy():
                raise WorkerDied(f"worker killed after {operation}")

        event, unique = f"after-call.ecs.{operation}", f"reliability-death-{next(_hook_ids)}"
        self.client("ecs", "aws_default", None).meta.events.register(event, die, unique_id=unique)
        self.hooks.append((event, unique))

    def live(self) -> None:
        ecs = self.client("ecs", "aws_default", None)
        for event, unique in self.hooks:
            ecs.meta.events.unregister(event, unique_id=unique)
        self.hooks.clear()


class OperatorWorld:
    """One fakeecs (manual clock) and the worker's environment, reset before every case."""

    def __init__(self, fake: FakeECS, mp: pytest.MonkeyPatch) -> None:
        self.fake = fake
        self.mp = mp
        #: The default VPC's network of the current case (made again after each reset).
        self.network: dict[str, Any] = {}
        self.clients = Clients(fake.endpoint_url)
        self.worker: WorkerService | None = None
        mp.setenv("AWS_ENDPOINT_URL", fake.endpoint_url)
        mp.setenv("AWS_ACCESS_KEY_ID", "reliability")  # never a real account's
        mp.setenv("AWS_SECRET_ACCESS_KEY", "reliability")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        self.ecs = boto3.client("ecs", endpoint_url=fake.endpoint_url, region_name="us-east-1")
        mp.setenv("ECS_CLUSTER", CLUSTER)
        for module in ("mit_airflow.operators", "mit_airflow.sensors"):
            mp.setattr(f"{module}.aws_client", self.clients.client)

    # -- one case ------------------------------------------------------------------

    def set_up(self, case: Interleaving) -> None:
        self.fake.reset()
        self.network = self.fake.default_network()
        self.mp.setenv("ECS_NETWORK_CONFIG", config_value(self.network))
        self.ecs.create_cluster(clusterName=CLUSTER)
        register(self.ecs, FAMILY)
        self.fake.settings(describeDelaySeconds=case.describe_delay)
        self.worker = None
        if case.worker_is_a_service_task:
            self.worker = WorkerService(self.ecs, self.fake, CLUSTER, self.network)
            self.worker.start()
        if case.service_redeploys:
            self.ecs.register_task_definition(
                **fargate_task_definition("web", [{"name": "web", "image": "example/web"}])
            )
            self.fake.behaviour("web", runSeconds=10_000, exitCode=0)
            self.ecs.create_service(
                cluster=CLUSTER,
                serviceName=SERVICE,
                taskDefinition="web",
                desiredCount=2,
                launchType="FARGATE",
                networkConfiguration=self.network,
            )

    def _try(self, attempt: Attempt, ti: TaskInstance, store: StateStore | None) -> str | None:
        """One operator try; the ARN it returned, or None when the worker died or it raised."""
        operator = ECSOperator(task_id="run", task_definition=FAMILY)
        rules: list[dict[str, Any]] = []
        if attempt.lose_response:
            rules.append({"operation": "RunTask", "action": "lose-response", "times": 1})
        if attempt.throttle:
            rules.append({"operation": "*", "action": "throttle", "times": attempt.throttle})
        worker = self.worker
        protected = worker is not None and attempt.protect_minutes > 0
        if worker is not None and protected:
            worker.protect(attempt.protect_minutes)
        self.fake.faults(rules)
        if attempt.death is not None:
            redeploy = None
            if worker is not None and attempt.redeploy:
                redeploy = _graceful_death(worker, attempt, protected, operator)
            self.clients.die_after(attempt.death, redeploy)
        killed = False
        try:
            return operator.execute(context(ti, store))
        except WorkerDied:
            killed = True
            return None
        finally:
            self.clients.live()
            self.fake.faults([])
            if worker is not None:
                worker.try_ended(protected, killed)

    def run(self, case: Interleaving) -> Outcome:
        self.set_up(case)
        outcome, ti = Outcome(), TaskInstance()
        store = StateStore() if case.with_store else None
        codes = iter(case.exit_codes)
        self.fake.behaviour(FAMILY, runSeconds=20, exitCode=next(codes))
        arn = None
        tries = [*case.attempts, *[Attempt()] * EXTRA_TRIES]
        for attempt in tries:
            try:
                arn = self._try(attempt, ti, store)
            except AirflowException as exc:
                outcome.operator_errors += 1
                outcome.detail = f"operator: {exc}"
            self.fake.advance(attempt.pause)
            if arn is not None:
                break
            if case.service_redeploys:
                self.ecs.update_service(cluster=CLUSTER, service=SERVICE, forceNewDeployment=True)
            # A genuine retry may meet a container that already finished: script the next one.
            self.fake.behaviour(FAMILY, runSeconds=20, exitCode=next(codes, 0))
        verdict = self._verdict(ti, arn) if arn is not None else None
        self.judge(outcome, ti, arn, verdict)
        return outcome

    def _verdict(self, ti: TaskInstance, arn: str) -> bool | None:
        ti.xcom["run"] = arn
        sensor = ECSTaskSensor(task_id="wait", ecs_task_id="run", missing_grace_checks=3)
        for _ in range(POKES):
            self.fake.advance(60)
            try:
                if sensor.poke(context(ti, None)):
                    return True
            except AirflowFailException:
                return False
        return None

    def judge(
        self, outcome: Outcome, ti: TaskInstance, arn: str | None, verdict: bool | None
    ) -> None:
        started_by = LaunchIdentity.from_context({"ti": ti}).started_by
        self.fake.advance(60)
        arns = [
            a
            for desired in ("RUNNING", "STOPPED")
            for a in self.ecs.list_tasks(
                cluster=CLUSTER, startedBy=started_by, desiredStatus=desired
            )["taskArns"]
        ]
        tasks = self.ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []
        tasks.sort(key=lambda t: t["createdAt"])
        outcome.launches = len(tasks)
        for i, later in enumerate(tasks):
            for earlier in tasks[:i]:
                alive = "stoppedAt" not in earlier or earlier["stoppedAt"] > later["createdAt"]
                if alive or _succeeded(earlier):
                    outcome.duplicates += 1
                    outcome.detail = f"{later['taskArn']} started beside {earlier['taskArn']}"
                    break
        if self.worker is not None:
            self._judge_protection(outcome, self.worker)
        watched = next((t for t in tasks if t["taskArn"] == arn), None)
        if arn is None or verdict is None or watched is None:
            outcome.false_failure = True
            outcome.detail = outcome.detail or f"no verdict (arn {arn}, verdict {verdict})"
            return
        if verdict and not _succeeded(watched):
            outcome.false_success = True
            outcome.detail = f"sensor passed {arn}: {_exits(watched)}"
        if not verdict and _succeeded(watched):
            outcome.false_failure = True
            outcome.detail = f"sensor failed {arn}: {_exits(watched)}"

    @staticmethod
    def _judge_protection(outcome: Outcome, worker: WorkerService) -> None:
        violations = worker.violations()
        outcome.protected_redeploys = worker.protected_redeploys
        outcome.protection_violations = len(violations)
        if violations:
            outcome.detail = violations[0]


def _graceful_death(
    worker: WorkerService, attempt: Attempt, protected: bool, operator: ECSOperator
) -> Callable[[], bool]:
    """The kill point's redeploy: the worker service is redeployed, and once the deployment
    stops the worker, Airflow runs `on_kill` (SIGTERM) before the worker is gone."""

    def redeploy() -> bool:
        stopped = worker.redeploy(attempt.protection_ends, protected)
        if stopped:
            operator.on_kill()
        return stopped

    return redeploy


def _succeeded(task: dict[str, Any]) -> bool:
    return task.get("lastStatus") == "STOPPED" and all(
        c.get("exitCode") == 0 for c in task["containers"]
    )


def _exits(task: dict[str, Any]) -> list[Any]:
    return [c.get("exitCode") for c in task["containers"]]


@contextmanager
def operator_world(seed: int = 0) -> Iterator[OperatorWorld]:
    """A fakeecs and the worker's environment for as many cases as the caller runs."""
    with pytest.MonkeyPatch.context() as mp, FakeECS(clock="manual", seed=seed) as fake:
        yield OperatorWorld(fake, mp)
