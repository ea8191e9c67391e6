"""The AWS JSON 1.1 protocol at the byte level: what non-botocore clients (and fuzzers) send."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeecs import api, server
from fakeecs.errors import ECSError
from fakeecs.wire import MAX_BODY_BYTES, TARGET_PREFIX, error_answer, service_model
from tests.fakeecs.fuzz_record import EXAMPLES, SENT
from tests.fakeecs.test_fuzz_wire import OPERATIONS, fingerprint


def post(
    fake: Any, target: str | None, body: bytes, content_type: str = "application/x-amz-json-1.1"
) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(fake.endpoint_url + "/", data=body, method="POST")
    request.add_header("Content-Type", content_type)
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


def test_an_operation_fakeecs_does_not_implement_is_named(
    fake: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an operation of botocore's model missing from the registry (all 88 will be there)
    monkeypatch.delitem(api.OPERATIONS, "GetTaskProtection")
    status, answer = post(fake, TARGET_PREFIX + "GetTaskProtection", b"{}")
    assert (status, answer["__type"]) == (400, "UnknownOperationException")
    assert "GetTaskProtection" in answer["message"]


def test_an_empty_body_means_no_params(fake: Any) -> None:
    status, answer = post(fake, TARGET_PREFIX + "ListClusters", b"")
    assert status == 200 and answer == {"clusterArns": []}


@pytest.mark.parametrize("size", [1024 * 1024 + 1, 2 * 1024 * 1024, 8 * 1024 * 1024])
def test_a_huge_body_is_refused_without_parsing_and_the_client_reads_why(
    fake: Any, size: int
) -> None:
    # The client sends the whole body before it reads: the fake reads it to the end, so the
    # refusal arrives every time instead of a broken pipe (a fuzz run met one at 1 MiB + 1).
    for _ in range(5):
        status, answer = post(
            fake, TARGET_PREFIX + "CreateCluster", b"{" + b" " * (size - 2) + b"}"
        )
        assert (status, answer["__type"]) == (400, "SerializationException")
        assert "at most 1048576" in answer["message"]
    assert post(fake, TARGET_PREFIX + "ListClusters", b"{}") == (200, {"clusterArns": []})


def test_an_oversized_body_is_read_to_its_end_but_never_held() -> None:
    # Reading it all is what lets the client, still sending, read the refusal; holding only
    # a limit's worth keeps memory flat whatever Content-Length claims.
    body = io.BytesIO(b"x" * (3 * MAX_BODY_BYTES))
    kept = server._read_body({"CONTENT_LENGTH": str(3 * MAX_BODY_BYTES), "wsgi.input": body})
    assert body.tell() == 3 * MAX_BODY_BYTES
    assert len(kept) == MAX_BODY_BYTES + 1
    claims_a_terabyte = {"CONTENT_LENGTH": str(1 << 40), "wsgi.input": io.BytesIO(b"{}")}
    assert len(server._read_body(claims_a_terabyte)) == MAX_BODY_BYTES + 1


def test_rejected_calls_are_logged_and_change_nothing(fake: Any) -> None:
    post(fake, TARGET_PREFIX + "CreateCluster", b'{"clusterName": 5}')
    status, answer = post(fake, TARGET_PREFIX + "ListClusters", b"{}")
    assert (status, answer["clusterArns"]) == (200, [])
    assert fake.calls()[0]["error"] == "SerializationException"


HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
REQUEST = {
    "cluster": "default",
    "taskDefinition": "family:1",
    "clusterName": "fuzzed",
    "tasks": ["0123456789abcdef"],
    "count": 1,
}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    operation=st.sampled_from(OPERATIONS),
    content_type=st.one_of(
        st.sampled_from(
            ["application/x-amz-json-1.1", "application/json", "text/plain", "", "multipart/x"]
        ),
        HEADER_TEXT,
    ),
    cut=st.one_of(st.none(), st.integers(0, 80)),
    padding=st.sampled_from([0, 1024, 1024 * 1024 + 1]),
)
def test_over_http_any_content_type_truncation_or_size_gets_a_well_formed_answer(
    fake: Any, operation: str, content_type: str, cut: int | None, padding: int
) -> None:
    """What a client that is not botocore can send: the answer is a result or an AWS error."""
    body = json.dumps(REQUEST).encode()
    body = (body if cut is None else body[:cut]) + b" " * padding
    before = fingerprint(fake.engine)
    status, answer = post(fake, TARGET_PREFIX + operation, body, content_type)
    SENT[f"http {status}"] += 1
    assert status in (200, 400), answer
    if status == 400:
        assert answer["__type"] and answer["message"]
        assert fingerprint(fake.engine) == before


@pytest.mark.parametrize("code", [s.name for s in service_model().error_shapes])
def test_every_modelled_error_carries_exactly_its_model_members(code: str) -> None:
    members = {"resourceIds": ["arn:aws:ecs:us-east-1:123456789012:task/c/1"]}
    shape = service_model().shape_for(code)
    given_members = {k: v for k, v in members.items() if k in shape.members}
    answer = error_answer(ECSError(code, "why", members=given_members), "RunTask")
    body = json.loads(answer.body)
    assert body == {"__type": code, "message": "why", **given_members}
    assert answer.headers["x-amzn-ErrorType"] == code


def test_an_error_member_the_model_lacks_is_a_server_error_not_a_wrong_shape() -> None:
    err = ECSError("ClientException", "why", members={"resourceIds": ["x"]})
    answer = error_answer(err, "RunTask")
    assert answer.status == 500
    assert json.loads(answer.body)["__type"] == "ServerException"
