"""Hypothesis over random sequences of EC2 launch type calls and clock moves, over real boto3.

Instances (a few types and zones, made in moto's EC2 on the fake's endpoint) register,
drain, come back and deregister; task definitions of varied sizes with bridge port
mappings (static host ports from a small set, or dynamic ones) run with RunTask (with
and without a strategy or constraint) and StartTask, and stop; EC2 services scale.
Checked after every step against what the API answers, with needs computed here as
ECS computes them (task-level cpu/memory, else the containers' cpu and
memoryReservation-or-memory):

- no instance is over-committed: remaining CPU/MEMORY is registered less what the live
  tasks on it need, never negative; remaining PORTS is the reserved ports and the live
  tasks' static host ports;
- no two live tasks of an instance share a host port, none binds a reserved port;
- every EC2 task names an instance of the cluster, was placed on one that was ACTIVE
  then, and never moves;
- runningTasksCount and pendingTasksCount agree with ListTasks and DescribeTasks;
- RunTask answers `count` tasks and failures, places each task where it fits (the
  least room left for binpack, the lightest for spread), and fails one only when no
  usable instance has room; StartTask fails exactly when the instance cannot take it;
- an EC2 service never runs more than desired x maximumPercent and, given time,
  reaches its desired count wherever room allows;
- ListContainerInstances (by status and by query) and DescribeClusters agree, and a
  save-and-restore of the whole state at any step changes nothing.
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from fakeecs import FakeECS
from fakeecs.persistence import restore, snapshot
from tests.fakeecs.conftest import CLUSTER, client
from tests.fakeecs.ec2_instances import identity_document, launch, resource

INSTANCE_TYPES = ("t3.micro", "t3.small", "t3.medium", "c5.large")
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
#: 22 is reserved by the agent on every instance, 8080 on those registered with it reserved.
STATIC_PORTS = (80, 8080, 22)
EPHEMERAL = range(32768, 61000)
SERVICES = ("s1", "s2")
#: (maximumPercent, minimumHealthyPercent) that leave a deployment room to move off a
#: DRAINING instance (100/100 cannot, on ECS too).
ROOMY = [(200, 100), (200, 50), (200, 0), (100, 0), (150, 0)]
PENDING = ("PROVISIONING", "PENDING", "ACTIVATING")
INACTIVE_RETENTION = 3600.0
#: How long after an UpdateService the scheduler may still run the tasks it had.
SCHEDULER_DELAY = 1.0
#: Long enough for standalone tasks (30 s by default) to stop and the scheduler to retry
#: (every 60 s) and start what fits.
SETTLE = 300

STRATEGIES = [
    None,
    [{"type": "binpack", "field": "memory"}],
    [{"type": "binpack", "field": "cpu"}],
    [{"type": "spread", "field": "instanceId"}],
    [{"type": "spread", "field": "attribute:ecs.availability-zone"}],
    [{"type": "random"}],
]
CONSTRAINTS = [
    None,
    {"type": "memberOf", "expression": "attribute:ecs.instance-type == t3.small"},
    {
        "type": "memberOf",
        "expression": "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
    },
    {"type": "distinctInstance"},
]


# what a task needs, as ECS computes it ------------------------------------------------------


@dataclass(frozen=True)
class Need:
    cpu: int
    memory: int
    ports: tuple[int, ...]  # static tcp host ports
    mappings: int  # how many port mappings (networkBindings) a task has


def need_of(body: dict[str, Any], overrides: dict[str, Any] | None = None) -> Need:
    """What a task reserves on its instance: the task-level amounts if given, else the
    containers' sum (memoryReservation before memory), overrides applied over the definition."""
    overrides = overrides or {}
    by_name = {o["name"]: o for o in overrides.get("containerOverrides", [])}
    containers = [{**c, **by_name.get(c["name"], {})} for c in body["containerDefinitions"]]
    task_cpu = overrides.get("cpu", body.get("cpu"))
    task_memory = overrides.get("memory", body.get("memory"))
    cpu = int(task_cpu) if task_cpu else sum(c.get("cpu", 0) for c in containers)
    if task_memory:
        memory = int(task_memory)
    else:
        memory = sum(c.get("memoryReservation", c.get("memory", 0)) for c in containers)
    mappings = [m for c in containers for m in c.get("portMappings", [])]
    ports = tuple(m["hostPort"] for m in mappings if m.get("hostPort"))
    return Need(cpu, memory, ports, len(mappings))


@st.composite
def definitions(draw: Any) -> dict[str, Any]:
    """A bridge-mode EC2 task definition body (without family)."""
    task_cpu = draw(st.sampled_from([None, None, "256", "1024"]))
    task_memory = draw(st.sampled_from([None, None, "256", "512", "1024"]))
    containers = []
    for i in range(draw(st.integers(1, 2))):
        c: dict[str, Any] = {"name": f"c{i}", "image": "example/app:1"}
        if task_cpu is None:
            cpu = draw(st.sampled_from([None, 0, 128, 512, 1024]))
            if cpu is not None:
                c["cpu"] = cpu
        if task_memory is None:
            kind = draw(st.sampled_from(["memory", "memoryReservation", "both"]))
            amount = draw(st.sampled_from([64, 128, 256, 512]))
            if kind == "both":
                c["memory"], c["memoryReservation"] = amount * 2, amount
            else:
                c[kind] = amount
        port = draw(st.sampled_from(["none", "none", "none", 0, "absent", *STATIC_PORTS]))
        if port != "none":
            mapping: dict[str, Any] = {"containerPort": draw(st.sampled_from([80, 5000]))}
            if port != "absent":
                mapping["hostPort"] = port
            c["portMappings"] = [mapping]
        containers.append(c)
    body: dict[str, Any] = {"networkMode": "bridge", "containerDefinitions": containers}
    if draw(st.booleans()):
        body["requiresCompatibilities"] = ["EC2"]
    if task_cpu:
        body["cpu"] = task_cpu
    if task_memory:
        body["memory"] = task_memory
    return body


def overrides_for(body: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Overrides RunTask or StartTask may send for `body`: the task-level amounts it has, or a
    container's cpu or memoryReservation (within its hard memory limit)."""
    options: list[st.SearchStrategy[dict[str, Any]]] = [st.just({})]
    for key in ("cpu", "memory"):
        if body.get(key):
            options.append(st.sampled_from([{key: "128"}, {key: "512"}]))
    first = body["containerDefinitions"][0]
    if not body.get("cpu"):
        options.append(
            st.sampled_from([{"cpu": 0}, {"cpu": 256}]).map(
                lambda o: {"containerOverrides": [{"name": "c0", **o}]}
            )
        )
    if not body.get("memory"):
        limit = first.get("memory", 1024)
        options.append(
            st.sampled_from([32, 64, 300, 600])
            .filter(lambda m: m <= limit)
            .map(lambda m: {"containerOverrides": [{"name": "c0", "memoryReservation": m}]})
        )
    return st.one_of(options)


# the world as the API shows it after a step ---------------------------------------------


@dataclass
class Instance:
    """A container instance as described, and what is left on it by our own computation."""

    arn: str
    status: str  # ACTIVE, DRAINING, INACTIVE, or GONE (forgotten an hour after deregistering)
    instance_type: str
    zone: str
    described: dict[str, Any] | None = None
    cpu_left: int = 0
    memory_left: int = 0
    busy: set[int] = field(default_factory=set)  # tcp host ports in use or reserved
    groups: list[str] = field(default_factory=list)  # groups of tasks wanted RUNNING here

    def fits(self, need: Need) -> bool:
        ports_ok = not (set(need.ports) & self.busy) and len(set(need.ports)) == len(need.ports)
        return need.cpu <= self.cpu_left and need.memory <= self.memory_left and ports_ok

    def take(self, need: Need, group: str) -> None:
        self.cpu_left -= need.cpu
        self.memory_left -= need.memory
        self.busy |= set(need.ports)
        self.groups.append(group)


def live(task: dict[str, Any]) -> bool:
    return task["lastStatus"] != "STOPPED"


def matches(constraint: dict[str, Any] | None, ci: Instance) -> bool:
    """Our own reading of the memberOf expressions CONSTRAINTS use."""
    expression = (constraint or {}).get("expression")
    if expression is None:
        return True
    if "instance-type" in expression:
        return ci.instance_type == "t3.small"
    return ci.zone in ("us-east-1a", "us-east-1b")


@functools.lru_cache(maxsize=4)
def clients(fake: FakeECS) -> tuple[Any, Any]:
    """ECS and EC2 clients on `fake`, made once (boto3 clients are slow to build)."""
    return client(fake), client(fake, "ec2")


class EC2LaunchType(RuleBasedStateMachine):
    instances = Bundle("instances")
    families = Bundle("families")
    tasks = Bundle("tasks")

    def __init__(self, fake: FakeECS) -> None:
        super().__init__()
        self.fake = fake

    def start(self) -> None:
        """A fresh fake with one cluster (the first initialize rule to run calls it)."""
        if hasattr(self, "model"):
            return
        self.fake.reset()
        self.ecs, self.ec2 = clients(self.fake)
        self.ecs.create_cluster(clusterName=CLUSTER)
        self.now = self.fake.now()
        #: container instance ARN -> our own record: status, type, zone, EC2 ID, deregistered at
        self.model: dict[str, dict[str, Any]] = {}
        self.bodies: dict[str, dict[str, Any]] = {}  # task definition ARN -> what registered it
        self.needs: dict[str, Need] = {}  # task definition ARN -> need
        self.task_needs: dict[str, Need] = {}  # task ARN -> need, for tasks run with overrides
        self.placed: dict[str, str] = {}  # task ARN -> the instance it was placed on
        self.services: dict[str, dict[str, Any]] = {}
        self.world_tasks: dict[str, dict[str, Any]] = {}
        self.world: dict[str, Instance] = {}
        self.observe()

    @initialize(target=instances)
    def first_instance(self) -> str:
        self.start()
        return self.register_instance("t3.medium", "us-east-1a", reserve_8080=False)

    @initialize(target=families, body=definitions())
    def first_definition(self, body: dict[str, Any]) -> str:
        self.start()
        return self.register_definition(body)

    # helpers ------------------------------------------------------------------------------

    def need(self, task: dict[str, Any]) -> Need:
        return self.task_needs.get(task["taskArn"]) or self.needs[task["taskDefinitionArn"]]

    def usable(self) -> list[str]:
        return [a for a, m in self.model.items() if m["status"] in ("ACTIVE", "DRAINING")]

    def record_placed(self, task: dict[str, Any]) -> None:
        """A task the API just placed: on an instance of ours that was ACTIVE (self.world)."""
        where = task["containerInstanceArn"]
        assert where in self.world, (task["taskArn"], where)
        assert self.world[where].status == "ACTIVE", (where, self.world[where].status)
        self.placed[task["taskArn"]] = where

    def _register(self, ec2_id: str, extra: dict[str, Any]) -> dict[str, Any]:
        ci = self.ecs.register_container_instance(
            cluster=CLUSTER,
            instanceIdentityDocument=identity_document(self.ec2, ec2_id),
            instanceIdentityDocumentSignature="fake-signature",
            **extra,
        )["containerInstance"]
        attributes = {a["name"]: a.get("value") for a in ci["attributes"]}
        assert ci["status"] == "ACTIVE" and ci["ec2InstanceId"] == ec2_id
        self.model[ci["containerInstanceArn"]] = {
            "status": "ACTIVE",
            "type": attributes["ecs.instance-type"],
            "zone": attributes["ecs.availability-zone"],
            "ec2": ec2_id,
            "extra": extra,
            "deregistered_at": None,
        }
        return ci

    # rules: instances ---------------------------------------------------------------------

    @rule(
        target=instances,
        instance_type=st.sampled_from(INSTANCE_TYPES),
        zone=st.sampled_from(ZONES),
        reserve_8080=st.booleans(),
    )
    def register_instance(self, instance_type: str, zone: str, reserve_8080: bool) -> str:
        extra: dict[str, Any] = {}
        if reserve_8080:
            ports = ["22", "2375", "2376", "51678", "51679", "8080"]
            extra["totalResources"] = [
                {"name": "PORTS", "type": "STRINGSET", "stringSetValue": ports}
            ]
        return self._register(launch(self.fake, instance_type, zone), extra)["containerInstanceArn"]

    @rule(target=instances, arn=instances)
    def register_again(self, arn: str) -> Any:
        """The agent registers its EC2 instance again: the same registration while it is
        ACTIVE, a new one once the old is INACTIVE."""
        old = self.model[arn]
        if old["status"] == "DRAINING" or any(
            m["ec2"] == old["ec2"] and m["status"] in ("ACTIVE", "DRAINING")
            for a, m in self.model.items()
            if a != arn
        ):
            return multiple()
        ci = self._register(old["ec2"], old["extra"])
        if old["status"] == "ACTIVE":
            assert ci["containerInstanceArn"] == arn
            return multiple()
        assert ci["containerInstanceArn"] != arn
        return ci["containerInstanceArn"]

    @rule(arn=instances, status=st.sampled_from(["ACTIVE", "DRAINING"]))
    def set_state(self, arn: str, status: str) -> None:
        answer = self.ecs.update_container_instances_state(
            cluster=CLUSTER, containerInstances=[arn], status=status
        )
        before = self.model[arn]["status"]
        if before in ("INACTIVE", "GONE"):
            assert answer["containerInstances"] == []
            assert answer["failures"] == [
                {"arn": arn, "reason": "INACTIVE" if before == "INACTIVE" else "MISSING"}
            ]
            return
        assert answer["failures"] == []
        assert [c["status"] for c in answer["containerInstances"]] == [status]
        self.model[arn]["status"] = status

    @rule(arn=instances, force=st.booleans())
    def deregister(self, arn: str, force: bool) -> None:
        before = self.model[arn]["status"]
        running = [
            t
            for t in self.world_tasks.values()
            if t.get("containerInstanceArn") == arn and t["desiredStatus"] == "RUNNING"
        ]
        try:
            answer = self.ecs.deregister_container_instance(
                cluster=CLUSTER, containerInstance=arn, force=force
            )
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            assert code == "InvalidParameterException", exc
            assert before == "GONE" or (running and not force and before != "INACTIVE"), exc
            return
        assert before != "GONE"
        assert not (running and not force and before != "INACTIVE"), "deregistered with tasks"
        assert answer["containerInstance"]["status"] == "INACTIVE"
        if before != "INACTIVE":
            self.model[arn].update(status="INACTIVE", deregistered_at=self.now)

    # rules: task definitions and tasks ------------------------------------------------------

    @rule(target=families, body=definitions())
    def register_definition(self, body: dict[str, Any]) -> str:
        family = f"f{len(self.needs)}"
        td = self.ecs.register_task_definition(family=family, **body)["taskDefinition"]
        self.needs[td["taskDefinitionArn"]] = need_of(body)
        self.bodies[td["taskDefinitionArn"]] = body
        return td["taskDefinitionArn"]

    @rule(
        target=tasks,
        td=families,
        count=st.integers(1, 5),
        strategy=st.sampled_from(STRATEGIES),
        constraint=st.sampled_from(CONSTRAINTS),
        data=st.data(),
    )
    def run_task(
        self,
        td: str,
        count: int,
        strategy: list[dict[str, str]] | None,
        constraint: dict[str, str] | None,
        data: st.DataObject,
    ) -> Any:
        overrides = data.draw(overrides_for(self.bodies[td]), label="overrides")
        params: dict[str, Any] = {
            "cluster": CLUSTER,
            "taskDefinition": td,
            "launchType": "EC2",
            "count": count,
            "overrides": overrides,
        }
        if strategy:
            params["placementStrategy"] = strategy
        if constraint:
            params["placementConstraints"] = [constraint]
        try:
            answer = self.ecs.run_task(**params)
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "InvalidParameterException", exc
            assert "No Container Instances" in str(exc) and not self.usable(), exc
            return multiple()
        assert self.usable(), "placed with no ACTIVE or DRAINING instance"
        tasks, failures = answer["tasks"], answer["failures"]
        assert len(tasks) + len(failures) == count, answer
        need = need_of(self.bodies[td], overrides)
        self.task_needs.update((t["taskArn"], need) for t in tasks)
        self.check_run(td, need, tasks, failures, strategy, constraint)
        return multiple(*(t["taskArn"] for t in tasks))

    def check_run(
        self,
        td: str,
        need: Need,
        tasks: list[dict[str, Any]],
        failures: list[dict[str, str]],
        strategy: list[dict[str, str]] | None,
        constraint: dict[str, str] | None,
    ) -> None:
        """Replay the placements on our own view: each task where it fitted (and where the
        strategy points), a failure only when nothing usable had room left."""
        group = f"family:{td.rsplit('/', 1)[-1].split(':')[0]}"
        distinct = (constraint or {}).get("type") == "distinctInstance"
        pool = {a: ci for a, ci in self.world.items() if ci.status in ("ACTIVE", "DRAINING")}
        active = [ci for ci in pool.values() if ci.status == "ACTIVE"]

        def feasible() -> list[Instance]:
            return [
                ci
                for ci in active
                if matches(constraint, ci)
                and not (distinct and group in ci.groups)
                and ci.fits(need)
            ]

        kind = (strategy or [{"type": "random"}])[0]
        for task in tasks:
            self.record_placed(task)
            chosen = pool[task["containerInstanceArn"]]
            fitting = feasible()
            assert chosen in fitting, (chosen.arn, need, [c.arn for c in fitting])
            if kind["type"] == "binpack":
                left = (
                    (lambda c: c.cpu_left) if kind["field"] == "cpu" else (lambda c: c.memory_left)
                )
                assert left(chosen) == min(left(c) for c in fitting), "binpack chose a roomier one"
            elif kind["type"] == "spread":
                value = (lambda c: c.arn) if kind["field"] == "instanceId" else (lambda c: c.zone)
                load = Counter()
                for c in active:
                    load[value(c)] += c.groups.count(group)
                assert load[value(chosen)] == min(load[value(c)] for c in fitting), "spread"
            chosen.take(need, group)
        if not failures:
            return
        assert feasible() == [], ("a failure while an instance had room", failures)
        for failure in failures:
            reason = failure["reason"]
            assert failure["arn"] in pool, failure
            if reason.startswith("RESOURCE:"):
                continue
            allowed = {"DRAINING"} if not active else set()
            if constraint and constraint["type"] == "memberOf":
                allowed.add("MemberOf placement constraint unsatisfied.")
            if distinct:
                allowed.add("DistinctInstance placement constraint unsatisfied.")
            assert reason in allowed, failure

    @rule(target=tasks, td=families, arn=instances, data=st.data())
    def start_task(self, td: str, arn: str, data: st.DataObject) -> Any:
        overrides = data.draw(overrides_for(self.bodies[td]), label="overrides")
        need = need_of(self.bodies[td], overrides)
        answer = self.ecs.start_task(
            cluster=CLUSTER, taskDefinition=td, containerInstances=[arn], overrides=overrides
        )
        ci = self.world[arn]
        expected = {"GONE": "MISSING", "INACTIVE": "INACTIVE", "DRAINING": "DRAINING"}.get(
            ci.status
        )
        if expected is None and not ci.fits(need):
            expected = "RESOURCE:"
        if expected is None:
            assert answer["failures"] == [], answer["failures"]
            (task,) = answer["tasks"]
            assert task["containerInstanceArn"] == arn
            self.record_placed(task)
            self.task_needs[task["taskArn"]] = need
            return task["taskArn"]
        assert answer["tasks"] == [], (expected, answer["tasks"])
        (failure,) = answer["failures"]
        assert failure["arn"] == arn and failure["reason"].startswith(expected), failure
        return multiple()

    @rule(arn=tasks)
    def stop_task(self, arn: str) -> None:
        try:
            self.ecs.stop_task(cluster=CLUSTER, task=arn)
        except ClientError as exc:  # forgotten an hour after it stopped
            assert exc.response["Error"]["Code"] == "InvalidParameterException", exc
            assert arn not in self.world_tasks

    # rules: services and time -------------------------------------------------------------

    @rule(
        name=st.sampled_from(SERVICES),
        td=families,
        count=st.integers(0, 4),
        limits=st.sampled_from(ROOMY),
        strategy=st.sampled_from(STRATEGIES),
        constraint=st.sampled_from(CONSTRAINTS[:3]),
    )
    def create_service(
        self,
        name: str,
        td: str,
        count: int,
        limits: tuple[int, int],
        strategy: list[dict[str, str]] | None,
        constraint: dict[str, str] | None,
    ) -> None:
        params: dict[str, Any] = {
            "cluster": CLUSTER,
            "serviceName": name,
            "taskDefinition": td,
            "desiredCount": count,
            "launchType": "EC2",
            "deploymentConfiguration": {
                "maximumPercent": limits[0],
                "minimumHealthyPercent": limits[1],
            },
        }
        if strategy:
            params["placementStrategy"] = strategy
        if constraint:
            params["placementConstraints"] = [constraint]
        try:
            self.ecs.create_service(**params)
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "InvalidParameterException", exc
            assert name in self.services, exc
            return
        assert name not in self.services
        self.services[name] = {
            "desired": count,
            "maximum": limits[0],
            "need": self.needs[td],
            "constraint": constraint,
            "was": (0, self.now),  # (a ceiling it may still be at, until when)
        }

    @rule(name=st.sampled_from(SERVICES), count=st.integers(0, 5))
    def update_service(self, name: str, count: int) -> None:
        try:
            self.ecs.update_service(cluster=CLUSTER, service=name, desiredCount=count)
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "ServiceNotFoundException", exc
            assert name not in self.services
            return
        service = self.services[name]
        was, until = service["was"]
        old = max(self.ceiling(service), was if self.now < until else 0)
        service["desired"] = count
        service["was"] = (old, self.now + SCHEDULER_DELAY)

    @rule(seconds=st.sampled_from([0.5, 1, 3, 10, 30, 60, 300, 3700]))
    def advance(self, seconds: float) -> None:
        """Move the clock; after SETTLE seconds each service has its desired count wherever
        room allows (standalone tasks have stopped, the scheduler has retried)."""
        self.now = self.fake.advance(seconds)
        if seconds >= SETTLE:
            self.observe()
            for name, service in self.services.items():
                self.check_converged(name, service)

    @rule()
    def save_and_restart(self) -> None:
        """The whole state saved and put back (as a restart from a state file): nothing changes."""
        engine = self.fake.engine
        saved = json.loads(json.dumps(snapshot(engine)))
        restore(engine, saved)
        assert json.dumps(snapshot(engine), sort_keys=True) == json.dumps(saved, sort_keys=True)

    def check_converged(self, name: str, service: dict[str, Any]) -> None:
        arns = self.ecs.list_tasks(cluster=CLUSTER, serviceName=name)["taskArns"]
        mine = [self.world_tasks[a] for a in arns]
        status = {a: ci.status for a, ci in self.world.items()}
        on = [t for t in mine if status[t["containerInstanceArn"]] in ("ACTIVE", "DRAINING")]
        good = [t for t in on if status[t["containerInstanceArn"]] == "ACTIVE"]
        leaving = [t for t in on if status[t["containerInstanceArn"]] == "DRAINING"]
        assert len(good) <= service["desired"], (name, len(good), service["desired"])
        assert all(t["lastStatus"] == "RUNNING" for t in on), [t["lastStatus"] for t in on]
        if len(good) == service["desired"]:
            assert leaving == [], f"{name}: tasks left on DRAINING instances though replaced"
            return
        room = [
            ci.arn
            for ci in self.world.values()
            if ci.status == "ACTIVE"
            and matches(service["constraint"], ci)
            and ci.fits(service["need"])
        ]
        assert room == [], f"{name}: {len(good)} of {service['desired']} though {room} has room"

    @staticmethod
    def ceiling(service: dict[str, Any]) -> int:
        desired = service["desired"]
        return max(desired, math.floor(desired * service["maximum"] / 100))

    # reading the world and the invariants ------------------------------------------------

    def observe(self) -> None:
        """Read every task and instance through the API; our own remaining resources."""
        arns: list[str] = []
        for desired in ("RUNNING", "STOPPED"):
            pages = self.ecs.get_paginator("list_tasks").paginate(
                cluster=CLUSTER, desiredStatus=desired
            )
            arns += [a for page in pages for a in page["taskArns"]]
        tasks: dict[str, dict[str, Any]] = {}
        for i in range(0, len(arns), 100):
            answer = self.ecs.describe_tasks(cluster=CLUSTER, tasks=arns[i : i + 100])
            assert answer["failures"] == []
            tasks.update((t["taskArn"], t) for t in answer["tasks"])
        self.world_tasks = tasks
        described: dict[str, dict[str, Any]] = {}
        known = list(self.model)
        for i in range(0, len(known), 100):
            answer = self.ecs.describe_container_instances(
                cluster=CLUSTER, containerInstances=known[i : i + 100]
            )
            described.update((c["containerInstanceArn"], c) for c in answer["containerInstances"])
            for failure in answer["failures"]:
                assert failure["reason"] == "MISSING", failure
                self.model[failure["arn"]]["status"] = "GONE"
        world = {}
        for arn, m in self.model.items():
            ci = Instance(arn, m["status"], m["type"], m["zone"], described.get(arn))
            if ci.described is not None:
                ci.cpu_left = resource(ci.described["registeredResources"], "CPU")
                ci.memory_left = resource(ci.described["registeredResources"], "MEMORY")
                ci.busy = {int(p) for p in resource(ci.described["registeredResources"], "PORTS")}
            world[arn] = ci
        for task in tasks.values():
            ci = world.get(task.get("containerInstanceArn", ""))
            if ci is None or not live(task):
                continue
            need = self.need(task)
            ci.cpu_left -= need.cpu
            ci.memory_left -= need.memory
            ci.busy |= set(need.ports)  # dynamic ones too, shown once the task runs
            ci.busy |= {b["hostPort"] for c in task["containers"] for b in c["networkBindings"]}
            if task["desiredStatus"] == "RUNNING":
                ci.groups.append(task["group"])
        self.world = world

    @invariant()
    def consistent(self) -> None:
        if not hasattr(self, "model"):
            return
        before = self.world
        self.observe()
        self.check_instances()
        self.check_listing()
        self.check_tasks(before)
        self.check_services()

    def check_listing(self) -> None:
        """ListContainerInstances by status and by query, and the cluster's count, agree."""
        by_status: dict[str, set[str]] = {}
        for arn, m in self.model.items():
            by_status.setdefault(m["status"], set()).add(arn)
        listed = set(self.ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"])
        usable = by_status.get("ACTIVE", set()) | by_status.get("DRAINING", set())
        assert listed == usable
        for status in ("ACTIVE", "DRAINING"):  # INACTIVE is no filter ECS takes
            answer = self.ecs.list_container_instances(cluster=CLUSTER, status=status)
            assert set(answer["containerInstanceArns"]) == by_status.get(status, set()), status
        busy = self.ecs.list_container_instances(cluster=CLUSTER, filter="runningTasksCount > 0")
        assert set(busy["containerInstanceArns"]) == {
            a for a in usable if self.world[a].described["runningTasksCount"] > 0
        }
        (cluster,) = self.ecs.describe_clusters(clusters=[CLUSTER])["clusters"]
        assert cluster["registeredContainerInstancesCount"] == len(usable)

    def check_instances(self) -> None:
        for arn, ci in self.world.items():
            m = self.model[arn]
            if ci.described is None:
                assert m["deregistered_at"] is not None
                assert self.now >= m["deregistered_at"] + INACTIVE_RETENTION, "forgotten early"
                continue
            d = ci.described
            assert d["status"] == m["status"], (arn, d["status"], m["status"])
            if m["status"] == "INACTIVE":
                assert self.now < m["deregistered_at"] + INACTIVE_RETENTION, "not forgotten"
            left = d["remainingResources"]
            assert resource(left, "CPU") == ci.cpu_left >= 0, (
                arn,
                resource(left, "CPU"),
                ci.cpu_left,
            )
            assert resource(left, "MEMORY") == ci.memory_left >= 0, (
                arn,
                resource(left, "MEMORY"),
                ci.memory_left,
            )
            on = [t for t in self.world_tasks.values() if t.get("containerInstanceArn") == arn]
            alive = [t for t in on if live(t)]
            reserved = {int(p) for p in resource(d["registeredResources"], "PORTS")}
            static = {p for t in alive for p in self.need(t).ports}
            assert {int(p) for p in resource(left, "PORTS")} == reserved | static
            bindings = Counter(
                (b["protocol"], b["hostPort"])
                for t in alive
                for c in t["containers"]
                for b in c["networkBindings"]
            )
            shared = [k for k, n in bindings.items() if n > 1]
            assert shared == [], f"host ports shared on {arn}: {shared}"
            assert not {p for _, p in bindings} & reserved, "a binding on a reserved port"
            listed = self.ecs.list_tasks(cluster=CLUSTER, containerInstance=arn)["taskArns"]
            wanted = {t["taskArn"] for t in on if t["desiredStatus"] == "RUNNING"}
            assert set(listed) == wanted
            running = len(listed)  # ECS: tasks whose desired status is RUNNING
            pending = sum(1 for t in alive if t["lastStatus"] in PENDING)
            assert d["runningTasksCount"] == running, (d["runningTasksCount"], running)
            assert d["pendingTasksCount"] == pending, (d["pendingTasksCount"], pending)

    def check_tasks(self, before: dict[str, Instance]) -> None:
        for task in self.world_tasks.values():
            assert task["launchType"] == "EC2"
            where = task["containerInstanceArn"]
            assert where in self.model and f"/{CLUSTER}/" in where, where
            if task["taskArn"] not in self.placed:  # a service's, placed as time moved
                assert "group" in task and task["group"].startswith("service:"), task["taskArn"]
                assert before[where].status == "ACTIVE", (where, before[where].status)
                self.placed[task["taskArn"]] = where
            assert self.placed[task["taskArn"]] == where, "a task moved"
            assert task["availabilityZone"] == self.model[where]["zone"]
            if not live(task):
                continue
            need = self.need(task)
            bindings = [b for c in task["containers"] for b in c["networkBindings"]]
            if "startedAt" not in task:  # the agent reports them once the task runs
                assert bindings == []
                continue
            assert len(bindings) == need.mappings
            static = sorted(b["hostPort"] for b in bindings if b["hostPort"] not in EPHEMERAL)
            assert static == sorted(need.ports), (static, need.ports)

    def check_services(self) -> None:
        if not self.services:
            return
        answer = self.ecs.describe_services(cluster=CLUSTER, services=list(self.services))
        for described in answer["services"]:
            service = self.services[described["serviceName"]]
            assert described["desiredCount"] == service["desired"]
            was, until = service["was"]
            bound = max(self.ceiling(service), was if self.now < until else 0)
            assert described["runningCount"] <= bound, (described["serviceName"], bound)


SETTINGS = settings(
    max_examples=20,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.slow
def test_ec2_launch_type_holds_its_promises(shared_fake: FakeECS) -> None:
    run_state_machine_as_test(lambda: EC2LaunchType(shared_fake), settings=SETTINGS)


def test_the_needs_are_computed_as_ecs_does() -> None:
    """The test's own model: task-level amounts win, else memoryReservation over memory."""
    body = {
        "containerDefinitions": [
            {
                "name": "c0",
                "cpu": 128,
                "memory": 512,
                "memoryReservation": 256,
                "portMappings": [{"containerPort": 80, "hostPort": 80}],
            },
            {"name": "c1", "memory": 128, "portMappings": [{"containerPort": 80, "hostPort": 0}]},
        ]
    }
    assert need_of(body) == Need(128, 384, (80,), 2)
    assert need_of({**body, "cpu": "1024", "memory": "2048"}) == Need(1024, 2048, (80,), 2)
    override = {"containerOverrides": [{"name": "c0", "cpu": 0, "memoryReservation": 64}]}
    assert need_of(body, override) == Need(0, 192, (80,), 2)
