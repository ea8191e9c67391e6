"""Capacity provider strategies: which capacity each task runs on.

The one place that decides, task by task, where a task runs: `launch_choices`
(RunTask) and `service_choices` (the service scheduler) turn a launch type, a
capacity provider strategy or the cluster's default strategy into a
(launchType, capacityProviderName) pair per task. FARGATE and FARGATE_SPOT run
Fargate tasks; any other provider wraps an Auto Scaling group and runs EC2 tasks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from fakeecs import errors
from fakeecs.model import Cluster, Task, TaskDefinition


class Launch(Protocol):
    """What a service's deployment or task set says about where its tasks run."""

    @property
    def launch_type(self) -> str | None: ...
    @property
    def capacity_provider_strategy(self) -> list[dict[str, Any]]: ...


FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
#: A capacity provider strategy holds at most this many items.
MAX_STRATEGY_ITEMS = 20

NOT_ASSOCIATED = (
    "The specified capacity provider strategy cannot contain a capacity provider that is not "
    "associated with the cluster. Associate the capacity provider with the cluster or specify a "
    "valid capacity provider and try again."
)
MIXED = (
    "A capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling "
    "groups and Fargate providers. Specify one or the other and try again."
)
BOTH_GIVEN = "Specifying both a launch type and capacity provider strategy is not supported."


def is_fargate(name: str) -> bool:
    return name in FARGATE_PROVIDERS


def launch_type_of(provider: str) -> str:
    """The launch type of a provider's tasks."""
    return "FARGATE" if is_fargate(provider) else "EC2"


def normalized(strategy: Iterable[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Items as ECS echoes them: base and weight always present (0 when not given)."""
    return [
        {
            "capacityProvider": s["capacityProvider"],
            "weight": s.get("weight", 0),
            "base": s.get("base", 0),
        }
        for s in strategy or []
    ]


def check_strategy(associated: list[str], strategy: list[dict[str, Any]]) -> None:
    """The rules every strategy obeys, in a cluster default or given to RunTask/CreateService."""
    if len(strategy) > MAX_STRATEGY_ITEMS:
        raise errors.invalid_parameter(
            f"A capacity provider strategy can contain at most {MAX_STRATEGY_ITEMS} capacity "
            f"providers; {len(strategy)} were given."
        )
    names = [s["capacityProvider"] for s in strategy]
    if len(set(names)) != len(names):
        raise errors.invalid_parameter(
            "The specified capacity provider strategy contains the same capacity provider more "
            "than once. Specify each capacity provider once and try again."
        )
    if sum(1 for s in strategy if s.get("base", 0) > 0) > 1:
        raise errors.invalid_parameter(
            "The specified capacity provider strategy has more than one capacity provider with a "
            "base value greater than zero. Only one capacity provider can have a base defined."
        )
    if any(name not in associated for name in names):
        raise errors.invalid_parameter(NOT_ASSOCIATED)
    if any(is_fargate(n) for n in names) and not all(is_fargate(n) for n in names):
        raise errors.invalid_parameter(MIXED)


def _check_weights(strategy: list[dict[str, Any]], default: bool) -> None:
    """At placement time at least one provider must have a weight (ECS accepts a 0-weight default)."""
    if any(s.get("weight", 0) > 0 for s in strategy):
        return
    which = "default" if default else "specified"
    fix = (
        "Update the cluster's default capacity provider strategy or specify a valid capacity "
        "provider strategy and try again."
        if default
        else "Specify a valid capacity provider strategy and try again."
    )
    raise errors.invalid_parameter(
        "There are no capacity providers with a weight value greater than zero defined in the "
        f"{which} capacity provider strategy. At least one capacity provider must have a weight "
        f"value greater than zero specified. {fix}"
    )


def spread(
    strategy: list[dict[str, Any]], count: int, existing: dict[str, int] | None = None
) -> list[str]:
    """The provider of each of `count` new tasks: the base first, then the rest by weight.

    `existing` counts tasks already running per provider (a service's), so a service's
    base is met once, not per scheduling pass. After the base, each task goes to the
    provider furthest below its share (fewest tasks beyond the base per unit of weight;
    ties to the earlier item), so 1:4 weights give 2 and 8 of 10 tasks. Deterministic.
    """
    counts = {
        s["capacityProvider"]: (existing or {}).get(s["capacityProvider"], 0) for s in strategy
    }
    chosen: list[str] = []
    for _ in range(count):
        short = [s for s in strategy if counts[s["capacityProvider"]] < s.get("base", 0)]
        if short:
            pick = short[0]["capacityProvider"]
        else:
            weighted = [s for s in strategy if s.get("weight", 0) > 0]
            pick = min(
                weighted,
                key=lambda s: (counts[s["capacityProvider"]] - s.get("base", 0) + 1) / s["weight"],
            )["capacityProvider"]
        counts[pick] += 1
        chosen.append(pick)
    return chosen


def check_launch_type(launch_type: str, td: TaskDefinition) -> str:
    if launch_type == "FARGATE":
        if "FARGATE" not in (td.body.get("requiresCompatibilities") or []):
            raise errors.invalid_parameter("Task definition does not support launch_type FARGATE.")
    elif launch_type not in ("EC2", "EXTERNAL"):
        raise errors.invalid_parameter(f"launchType {launch_type} is not supported.")
    return launch_type


def applicable_strategy(cluster: Cluster, params: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The strategy a RunTask/CreateService runs with (given, else the cluster default when no
    launch type is given either), checked; None when a launch type applies."""
    given = params.get("capacityProviderStrategy") or []
    if given and "launchType" in params:
        raise errors.invalid_parameter(BOTH_GIVEN)
    if "launchType" in params or not (given or cluster.default_strategy):
        return None
    strategy = normalized(given or cluster.default_strategy)
    check_strategy(list(cluster.capacity_providers), strategy)
    _check_weights(strategy, default=not given)
    return strategy


def strategy_launch_type(strategy: list[dict[str, Any]], td: TaskDefinition) -> str:
    """The launch type of a strategy's tasks (a strategy never mixes Fargate and EC2 providers)."""
    return check_launch_type(launch_type_of(strategy[0]["capacityProvider"]), td)


def service_launch(
    cluster: Cluster, params: dict[str, Any], td: TaskDefinition
) -> tuple[list[dict[str, Any]] | None, str]:
    """(the strategy, the launch type) a CreateService or CreateTaskSet request runs with: one
    launch type for all its tasks (a strategy never mixes Fargate and EC2 providers)."""
    strategy = applicable_strategy(cluster, params)
    if strategy:
        return strategy, strategy_launch_type(strategy, td)
    return strategy, check_launch_type(params.get("launchType", "EC2"), td)


def launch_choices(
    cluster: Cluster, params: dict[str, Any], td: TaskDefinition, count: int
) -> list[tuple[str, str | None]]:
    """(launchType, capacityProviderName) for each of the `count` tasks of one RunTask."""
    strategy = applicable_strategy(cluster, params)
    if strategy is None:
        launch_type = check_launch_type(params.get("launchType", "EC2"), td)
        return [(launch_type, None)] * count
    return [(check_launch_type(launch_type_of(name), td), name) for name in spread(strategy, count)]


def check_service_strategy(
    cluster: Cluster, strategy: list[dict[str, Any]], td: TaskDefinition
) -> str:
    """A strategy an UpdateService gives, checked as RunTask's; the launch type of its tasks."""
    check_strategy(list(cluster.capacity_providers), strategy)
    _check_weights(strategy, default=False)
    return strategy_launch_type(strategy, td)


def service_choices(rollout: Launch, tasks: Iterable[Task], n: int) -> list[tuple[str, str | None]]:
    """The same for `n` new tasks of a service's deployment or task set (checked when made).

    The base counts the tasks the service already runs on each provider (`tasks`: the
    service's tasks ECS remembers).
    """
    strategy = normalized(rollout.capacity_provider_strategy)
    if not strategy:
        return [(rollout.launch_type or "EC2", None)] * n
    existing: dict[str, int] = {}
    for task in tasks:
        if task.desired_status == "RUNNING" and task.capacity_provider_name:
            name = task.capacity_provider_name
            existing[name] = existing.get(name, 0) + 1
    return [(launch_type_of(name), name) for name in spread(strategy, n, existing)]
