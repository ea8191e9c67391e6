"""Scripted log lines reach CloudWatch Logs (moto, same endpoint) as the awslogs driver writes them."""

from __future__ import annotations

from typing import Any

from tests.fakeecs.conftest import client, fargate_task_definition, run


def _logged_definition(ecs: Any) -> None:
    ecs.register_task_definition(
        **fargate_task_definition(
            "logged",
            executionRoleArn="arn:aws:iam::123456789012:role/exec",
            containerDefinitions=[
                {
                    "name": "harvester",
                    "image": "example/harvester",
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": "/ecs/harvest",
                            "awslogs-region": "us-east-1",
                            "awslogs-stream-prefix": "oai",
                        },
                    },
                }
            ],
        )
    )


def test_log_lines_land_in_the_task_definitions_log_stream(fake: Any, ecs: Any) -> None:
    _logged_definition(ecs)
    fake.behaviour("logged", runSeconds=10, exitCode=0, logLines=["harvest started", "42 records"])
    arn = run(ecs, taskDefinition="logged")["tasks"][0]["taskArn"]
    fake.advance(30)

    logs = client(fake, "logs")
    stream = f"oai/harvester/{arn.rsplit('/', 1)[1]}"
    events = logs.get_log_events(logGroupName="/ecs/harvest", logStreamName=stream)["events"]
    assert [e["message"] for e in events] == ["harvest started", "42 records"]
    started = ecs.describe_tasks(cluster="test-cluster", tasks=[arn])["tasks"][0]["startedAt"]
    assert events[0]["timestamp"] == int(started.timestamp() * 1000)


def test_no_log_configuration_writes_nothing(fake: Any, ecs: Any) -> None:
    fake.behaviour("worker", logLines=["ignored"])
    run(ecs)
    fake.advance(60)
    assert client(fake, "logs").describe_log_groups()["logGroups"] == []


def _streams(fake: Any) -> list[str]:
    answer = client(fake, "logs").describe_log_streams(logGroupName="/ecs/harvest")
    return [stream["logStreamName"] for stream in answer["logStreams"]]


def test_a_silent_container_still_opens_its_stream(fake: Any, ecs: Any) -> None:
    """The awslogs driver creates the stream when the container starts, output or not."""
    _logged_definition(ecs)
    fake.behaviour("logged", runSeconds=10, exitCode=0, logLines=[])
    arn = run(ecs, taskDefinition="logged")["tasks"][0]["taskArn"]
    fake.advance(30)
    stream = f"oai/harvester/{arn.rsplit('/', 1)[1]}"
    assert _streams(fake) == [stream]
    logs = client(fake, "logs")
    assert logs.get_log_events(logGroupName="/ecs/harvest", logStreamName=stream)["events"] == []


def test_a_container_that_never_starts_opens_no_stream(fake: Any, ecs: Any) -> None:
    _logged_definition(ecs)
    fake.behaviour("logged", failToStart=True)
    run(ecs, taskDefinition="logged")
    fake.advance(30)
    assert client(fake, "logs").describe_log_groups()["logGroups"] == []
