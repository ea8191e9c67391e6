"""The control API and its Python client: clock, behaviours, calls, faults, reset, errors."""

from __future__ import annotations

from typing import Any

import pytest

from fakeecs import ControlClient, ControlError
from tests.fakeecs.conftest import CLUSTER, run


def test_clock_starts_at_the_epoch_and_moves_only_when_told(fake: Any) -> None:
    start = fake.now()
    assert fake.health()["iso"] == "2026-01-01T00:00:00Z"
    assert fake.now() == start
    assert fake.advance(90) == start + 90


def test_a_remote_client_drives_the_same_server(fake: Any, ecs: Any) -> None:
    remote = ControlClient(fake.endpoint_url)
    remote.behaviour("worker", runSeconds=5, exitCode=4)
    arn = run(ecs)["tasks"][0]["taskArn"]
    remote.advance(30)
    task = ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]
    assert task["containers"][0]["exitCode"] == 4


def test_calls_are_logged_in_order_with_params_and_status(fake: Any, ecs: Any) -> None:
    run(ecs, startedBy="me")
    calls = fake.calls()
    assert [c["operation"] for c in calls] == ["CreateCluster", "RegisterTaskDefinition", "RunTask"]
    assert calls[-1]["params"]["startedBy"] == "me"
    assert calls[-1]["status"] == 200
    assert calls[-1]["time"] == "2026-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"runSeconds": 5}, "family"),
        ({"family": "f", "runSeconds": -1}, "runSeconds"),
        ({"family": "f", "exitCode": "one"}, "exitCode"),
        ({"family": "f", "colour": "red"}, "unknown"),
        ({"family": "f", "logLines": "one line"}, "logLines"),
    ],
)
def test_bad_behaviours_are_refused_with_the_field_named(
    fake: Any, spec: dict[str, Any], words: str
) -> None:
    with pytest.raises(ControlError, match=words):
        fake._call("POST", "behaviours", spec)


def test_bad_advance_is_refused(fake: Any) -> None:
    with pytest.raises(ControlError, match="seconds"):
        fake._call("POST", "clock/advance", {"seconds": -5})
    with pytest.raises(ControlError, match="no control endpoint"):
        fake._call("GET", "nothing-here")


def test_reset_forgets_everything(fake: Any, ecs: Any) -> None:
    run(ecs)
    fake.faults([{"operation": "*", "action": "throttle", "times": 1}])
    fake.reset()
    assert fake.calls() == []
    assert fake._call("GET", "faults") == {"rules": []}
    assert ecs.list_clusters()["clusterArns"] == []
