"""EC2 task placement: constraints (memberOf with the cluster query language, distinctInstance),
strategies (binpack, spread, random), and the promise that no instance is ever over-committed."""

from __future__ import annotations

import random
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeecs import FakeECS
from fakeecs.errors import ECSError
from fakeecs.rules import placement
from fakeecs.rules.cluster_query import InstanceFacts, parse
from tests.fakeecs.conftest import CLUSTER
from tests.fakeecs.ec2_instances import ec2_definition, register, resource


def run_ec2(ecs: Any, **extra: Any) -> dict[str, Any]:
    return ecs.run_task(cluster=CLUSTER, taskDefinition="web", launchType="EC2", **extra)


def where(answer: dict[str, Any]) -> list[str]:
    return [t["containerInstanceArn"] for t in answer["tasks"]]


def test_member_of_places_only_on_matching_instances(fake: FakeECS, ecs: Any) -> None:
    register(fake, ecs, "t3.small")
    large = register(fake, ecs, "t3.large")["containerInstanceArn"]
    ec2_definition(ecs, memory=128)
    answer = run_ec2(
        ecs,
        count=4,
        placementConstraints=[
            {"type": "memberOf", "expression": "attribute:ecs.instance-type == t3.large"}
        ],
    )
    assert where(answer) == [large] * 4
    none = run_ec2(
        ecs,
        placementConstraints=[
            {"type": "memberOf", "expression": "attribute:ecs.instance-type =~ m5.*"}
        ],
    )
    assert none["tasks"] == []
    assert none["failures"][0]["reason"] == "MemberOf placement constraint unsatisfied."


def test_task_definition_constraints_apply_too(fake: FakeECS, ecs: Any) -> None:
    small = register(fake, ecs, "t3.small")["containerInstanceArn"]
    register(fake, ecs, "t3.large")
    ec2_definition(
        ecs,
        memory=128,
        placementConstraints=[
            {"type": "memberOf", "expression": "attribute:ecs.instance-type != t3.large"}
        ],
    )
    assert where(run_ec2(ecs, count=2)) == [small, small]


def test_distinct_instance_puts_each_task_of_a_group_elsewhere(fake: FakeECS, ecs: Any) -> None:
    arns = {register(fake, ecs)["containerInstanceArn"] for _ in range(2)}
    ec2_definition(ecs, memory=128)
    answer = run_ec2(ecs, count=3, placementConstraints=[{"type": "distinctInstance"}])
    assert set(where(answer)) == arns and len(answer["tasks"]) == 2
    assert answer["failures"][0]["reason"] == "DistinctInstance placement constraint unsatisfied."
    other_group = run_ec2(ecs, group="other", placementConstraints=[{"type": "distinctInstance"}])
    assert len(other_group["tasks"]) == 1


def test_binpack_on_memory_fills_the_fullest_instance_first(fake: FakeECS, ecs: Any) -> None:
    big = register(fake, ecs, "t3.xlarge")["containerInstanceArn"]
    small = register(fake, ecs, "t3.medium")["containerInstanceArn"]  # 4 GiB: least memory
    ec2_definition(ecs, memory=1024, cpu=0)
    answer = run_ec2(ecs, count=5, placementStrategy=[{"type": "binpack", "field": "memory"}])
    assert where(answer) == [small, small, small, big, big]


def test_spread_over_zones_alternates(fake: FakeECS, ecs: Any) -> None:
    a = register(fake, ecs, zone="us-east-1a")["containerInstanceArn"]
    b = register(fake, ecs, zone="us-east-1b")["containerInstanceArn"]
    ec2_definition(ecs, memory=128)
    answer = run_ec2(
        ecs,
        count=4,
        placementStrategy=[{"type": "spread", "field": "attribute:ecs.availability-zone"}],
    )
    assert sorted(where(answer)) == sorted([a, a, b, b])
    described = ecs.describe_tasks(cluster=CLUSTER, tasks=[t["taskArn"] for t in answer["tasks"]])
    zones = sorted(t["availabilityZone"] for t in described["tasks"])
    assert zones == ["us-east-1a", "us-east-1a", "us-east-1b", "us-east-1b"]


def test_random_placement_is_the_same_for_the_same_seed(fake: FakeECS, ecs: Any) -> None:
    def once() -> list[int]:
        fake.reset()
        from tests.fakeecs.conftest import client

        again = client(fake)
        again.create_cluster(clusterName=CLUSTER)
        arns = [register(fake, again)["containerInstanceArn"] for _ in range(3)]
        ec2_definition(again, memory=64)
        chosen = where(run_ec2(again, count=6, placementStrategy=[{"type": "random"}]))
        return [arns.index(c) for c in chosen]

    assert once() == once()


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"placementStrategy": [{"type": "binpack", "field": "disk"}]}, "binpack"),
        ({"placementStrategy": [{"type": "spread", "field": "zone"}]}, "spread"),
        ({"placementConstraints": [{"type": "memberOf"}]}, "expression"),
        (
            {"placementConstraints": [{"type": "distinctInstance", "expression": "a == b"}]},
            "distinctInstance",
        ),
        ({"placementConstraints": [{"type": "memberOf", "expression": "zone == a"}]}, "subject"),
        ({"placementStrategy": [{"type": "random"}] * 6}, "at most 5"),
    ],
)
def test_bad_constraints_and_strategies_are_refused(
    fake: FakeECS, ecs: Any, extra: dict[str, Any], words: str
) -> None:
    register(fake, ecs)
    ec2_definition(ecs)
    with pytest.raises(ClientError) as exc:
        run_ec2(ecs, **extra)
    assert exc.value.response["Error"]["Code"] == "InvalidParameterException"
    assert words in exc.value.response["Error"]["Message"]


# the cluster query language -------------------------------------------------------------


FACTS = InstanceFacts(
    ec2_instance_id="i-0abc",
    registered_at=1_700_000_000.0,  # 2023-11-14
    running_tasks=2,
    agent_connected=True,
    agent_version="1.88.0",
    attributes={
        "ecs.instance-type": "t3.large",
        "ecs.availability-zone": "us-east-1b",
        "gpu": None,
    },
    groups=["service:web", "family:batch"],
)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("attribute:ecs.instance-type == t3.large", True),
        ("attribute:ecs.instance-type equals t3.small", False),
        ("attribute:ecs.instance-type != t3.small", True),
        ("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", True),
        ("attribute:ecs.availability-zone not_in [us-east-1a, 'us-east-1b']", False),
        ("attribute:ecs.instance-type =~ t3.*", True),
        ("attribute:ecs.instance-type !~ t3.*", False),
        ("attribute:gpu exists", True),
        ("attribute:stack exists", False),
        ("attribute:stack !exists", True),
        ("attribute:stack == prod", False),
        ("ec2InstanceId in ['i-0abc', 'i-0def']", True),
        ("runningTasksCount == 2", True),
        ("runningTasksCount > 1 and runningTasksCount <= 2", True),
        ("registeredAt < 2024-01-01", True),
        ("registeredAt >= 2023-11-15T00:00:00Z", False),
        ("agentVersion < 1.14.5", False),
        ("agentConnected == true", True),
        ("task:group == service:web", True),
        ("not(task:group == database)", True),
        ("!(task:group == service:web)", False),
        (
            "(attribute:ecs.instance-type == t3.small or runningTasksCount == 2) && agentConnected == true",
            True,
        ),
        (
            "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d",
            False,
        ),
    ],
)
def test_query_language(expression: str, expected: bool) -> None:
    assert parse(expression)(FACTS) is expected


@pytest.mark.parametrize(
    "expression",
    ["", "attribute:", "zone == a", "runningTasksCount ==", "a in b", "(task:group == x"],
)
def test_malformed_queries_name_the_problem(expression: str) -> None:
    with pytest.raises(ECSError) as exc:
        parse(expression)
    assert exc.value.code == "InvalidParameterException"


# the promise: never over-committed, never refused while something has room ----------------

sizes = st.tuples(st.integers(0, 4096), st.integers(0, 8192))


@settings(max_examples=300, deadline=None)
@given(
    instances=st.lists(sizes, min_size=1, max_size=6),
    tasks=st.lists(st.tuples(st.integers(0, 2048), st.integers(1, 4096)), min_size=1, max_size=25),
    strategy=st.sampled_from(
        [[], [{"type": "binpack", "field": "memory"}], [{"type": "spread", "field": "instanceId"}]]
    ),
    seed=st.integers(0, 1000),
)
def test_placement_never_overcommits_and_fails_only_without_room(
    instances: list[tuple[int, int]],
    tasks: list[tuple[int, int]],
    strategy: list[dict[str, str]],
    seed: int,
) -> None:
    pool = [
        placement.Candidate(
            arn=f"ci-{i}",
            status="ACTIVE",
            facts=InstanceFacts(f"i-{i}", 0.0, 0, True, "1.88.0", {}),
            cpu_left=cpu,
            memory_left=memory,
        )
        for i, (cpu, memory) in enumerate(instances)
    ]
    rng = random.Random(seed)
    strategies = placement.check_strategies(strategy) or [{"type": "random"}]
    for cpu, memory in tasks:
        need = placement.Need(cpu, memory)
        room = [c.arn for c in pool if c.cpu_left >= cpu and c.memory_left >= memory]
        chosen, failure = placement.choose(
            pool, need, group="g", constraints=[], strategies=strategies, rng=rng
        )
        if chosen is None:
            assert room == [] and failure["reason"].startswith("RESOURCE:")
        else:
            assert chosen.arn in room
            placement.reserve(chosen, need, "g")
        assert all(c.cpu_left >= 0 and c.memory_left >= 0 for c in pool)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    types=st.lists(st.sampled_from(["t3.micro", "t3.small", "t3.medium"]), min_size=1, max_size=3),
    memories=st.lists(st.integers(100, 3000), min_size=1, max_size=6),
)
def test_over_the_wire_no_instance_is_overcommitted(
    fake: FakeECS, types: list[str], memories: list[int]
) -> None:
    from tests.fakeecs.conftest import client

    fake.reset()
    ecs = client(fake)
    ecs.create_cluster(clusterName=CLUSTER)
    arns = [register(fake, ecs, t)["containerInstanceArn"] for t in types]
    for i, memory in enumerate(memories):
        ec2_definition(ecs, f"f{i}", memory=memory, cpu=0)
        answer = ecs.run_task(cluster=CLUSTER, taskDefinition=f"f{i}", launchType="EC2", count=2)
        assert len(answer["tasks"]) + len(answer["failures"]) == 2
    described = ecs.describe_container_instances(cluster=CLUSTER, containerInstances=arns)
    for ci in described["containerInstances"]:
        left = resource(ci["remainingResources"], "MEMORY")
        assert 0 <= left <= resource(ci["registeredResources"], "MEMORY")
