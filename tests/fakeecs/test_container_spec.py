"""What the docker backend asks Docker to run for a container definition (no engine needed)."""

from __future__ import annotations

from typing import Any

from fakeecs.containers.spec import DEFAULT_STOP_TIMEOUT, MAX_STOP_TIMEOUT, container_spec
from fakeecs.model import Task


def task(overrides: dict[str, Any] | None = None, **extra: Any) -> Task:
    return Task(
        arn="arn:aws:ecs:eu-west-1:123456789012:task/c/abc",
        id="abc",
        cluster_arn="arn:aws:ecs:eu-west-1:123456789012:cluster/c",
        region="eu-west-1",
        task_definition_arn="arn:aws:ecs:eu-west-1:123456789012:task-definition/loader:7",
        family="loader",
        launch_type="FARGATE",
        created_at=0.0,
        containers=[],
        overrides=overrides or {},
        **extra,
    )


def spec(definition: dict[str, Any], t: Task | None = None) -> Any:
    return container_spec(
        t or task(), {"name": "main", "image": "loader:1", **definition},
        instance="host/1/2", metadata_key="abc-1", endpoint_url="http://127.0.0.1:5090",
    )  # fmt: skip


def test_overrides_replace_the_command_and_merge_the_environment_by_name() -> None:
    t = task({"containerOverrides": [{"name": "main", "command": ["load", "--all"],
                                      "environment": [{"name": "MODE", "value": "full"}]}]})  # fmt: skip
    s = spec({"command": ["load"], "entryPoint": ["python", "-m"],
              "environment": [{"name": "MODE", "value": "delta"}, {"name": "BUCKET", "value": "b"}]}, t)  # fmt: skip
    assert s.config["command"] == ["load", "--all"]
    assert s.config["entrypoint"] == ["python", "-m"]
    assert (s.config["environment"]["MODE"], s.config["environment"]["BUCKET"]) == ("full", "b")


def test_fargate_variables_and_labels() -> None:
    s = spec({})
    env, labels = s.config["environment"], s.config["labels"]
    assert env["ECS_CONTAINER_METADATA_URI_V4"] == "http://127.0.0.1:5090/v4/abc-1"
    assert (env["AWS_REGION"], env["AWS_EXECUTION_ENV"]) == ("eu-west-1", "AWS_ECS_FARGATE")
    assert labels["com.amazonaws.ecs.task-definition-version"] == "7"
    assert (labels["fakeecs.instance"], labels["fakeecs.task-arn"]) == ("host/1/2", task().arn)
    assert (
        spec({"environment": [{"name": "AWS_REGION", "value": "x"}]}).config["environment"][
            "AWS_REGION"
        ]
        == "x"
    )  # the definition wins over what fakeecs provides


def test_memory_is_a_hard_limit_without_swap_falling_back_to_the_task_size() -> None:
    assert spec({"memory": 64}).host_config["mem_limit"] == "64m"
    assert spec({"memory": 64}).host_config["memswap_limit"] == "64m"
    assert spec({}, task(memory="512")).host_config["mem_limit"] == "512m"
    assert "mem_limit" not in spec({}).host_config


def test_stop_timeout_defaults_to_30_and_is_capped_at_120() -> None:
    assert spec({}).stop_timeout == DEFAULT_STOP_TIMEOUT == 30
    assert spec({"stopTimeout": 5}).stop_timeout == 5
    assert spec({"stopTimeout": 500}).stop_timeout == MAX_STOP_TIMEOUT == 120
