"""The container agent's task scale-in protection endpoint, as a task's containers reach it.

A container finds it in `ECS_AGENT_URI` (`<fakeecs>/api/<key>`, set by the docker
backend) and calls `PUT ${ECS_AGENT_URI}/task-protection/v1/state` with
`{"ProtectionEnabled": true, "ExpiresInMinutes": 60}` or `GET` it. The answers have the
agent's shape: `{"protection": {"ExpirationDate", "ProtectionEnabled", "TaskArn"}}`, a
`{"failure": {...}}` when ECS refused the task, an `{"error": {...}}` for a bad request.
It changes what UpdateTaskProtection changes (engine/task_protection.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Protocol

from fakeecs.engine import Engine, task_protection
from fakeecs.errors import ECSError
from fakeecs.rules import task_protection as rules

PREFIX = "/api/"
SUFFIX = "/task-protection/v1/state"


class ContainerSource(Protocol):
    def container_at(self, key: str) -> tuple[str, str] | None: ...


def matches(path: str) -> bool:
    return path.startswith(PREFIX) and path.endswith(SUFFIX)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _error(status: int, arn: str, code: str, message: str) -> tuple[int, Any]:
    return status, {"error": {"Arn": arn, "Code": code, "Message": message}}


def answer(
    engine: Engine, source: ContainerSource | None, method: str, path: str, body: bytes
) -> tuple[int, Any]:
    """(status, JSON) for GET or PUT of `/api/<key>/task-protection/v1/state`."""
    key = path[len(PREFIX) : -len(SUFFIX)]
    found = source.container_at(key) if source is not None else None
    if found is None:
        return 404, {
            "error": {"Code": "NotFound", "Message": f"no container has agent key {key!r}"}
        }
    task_arn, _ = found
    request: dict[str, Any] = {}
    if method == "PUT":
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return _error(400, task_arn, "InvalidRequest", "Invalid request: body is not JSON")
        if not isinstance(request, dict) or not isinstance(request.get("ProtectionEnabled"), bool):
            return _error(
                400,
                task_arn,
                "InvalidRequest",
                "Invalid request: does not contain 'ProtectionEnabled' field (true or false)",
            )
    elif method != "GET":
        return 405, {"error": {"Code": "MethodNotAllowed", "Message": "use GET or PUT"}}
    with engine.transaction() as now:
        task = engine.find_task(task_arn)
        if task is None:
            return _error(
                404, task_arn, "ResourceNotFoundException", "The task is no longer known."
            )
        problem = task_protection.not_protectable(task)
        if problem is not None:
            return 200, {
                "failure": {"Arn": task.arn, "Reason": "TASK_NOT_VALID", "Detail": problem}
            }
        if method == "PUT":
            enabled = request["ProtectionEnabled"]
            try:
                minutes = rules.expiry_minutes(enabled, request.get("ExpiresInMinutes"))
            except ECSError as exc:
                return _error(400, task.arn, exc.code, exc.message)
            task_protection.set_protection(engine, task, enabled, minutes, now)
        protection: dict[str, Any] = {
            "ProtectionEnabled": rules.is_protected(task, now),
            "TaskArn": task.arn,
        }
        if protection["ProtectionEnabled"]:
            protection["ExpirationDate"] = _iso(task.protected_until or now)
        return 200, {"protection": protection}
