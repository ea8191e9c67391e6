"""Capacity providers through boto3: Create/Update/Delete/Describe, PutClusterCapacityProviders,
and capacityProviderStrategy (or the cluster default) in RunTask and CreateService."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeecs import FakeECS
from fakeecs.api.services import MUST_FORCE
from fakeecs.engine.auto_scaling import provider_of_instance
from fakeecs.rules.capacity_strategy import spread
from tests.fakeecs import ec2_instances
from tests.fakeecs.conftest import CLUSTER, FAMILY, client, fargate_task_definition, network
from tests.fakeecs.ec2_instances import moto_group

ASG = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:{}:autoScalingGroupName/{}"


def asg(name: str = "workers") -> dict[str, Any]:
    return {"autoScalingGroupArn": ASG.format("0b5c4b6e-1111-2222-3333-444455556666", name)}


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def associate(ecs: Any, providers: list[str], strategy: list[dict[str, Any]] | None = None) -> Any:
    return ecs.put_cluster_capacity_providers(
        cluster=CLUSTER, capacityProviders=providers, defaultCapacityProviderStrategy=strategy or []
    )["cluster"]


def run_with(ecs: Any, **extra: Any) -> list[dict[str, Any]]:
    params = {"cluster": CLUSTER, "taskDefinition": FAMILY, "networkConfiguration": network(ecs)}
    return ecs.run_task(**params, **extra)["tasks"]


def create_service(ecs: Any, **extra: Any) -> dict[str, Any]:
    params = {
        "cluster": CLUSTER,
        "serviceName": "svc",
        "taskDefinition": FAMILY,
        "networkConfiguration": network(ecs),
    }
    return ecs.create_service(**{**params, **extra})["service"]


def placed(tasks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(t["launchType"], t["capacityProviderName"]) for t in tasks]


# the providers themselves -------------------------------------------------------------


def test_fargate_providers_always_exist_and_custom_ones_are_described_with_tags(ecs: Any) -> None:
    created = ecs.create_capacity_provider(
        name="workers", autoScalingGroupProvider=asg(), tags=[{"key": "team", "value": "data"}]
    )["capacityProvider"]
    assert created["capacityProviderArn"].endswith(":capacity-provider/workers")
    assert created["status"] == "ACTIVE"
    provider = created["autoScalingGroupProvider"]
    assert provider["managedScaling"] == {
        "status": "DISABLED",
        "targetCapacity": 100,
        "minimumScalingStepSize": 1,
        "maximumScalingStepSize": 10000,
        "instanceWarmupPeriod": 300,
    }
    assert provider["managedTerminationProtection"] == "DISABLED"
    assert provider["managedDraining"] == "ENABLED"

    listed = ecs.describe_capacity_providers()["capacityProviders"]
    assert [p["name"] for p in listed] == ["FARGATE", "FARGATE_SPOT", "workers"]
    assert listed[2]["tags"] == []  # tags only when asked for
    tagged = ecs.describe_capacity_providers(capacityProviders=["workers"], include=["TAGS"])
    assert tagged["capacityProviders"][0]["tags"] == [{"key": "team", "value": "data"}]
    missing = ecs.describe_capacity_providers(capacityProviders=["FARGATE", "nope"])
    assert [p["name"] for p in missing["capacityProviders"]] == ["FARGATE"]
    assert missing["failures"] == [
        {"arn": "arn:aws:ecs:us-east-1:123456789012:capacity-provider/nope", "reason": "MISSING"}
    ]


def test_describe_pages_by_ten_and_filters_by_cluster(ecs: Any) -> None:
    for i in range(11):
        ecs.create_capacity_provider(name=f"cp{i:02}", autoScalingGroupProvider=asg(f"g{i}"))
    first = ecs.describe_capacity_providers()
    assert len(first["capacityProviders"]) == 10
    rest = ecs.describe_capacity_providers(nextToken=first["nextToken"])
    assert len(rest["capacityProviders"]) == 3 and "nextToken" not in rest
    associate(ecs, ["FARGATE_SPOT", "cp03"])
    mine = ecs.describe_capacity_providers(cluster=CLUSTER)["capacityProviders"]
    assert [p["name"] for p in mine] == ["FARGATE_SPOT", "cp03"]


@pytest.mark.parametrize("name", ["aws-workers", "ECS_x", "Fargate2", "bad name", "x" * 256])
def test_reserved_prefixes_and_bad_names_are_refused(ecs: Any, name: str) -> None:
    with pytest.raises(ClientError) as exc:
        ecs.create_capacity_provider(name=name, autoScalingGroupProvider=asg())
    code, message = error(exc)
    assert code == "ClientException"
    assert 'cannot be prefixed with "aws", "ecs", or "fargate"' in message
    assert [p["name"] for p in ecs.describe_capacity_providers()["capacityProviders"]] == [
        "FARGATE",
        "FARGATE_SPOT",
    ]


def test_names_and_auto_scaling_groups_are_unique(ecs: Any) -> None:
    ecs.create_capacity_provider(name="workers", autoScalingGroupProvider=asg())
    with pytest.raises(ClientError, match="already exists"):
        ecs.create_capacity_provider(name="workers", autoScalingGroupProvider=asg("other"))
    with pytest.raises(ClientError, match="already being used by another capacity provider"):
        ecs.create_capacity_provider(name="again", autoScalingGroupProvider=asg())
    with pytest.raises(ClientError, match=r"Auto Scaling group ARN .* is invalid"):
        ecs.create_capacity_provider(
            name="broken", autoScalingGroupProvider={"autoScalingGroupArn": "arn:aws:ec2:x"}
        )


def test_an_auto_scaling_group_made_with_moto_is_found_by_name_and_checked(
    fake: FakeECS, ecs: Any
) -> None:
    group_arn = moto_group(fake, size=0)["AutoScalingGroupARN"]
    with pytest.raises(ClientError, match="instance protection from scale in"):
        ecs.create_capacity_provider(
            name="hosts",
            autoScalingGroupProvider={
                "autoScalingGroupArn": "ecs-hosts",
                "managedScaling": {"status": "ENABLED"},
                "managedTerminationProtection": "ENABLED",
            },
        )
    created = ecs.create_capacity_provider(
        name="hosts", autoScalingGroupProvider={"autoScalingGroupArn": "ecs-hosts"}
    )["capacityProvider"]
    assert created["autoScalingGroupProvider"]["autoScalingGroupArn"] == group_arn
    with pytest.raises(ClientError, match="was not found"):
        ecs.create_capacity_provider(
            name="ghost", autoScalingGroupProvider={"autoScalingGroupArn": "no-such-group"}
        )


def test_update_changes_the_settings_given_and_keeps_the_rest(ecs: Any) -> None:
    ecs.create_capacity_provider(name="workers", autoScalingGroupProvider=asg())
    updated = ecs.update_capacity_provider(
        name="workers",
        autoScalingGroupProvider={
            "managedScaling": {"status": "ENABLED", "targetCapacity": 80},
            "managedDraining": "DISABLED",
        },
    )["capacityProvider"]
    assert updated["updateStatus"] == "UPDATE_COMPLETE"
    settings_ = updated["autoScalingGroupProvider"]
    assert settings_["managedScaling"]["targetCapacity"] == 80
    assert settings_["managedScaling"]["instanceWarmupPeriod"] == 300
    assert settings_["managedDraining"] == "DISABLED"
    assert settings_["autoScalingGroupArn"] == asg()["autoScalingGroupArn"]
    with pytest.raises(ClientError, match="reserved"):
        ecs.update_capacity_provider(name="FARGATE", autoScalingGroupProvider={})


def test_delete_fails_while_associated_then_the_provider_goes_inactive(
    fake: FakeECS, ecs: Any
) -> None:
    ecs.create_capacity_provider(name="workers", autoScalingGroupProvider=asg())
    associate(ecs, ["workers"])
    refused = ecs.delete_capacity_provider(capacityProvider="workers")["capacityProvider"]
    assert (refused["status"], refused["updateStatus"]) == ("ACTIVE", "DELETE_FAILED")
    assert refused["updateStatusReason"] == (
        f"The capacity provider cannot be deleted because it is associated with cluster: "
        f"{CLUSTER}. Remove the capacity provider from the cluster and try again."
    )
    associate(ecs, [])
    arn = refused["capacityProviderArn"]
    deleted = ecs.delete_capacity_provider(capacityProvider=arn)["capacityProvider"]
    assert deleted["updateStatus"] == "DELETE_IN_PROGRESS"
    [now] = ecs.describe_capacity_providers(capacityProviders=["workers"])["capacityProviders"]
    assert (now["status"], now["updateStatus"]) == ("INACTIVE", "DELETE_COMPLETE")
    with pytest.raises(ClientError, match="not found"):
        associate(ecs, ["workers"])
    fake.advance(3601)  # ECS forgets it after a while
    gone = ecs.describe_capacity_providers(capacityProviders=["workers"])
    assert gone["capacityProviders"] == [] and gone["failures"][0]["reason"] == "MISSING"
    again = ecs.create_capacity_provider(name="workers", autoScalingGroupProvider=asg())
    assert again["capacityProvider"]["status"] == "ACTIVE"
    with pytest.raises(ClientError, match="reserved"):
        ecs.delete_capacity_provider(capacityProvider="FARGATE_SPOT")


# cluster associations -------------------------------------------------------------------


def test_put_cluster_capacity_providers_replaces_the_list_and_default(ecs: Any) -> None:
    cluster = associate(
        ecs,
        ["FARGATE", "FARGATE_SPOT"],
        [
            {"capacityProvider": "FARGATE", "base": 1, "weight": 1},
            {"capacityProvider": "FARGATE_SPOT"},
        ],
    )
    assert cluster["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert cluster["defaultCapacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 0, "base": 0},
    ]
    again = associate(ecs, ["FARGATE_SPOT"])
    assert (again["capacityProviders"], again["defaultCapacityProviderStrategy"]) == (
        ["FARGATE_SPOT"],
        [],
    )
    described = ecs.describe_clusters(clusters=[CLUSTER])["clusters"][0]
    assert described["capacityProviders"] == ["FARGATE_SPOT"]


@pytest.mark.parametrize(
    ("providers", "strategy", "words"),
    [
        (["nope"], [], "capacity provider was not found"),
        (["FARGATE"], [{"capacityProvider": "FARGATE_SPOT", "weight": 1}], "not associated"),
        (
            ["FARGATE", "FARGATE_SPOT"],
            [
                {"capacityProvider": "FARGATE", "base": 1, "weight": 1},
                {"capacityProvider": "FARGATE_SPOT", "base": 2, "weight": 1},
            ],
            "more than one capacity provider with a base",
        ),
        (
            ["FARGATE", "workers"],
            [
                {"capacityProvider": "FARGATE", "weight": 1},
                {"capacityProvider": "workers", "weight": 1},
            ],
            "mix of capacity providers",
        ),
        (["FARGATE", "FARGATE"], [], "duplicates"),
    ],
)
def test_create_cluster_and_put_check_the_same_rules(
    ecs: Any, providers: list[str], strategy: list[dict[str, Any]], words: str
) -> None:
    ecs.create_capacity_provider(name="workers", autoScalingGroupProvider=asg())
    with pytest.raises(ClientError) as exc:
        associate(ecs, providers, strategy)
    assert error(exc)[0] == "InvalidParameterException" and words in error(exc)[1]
    with pytest.raises(ClientError) as exc:
        ecs.create_cluster(
            clusterName="other",
            capacityProviders=providers,
            defaultCapacityProviderStrategy=strategy,
        )
    assert words in error(exc)[1]
    assert ecs.describe_clusters(clusters=["other"])["failures"][0]["reason"] == "MISSING"


def test_an_auto_scaling_group_provider_belongs_to_one_cluster(ecs: Any) -> None:
    ecs.create_capacity_provider(name="workers", autoScalingGroupProvider=asg())
    associate(ecs, ["workers"])
    with pytest.raises(ClientError, match="already associated with the cluster"):
        ecs.create_cluster(clusterName="other", capacityProviders=["workers"])
    ecs.create_cluster(
        clusterName="other", capacityProviders=["FARGATE"]
    )  # Fargate ones are shared
    associate(ecs, ["workers", "FARGATE"])  # the same cluster may name it again


def test_a_provider_in_use_cannot_be_removed(fake: FakeECS, ecs: Any) -> None:
    associate(ecs, ["FARGATE", "FARGATE_SPOT"])
    fake.behaviour(FAMILY, runSeconds=60)
    run_with(ecs, capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}])
    with pytest.raises(ClientError) as exc:
        associate(ecs, ["FARGATE"])
    assert error(exc) == (
        "ResourceInUseException",
        "The specified capacity provider is in use and cannot be removed.",
    )
    fake.advance(120)  # the task stopped: nothing uses it any more
    assert associate(ecs, ["FARGATE"])["capacityProviders"] == ["FARGATE"]


def test_a_service_strategy_keeps_its_provider_in_use(ecs: Any) -> None:
    associate(ecs, ["FARGATE", "FARGATE_SPOT"])
    create_service(
        ecs,
        desiredCount=0,
        capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
    )
    with pytest.raises(ClientError) as exc:
        associate(ecs, ["FARGATE"])
    assert error(exc)[0] == "ResourceInUseException"


# strategies in RunTask and CreateService ----------------------------------------------------


def test_run_task_spreads_base_first_then_by_weight(ecs: Any) -> None:
    associate(ecs, ["FARGATE", "FARGATE_SPOT"])
    strategy = [
        {"capacityProvider": "FARGATE", "base": 2, "weight": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 3},
    ]
    tasks = run_with(ecs, count=10, capacityProviderStrategy=strategy)
    assert placed(tasks)[:2] == [("FARGATE", "FARGATE")] * 2
    names = [name for _, name in placed(tasks)]
    assert (names.count("FARGATE"), names.count("FARGATE_SPOT")) == (4, 6)
    assert {t["launchType"] for t in tasks} == {"FARGATE"}
    described = ecs.describe_tasks(cluster=CLUSTER, tasks=[t["taskArn"] for t in tasks])["tasks"]
    assert sorted(t["capacityProviderName"] for t in described) == sorted(names)


def test_the_cluster_default_applies_when_neither_launch_type_nor_strategy_is_given(
    ecs: Any,
) -> None:
    associate(ecs, ["FARGATE_SPOT"], [{"capacityProvider": "FARGATE_SPOT", "weight": 1}])
    assert placed(run_with(ecs)) == [("FARGATE", "FARGATE_SPOT")]
    plain = run_with(ecs, launchType="FARGATE")  # a launch type wins over the default
    assert placed(plain) == [("FARGATE", "FARGATE")]


def test_a_default_with_no_weight_is_refused_when_used(ecs: Any) -> None:
    associate(ecs, ["FARGATE_SPOT"], [{"capacityProvider": "FARGATE_SPOT"}])
    with pytest.raises(ClientError) as exc:
        run_with(ecs)
    assert error(exc)[1].startswith(
        "There are no capacity providers with a weight value greater than zero defined in the "
        "default capacity provider strategy."
    )


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (
            {"capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]},
            "The specified capacity provider strategy cannot contain a capacity provider that is "
            "not associated with the cluster.",
        ),
        (
            {
                "launchType": "FARGATE",
                "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}],
            },
            "both a launch type and capacity provider strategy",
        ),
        (
            {"capacityProviderStrategy": [{"capacityProvider": "FARGATE", "base": 1}]},
            "weight value greater than zero defined in the specified",
        ),
    ],
)
def test_run_task_refuses_strategies_ecs_refuses(
    ecs: Any, extra: dict[str, Any], words: str
) -> None:
    associate(ecs, ["FARGATE"])
    with pytest.raises(ClientError) as exc:
        run_with(ecs, **extra)
    assert error(exc)[0] == "InvalidParameterException" and words in error(exc)[1]
    assert ecs.list_tasks(cluster=CLUSTER)["taskArns"] == []


def test_a_custom_provider_places_ec2_tasks_on_its_own_instances(fake: FakeECS, ecs: Any) -> None:
    ecs.register_task_definition(
        family="ec2", containerDefinitions=[{"name": "main", "image": "x", "memory": 128}]
    )
    ecs.create_capacity_provider(name="workers", autoScalingGroupProvider=asg())
    associate(ecs, ["workers"])
    params = {
        "cluster": CLUSTER,
        "taskDefinition": "ec2",
        "capacityProviderStrategy": [{"capacityProvider": "workers", "weight": 1}],
    }
    outside = ec2_instances.register(fake, ecs)  # not in the provider's Auto Scaling group
    with pytest.raises(ClientError, match="No Container Instances were found in your capacity"):
        ecs.run_task(**params)
    mine = ec2_instances.register(fake, ecs)
    # white box: the instance belongs to the provider (as if launched by its Auto Scaling group)
    fake.engine.region("us-east-1").container_instances[
        mine["containerInstanceArn"]
    ].capacity_provider_name = "workers"
    [task] = ecs.run_task(**params)["tasks"]
    assert placed([task]) == [("EC2", "workers")]
    assert (
        task["containerInstanceArn"]
        == mine["containerInstanceArn"]
        != outside["containerInstanceArn"]
    )


def test_an_instance_of_the_providers_auto_scaling_group_belongs_to_it(
    fake: FakeECS, ecs: Any
) -> None:
    group = moto_group(fake, size=1)
    ecs.create_capacity_provider(
        name="hosts", autoScalingGroupProvider={"autoScalingGroupArn": group["AutoScalingGroupARN"]}
    )
    associate(ecs, ["hosts"])
    state = fake.engine.region("us-east-1")
    cluster = state.cluster(CLUSTER)
    member = group["Instances"][0]["InstanceId"]
    assert provider_of_instance("us-east-1", state, cluster, member) == "hosts"
    assert provider_of_instance("us-east-1", state, cluster, ec2_instances.launch(fake)) is None


def test_service_tasks_follow_the_strategy_and_its_base_counts_once(
    fake: FakeECS, ecs: Any
) -> None:
    associate(ecs, ["FARGATE", "FARGATE_SPOT"])
    strategy = [
        {"capacityProvider": "FARGATE", "base": 1, "weight": 0},
        {"capacityProvider": "FARGATE_SPOT", "weight": 1},
    ]
    service = create_service(ecs, desiredCount=2, capacityProviderStrategy=strategy)
    assert "launchType" not in service
    fake.advance(10)
    ecs.update_service(cluster=CLUSTER, service="svc", desiredCount=4)
    fake.advance(10)
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName="svc")["taskArns"]
    tasks = ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"]
    names = sorted(t["capacityProviderName"] for t in tasks)
    assert names == ["FARGATE", "FARGATE_SPOT", "FARGATE_SPOT", "FARGATE_SPOT"]


def test_create_service_uses_the_cluster_default_and_shows_it(ecs: Any) -> None:
    default = [{"capacityProvider": "FARGATE_SPOT", "weight": 2, "base": 0}]
    associate(ecs, ["FARGATE_SPOT"], default)
    service = create_service(ecs, desiredCount=1)
    assert service["capacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE_SPOT", "weight": 2, "base": 0}
    ]
    with pytest.raises(ClientError, match="not associated"):
        ecs.update_service(
            cluster=CLUSTER,
            service="svc",
            capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
        )


# properties -----------------------------------------------------------------------------

_items = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 6)), min_size=1, max_size=4).filter(
    lambda items: any(w > 0 for _, w in items) and sum(1 for b, _ in items if b) <= 1
)


@given(items=_items, count=st.integers(1, 40))
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
def test_spread_meets_the_base_then_follows_the_weights(
    items: list[tuple[int, int]], count: int
) -> None:
    strategy = [
        {"capacityProvider": f"p{i}", "base": base, "weight": weight}
        for i, (base, weight) in enumerate(items)
    ]
    chosen = spread(strategy, count)
    assert len(chosen) == count
    base_total = sum(b for b, _ in items)
    for i, (base, weight) in enumerate(items):
        got = chosen.count(f"p{i}")
        assert got >= min(base, count) if base else True
        beyond = got - min(base, got)
        if weight == 0:
            assert beyond == 0
    rest = max(0, count - base_total)
    weights = sum(w for _, w in items)
    for i, (base, weight) in enumerate(items):
        beyond = chosen.count(f"p{i}") - min(base, count)
        assert abs(beyond - rest * weight / weights) < 1 + 1e-9  # within one task of its share


# persistence ------------------------------------------------------------------------------


def test_providers_and_associations_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with FakeECS(clock="manual", seed=3, state=path) as fake:
        ecs = client(fake)
        ecs.create_cluster(clusterName=CLUSTER)
        ecs.register_task_definition(**fargate_task_definition())
        ecs.create_capacity_provider(
            name="workers", autoScalingGroupProvider=asg(), tags=[{"key": "k", "value": "v"}]
        )
        associate(
            ecs, ["FARGATE_SPOT", "FARGATE"], [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
        )
        [task] = run_with(ecs)
        before = ecs.describe_capacity_providers(include=["TAGS"])
    with FakeECS(clock="manual", seed=4, state=path) as fake:
        ecs = client(fake)
        after = ecs.describe_capacity_providers(include=["TAGS"])
        assert after["capacityProviders"] == before["capacityProviders"]
        cluster = ecs.describe_clusters(clusters=[CLUSTER])["clusters"][0]
        assert cluster["defaultCapacityProviderStrategy"][0]["capacityProvider"] == "FARGATE_SPOT"
        again = ecs.describe_tasks(cluster=CLUSTER, tasks=[task["taskArn"]])["tasks"][0]
        assert again["capacityProviderName"] == "FARGATE_SPOT"


# UpdateService between strategies -----------------------------------------------------------


def service_tasks(ecs: Any) -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName="svc")["taskArns"]
    return ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []


def hosts_provider(fake: FakeECS, ecs: Any) -> str:
    """A provider `hosts` on a moto Auto Scaling group whose one instance is registered to the
    cluster (so it belongs to the provider); the container instance's ARN."""
    group = moto_group(fake, size=1)
    ecs.create_capacity_provider(
        name="hosts", autoScalingGroupProvider={"autoScalingGroupArn": group["AutoScalingGroupARN"]}
    )
    associate(ecs, ["FARGATE", "FARGATE_SPOT", "hosts"])
    return ec2_instances.register_instance(fake, ecs, group["Instances"][0]["InstanceId"])


def test_update_service_moves_between_fargate_and_auto_scaling_group_providers(
    fake: FakeECS, ecs: Any
) -> None:
    ecs.register_task_definition(
        **fargate_task_definition(requiresCompatibilities=["FARGATE", "EC2"])
    )
    host = hosts_provider(fake, ecs)
    fargate = [{"capacityProvider": "FARGATE", "weight": 1}]
    create_service(ecs, desiredCount=1, capacityProviderStrategy=fargate)
    fake.advance(10)
    [before] = service_tasks(ecs)
    assert (before["launchType"], before["capacityProviderName"]) == ("FARGATE", "FARGATE")

    ec2 = [{"capacityProvider": "hosts", "weight": 1}]
    with pytest.raises(ClientError) as exc:
        ecs.update_service(cluster=CLUSTER, service="svc", capacityProviderStrategy=ec2)
    assert error(exc) == ("InvalidParameterException", MUST_FORCE)
    moved = ecs.update_service(
        cluster=CLUSTER, service="svc", capacityProviderStrategy=ec2, forceNewDeployment=True
    )["service"]
    assert moved["capacityProviderStrategy"] == [
        {"capacityProvider": "hosts", "weight": 1, "base": 0}
    ]
    assert "launchType" not in moved and "platformVersion" not in moved
    assert moved["deployments"][0]["capacityProviderStrategy"] == moved["capacityProviderStrategy"]
    fake.advance(60)
    [after] = [t for t in service_tasks(ecs) if t["lastStatus"] == "RUNNING"]
    assert (after["launchType"], after["capacityProviderName"]) == ("EC2", "hosts")
    assert after["containerInstanceArn"] == host
    assert "platformVersion" not in after

    # an empty strategy goes back to the launch type of the strategy's tasks
    back = ecs.update_service(
        cluster=CLUSTER, service="svc", capacityProviderStrategy=[], forceNewDeployment=True
    )["service"]
    assert back["launchType"] == "EC2" and "capacityProviderStrategy" not in back
    assert ecs.list_services(cluster=CLUSTER, launchType="EC2")["serviceArns"] == [
        back["serviceArn"]
    ]
    # and from there, a Fargate provider again (the platform version comes back with it)
    again = ecs.update_service(
        cluster=CLUSTER, service="svc", capacityProviderStrategy=fargate, forceNewDeployment=True
    )["service"]
    assert again["platformVersion"] == "LATEST"
    fake.advance(60)
    [last] = [t for t in service_tasks(ecs) if t["lastStatus"] == "RUNNING"]
    assert (last["launchType"], last["capacityProviderName"]) == ("FARGATE", "FARGATE")


def test_a_launch_type_service_takes_a_strategy_only_with_a_forced_deployment(
    fake: FakeECS, ecs: Any
) -> None:
    associate(ecs, ["FARGATE_SPOT"])
    create_service(ecs, desiredCount=1, launchType="FARGATE")
    spot = [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    with pytest.raises(ClientError, match="you must force a new deployment"):
        ecs.update_service(cluster=CLUSTER, service="svc", capacityProviderStrategy=spot)
    same = ecs.update_service(cluster=CLUSTER, service="svc", capacityProviderStrategy=[])
    assert same["service"]["launchType"] == "FARGATE"  # nothing changed: no deployment needed
    ecs.update_service(
        cluster=CLUSTER, service="svc", capacityProviderStrategy=spot, forceNewDeployment=True
    )
    fake.advance(60)
    [task] = [t for t in service_tasks(ecs) if t["lastStatus"] == "RUNNING"]
    assert task["capacityProviderName"] == "FARGATE_SPOT"
    with pytest.raises(ClientError, match="not associated"):  # still checked as RunTask's
        ecs.update_service(
            cluster=CLUSTER,
            service="svc",
            capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
            forceNewDeployment=True,
        )
