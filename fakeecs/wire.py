"""The AWS JSON 1.1 protocol for ECS, driven by botocore's own service model.

`handle(engine, target, body, region)` routes by `X-Amz-Target`, validates the
input against the model, applies fault rules, runs the registered operation and
serializes the answer or the error as AWS does. It never raises: every outcome
is an `Answer` with a well-formed body.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

import botocore.session
from botocore.model import NoShapeFoundError, ServiceModel

from fakeecs import api
from fakeecs.clock import pause
from fakeecs.engine import Engine
from fakeecs.engine.faults import ENGINE_ACTIONS
from fakeecs.errors import ECSError
from fakeecs.wire_validate import validate

log = logging.getLogger("fakeecs")

TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113."
CONTENT_TYPE = "application/x-amz-json-1.1"
#: Requests above this size are refused before parsing (ECS's own limit is similar).
MAX_BODY_BYTES = 1024 * 1024


@cache
def service_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("ecs")


@dataclass
class Answer:
    status: int
    body: bytes
    operation: str
    #: True when the change was committed but the connection must be dropped (lose-response).
    drop_connection: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"cannot serialize {type(value).__name__}")


def _error(
    status: int, code: str, message: str, operation: str, members: dict[str, Any] | None = None
) -> Answer:
    body = json.dumps({"__type": code, **error_members(code, message, members or {})}).encode()
    return Answer(status, body, operation, headers={"x-amzn-ErrorType": code})


def error_members(code: str, message: str, members: dict[str, Any]) -> dict[str, Any]:
    """An error's body members, in the order of its shape in botocore's model.

    Errors the model does not define (UnknownOperationException, SerializationException,
    ThrottlingException, the validation errors) carry only `message`, as AWS sends them.
    """
    try:
        shape = service_model().shape_for(code)
    except NoShapeFoundError:
        names = ["message"]
    else:
        names = list(shape.members)
    unknown = set(members) - set(names)
    if unknown:
        raise ValueError(f"{code} has no member {sorted(unknown)} in the ECS model")
    values = {**members, "message": message}
    return {name: values[name] for name in names if values.get(name) is not None}


def error_answer(err: ECSError, operation: str) -> Answer:
    try:
        return _error(err.status, err.code, err.message, operation, err.members)
    except ValueError:  # a fakeecs bug: answer like AWS would, keep the trace in our log
        log.exception("fakeecs raised an error the ECS model cannot carry on %s", operation)
        return _error(500, "ServerException", f"fakeecs internal error in {operation}", operation)


def parse(target: str | None, raw: bytes) -> tuple[str, dict[str, Any]]:
    """The operation name and params, or an ECSError shaped as AWS answers it."""
    if not target or not target.startswith(TARGET_PREFIX):
        raise ECSError("UnknownOperationException", f"Unknown target: {target!r}")
    name = target[len(TARGET_PREFIX) :]
    if name not in service_model().operation_names:
        raise ECSError("UnknownOperationException", f"Unknown operation {name!r} for ECS.")
    if name not in api.OPERATIONS:
        raise ECSError(
            "UnknownOperationException",
            f"fakeecs does not implement the ECS operation {name} yet "
            "(see docs/reference/fakeecs-operations.md).",
        )
    if len(raw) > MAX_BODY_BYTES:
        raise ECSError(
            "SerializationException",
            f"Request body is over {MAX_BODY_BYTES} bytes; fakeecs accepts at most {MAX_BODY_BYTES}.",
        )
    try:
        params = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ECSError("SerializationException", f"Request body is not valid JSON: {exc}") from None
    if not isinstance(params, dict):
        raise ECSError("SerializationException", "Request body must be a JSON object.")
    validate(service_model().operation_model(name).input_shape, params)
    return name, params


def stamp(engine: Engine) -> str:
    return datetime.fromtimestamp(engine.now(), UTC).isoformat().replace("+00:00", "Z")


def handle(engine: Engine, target: str | None, raw: bytes, region: str) -> Answer:
    """Answer one ECS request; records it in the calls log."""
    name = (target or "").removeprefix(TARGET_PREFIX) or "?"
    try:
        name, params = parse(target, raw)
    except ECSError as err:
        with engine.transaction():
            engine.record_call(
                {
                    "operation": name,
                    "params": None,
                    "status": err.status,
                    "time": stamp(engine),
                    "error": err.code,
                }
            )
        return error_answer(err, name)
    with engine.transaction():
        rule = engine.faults.match(
            name,
            engine.now(),
            engine.fault_rng,
            can_act=lambda r: (
                r.action != "interrupt"
                or bool(engine.interruption_targets(region, params.get("cluster"), r.stop_code))
            ),
        )
    action = rule.action if rule else None
    if action == "latency":
        pause(rule.seconds)
    with engine.transaction():
        entry: dict[str, Any] = {"operation": name, "params": params, "time": stamp(engine)}
        if rule is not None:
            entry["fault"] = action
        answer = _dispatch(engine, name, params, region, rule)
        entry["status"] = answer.status
        if answer.status >= 400:
            entry["error"] = json.loads(answer.body).get("__type")
        engine.record_call(entry)
    return answer


def call(
    engine: Engine, operation: str, params: dict[str, Any], region: str = "us-east-1"
) -> tuple[int, dict[str, Any]]:
    """One ECS call in-process, as JSON over the wire would make it: (HTTP status, answer)."""
    answer = handle(engine, TARGET_PREFIX + operation, json.dumps(params).encode(), region)
    return answer.status, json.loads(answer.body)


def run(
    engine: Engine,
    name: str,
    params: dict[str, Any],
    region: str,
    fault: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run a registered operation on checked params (under the caller's transaction)."""
    return api.OPERATIONS[name](api.CallContext(engine=engine, region=region, fault=fault), params)


def execute(
    engine: Engine, operation: str, params: dict[str, Any], region: str, caller: str
) -> dict[str, Any]:
    """One ECS call made inside fakeecs on someone's behalf (CloudFormation's handlers).

    The same entry as a request on the wire, without the wire's faults: params checked
    against botocore's model, the operation run in one engine transaction, the call logged
    (with `"caller"`), the answer as JSON would carry it. Raises ECSError as the wire
    would answer it.
    """
    name, parsed = parse(TARGET_PREFIX + operation, json.dumps(params).encode())
    with engine.transaction():
        entry: dict[str, Any] = {
            "operation": name,
            "params": parsed,
            "time": stamp(engine),
            "caller": caller,
        }
        try:
            result = run(engine, name, parsed, region)
        except ECSError as err:
            engine.record_call({**entry, "status": err.status, "error": err.code})
            raise
        engine.record_call({**entry, "status": 200})
    return json.loads(json.dumps(result, default=json_default))


def _dispatch(engine: Engine, name: str, params: dict[str, Any], region: str, rule: Any) -> Answer:
    action = rule.action if rule else None
    if action == "throttle":
        return _error(400, "ThrottlingException", "Rate exceeded", name)
    if action == "server-error":
        return _error(500, "ServerException", "Service Unavailable. Please try again later.", name)
    if action == "interrupt":
        engine.interrupt(region, params.get("cluster"), rule.stop_code)
    fault = rule.describe() if rule and action in ENGINE_ACTIONS else None
    try:
        result = run(engine, name, params, region, fault)
    except ECSError as err:
        answer = error_answer(err, name)
        answer.drop_connection = action == "lose-response"  # lost, whatever it said
        return answer
    except Exception as exc:  # a fakeecs bug: answer like AWS would, keep the trace in our log
        log.exception("fakeecs failed on %s", name)
        return _error(
            500, "ServerException", f"fakeecs internal error in {name}: {type(exc).__name__}", name
        )
    body = json.dumps(result, default=json_default).encode()
    return Answer(200, body, name, drop_connection=action == "lose-response")
