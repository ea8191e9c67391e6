"""The AWS JSON 1.1 protocol at the byte level: what non-botocore clients (and fuzzers) send."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from fakeecs.wire import TARGET_PREFIX


def post(fake: Any, target: str | None, body: bytes) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(fake.endpoint_url + "/", data=body, method="POST")
    request.add_header("Content-Type", "application/x-amz-json-1.1")
    if target is not None:
        request.add_header("X-Amz-Target", target)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "SerializationException"),
        (b"[1, 2]", "SerializationException"),
        (b'{"clusterName": 5}', "SerializationException"),
        (b'{"tags": "x"}', "SerializationException"),
        (b'{"clusterName": "ok", "settings": [{"name": "nonsense"}]}', "InvalidParameterException"),
        (b"\xff\xfe", "SerializationException"),
    ],
)
def test_bad_bodies_get_aws_errors(fake: Any, body: bytes, code: str) -> None:
    status, answer = post(fake, TARGET_PREFIX + "CreateCluster", body)
    assert status == 400
    assert answer["__type"] == code
    assert answer["message"]


def test_missing_required_member(fake: Any) -> None:
    status, answer = post(fake, TARGET_PREFIX + "RunTask", b"{}")
    assert (status, answer["__type"]) == (400, "InvalidParameterException")
    assert "taskDefinition" in answer["message"]


def test_unknown_target(fake: Any) -> None:
    status, answer = post(fake, TARGET_PREFIX + "LaunchRocket", b"{}")
    assert (status, answer["__type"]) == (400, "UnknownOperationException")


def test_an_operation_fakeecs_does_not_implement_is_named(fake: Any) -> None:
    status, answer = post(fake, TARGET_PREFIX + "CreateCapacityProvider", b"{}")
    assert (status, answer["__type"]) == (400, "UnknownOperationException")
    assert "CreateCapacityProvider" in answer["message"]


def test_an_empty_body_means_no_params(fake: Any) -> None:
    status, answer = post(fake, TARGET_PREFIX + "ListClusters", b"")
    assert status == 200 and answer == {"clusterArns": []}


def test_a_huge_body_is_refused_without_parsing(fake: Any) -> None:
    status, answer = post(
        fake, TARGET_PREFIX + "CreateCluster", b"{" + b" " * (2 * 1024 * 1024) + b"}"
    )
    assert status == 400 and "at most" in answer["message"]


def test_rejected_calls_are_logged_and_change_nothing(fake: Any) -> None:
    post(fake, TARGET_PREFIX + "CreateCluster", b'{"clusterName": 5}')
    status, answer = post(fake, TARGET_PREFIX + "ListClusters", b"{}")
    assert (status, answer["clusterArns"]) == (200, [])
    assert fake.calls()[0]["error"] == "SerializationException"
