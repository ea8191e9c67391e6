"""The Airflow worker as a service task of the cell's fakeecs, and its redeploy mid-task.

In production the workers are an ECS service; a worker running an Airflow task
protects its own ECS task (UpdateTaskProtection, as through ECS_AGENT_URI) so a
redeploy of the worker service waits for it instead of stopping it. For a
scenario with a `Redeploy`, the harness creates that service, and at the
scenario's point the worker protects itself and the service is redeployed
(a new task definition revision). What ECS must do is checked as the run goes
and reported as findings: the deployment waits IN_PROGRESS while the worker is
protected and ends SUCCESSFUL once protection ends; when protection expires
first, the deployment stops the worker, and the caller turns that into a worker
death.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fakeecs.fixtures import fargate_task_definition
from harness.scenarios import Redeploy
from harness.timeline import Timeline

SERVICE = "airflow-worker"
FAMILY = "airflow-worker"
CONTAINER = "worker"
#: Long enough that a worker never exits on its own during a run (virtual seconds).
FOREVER = 10 * 24 * 3600
#: Clock steps while waiting for ECS to act on the worker service, and how many at most.
STEP_SECONDS = 30.0
MAX_STEPS = 40
#: How long the deployment runs before the harness checks it waits for the protected worker
#: (virtual s): past starting the new worker, within the shortest protection (1 minute).
WAIT_WHILE_PROTECTED = 45.0


@dataclass
class WorkerService:
    """The worker service of one run: its tasks, the redeploy, and what went wrong."""

    admin: Any  # the harness's own ECS client
    cluster: str
    network: dict[str, Any]  # the world's, as for the DAG's own tasks
    plan: Redeploy
    advance: Callable[[float, str], None]
    timeline: Timeline
    worker_arn: str = ""
    protected_for: str | None = None  # the Airflow task the worker protects itself for
    findings: list[str] = field(default_factory=list)

    # -- setting up ------------------------------------------------------------------------

    def start(self, fake: Any) -> None:
        """Register the worker's task definition, create the service and wait for its task."""
        self._register("harness/airflow-worker:1")
        fake.behaviour(FAMILY, container=CONTAINER, runSeconds=FOREVER, exitCode=0)
        self.admin.create_service(
            cluster=self.cluster,
            serviceName=SERVICE,
            taskDefinition=FAMILY,
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration=self.network,
        )
        self._wait(lambda: self._running_worker() is not None, "the worker task runs")
        self.worker_arn = self._running_worker() or ""

    def _register(self, image: str) -> None:
        self.admin.register_task_definition(
            **fargate_task_definition(FAMILY, [{"name": CONTAINER, "image": image}])
        )

    # -- during the run ----------------------------------------------------------------------

    def protect_and_redeploy(self, task_id: str) -> None:
        """The worker starts `task_id`: it protects itself, then the worker service is redeployed."""
        self.protected_for = task_id
        self.admin.update_task_protection(
            cluster=self.cluster,
            tasks=[self.worker_arn],
            protectionEnabled=True,
            expiresInMinutes=self.plan.protect_minutes,
        )
        self.timeline.add(
            "redeploy",
            task_id,
            f"worker protects its task for {self.plan.protect_minutes} min",
        )
        self._register("harness/airflow-worker:2")
        self.admin.update_service(
            cluster=self.cluster,
            service=SERVICE,
            taskDefinition=FAMILY,
            forceNewDeployment=True,
        )
        self.timeline.add("redeploy", task_id, "worker service redeployed (revision 2)")
        self.advance(WAIT_WHILE_PROTECTED, "worker service deploying")
        self._expect_waiting("while the worker is protected")

    def expire_protection(self) -> bool:
        """Move the clock past the protection; True once the deployment stopped the worker."""
        self.advance(self.plan.protect_minutes * 60.0, "the worker's protection expires")
        stopped = self._wait(self._worker_stopping, "the deployment stops the old worker")
        if stopped:
            self.timeline.add("redeploy", self.protected_for, "deployment stops the old worker")
            self.protected_for = None
            self.settle()
        return stopped

    def task_finished(self, task_id: str) -> None:
        """The protected Airflow task ended: the worker clears its protection, ECS finishes."""
        if self.protected_for != task_id:
            return
        self._expect_waiting("when the Airflow task finished")
        self.admin.update_task_protection(
            cluster=self.cluster, tasks=[self.worker_arn], protectionEnabled=False
        )
        self.protected_for = None
        self.timeline.add("redeploy", task_id, "worker clears its task protection")
        self.settle()

    def settle(self) -> None:
        """The redeploy must end SUCCESSFUL (ListServiceDeployments, DescribeServiceDeployments)."""
        if not self._wait(lambda: self._deployment_status() == "SUCCESSFUL", "deployment ends"):
            self.findings.append(
                f"worker service deployment ended {self._deployment_status()}, expected SUCCESSFUL"
            )
            return
        self.timeline.add("redeploy", None, "worker service deployment SUCCESSFUL")

    # -- reading ECS -------------------------------------------------------------------------

    def _expect_waiting(self, when: str) -> None:
        status = self._deployment_status()
        if status != "IN_PROGRESS":
            self.findings.append(f"worker service deployment {status} {when}, expected IN_PROGRESS")
        if self._worker_stopping():
            self.findings.append(f"the protected worker task was stopped {when}")

    def _deployment_status(self) -> str:
        listed = self.admin.list_service_deployments(cluster=self.cluster, service=SERVICE)
        arns = [d["serviceDeploymentArn"] for d in listed.get("serviceDeployments", [])]
        if not arns:
            return "NONE"
        described = self.admin.describe_service_deployments(serviceDeploymentArns=arns)
        latest = max(described["serviceDeployments"], key=lambda d: d["createdAt"])
        return str(latest["status"])

    def _running_worker(self) -> str | None:
        arns = self.admin.list_tasks(cluster=self.cluster, serviceName=SERVICE)["taskArns"]
        if not arns:
            return None
        tasks = self.admin.describe_tasks(cluster=self.cluster, tasks=arns)["tasks"]
        running = [t["taskArn"] for t in tasks if t["lastStatus"] == "RUNNING"]
        return running[0] if running else None

    def _worker_stopping(self) -> bool:
        tasks = self.admin.describe_tasks(cluster=self.cluster, tasks=[self.worker_arn])["tasks"]
        return bool(tasks) and tasks[0]["desiredStatus"] == "STOPPED"

    def _wait(self, done: Callable[[], bool], what: str) -> bool:
        """Move the clock in steps until `done()`; a finding when it never happens."""
        for _ in range(MAX_STEPS):
            if done():
                return True
            self.advance(STEP_SECONDS, what)
        if done():
            return True
        self.findings.append(f"gave up waiting {STEP_SECONDS * MAX_STEPS:g} s for: {what}")
        return False
