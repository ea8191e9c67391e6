"""CloudFormation on the fake's endpoint: a stack's AWS::ECS::* resources are fakeecs's own.

The stack API is moto's; creating, updating and deleting a stack calls fakeecs's ECS
operations, so what the stack declares is what DescribeClusters, DescribeServices and
the rest show, and it behaves (a service's tasks start, roll and stop with the clock).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fakeecs import FakeECS
from tests.fakeecs.conftest import client, network

#: The stack makes its own network (fakeecs checks subnets against the EC2 on its port, as ECS does).
SUBNETS = {"AwsvpcConfiguration": {"Subnets": [{"Ref": "Subnet"}]}}
NETWORK_RESOURCES = {
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.20.0.0/16"}},
    "Subnet": {
        "Type": "AWS::EC2::Subnet",
        "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.20.1.0/24"},
    },
}


def template(image: str = "example/worker:1", cluster_name: str | None = "cfn-cluster") -> dict:
    cluster: dict[str, Any] = {"Tags": [{"Key": "team", "Value": "library"}]}
    if cluster_name:
        cluster["ClusterName"] = cluster_name
    return {
        "Parameters": {"Count": {"Type": "Number", "Default": "2"}},
        "Resources": {
            **NETWORK_RESOURCES,
            "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": cluster},
            "Worker": {
                "Type": "AWS::ECS::TaskDefinition",
                "Properties": {
                    "Family": "cfn-worker",
                    "NetworkMode": "awsvpc",
                    "RequiresCompatibilities": ["FARGATE"],
                    "Cpu": "256",
                    "Memory": "512",
                    "ContainerDefinitions": [
                        {"Name": "main", "Image": image, "DockerLabels": {"MixedCase": "kept"}}
                    ],
                },
            },
            "Service": {
                "Type": "AWS::ECS::Service",
                "Properties": {
                    "Cluster": {"Ref": "Cluster"},
                    "TaskDefinition": {"Ref": "Worker"},
                    "DesiredCount": {"Ref": "Count"},
                    "LaunchType": "FARGATE",
                    "NetworkConfiguration": SUBNETS,
                },
            },
        },
        "Outputs": {
            "ClusterArn": {"Value": {"Fn::GetAtt": ["Cluster", "Arn"]}},
            "ServiceName": {"Value": {"Fn::GetAtt": ["Service", "Name"]}},
            "TaskDefinition": {"Value": {"Ref": "Worker"}},
        },
    }


@pytest.fixture(scope="module")
def cfn_fake() -> Iterator[FakeECS]:
    with FakeECS(clock="manual", seed=0) as fake:
        yield fake


@pytest.fixture
def fake(cfn_fake: FakeECS) -> FakeECS:
    cfn_fake.reset()
    return cfn_fake


@pytest.fixture
def stack(request: pytest.FixtureRequest) -> str:
    """A stack name of this test's own: moto's stacks outlive a reset of the fake."""
    return re.sub(r"[^A-Za-z0-9-]", "-", request.node.name)[:100]


@pytest.fixture
def cfn(fake: FakeECS) -> Any:
    return client(fake, "cloudformation")


@pytest.fixture
def ecs(fake: FakeECS) -> Any:
    return client(fake)


def outputs(cfn: Any, stack: str) -> dict[str, str]:
    found = cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    return {o["OutputKey"]: o["OutputValue"] for o in found}


def status(cfn: Any, stack: str) -> str:
    return cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]


def events(cfn: Any, stack: str) -> list[tuple[str, str, str]]:
    found = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    return [
        (e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason", ""))
        for e in found
    ]


def service_of(ecs: Any, cfn: Any, stack: str) -> dict[str, Any]:
    name = outputs(cfn, stack)["ServiceName"]
    return ecs.describe_services(cluster="cfn-cluster", services=[name])["services"][0]


def active_clusters(ecs: Any) -> list[str]:
    """The clusters listed that are not deleted (ECS lists INACTIVE ones too for a while)."""
    listed = ecs.list_clusters()["clusterArns"]
    found = ecs.describe_clusters(clusters=listed)["clusters"] if listed else []
    return [c["clusterArn"] for c in found if c["status"] != "INACTIVE"]


def test_a_stack_creates_the_cluster_task_definition_and_service(
    fake: FakeECS, cfn: Any, ecs: Any, stack: str
) -> None:
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template()))
    assert status(cfn, stack) == "CREATE_COMPLETE"
    out = outputs(cfn, stack)
    assert out["ClusterArn"] == "arn:aws:ecs:us-east-1:123456789012:cluster/cfn-cluster"
    assert (
        out["TaskDefinition"] == "arn:aws:ecs:us-east-1:123456789012:task-definition/cfn-worker:1"
    )
    assert out["ServiceName"].startswith(f"{stack}-Service-")  # generated as CloudFormation does

    cluster = ecs.describe_clusters(clusters=["cfn-cluster"], include=["TAGS"])["clusters"][0]
    assert cluster["status"] == "ACTIVE"
    assert cluster["tags"] == [{"key": "team", "value": "library"}]
    td = ecs.describe_task_definition(taskDefinition="cfn-worker")["taskDefinition"]
    assert td["containerDefinitions"][0]["dockerLabels"] == {"MixedCase": "kept"}
    assert td["cpu"] == "256"

    fake.advance(60)
    service = service_of(ecs, cfn, stack)
    assert (service["desiredCount"], service["runningCount"]) == (2, 2)  # "2" from a parameter


def test_updating_the_stack_registers_a_revision_and_rolls_the_service(
    fake: FakeECS, cfn: Any, ecs: Any, stack: str
) -> None:
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template()))
    fake.advance(60)
    cfn.update_stack(
        StackName=stack,
        TemplateBody=json.dumps(template(image="example/worker:2")),
        Parameters=[{"ParameterKey": "Count", "ParameterValue": "3"}],
    )
    assert status(cfn, stack) == "UPDATE_COMPLETE"
    assert outputs(cfn, stack)["TaskDefinition"].endswith("cfn-worker:2")
    old = ecs.describe_task_definition(taskDefinition="cfn-worker:1")["taskDefinition"]
    assert old["status"] == "INACTIVE"  # the replaced revision is deregistered

    fake.advance(300)
    service = service_of(ecs, cfn, stack)
    assert service["taskDefinition"].endswith("cfn-worker:2")
    assert (service["desiredCount"], service["runningCount"]) == (3, 3)
    assert len(service["deployments"]) == 1  # the rollout finished
    tasks = ecs.list_tasks(cluster="cfn-cluster")["taskArns"]
    described = ecs.describe_tasks(cluster="cfn-cluster", tasks=tasks)["tasks"]
    assert {t["taskDefinitionArn"].rsplit(":", 1)[-1] for t in described} == {"2"}


def test_a_new_image_alone_deploys_the_new_revision_to_the_service(
    fake: FakeECS, cfn: Any, ecs: Any, stack: str
) -> None:
    """The usual deploy: only the task definition's image changes. CloudFormation resolves the
    service's `TaskDefinition: !Ref Worker` again, updates the service in place, and ECS starts
    a deployment to the new revision."""
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template()))
    fake.advance(60)
    arn = service_of(ecs, cfn, stack)["serviceArn"]
    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(template(image="example/worker:2")))
    assert status(cfn, stack) == "UPDATE_COMPLETE"

    fake.advance(300)
    service = service_of(ecs, cfn, stack)
    assert service["serviceArn"] == arn  # updated in place, not replaced
    assert service["taskDefinition"] == outputs(cfn, stack)["TaskDefinition"]
    assert service["taskDefinition"].endswith("cfn-worker:2")
    assert (service["runningCount"], len(service["deployments"])) == (2, 1)
    listed = ecs.list_service_deployments(cluster="cfn-cluster", service=arn)
    arns = [d["serviceDeploymentArn"] for d in listed["serviceDeployments"]]
    found = ecs.describe_service_deployments(serviceDeploymentArns=arns)["serviceDeployments"]
    targets = [d["targetServiceRevision"]["arn"] for d in found]
    revisions = ecs.describe_service_revisions(serviceRevisionArns=targets)["serviceRevisions"]
    assert {r["taskDefinition"].rsplit(":", 1)[-1] for r in revisions} == {"1", "2"}


def test_a_service_listed_before_its_task_definition_is_updated_once(
    fake: FakeECS, cfn: Any, ecs: Any, stack: str
) -> None:
    """Resources update in dependency order, not template order: one UpdateService, to :2."""

    def service_first(image: str, count: int) -> dict:
        body = template(image=image)
        resources = body["Resources"]
        resources["Service"]["Properties"]["DesiredCount"] = count
        body["Resources"] = {"Service": resources.pop("Service"), **resources}
        return body

    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(service_first("w:1", 2)))
    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(service_first("w:2", 3)))
    assert status(cfn, stack) == "UPDATE_COMPLETE"
    calls = [c for c in fake.calls() if c["operation"] == "UpdateService"]
    assert [c["params"]["taskDefinition"].rsplit(":", 1)[-1] for c in calls] == ["2"]
    assert service_of(ecs, cfn, stack)["desiredCount"] == 3


def test_a_service_without_desired_count_runs_one_and_keeps_its_count_on_update(
    fake: FakeECS, cfn: Any, ecs: Any, stack: str
) -> None:
    """AWS::ECS::Service DesiredCount: "For new services, if a desired count is not specified,
    a default value of 1 is used ... For existing services ... it is omitted from the operation."""
    body = template()
    del body["Resources"]["Service"]["Properties"]["DesiredCount"]
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(body))
    assert status(cfn, stack) == "CREATE_COMPLETE"
    fake.advance(60)
    service = service_of(ecs, cfn, stack)
    assert (service["desiredCount"], service["runningCount"]) == (1, 1)

    ecs.update_service(cluster="cfn-cluster", service=service["serviceArn"], desiredCount=3)
    body["Resources"]["Service"]["Properties"]["PropagateTags"] = "SERVICE"
    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(body))
    assert status(cfn, stack) == "UPDATE_COMPLETE"
    fake.advance(300)
    service = service_of(ecs, cfn, stack)
    assert service["propagateTags"] == "SERVICE"  # the update did reach the service
    assert (service["desiredCount"], service["runningCount"]) == (3, 3)


def test_a_desired_count_in_the_template_is_set_again_by_every_update(
    fake: FakeECS, cfn: Any, ecs: Any, stack: str
) -> None:
    """With DesiredCount in the template, CloudFormation sends it with each update of the
    service, so a count scaled outside the stack goes back to the template's."""
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template()))
    service = service_of(ecs, cfn, stack)
    ecs.update_service(cluster="cfn-cluster", service=service["serviceArn"], desiredCount=4)
    body = template()
    body["Resources"]["Service"]["Properties"]["PropagateTags"] = "SERVICE"
    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(body))
    assert status(cfn, stack) == "UPDATE_COMPLETE"
    service = service_of(ecs, cfn, stack)
    assert (service["propagateTags"], service["desiredCount"]) == ("SERVICE", 2)


def test_renaming_a_service_replaces_it(fake: FakeECS, cfn: Any, ecs: Any, stack: str) -> None:
    body = template()
    body["Resources"]["Service"]["Properties"]["ServiceName"] = "first"
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(body))
    body["Resources"]["Service"]["Properties"]["ServiceName"] = "second"
    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(body))
    found = ecs.describe_services(cluster="cfn-cluster", services=["first", "second"])["services"]
    assert {s["serviceName"]: s["status"] for s in found} == {
        "first": "DRAINING",
        "second": "ACTIVE",
    }


def test_deleting_the_stack_deletes_what_it_made(
    fake: FakeECS, cfn: Any, ecs: Any, stack: str
) -> None:
    created = cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template()))
    fake.advance(60)
    service_arn = service_of(ecs, cfn, stack)["serviceArn"]
    cfn.delete_stack(StackName=stack)
    summary = next(s for s in cfn.list_stacks()["StackSummaries"] if s["StackName"] == stack)
    assert summary["StackStatus"] == "DELETE_COMPLETE"
    service = ecs.describe_services(cluster="cfn-cluster", services=[service_arn])["services"][0]
    assert service["status"] == "DRAINING"
    assert ecs.describe_task_definition(taskDefinition="cfn-worker:1")["taskDefinition"][
        "status"
    ] == ("INACTIVE")
    # the cluster goes once the service's tasks have stopped, as CloudFormation waits for them
    assert ecs.describe_clusters(clusters=["cfn-cluster"])["clusters"][0]["status"] == "ACTIVE"
    fake.advance(60)
    assert ecs.describe_clusters(clusters=["cfn-cluster"])["clusters"][0]["status"] == "INACTIVE"
    # reading the deleted stack brings nothing back
    assert cfn.describe_stacks(StackName=created["StackId"])["Stacks"][0].get("Outputs", []) == []
    assert active_clusters(ecs) == []


def test_a_resource_ecs_refuses_rolls_the_stack_back(
    fake: FakeECS, cfn: Any, ecs: Any, stack: str
) -> None:
    body = template()
    body["Resources"]["Service"]["Properties"]["LaunchType"] = "FARGATE"
    body["Resources"]["Service"]["Properties"]["NetworkConfiguration"] = None
    del body["Resources"]["Service"]["Properties"]["NetworkConfiguration"]
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(body))
    assert status(cfn, stack) == "ROLLBACK_COMPLETE"
    failed = [e for e in events(cfn, stack) if e[1] == "CREATE_FAILED"]
    assert [e[0] for e in failed] == ["Service"]
    assert "Network Configuration must be provided" in failed[0][2]
    assert "InvalidParameterException" in failed[0][2]
    # what was made before the failure is gone again
    assert active_clusters(ecs) == []
    assert ecs.list_task_definitions()["taskDefinitionArns"] == []
    assert outputs(cfn, stack) == {}


def test_a_failed_update_keeps_the_stack_as_it_was(
    fake: FakeECS, cfn: Any, ecs: Any, stack: str
) -> None:
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template()))
    body = template()
    body["Resources"]["Service"]["Properties"]["DesiredCount"] = -1
    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(body))
    assert status(cfn, stack) == "UPDATE_ROLLBACK_COMPLETE"
    assert any(e[:2] == ("Service", "UPDATE_FAILED") for e in events(cfn, stack))
    kept = json.loads(json.dumps(cfn.get_template(StackName=stack)["TemplateBody"]))
    assert kept["Resources"]["Service"]["Properties"]["DesiredCount"] == {"Ref": "Count"}
    assert service_of(ecs, cfn, stack)["desiredCount"] == 2


def test_a_stack_that_cannot_be_deleted_stays_delete_failed_and_can_be_deleted_again(
    fake: FakeECS, cfn: Any, ecs: Any, stack: str
) -> None:
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template()))
    fake.advance(60)
    standalone = ecs.run_task(
        cluster="cfn-cluster",
        taskDefinition="cfn-worker",
        launchType="FARGATE",
        networkConfiguration=network(ecs),
    )["tasks"][0]["taskArn"]
    fake.advance(10)
    cfn.delete_stack(StackName=stack)
    assert status(cfn, stack) == "DELETE_FAILED"
    reasons = [e[2] for e in events(cfn, stack) if e[:2] == ("Cluster", "DELETE_FAILED")]
    assert "ClusterContainsTasksException" in reasons[0]

    ecs.stop_task(cluster="cfn-cluster", task=standalone)
    fake.advance(120)
    cfn.delete_stack(StackName=stack)
    assert ecs.describe_clusters(clusters=["cfn-cluster"])["clusters"][0]["status"] == "INACTIVE"
    assert stack not in {s["StackName"] for s in cfn.describe_stacks()["Stacks"]}


def test_a_yaml_template_with_short_forms_and_generated_names(
    fake: FakeECS, cfn: Any, ecs: Any, stack: str
) -> None:
    body = """
Resources:
  Cluster:
    Type: AWS::ECS::Cluster
  Worker:
    Type: AWS::ECS::TaskDefinition
    Properties:
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: 512
      Memory: 1024
      ContainerDefinitions:
        - Name: main
          Image: example/worker:1
          Environment: [{Name: MODE, Value: full}]
Outputs:
  Cluster: {Value: !Ref Cluster}
  Family: {Value: !Ref Worker}
"""
    cfn.create_stack(StackName=stack, TemplateBody=body)
    out = outputs(cfn, stack)
    assert re.fullmatch(rf"{stack}-Cluster-[A-Za-z0-9]{{12}}", out["Cluster"])
    family = out["Family"].split("/")[-1].rsplit(":", 1)[0]
    assert family.startswith(f"{stack}-Worker-")
    td = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]
    assert (td["cpu"], td["memory"]) == ("512", "1024")  # numbers in YAML are the API's strings
    assert td["containerDefinitions"][0]["environment"] == [{"name": "MODE", "value": "full"}]


def test_the_calls_log_shows_cloudformation_as_the_caller(
    fake: FakeECS, cfn: Any, stack: str
) -> None:
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template()))
    calls = [c for c in fake.calls() if c.get("caller") == "cloudformation"]
    assert [c["operation"] for c in calls] == [
        "DescribeClusters",
        "CreateCluster",
        "RegisterTaskDefinition",
        "CreateService",
    ]


def test_what_a_stack_made_survives_a_restart_of_a_persistent_fake(
    tmp_path: Path, stack: str
) -> None:
    path = tmp_path / "state.json"
    with FakeECS(clock="manual", seed=3, state=path) as fake:
        client(fake, "cloudformation").create_stack(
            StackName=stack, TemplateBody=json.dumps(template(cluster_name="kept"))
        )
    with FakeECS(clock="manual", seed=3, state=path) as again:
        ecs = client(again)
        assert ecs.describe_clusters(clusters=["kept"])["clusters"][0]["status"] == "ACTIVE"
        assert len(ecs.list_services(cluster="kept")["serviceArns"]) == 1


def test_moto_on_its_own_keeps_its_own_ecs_models(fake: FakeECS) -> None:
    """The type map is patched for the whole process; a plain moto mock still gets moto's ECS."""
    import boto3
    from moto import mock_aws

    from fakeecs import cloudformation

    cloudformation.install()
    body = {"Resources": {"C": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "m"}}}}
    with mock_aws():
        boto3.client("cloudformation", region_name="us-east-1").create_stack(
            StackName="plain-moto", TemplateBody=json.dumps(body)
        )
        arns = boto3.client("ecs", region_name="us-east-1").list_clusters()["clusterArns"]
    assert arns == ["arn:aws:ecs:us-east-1:123456789012:cluster/m"]
    assert client(fake).list_clusters()["clusterArns"] == []  # nothing reached the fake


GROUP = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0b5c4b6e-1111-2222-3333-444455556666:autoScalingGroupName/workers"


def provider_template(target: int) -> dict:
    return {
        "Resources": {
            "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "cfn-cluster"}},
            "Workers": {
                "Type": "AWS::ECS::CapacityProvider",
                "Properties": {
                    "Name": "cfn-workers",
                    "AutoScalingGroupProvider": {
                        "AutoScalingGroupArn": GROUP,
                        "ManagedScaling": {"Status": "ENABLED", "TargetCapacity": target},
                    },
                },
            },
            "Associations": {
                "Type": "AWS::ECS::ClusterCapacityProviderAssociations",
                "Properties": {
                    "Cluster": {"Ref": "Cluster"},
                    "CapacityProviders": ["FARGATE", {"Ref": "Workers"}],
                    "DefaultCapacityProviderStrategy": [
                        {"CapacityProvider": "FARGATE", "Weight": "1"}
                    ],
                },
            },
        }
    }


def test_a_stack_declares_capacity_providers_and_associates_them(
    fake: FakeECS, cfn: Any, ecs: Any, stack: str
) -> None:
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(provider_template(80)))
    assert status(cfn, stack) == "CREATE_COMPLETE"
    [provider] = ecs.describe_capacity_providers(capacityProviders=["cfn-workers"])[
        "capacityProviders"
    ]
    assert provider["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"] == 80
    cluster = ecs.describe_clusters(clusters=["cfn-cluster"])["clusters"][0]
    assert cluster["capacityProviders"] == ["FARGATE", "cfn-workers"]
    assert cluster["defaultCapacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE", "weight": 1, "base": 0}
    ]

    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(provider_template(100)))
    assert status(cfn, stack) == "UPDATE_COMPLETE"
    [provider] = ecs.describe_capacity_providers(capacityProviders=["cfn-workers"])[
        "capacityProviders"
    ]
    assert provider["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"] == 100

    cfn.delete_stack(StackName=stack)
    assert stack not in {s["StackName"] for s in cfn.describe_stacks()["Stacks"]}
    [gone] = ecs.describe_capacity_providers(capacityProviders=["cfn-workers"])["capacityProviders"]
    assert gone["status"] == "INACTIVE"
    assert ecs.describe_clusters(clusters=["cfn-cluster"])["clusters"][0]["status"] == "INACTIVE"


def task_set_template(scale: int, image: str = "example/worker:1") -> dict:
    body = template(image=image)
    body["Resources"]["Service"] = {
        "Type": "AWS::ECS::Service",
        "Properties": {
            "Cluster": {"Ref": "Cluster"},
            "ServiceName": "web",
            "DesiredCount": 4,
            "DeploymentController": {"Type": "EXTERNAL"},
        },
    }
    body["Resources"]["Blue"] = {
        "Type": "AWS::ECS::TaskSet",
        "Properties": {
            "Cluster": {"Ref": "Cluster"},
            "Service": {"Fn::GetAtt": ["Service", "Name"]},
            "TaskDefinition": {"Ref": "Worker"},
            "LaunchType": "FARGATE",
            "NetworkConfiguration": SUBNETS,
            "Scale": {"Unit": "PERCENT", "Value": scale},
        },
    }
    body["Resources"]["Primary"] = {
        "Type": "AWS::ECS::PrimaryTaskSet",
        "Properties": {
            "Cluster": {"Ref": "Cluster"},
            "Service": {"Fn::GetAtt": ["Service", "Name"]},
            "TaskSetId": {"Fn::GetAtt": ["Blue", "Id"]},
        },
    }
    body["Outputs"] = {"TaskSet": {"Value": {"Ref": "Blue"}}}
    return body


def test_a_stack_runs_an_external_service_through_its_task_sets(
    fake: FakeECS, cfn: Any, ecs: Any, stack: str
) -> None:
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(task_set_template(50)))
    assert status(cfn, stack) == "CREATE_COMPLETE"
    task_set_id = outputs(cfn, stack)["TaskSet"]
    assert task_set_id.startswith("ecs-svc/")
    fake.advance(30)
    [blue] = ecs.describe_task_sets(cluster="cfn-cluster", service="web")["taskSets"]
    assert (blue["id"], blue["status"]) == (task_set_id, "PRIMARY")
    assert (blue["computedDesiredCount"], blue["runningCount"]) == (2, 2)

    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(task_set_template(100)))
    fake.advance(30)
    [blue] = ecs.describe_task_sets(cluster="cfn-cluster", service="web")["taskSets"]
    assert blue["id"] == task_set_id  # a new scale updates the task set in place
    assert (blue["computedDesiredCount"], blue["runningCount"]) == (4, 4)

    cfn.delete_stack(StackName=stack)
    fake.advance(60)
    assert ecs.describe_clusters(clusters=["cfn-cluster"])["clusters"][0]["status"] == "INACTIVE"


def test_a_new_image_replaces_the_task_set_and_makes_the_new_one_primary(
    fake: FakeECS, cfn: Any, ecs: Any, stack: str
) -> None:
    """A task set's TaskDefinition cannot change in place: CloudFormation makes a new task set
    on the new revision, and the PrimaryTaskSet whose TaskSetId refers to it follows."""
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(task_set_template(100)))
    old_id = outputs(cfn, stack)["TaskSet"]
    fake.advance(30)
    new_body = task_set_template(100, image="example/worker:2")
    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(new_body))
    assert status(cfn, stack) == "UPDATE_COMPLETE"
    new_id = outputs(cfn, stack)["TaskSet"]
    assert new_id != old_id

    fake.advance(60)
    [task_set] = ecs.describe_task_sets(cluster="cfn-cluster", service="web")["taskSets"]
    assert (task_set["id"], task_set["status"]) == (new_id, "PRIMARY")
    assert task_set["taskDefinition"].endswith("cfn-worker:2")
    assert (task_set["computedDesiredCount"], task_set["runningCount"]) == (4, 4)


def test_moto_on_its_own_skips_the_ecs_types_it_does_not_model(fake: FakeECS) -> None:
    import boto3
    from moto import mock_aws

    from fakeecs import cloudformation

    cloudformation.install()
    with mock_aws():
        cfn = boto3.client("cloudformation", region_name="us-east-1")
        cfn.create_stack(StackName="plain-moto", TemplateBody=json.dumps(provider_template(80)))
        assert cfn.describe_stacks(StackName="plain-moto")["Stacks"][0]["StackStatus"] == (
            "CREATE_COMPLETE"
        )
        cfn.delete_stack(StackName="plain-moto")
