"""The `fakeecs` fixture that the installed pytest plugin gives every project."""

from __future__ import annotations

from typing import Any

import boto3


def test_the_fixture_is_a_running_fake_on_a_manual_clock(fakeecs: Any) -> None:
    ecs = boto3.client("ecs", endpoint_url=fakeecs.endpoint_url, region_name="us-east-1")
    ecs.create_cluster(clusterName="from-fixture")
    before = fakeecs.now()
    assert fakeecs.now() == before
    assert fakeecs.advance(5) == before + 5
    assert [c["operation"] for c in fakeecs.calls()] == ["CreateCluster"]


def test_the_network_fixture_is_one_run_task_accepts(fakeecs: Any, fakeecs_network: Any) -> None:
    ecs = boto3.client("ecs", endpoint_url=fakeecs.endpoint_url, region_name="us-east-1")
    ecs.create_cluster(clusterName="from-fixture")
    ecs.register_task_definition(
        family="web",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "main", "image": "example/web:1"}],
    )
    task = ecs.run_task(
        cluster="from-fixture",
        taskDefinition="web",
        launchType="FARGATE",
        networkConfiguration=fakeecs_network,
    )["tasks"][0]
    subnet = next(d["value"] for d in task["attachments"][0]["details"] if d["name"] == "subnetId")
    assert subnet in fakeecs_network["awsvpcConfiguration"]["subnets"]
