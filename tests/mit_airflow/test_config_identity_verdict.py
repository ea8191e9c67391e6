"""config, identity and verdict on their own: the rules DAG authors and operators rely on."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mit_airflow.config import ConfigurationError, ecs_cluster, ecs_network_config, env
from mit_airflow.identity import LaunchIdentity
from mit_airflow.verdict import FAILED, RUNNING, SUCCEEDED, MalformedTask, judge


def b64(value: Any) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


def test_cluster_from_either_variable(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ECS_CLUSTER_NAME", "old-name")
    assert ecs_cluster() == "old-name"
    clean_env.setenv("ECS_CLUSTER", "new-name")
    assert ecs_cluster() == "new-name"


def test_missing_cluster_names_both_variables(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match="ECS_CLUSTER or ECS_CLUSTER_NAME is not set"):
        ecs_cluster()


def test_network_config_decodes(clean_env: pytest.MonkeyPatch) -> None:
    value = {"awsvpcConfiguration": {"subnets": ["s-1"], "securityGroups": ["sg"]}}
    clean_env.setenv("ECS_NETWORK_CONFIG", b64(value))
    assert ecs_network_config() == value


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("not base64!", "not base64"),
        (base64.b64encode(b"{not json").decode(), "not JSON"),
        (b64({"subnets": ["s"]}), "awsvpcConfiguration"),
        (b64({"awsvpcConfiguration": {"subnets": []}}), "awsvpcConfiguration"),
    ],
)
def test_bad_network_config_says_what_is_wrong(
    clean_env: pytest.MonkeyPatch, raw: str, words: str
) -> None:
    clean_env.setenv("ECS_NETWORK_CONFIG", raw)
    with pytest.raises(ConfigurationError, match=words) as exc:
        ecs_network_config()
    assert "ECS_NETWORK_CONFIG" in str(exc.value)


def test_env_is_read_when_called_not_when_imported(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match="ES_URL is not set"):
        env("ES_URL")
    clean_env.setenv("ES_URL", "http://es:9200")
    assert env("ES_URL") == "http://es:9200"


ids = st.text(min_size=1, max_size=300)


@given(ids, ids, ids, st.integers(-1, 10_000))
def test_identity_fits_ecs_limits_and_is_stable(dag: str, run: str, task: str, index: int) -> None:
    identity = LaunchIdentity(dag, run, task, index)
    assert len(identity.started_by) <= 128
    assert len(identity.client_token(0)) == 64
    assert all(33 <= ord(c) <= 126 for c in identity.client_token(0))
    assert identity.client_token(0) != identity.client_token(1)
    assert LaunchIdentity(dag, run, task, index).started_by == identity.started_by
    assert all(len(t["value"]) <= 256 for t in identity.tags())


@given(ids, ids, ids)
def test_different_task_instances_never_share_an_identity(dag: str, run: str, task: str) -> None:
    a = LaunchIdentity(dag, run, task, 0)
    b = LaunchIdentity(dag, run, task, 1)
    assert a.started_by != b.started_by and a.client_token(0) != b.client_token(0)


def stopped(
    *containers: dict[str, Any], stop_code: str = "EssentialContainerExited", reason: str = ""
) -> dict[str, Any]:
    return {
        "lastStatus": "STOPPED",
        "stopCode": stop_code,
        "stoppedReason": reason,
        "containers": list(containers),
    }


def test_verdicts() -> None:
    assert judge({"lastStatus": "RUNNING", "containers": []}).state == RUNNING
    assert judge(stopped({"name": "main", "exitCode": 0})).state == SUCCEEDED
    assert (
        judge(stopped({"name": "main", "exitCode": 2})).message
        == "container main exited with code 2"
    )
    sidecar_failed = stopped({"name": "main", "exitCode": 0}, {"name": "side", "exitCode": 1})
    assert judge(sidecar_failed, essential={"main"}).state == SUCCEEDED
    assert judge(sidecar_failed).state == FAILED  # without the task definition: all are essential
    second = stopped(
        {"name": "a", "exitCode": 0},
        {"name": "b", "exitCode": 137, "reason": "OutOfMemoryError: x"},
    )
    assert judge(second).message == "container b exited with code 137 (OutOfMemoryError: x)"
    pull = stopped(
        {"name": "main", "reason": "CannotPullContainerError: nope"}, stop_code="TaskFailedToStart"
    )
    assert judge(pull).message == "the task failed to start: CannotPullContainerError: nope"
    user = stopped({"name": "main", "exitCode": 0}, stop_code="UserInitiated", reason="by hand")
    assert "stopped by a user" in judge(user).message and judge(user).state == FAILED
    no_code = stopped({"name": "main", "reason": "ResourceInitializationError: secrets"})
    assert "did not run to completion: ResourceInitializationError" in judge(no_code).message


@pytest.mark.parametrize(
    "task",
    [
        {},
        {"lastStatus": "STOPPED"},
        {"lastStatus": "STOPPED", "containers": []},
        {"lastStatus": "STOPPED", "containers": [{"exitCode": 0}]},
    ],
)
def test_malformed_answers_name_what_is_missing(task: dict[str, Any]) -> None:
    with pytest.raises(MalformedTask, match="ECS answered"):
        judge(task)


@given(
    st.lists(
        st.tuples(st.booleans(), st.one_of(st.none(), st.integers(0, 255))), min_size=1, max_size=4
    )
)
def test_success_exactly_when_every_essential_container_exited_0(
    flags: list[tuple[bool, int | None]],
) -> None:
    containers = [
        {"name": f"c{i}", **({} if code is None else {"exitCode": code})}
        for i, (_, code) in enumerate(flags)
    ]
    essential = {f"c{i}" for i, (is_essential, _) in enumerate(flags) if is_essential} or {"c0"}
    verdict = judge(stopped(*containers), essential)
    expected = all(c.get("exitCode") == 0 for c in containers if c["name"] in essential)
    assert verdict.ok == expected
