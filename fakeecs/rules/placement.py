"""Task placement on container instances, as pure functions over plain values.

What a task needs (`task_needs`), whether an instance can take it (`reject_reason`),
and which instance gets it (`choose`: constraints filter, strategies narrow in
order, ties broken with the engine's seeded random generator). `plan` places
several tasks one after another, each seeing what the earlier ones took. Nothing
here reads or writes fakeecs state: `instance_placement` builds the candidates
from it and records what was placed (and which dynamic host ports were given).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fakeecs import errors
from fakeecs.rules.cluster_query import InstanceFacts, Query, parse

MAX_CONSTRAINTS = 10
MAX_STRATEGIES = 5
#: Where dynamic host ports come from: the ECS agent uses the instance's
#: net.ipv4.ip_local_port_range, 32768-60999 on Amazon Linux (the kernel's default).
EPHEMERAL_PORTS = (32768, 60999)

MEMBER_OF_UNSATISFIED = "MemberOf placement constraint unsatisfied."
DISTINCT_UNSATISFIED = "DistinctInstance placement constraint unsatisfied."
#: Why an instance was passed over, from "never considered" to "nearly fitted": the
#: failure ECS reports is the one of the instance that came closest.
REASON_RANK = (
    "INACTIVE",
    "DRAINING",
    "AGENT",
    MEMBER_OF_UNSATISFIED,
    DISTINCT_UNSATISFIED,
    "RESOURCE:CPU",
    "RESOURCE:MEMORY",
    "RESOURCE:PORTS",
)


@dataclass(frozen=True)
class Need:
    """What one task takes from the instance it lands on (CPU units, MiB, host ports)."""

    cpu: int
    memory: int
    tcp: tuple[int, ...] = ()
    udp: tuple[int, ...] = ()


@dataclass
class Candidate:
    """A container instance as placement sees it: identity, facts for queries, what is left."""

    arn: str
    status: str
    facts: InstanceFacts
    cpu_left: int
    memory_left: int
    tcp_used: set[int] = field(default_factory=set)
    udp_used: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Constraint:
    type: str
    query: Query | None = None


# what a task needs ------------------------------------------------------------------


def _amount(value: Any, unit_words: tuple[str, ...], per_unit: int, what: str) -> int:
    """'1024', 1024, '1 vCPU' or '2 GB' -> CPU units or MiB."""
    text = str(value).strip()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([A-Za-z]*)", text)
    if match is None or (match.group(2) and match.group(2).lower() not in unit_words):
        raise errors.client_error(f"Invalid {what} value {value!r} in the task definition.")
    number = float(match.group(1))
    return int(number * per_unit) if match.group(2) else int(number)


def check_container_memory(body: dict[str, Any]) -> None:
    """Without task-level memory every container needs memory or memoryReservation (EC2 places
    tasks by it); ECS refuses such a definition at RegisterTaskDefinition."""
    if body.get("memory") is not None:
        return
    for c in body.get("containerDefinitions") or []:
        if not c.get("memory") and not c.get("memoryReservation"):
            raise errors.client_error(
                f"Invalid setting for container '{c.get('name')}'. At least one of 'memory' or "
                "'memoryReservation' must be specified."
            )


def _container_memory(container: dict[str, Any], override: dict[str, Any]) -> int | None:
    reservation = override.get("memoryReservation", container.get("memoryReservation"))
    hard = override.get("memory", container.get("memory"))
    value = reservation if reservation is not None else hard
    return None if value is None else int(value)


@dataclass(frozen=True)
class PortMapping:
    """One portMapping as it lands on the instance: `host_port` None is a dynamic port."""

    container: str
    container_port: int
    host_port: int | None
    protocol: str


def port_mappings(body: dict[str, Any]) -> list[PortMapping]:
    """The host ports a task of this definition binds on its instance.

    `host` mode binds each containerPort (or the hostPort, which must equal it); `bridge`
    mode binds the hostPort, or a dynamic port when it is 0 or absent; `awsvpc` and
    `none` bind nothing on the instance (an awsvpc task has its own ENI).
    """
    mode = body.get("networkMode") or "bridge"
    if mode not in ("host", "bridge"):
        return []
    out = []
    for c in body.get("containerDefinitions") or []:
        for mapping in c.get("portMappings") or []:
            if mapping.get("containerPort") is None:
                continue  # a containerPortRange: not placed by fakeecs
            container_port = int(mapping["containerPort"])
            host = mapping.get("hostPort") or (container_port if mode == "host" else None)
            protocol = mapping.get("protocol") or "tcp"
            port = int(host) if host else None
            out.append(PortMapping(c["name"], container_port, port, protocol))
    return out


def task_needs(body: dict[str, Any], overrides: dict[str, Any]) -> Need:
    """CPU, memory and static host ports a task of this definition reserves on an EC2 instance.

    Task-level cpu/memory win; otherwise the containers' sum (memoryReservation, else
    memory). Host ports: those `port_mappings` fixes (dynamic ones never conflict here).
    """
    containers = list(body.get("containerDefinitions") or [])
    by_name = {o.get("name"): o for o in overrides.get("containerOverrides") or []}
    task_cpu = overrides.get("cpu", body.get("cpu"))
    task_memory = overrides.get("memory", body.get("memory"))
    if task_cpu is not None:
        cpu = _amount(task_cpu, ("vcpu",), 1024, "cpu")
    else:
        cpu = sum(int(by_name.get(c["name"], {}).get("cpu", c.get("cpu")) or 0) for c in containers)
    if task_memory is not None:
        memory = _amount(task_memory, ("gb",), 1024, "memory")
    else:
        amounts = [_container_memory(c, by_name.get(c["name"], {})) for c in containers]
        if None in amounts:  # a definition saved by an older fakeecs, which let it register
            check_container_memory(body)
        memory = sum(a or 0 for a in amounts)
    static = [(m.host_port, m.protocol) for m in port_mappings(body) if m.host_port is not None]
    return Need(
        cpu=cpu,
        memory=memory,
        tcp=tuple(port for port, protocol in static if protocol != "udp"),
        udp=tuple(port for port, protocol in static if protocol == "udp"),
    )


def next_dynamic_port(taken: set[int], last: int) -> int:
    """The dynamic host port the ECS agent gives next: the first free one after `last`.

    It walks the ephemeral range from the port it gave last (wrapping round), passing over
    every port `taken` (held by a live task, or reserved on the instance).
    """
    low, high = EPHEMERAL_PORTS
    size = high - low + 1
    start = last + 1 if low <= last < high else low
    for step in range(size):
        port = low + (start - low + step) % size
        if port not in taken:
            return port
    raise errors.client_error(
        f"No free host port left in the ephemeral range {low}-{high} for a dynamic port mapping."
    )


# constraints and strategies -----------------------------------------------------------


def _at_most(items: list[dict[str, Any]], limit: int, what: str) -> None:
    if len(items) > limit:
        raise errors.invalid_parameter(f"Too many placement {what}: at most {limit} per task.")


def parse_constraints(
    items: list[dict[str, Any]], *, from_task_definition: bool = False
) -> list[Constraint]:
    """Check placement constraints as ECS does and compile their expressions."""
    _at_most(items, MAX_CONSTRAINTS, "constraints")
    out = []
    for item in items:
        kind, expression = item.get("type"), item.get("expression")
        if kind == "memberOf":
            if not expression:
                raise errors.invalid_parameter(
                    "A memberOf placement constraint needs an expression."
                )
            out.append(Constraint("memberOf", parse(expression)))
        elif kind == "distinctInstance" and not from_task_definition:
            if expression:
                raise errors.invalid_parameter(
                    "An expression cannot be specified for a distinctInstance placement constraint."
                )
            out.append(Constraint("distinctInstance"))
        else:
            raise errors.invalid_parameter(
                f"Invalid placement constraint type {kind!r}: use memberOf or distinctInstance."
            )
    return out


def check_strategies(items: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Placement strategies as ECS accepts them, normalised (binpack fields lower case)."""
    _at_most(items, MAX_STRATEGIES, "strategies")
    out = []
    for item in items:
        kind, fld = item.get("type"), item.get("field")
        if kind == "binpack":
            if (fld or "").lower() not in ("cpu", "memory"):
                raise errors.invalid_parameter(
                    f"Invalid field {fld!r} for placement strategy binpack: use cpu or memory."
                )
            out.append({"type": kind, "field": fld.lower()})
        elif kind == "spread":
            ok = fld in ("instanceId", "host") or (
                (fld or "").startswith("attribute:") and len(fld) > len("attribute:")
            )
            if not ok:
                raise errors.invalid_parameter(
                    f"Invalid field {fld!r} for placement strategy spread: use instanceId, host "
                    "or attribute:NAME (e.g. attribute:ecs.availability-zone)."
                )
            out.append({"type": kind, "field": fld})
        elif kind == "random":
            out.append({"type": kind})
        else:
            raise errors.invalid_parameter(
                f"Invalid placement strategy type {kind!r}: use random, spread or binpack."
            )
    return out


# choosing -------------------------------------------------------------------------------


def rejecter(
    need: Need, group: str, constraints: list[Constraint]
) -> Callable[[Candidate], str | None]:
    """`reject_reason` for one task, with what does not depend on the instance worked out once.

    `choose` asks it of every instance of the cluster for every task placed, so the
    per-task parts (queries to run, distinctInstance, the ports wanted) are not redone
    1,000 times for a cluster of 1,000 instances.
    """
    queries = [k.query for k in constraints if k.query is not None]
    distinct = any(k.type == "distinctInstance" for k in constraints)
    tcp, udp = set(need.tcp), set(need.udp)
    repeats = _repeats(need)

    def reason(c: Candidate) -> str | None:
        if c.status != "ACTIVE":
            return c.status if c.status in REASON_RANK else "INACTIVE"
        if not c.facts.agent_connected:
            return "AGENT"
        for query in queries:
            if not query(c.facts):
                return MEMBER_OF_UNSATISFIED
        if distinct and group in c.facts.groups:
            return DISTINCT_UNSATISFIED
        if need.cpu > c.cpu_left:
            return "RESOURCE:CPU"
        if need.memory > c.memory_left:
            return "RESOURCE:MEMORY"
        if (
            repeats
            or (tcp and not tcp.isdisjoint(c.tcp_used))
            or (udp and not udp.isdisjoint(c.udp_used))
        ):
            return "RESOURCE:PORTS"
        return None

    return reason


def reject_reason(
    c: Candidate, need: Need, group: str, constraints: list[Constraint]
) -> str | None:
    """Why `c` cannot take the task (a failure reason as ECS words it), or None if it can."""
    return rejecter(need, group, constraints)(c)


def _repeats(need: Need) -> bool:
    return len(set(need.tcp)) < len(need.tcp) or len(set(need.udp)) < len(need.udp)


def _spread_value(c: Candidate, fld: str) -> str | None:
    if fld in ("instanceId", "host"):
        return c.arn
    return c.facts.attributes.get(fld.split(":", 1)[1])


def _narrow(
    fitting: list[Candidate],
    pool: list[Candidate],
    strategy: dict[str, str],
    group: str,
    rng: random.Random,
) -> list[Candidate]:
    kind = strategy["type"]
    if kind == "random":
        return [rng.choice(fitting)]
    if kind == "binpack":
        left = (lambda c: c.cpu_left) if strategy["field"] == "cpu" else (lambda c: c.memory_left)
        least = min(left(c) for c in fitting)
        return [c for c in fitting if left(c) == least]
    fld = strategy["field"]
    load: Counter[str | None] = Counter()
    for c in pool:
        load[_spread_value(c, fld)] += c.facts.groups.count(group)
    lightest = min(load[_spread_value(c, fld)] for c in fitting)
    return [c for c in fitting if load[_spread_value(c, fld)] == lightest]


def _closest(rejected: list[tuple[Candidate, str]]) -> tuple[Candidate, str]:
    """The instance that came nearest to taking the task (ECS names it in the failure)."""
    best = max(
        range(len(rejected)),
        key=lambda i: (REASON_RANK.index(rejected[i][1]), rejected[i][0].memory_left, -i),
    )
    return rejected[best]


def choose(
    pool: list[Candidate],
    need: Need,
    *,
    group: str,
    constraints: list[Constraint],
    strategies: list[dict[str, str]],
    rng: random.Random,
) -> tuple[Candidate | None, dict[str, str] | None]:
    """(the instance for one task, None) or (None, the failure ECS answers for it).

    `pool` must not be empty (the caller answers "no container instances" first).
    """
    fitting, rejected = [], []
    reject = rejecter(need, group, constraints)
    for c in pool:
        reason = reject(c)
        if reason is None:
            fitting.append(c)
        else:
            rejected.append((c, reason))
    if not fitting:
        closest, reason = _closest(rejected)
        return None, {"arn": closest.arn, "reason": reason}
    active = [c for c in pool if c.status == "ACTIVE"]
    for strategy in strategies:
        if len(fitting) == 1:
            break
        fitting = _narrow(fitting, active, strategy, group, rng)
    return (fitting[0] if len(fitting) == 1 else rng.choice(fitting)), None


def reserve(c: Candidate, need: Need, group: str) -> None:
    """Take what a task needs from `c` (planning several tasks in one call)."""
    c.cpu_left -= need.cpu
    c.memory_left -= need.memory
    c.tcp_used |= set(need.tcp)
    c.udp_used |= set(need.udp)
    c.facts.groups.append(group)


def plan(
    pool: list[Candidate],
    need: Need,
    count: int,
    *,
    group: str,
    constraints: list[Constraint],
    strategies: list[dict[str, str]],
    rng: random.Random,
) -> list[tuple[Candidate | None, dict[str, str] | None]]:
    """Place `count` tasks one after another; each sees what the earlier ones took."""
    out = []
    for _ in range(count):
        chosen, failure = choose(
            pool, need, group=group, constraints=constraints, strategies=strategies, rng=rng
        )
        if chosen is not None:
            reserve(chosen, need, group)
        out.append((chosen, failure))
    return out
