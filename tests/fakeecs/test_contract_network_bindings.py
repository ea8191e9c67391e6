"""EC2 tasks' host ports: static hostPorts as given, dynamic ones (hostPort 0 or none, bridge
mode) from the ephemeral range 32768-60999 as the ECS agent picks them, containerPort in host
mode; DescribeTasks shows them as networkBindings once the task is RUNNING, and no two live
tasks of one instance ever hold the same host port."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeecs import FakeECS
from fakeecs.rules.placement import EPHEMERAL_PORTS
from tests.fakeecs.conftest import CLUSTER, client, network
from tests.fakeecs.ec2_instances import ec2_definition, register, resource

LOW, HIGH = EPHEMERAL_PORTS


def run_ec2(ecs: Any, family: str, **extra: Any) -> dict[str, Any]:
    return ecs.run_task(cluster=CLUSTER, taskDefinition=family, launchType="EC2", **extra)


def bindings(ecs: Any, arn: str) -> dict[str, list[dict[str, Any]]]:
    task = ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]
    return {c["name"]: c["networkBindings"] for c in task["containers"]}


def web(ecs: Any, family: str = "web", *mappings: dict[str, Any], **extra: Any) -> None:
    ec2_definition(ecs, family, memory=64, container={"portMappings": list(mappings)}, **extra)


def test_bridge_mode_binds_static_ports_as_given_and_dynamic_ones_from_the_range(
    fake: FakeECS, ecs: Any
) -> None:
    arn = register(fake, ecs)["containerInstanceArn"]
    web(
        ecs,
        "web",
        {"containerPort": 80, "hostPort": 8080},
        {"containerPort": 443, "hostPort": 0},
        {"containerPort": 53, "protocol": "udp"},
    )
    fake.behaviour("web", runSeconds=600)
    task = run_ec2(ecs, "web")["tasks"][0]
    assert task["containers"][0]["networkBindings"] == []  # not before RUNNING
    fake.advance(10)
    assert bindings(ecs, task["taskArn"])["main"] == [
        {"bindIP": "0.0.0.0", "containerPort": 80, "hostPort": 8080, "protocol": "tcp"},
        {"bindIP": "0.0.0.0", "containerPort": 443, "hostPort": LOW, "protocol": "tcp"},
        {"bindIP": "0.0.0.0", "containerPort": 53, "hostPort": LOW + 1, "protocol": "udp"},
    ]
    remaining = ecs.describe_container_instances(cluster=CLUSTER, containerInstances=[arn])[
        "containerInstances"
    ][0]["remainingResources"]
    assert "8080" in resource(remaining, "PORTS")  # the static port is reserved
    assert str(LOW) not in resource(remaining, "PORTS")  # dynamic ones are not listed
    assert resource(remaining, "PORTS_UDP") == []


def test_a_second_task_gets_the_next_dynamic_port_and_a_stopped_one_frees_its_own(
    fake: FakeECS, ecs: Any
) -> None:
    register(fake, ecs)
    web(ecs, "web", {"containerPort": 80})
    fake.behaviour("web", runSeconds=600)
    first, second = run_ec2(ecs, "web", count=2)["tasks"]
    fake.advance(10)
    ports = [bindings(ecs, t["taskArn"])["main"][0]["hostPort"] for t in (first, second)]
    assert sorted(ports) == [LOW, LOW + 1]
    ecs.stop_task(cluster=CLUSTER, task=first["taskArn"])
    fake.advance(10)
    stopped = bindings(ecs, first["taskArn"])["main"]
    assert [b["hostPort"] for b in stopped] == [ports[0]]  # still shown once STOPPED
    third = run_ec2(ecs, "web")["tasks"][0]
    fake.advance(10)
    assert bindings(ecs, third["taskArn"])["main"][0]["hostPort"] == LOW + 2  # the agent moves on


def test_a_static_port_that_a_dynamic_binding_holds_does_not_fit(fake: FakeECS, ecs: Any) -> None:
    arn = register(fake, ecs)["containerInstanceArn"]
    web(ecs, "dynamic", {"containerPort": 80})
    web(ecs, "static", {"containerPort": 80, "hostPort": LOW})
    fake.behaviour("dynamic", runSeconds=600)
    run_ec2(ecs, "dynamic")
    answer = run_ec2(ecs, "static")
    assert answer["failures"] == [{"arn": arn, "reason": "RESOURCE:PORTS"}]


def test_host_mode_binds_the_container_port_and_awsvpc_binds_nothing(
    fake: FakeECS, ecs: Any
) -> None:
    register(fake, ecs)
    web(ecs, "host", {"containerPort": 8000}, networkMode="host")
    fake.behaviour("host", runSeconds=600)
    host = run_ec2(ecs, "host")["tasks"][0]
    ec2_definition(
        ecs,
        "vpc",
        memory=64,
        networkMode="awsvpc",
        container={"portMappings": [{"containerPort": 8000}]},
    )
    fake.behaviour("vpc", runSeconds=600)
    vpc = run_ec2(ecs, "vpc", networkConfiguration=network(ecs))["tasks"][0]
    fake.advance(10)
    assert bindings(ecs, host["taskArn"])["main"] == [
        {"bindIP": "0.0.0.0", "containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}
    ]
    assert bindings(ecs, vpc["taskArn"])["main"] == []


def test_service_tasks_on_one_instance_get_distinct_dynamic_ports(fake: FakeECS, ecs: Any) -> None:
    register(fake, ecs)
    web(ecs, "web", {"containerPort": 80, "hostPort": 0})
    ecs.create_service(
        cluster=CLUSTER, serviceName="web", taskDefinition="web", desiredCount=3, launchType="EC2"
    )
    fake.advance(15)
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName="web")["taskArns"]
    ports = {bindings(ecs, a)["main"][0]["hostPort"] for a in arns}
    assert len(arns) == 3 and ports == {LOW, LOW + 1, LOW + 2}


def test_dynamic_ports_survive_a_restart(tmp_path: Any) -> None:
    fake = FakeECS(clock="manual", seed=0, state=tmp_path / "state.json").start()
    try:
        ecs = client(fake)
        ecs.create_cluster(clusterName=CLUSTER)
        register(fake, ecs)
        web(ecs, "web", {"containerPort": 80})
        fake.behaviour("web", runSeconds=600)
        first = run_ec2(ecs, "web")["tasks"][0]
        fake = fake.restart()
        second = run_ec2(ecs, "web")["tasks"][0]
        fake.advance(10)
        assert bindings(ecs, first["taskArn"])["main"][0]["hostPort"] == LOW
        assert bindings(ecs, second["taskArn"])["main"][0]["hostPort"] == LOW + 1
    finally:
        fake.stop()


# the promise: no two live tasks of an instance share a host port ---------------------------

mapping = st.fixed_dictionaries(
    {"containerPort": st.integers(1, 9000)},
    optional={
        "hostPort": st.sampled_from([0, 8080, 8081, LOW + 1]),
        "protocol": st.sampled_from(["tcp", "udp"]),
    },
)
step = st.one_of(
    st.tuples(st.just("run"), st.lists(mapping, min_size=1, max_size=3), st.integers(1, 3)),
    st.tuples(st.just("stop"), st.integers(0, 20), st.just(0)),
    st.tuples(st.just("advance"), st.integers(1, 700), st.just(0)),
)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(step, min_size=1, max_size=8))
def test_live_tasks_never_share_a_host_port(fake: FakeECS, steps: list[Any]) -> None:
    fake.reset()
    ecs = client(fake)
    ecs.create_cluster(clusterName=CLUSTER)
    register(
        fake,
        ecs,
        totalResources=[{"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", str(LOW)]}],
    )
    started: list[str] = []
    for i, (kind, value, count) in enumerate(steps):
        if kind == "run":
            family = f"f{i}"
            web(ecs, family, *value, cpu=0)
            fake.behaviour(family, runSeconds=300)
            started += [t["taskArn"] for t in run_ec2(ecs, family, count=count)["tasks"]]
        elif kind == "stop" and started:
            ecs.stop_task(cluster=CLUSTER, task=started[value % len(started)])
        else:
            fake.advance(value)
    fake.advance(10)
    held: dict[tuple[str, int], str] = {}
    described = ecs.describe_tasks(cluster=CLUSTER, tasks=started)["tasks"] if started else []
    for task in described:
        if task["lastStatus"] == "STOPPED" or task.get("startedAt") is None:
            continue
        for container in task["containers"]:
            for b in container["networkBindings"]:
                key = (b["protocol"], b["hostPort"])
                assert key not in held, f"{key} held by {held.get(key)} and {task['taskArn']}"
                held[key] = task["taskArn"]
    for protocol, port in held:
        dynamic_floor = LOW + 1 if protocol == "tcp" else LOW  # LOW is reserved on tcp
        assert port in (8080, 8081, LOW + 1) or dynamic_floor <= port <= HIGH
