"""The Airflow worker of a property case as an ECS service task that protects itself.

In production the workers are an ECS service, and a worker running an Airflow task
protects its own ECS task (UpdateTaskProtection) so that a redeploy of the worker service
waits for it (harness/redeploy.py plays this in whole DAG runs). Here a redeploy at a try's
kill point stops the worker (the graceful death: `on_kill`, then the try is gone) only
once ECS's deployment does, which must wait while the protection holds. Every protection
the worker took is recorded with the moment it ended (cleared, replaced or expired), and
`violations` reads from ECS when each worker task was told to stop: inside a protection
is a broken promise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fakeecs import FakeECS
from fakeecs.fixtures import fargate_task_definition

WORKER = "airflow-worker"
#: Long enough that a worker never exits on its own during a case (virtual seconds).
FOREVER = 10 * 24 * 3600
#: Clock steps while waiting for ECS to act on the worker service, and how many at most.
STEP_SECONDS = 10.0
MAX_STEPS = 60
#: How long a redeploy that meets the worker's protection runs before the try goes on
#: (virtual s): past starting the new worker, within the shortest protection (1 minute).
WAIT_WHILE_PROTECTED = 45.0


@dataclass
class Protection:
    """One protection of one worker task, [start, until) in fake-clock epoch seconds."""

    task_arn: str
    start: float
    until: float  # its expirationDate, or when the worker cleared or replaced it


class WorkerService:
    """The worker service of one case: its current task, its protections, what went wrong."""

    def __init__(self, ecs: Any, fake: FakeECS, cluster: str, network: dict[str, Any]) -> None:
        self.ecs, self.fake, self.cluster, self.network = ecs, fake, cluster, network
        self.arn = ""
        self.protections: list[Protection] = []
        self.protected_redeploys = 0  # redeploys that met an active protection
        self.findings: list[str] = []
        self._held = False  # a redeploy waits for the protection this try will clear
        self._stopped = False  # the deployment stopped the worker during this try

    def start(self) -> None:
        """Register the worker's task definition, create the service, wait for its task."""
        self.ecs.register_task_definition(
            **fargate_task_definition(WORKER, [{"name": "worker", "image": "example/worker"}])
        )
        self.fake.behaviour(WORKER, runSeconds=FOREVER, exitCode=0)
        self.ecs.create_service(
            cluster=self.cluster,
            serviceName=WORKER,
            taskDefinition=WORKER,
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration=self.network,
        )
        self._wait(lambda: self._running_other("") is not None, "the worker task runs")
        self.arn = self._running_other("") or ""

    # -- one try ------------------------------------------------------------------------

    def protect(self, minutes: int) -> None:
        """The try starts: the worker protects its own task for `minutes`."""
        answer = self.ecs.update_task_protection(
            cluster=self.cluster, tasks=[self.arn], protectionEnabled=True, expiresInMinutes=minutes
        )
        if not answer["protectedTasks"]:
            self.findings.append(f"the worker could not protect {self.arn}: {answer['failures']}")
            return
        now = self.fake.now()
        self._end_active(now)  # a new protection replaces one a killed try left behind
        until = answer["protectedTasks"][0]["expirationDate"].timestamp()
        self.protections.append(Protection(self.arn, now, until))

    def redeploy(self, ends: str, protected_this_try: bool) -> bool:
        """The worker service is redeployed mid-try. True when the deployment stopped the
        worker (the caller runs `on_kill` and the try dies), False when it waits for the
        protection this try clears when it ends (`ends`: see PROTECTION_ENDS)."""
        active = self._active()
        if active is not None and ends == "expired":
            self.fake.advance(active.until - self.fake.now() + 1)
            active = None
        self.ecs.update_service(cluster=self.cluster, service=WORKER, forceNewDeployment=True)
        if active is not None:
            self.protected_redeploys += 1
            room = active.until - self.fake.now() - 1
            self.fake.advance(max(0.0, min(WAIT_WHILE_PROTECTED, room)))
            if ends == "cleared" and protected_this_try:
                self._held = True
                return False
            self.fake.advance(max(0.0, active.until - self.fake.now() - 1))
            self._expect_held("a second before the protection expires")
            self.fake.advance(max(0.0, active.until - self.fake.now() + 1))
        self._stopped = True
        self._await_replacement("the deployment stops the worker")
        return True

    def try_ended(self, protected_this_try: bool, killed: bool) -> None:
        """A worker still alive clears the protection it took (a SIGKILLed try cannot: its
        protection runs until it expires); a redeploy that waited for it then goes on."""
        if self._stopped:
            self._stopped = False
            return
        if self._held:
            self._expect_held("when the try ended")
        if protected_this_try and not killed:
            self.ecs.update_task_protection(
                cluster=self.cluster, tasks=[self.arn], protectionEnabled=False
            )
            self._end_active(self.fake.now())
        if self._held:
            self._held = False
            self._await_replacement("the deployment stops the worker once it is unprotected")

    # -- the check --------------------------------------------------------------------------

    def violations(self) -> list[str]:
        """Protected worker tasks the deployment stopped before protection allowed, read
        from ECS (stoppingAt), and anything the deployment never did."""
        arns = sorted({p.task_arn for p in self.protections})
        tasks = self.ecs.describe_tasks(cluster=self.cluster, tasks=arns)["tasks"] if arns else []
        found, now = list(self.findings), self.fake.now()
        for task in tasks:
            if task["desiredStatus"] != "STOPPED":
                continue
            # Told to stop but not yet STOPPING: it was told at the latest now.
            stopping = task["stoppingAt"].timestamp() if "stoppingAt" in task else now
            for p in self.protections:
                if p.task_arn == task["taskArn"] and p.start <= stopping < p.until:
                    found.append(
                        f"protected worker {task['taskArn']} stopped at {stopping:.0f}, "
                        f"protected from {p.start:.0f} until {p.until:.0f}"
                    )
        return found

    def _expect_held(self, when: str) -> None:
        """While the deployment waits on the worker's protection, the worker still runs (the
        live half of the check: stoppingAt comes a few seconds after the decision)."""
        if self._stopping(self.arn):
            self.findings.append(f"protected worker {self.arn} told to stop {when}")

    # -- reading ECS --------------------------------------------------------------------------

    def _active(self) -> Protection | None:
        now = self.fake.now()
        return next(
            (p for p in self.protections if p.task_arn == self.arn and p.start <= now < p.until),
            None,
        )

    def _end_active(self, now: float) -> None:
        active = self._active()
        if active is not None:
            active.until = now

    def _await_replacement(self, what: str) -> None:
        old = self.arn
        if self._wait(lambda: self._stopping(old), what):
            self._wait(lambda: self._running_other(old) is not None, "a new worker runs")
            self.arn = self._running_other(old) or old

    def _stopping(self, arn: str) -> bool:
        tasks = self.ecs.describe_tasks(cluster=self.cluster, tasks=[arn])["tasks"]
        return bool(tasks) and tasks[0]["desiredStatus"] == "STOPPED"

    def _running_other(self, old: str) -> str | None:
        arns = self.ecs.list_tasks(cluster=self.cluster, serviceName=WORKER)["taskArns"]
        tasks = self.ecs.describe_tasks(cluster=self.cluster, tasks=arns)["tasks"] if arns else []
        return next(
            (t["taskArn"] for t in tasks if t["lastStatus"] == "RUNNING" and t["taskArn"] != old),
            None,
        )

    def _wait(self, done: Callable[[], bool], what: str) -> bool:
        """Move the clock in steps until `done()`; a finding when it never happens."""
        for _ in range(MAX_STEPS):
            if done():
                return True
            self.fake.advance(STEP_SECONDS)
        if done():
            return True
        self.findings.append(f"gave up waiting {STEP_SECONDS * MAX_STEPS:g} s for: {what}")
        return False
