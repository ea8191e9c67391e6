"""Fuzzing the wire with inputs generated from botocore's ECS model, for every supported operation.

Every answer must be a well-formed AWS answer botocore can parse: a result for
the operation's output shape, or an error with `__type` and `message`. Never a
500, and a rejected request never changes state. `make fuzz` runs many more
examples (FUZZ_EXAMPLES).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.parsers import create_parser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeecs import api
from fakeecs.engine import Engine
from fakeecs.wire import TARGET_PREFIX, handle, service_model
from tests.fakeecs.fuzz_record import EXAMPLES, SENT
from tests.fakeecs.model_strategies import invalid_params, valid_params
from tests.fakeecs.test_stateful import call, network, setup

FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
)
PARSER = create_parser("json")


def send(engine: Engine, target: str | None, body: bytes) -> Any:
    answer = handle(engine, target, body, "us-east-1")
    code = json.loads(answer.body).get("__type", "") if answer.status != 200 else ""
    SENT[f"{answer.status} {code}".strip()] += 1
    return answer


def fresh_engine() -> Engine:
    engine = Engine(seed=1)
    setup(engine)
    call(
        engine,
        "RunTask",
        {
            "cluster": "c",
            "taskDefinition": "a",
            "launchType": "FARGATE",
            "networkConfiguration": network(),
        },
    )
    return engine


def fingerprint(engine: Engine) -> str:
    """Everything a rejected request must leave alone."""
    state = engine.region("us-east-1")
    return json.dumps(
        [
            sorted((n, c.status, c.tags) for n, c in state.clusters.items()),
            sorted((f, len(r), [t.status for t in r]) for f, r in state.task_definitions.items()),
            sorted((a, t.desired_status, t.version, t.tags) for a, t in state.tasks.items()),
            sorted(str(k) for k in state.services),
            sorted(str(k) for k in state.client_tokens),
        ],
        default=str,
    )


def check_answer(operation: str, status: int, body: bytes) -> dict[str, Any]:
    assert status in (200, 400), f"{operation} answered HTTP {status}: {body[:300]!r}"
    model = service_model().operation_model(operation)
    response = {"status_code": status, "headers": {}, "body": body}
    if status == 200:
        PARSER.parse(response, model.output_shape)
        return {}
    error = json.loads(body)
    assert set(error) == {"__type", "message"} and error["message"], error
    parsed = PARSER.parse(response, model.output_shape)
    assert parsed["Error"]["Code"] == error["__type"]
    return error


OPERATIONS = sorted(api.OPERATIONS)


def aim_at_existing(data: st.DataObject, engine: Engine, params: dict[str, Any]) -> dict[str, Any]:
    """Point some references at things that exist, so the fuzzer gets past 'not found'."""
    # In a long sequence the first task may have been retired (an hour after it stopped).
    tasks = list(engine.region("us-east-1").tasks)
    task_arn = tasks[0] if tasks else "arn:aws:ecs:us-east-1:123456789012:task/c/retired"
    known = {
        "cluster": ["c"],
        "taskDefinition": ["a", "a:1", "b"],
        "task": [task_arn],
        "tasks": [[task_arn]],
        "resourceArn": [task_arn, "arn:aws:ecs:us-east-1:123456789012:cluster/c"],
        "family": ["a"],
    }
    for name, choices in known.items():
        if name in params and data.draw(st.booleans()):
            params[name] = data.draw(st.sampled_from(choices))
    return params


@pytest.mark.parametrize("operation", OPERATIONS)
@FUZZ
@given(data=st.data())
def test_valid_model_inputs_get_well_formed_answers(operation: str, data: st.DataObject) -> None:
    engine = fresh_engine()
    params = aim_at_existing(data, engine, data.draw(valid_params(operation)))
    before = fingerprint(engine)
    answer = send(engine, TARGET_PREFIX + operation, json.dumps(params).encode())
    error = check_answer(operation, answer.status, answer.body)
    if error:
        assert fingerprint(engine) == before, f"{operation} was rejected but changed state"


@pytest.mark.parametrize("operation", OPERATIONS)
@FUZZ
@given(data=st.data())
def test_invalid_inputs_are_rejected_without_changing_state(
    operation: str, data: st.DataObject
) -> None:
    engine = fresh_engine()
    broken, params = data.draw(invalid_params(operation))
    before = fingerprint(engine)
    answer = send(engine, TARGET_PREFIX + operation, json.dumps(params).encode())
    error = check_answer(operation, answer.status, answer.body)
    if broken != "none":
        assert error, f"{operation} accepted an input with {broken}: {params!r}"
        assert fingerprint(engine) == before


@FUZZ
@given(
    target=st.one_of(
        st.none(), st.text(max_size=60), st.sampled_from([TARGET_PREFIX + o for o in OPERATIONS])
    ),
    body=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)),
)
def test_arbitrary_bytes_and_targets_never_crash(target: str | None, body: bytes) -> None:
    engine = fresh_engine()
    before = fingerprint(engine)
    answer = send(engine, target, body)
    assert answer.status in (200, 400)
    parsed = json.loads(answer.body)
    if answer.status == 400:
        assert parsed["__type"] and parsed["message"]
        assert fingerprint(engine) == before


def test_every_operation_of_the_model_is_fuzzed_or_named_as_not_yet_supported() -> None:
    """The support table's other half: an operation fakeecs does not serve yet answers an AWS
    error naming it, changes nothing, and joins the fuzzing above once it is registered."""
    model_operations = service_model().operation_names
    assert set(OPERATIONS) <= set(model_operations)
    for operation in model_operations:
        if operation in OPERATIONS:
            continue
        engine = fresh_engine()
        before = fingerprint(engine)
        answer = send(engine, TARGET_PREFIX + operation, b"{}")
        error = check_answer(operation, answer.status, answer.body)
        assert error["__type"] == "UnknownOperationException", (operation, error)
        assert operation in error["message"]
        assert fingerprint(engine) == before
