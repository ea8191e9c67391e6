"""The scenario catalogue, as data.

A scenario says what the world does to a DAG run (container behaviours, ECS
fault rules, worker deaths, missing configuration or input) and what a correct
DAG must then do (run state, which task fails with which message, how many ECS
tasks each ECSOperator task instance started, how many tries it took). The same
scenario applies to every DAG that has what it needs (`requires`); expectations
name tasks by role ("the first ECSOperator", "its sensor"), and
`harness.expect` turns them into per-task expectations for one DAG.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

#: Where a worker can die: before or after an ECS call of the dying task.
POINTS = (
    "before:RunTask",
    "after:RunTask",
    "before:DescribeTasks",
    "after:DescribeTasks",
    "before:ListTasks",
)
#: Which tasks a death or a behaviour hits.
ROLES = ("operators", "sensors", "first-operator", "first-sensor")


@dataclass(frozen=True)
class Death:
    """The worker running `role`'s try `attempt` dies at its `nth` `point` (SIGKILL: no clean-up).

    `graceful`: a redeploy, SIGTERM first (Airflow calls on_kill), then the kill;
    `downtime` virtual seconds pass before the retry (the redeploy's duration).
    """

    role: str
    point: str
    attempt: int = 1
    nth: int = 1
    graceful: bool = False
    downtime: float = 0.0

    def describe(self) -> str:
        how = "SIGTERM then killed" if self.graceful else "killed"
        return f"{self.role} try {self.attempt}: {how} at {self.point} #{self.nth}"


@dataclass(frozen=True)
class Redeploy:
    """The Airflow worker is a fakeecs service task; at `role`'s try-1 `point` it protects its
    own task for `protect_minutes` (UpdateTaskProtection) and the worker service is redeployed.

    `expire_at`: a later point of the same try at which the clock moves past the protection,
    so the deployment stops the worker (a graceful worker death); None: the worker clears its
    protection when the Airflow task finishes and the deployment completes.
    """

    role: str = "first-operator"
    point: str = "before:RunTask"
    protect_minutes: int = 60
    expire_at: str | None = None

    def describe(self) -> str:
        end = f"protection expires at {self.expire_at}" if self.expire_at else "protection held"
        return f"{self.role}: worker redeployed at {self.point}, {end}"


@dataclass(frozen=True)
class Expect:
    """What a correct DAG does under the scenario."""

    run: str = "success"
    #: The task that fails: "first-sensor", "first-operator", "s3-input" (None: nothing fails).
    fails_at: str | None = None
    #: A piece of the failing attempt's error message.
    message: str | None = None
    #: ECS tasks started per ECSOperator task instance that ran (the idempotency promise).
    launches: int = 1
    #: Tries per role, e.g. {"operators": 2}; roles not named are not checked.
    tries: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    #: Behaviour (fakeecs `behaviour` fields) of the essential container of `target` tasks.
    behaviour: dict[str, Any] = field(default_factory=dict)
    #: Behaviour of the non-essential sidecar of `target` tasks.
    sidecar: dict[str, Any] = field(default_factory=dict)
    target: str = "first-operator"
    faults: tuple[dict[str, Any], ...] = ()
    deaths: tuple[Death, ...] = ()
    unset: tuple[str, ...] = ()
    s3_missing: bool = False
    #: The worker service redeployed while the DAG runs (None: the worker is not a service).
    redeploy: Redeploy | None = None
    #: What a DAG needs for the scenario to apply: "ecs" (an ECSOperator), "s3-input".
    requires: str = "ecs"
    seed: int = 0
    expect: Expect = field(default_factory=Expect)

    def with_seed(self, seed: int | None) -> Scenario:
        return self if seed is None else replace(self, seed=seed)


#: How long a container runs when nothing else is scripted (virtual seconds).
DEFAULT_RUN_SECONDS = 600

CATALOGUE: tuple[Scenario, ...] = (
    Scenario("all-succeed", "every container exits 0"),
    Scenario(
        "container-exits-nonzero",
        "the first container exits 3: its sensor fails naming the container and code",
        behaviour={"exitCode": 3},
        expect=Expect("failed", "first-sensor", "exited with code 3"),
    ),
    Scenario(
        "image-pull-fails",
        "the first task cannot pull its image (TaskFailedToStart)",
        behaviour={"failToStart": "CannotPullContainerError: pull access denied for example"},
        expect=Expect("failed", "first-sensor", "CannotPullContainerError"),
    ),
    Scenario(
        "resource-init-fails",
        "the first task fails resource initialisation (secrets, volumes)",
        behaviour={
            "failToStart": "ResourceInitializationError: unable to pull secrets or registry auth"
        },
        expect=Expect("failed", "first-sensor", "ResourceInitializationError"),
    ),
    Scenario(
        "out-of-memory",
        "the first container is killed for memory (exit 137)",
        behaviour={"outOfMemory": True, "runSeconds": 300},
        expect=Expect("failed", "first-sensor", "OutOfMemoryError"),
    ),
    Scenario(
        "sidecar-fails",
        "a non-essential sidecar exits 1 early; the essential container succeeds",
        sidecar={"exitCode": 1, "runSeconds": 20},
        target="operators",
    ),
    Scenario(
        "worker-dies-before-runtask",
        "the worker of every ECSOperator's first try is killed before RunTask",
        deaths=(Death("operators", "before:RunTask"),),
        expect=Expect(tries={"operators": 2}),
    ),
    Scenario(
        "worker-dies-after-runtask",
        "killed after RunTask answered, before the taskArn reached XCom or the state store",
        deaths=(Death("operators", "after:RunTask"),),
        expect=Expect(tries={"operators": 2}),
    ),
    Scenario(
        "worker-dies-while-sensor-waits",
        "every sensor's worker is killed during its second check",
        deaths=(Death("sensors", "before:DescribeTasks", nth=2),),
        expect=Expect(tries={"sensors": 2}),
    ),
    Scenario(
        "worker-dies-twice",
        "killed after RunTask on try 1 and before ListTasks on try 2",
        deaths=(
            Death("first-operator", "after:RunTask", attempt=1),
            Death("first-operator", "before:ListTasks", attempt=2),
        ),
        expect=Expect(tries={"first-operator": 3}),
    ),
    Scenario(
        "lost-runtask-response",
        "ECS starts the task but its answer is lost once (botocore retries with the same clientToken)",
        faults=({"operation": "RunTask", "action": "lose-response", "times": 1},),
        expect=Expect(tries={"operators": 1}),
    ),
    Scenario(
        "lost-runtask-responses",
        "every RunTask answer of the first try is lost: the try fails, the retry finds the task",
        faults=({"operation": "RunTask", "action": "lose-response", "times": 5},),
        expect=Expect(tries={"first-operator": 2}),
    ),
    Scenario(
        "throttling-and-server-errors",
        "RunTask is throttled 3 times and DescribeTasks answers 500 twice",
        faults=(
            {"operation": "RunTask", "action": "throttle", "times": 3},
            {"operation": "DescribeTasks", "action": "server-error", "times": 2},
        ),
        expect=Expect(tries={"operators": 1, "sensors": 1}),
    ),
    Scenario(
        "flaky-ecs-api",
        "a fifth of all ECS calls are throttled or fail with 500 (seeded)",
        faults=(
            {"operation": "*", "action": "throttle", "probability": 0.1},
            {"operation": "*", "action": "server-error", "probability": 0.1},
        ),
    ),
    Scenario(
        "no-capacity",
        "the first RunTask finds no Fargate capacity: the try fails, the retry launches",
        faults=({"operation": "RunTask", "action": "no-capacity", "times": 1},),
        expect=Expect(tries={"first-operator": 2}),
    ),
    Scenario(
        "spot-interruption",
        "ECS stops the first task (SpotInterruption) while it runs: its sensor fails saying so",
        faults=(
            {
                "operation": "DescribeTasks",
                "action": "interrupt",
                "stopCode": "SpotInterruption",
                "after": 60,
                "times": 1,
            },
        ),
        expect=Expect("failed", "first-sensor", "Spot interruption"),
    ),
    Scenario(
        "cluster-redeploy",
        "Airflow is redeployed twice during the run: on_kill then kill, 10 minutes down each time",
        deaths=(
            Death("first-operator", "after:RunTask", graceful=True, downtime=600),
            Death("first-sensor", "before:DescribeTasks", nth=1, graceful=True, downtime=600),
        ),
        expect=Expect(tries={"first-operator": 2, "first-sensor": 2}),
    ),
    Scenario(
        "worker-redeploy-protected",
        "the worker service is redeployed while the first ECSOperator runs; the worker's task "
        "protection holds the deployment IN_PROGRESS until the task finishes, then it completes",
        redeploy=Redeploy("first-operator", "before:RunTask", protect_minutes=60),
        expect=Expect(tries={"first-operator": 1}),
    ),
    Scenario(
        "worker-redeploy-protection-expires",
        "as worker-redeploy-protected, but the worker's 1-minute protection expires after RunTask: "
        "the deployment stops the worker and the retry re-attaches to the running container",
        redeploy=Redeploy(
            "first-operator", "before:RunTask", protect_minutes=1, expire_at="after:RunTask"
        ),
        expect=Expect(tries={"first-operator": 2}),
    ),
    Scenario(
        "missing-s3-input",
        "the input object the DAG reads from S3 is not there",
        s3_missing=True,
        requires="s3-input",
        expect=Expect("failed", "s3-input", "No export", launches=0),
    ),
    Scenario(
        "missing-configuration",
        "ECS_CLUSTER (and ECS_CLUSTER_NAME) is not set: the first ECSOperator fails naming it",
        unset=("ECS_CLUSTER", "ECS_CLUSTER_NAME"),
        expect=Expect("failed", "first-operator", "ECS_CLUSTER", launches=0),
    ),
)

BY_NAME = {scenario.name: scenario for scenario in CATALOGUE}
