"""The control API under `/_fakeecs/`, and its Python client.

Server side: `handle_control(engine, method, path, body)` -> (status, JSON).
Client side: `ControlClient(endpoint_url)`, which `FakeECS` also uses, so
in-process and remote fakes are driven by the same code.
"""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fakeecs import moto_backend
from fakeecs.engine import Engine
from fakeecs.engine.behaviours import behaviour_from_wire
from fakeecs.errors import ECSError

PREFIX = "/_fakeecs/"


def _clock(engine: Engine) -> dict[str, Any]:
    now = engine.now()
    iso = datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z")
    return {"now": now, "iso": iso, "kind": engine.clock.kind}


def _body(raw: bytes) -> Any:
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ECSError("InvalidRequest", f"body is not valid JSON: {exc}") from None


def _advance(engine: Engine, body: Any) -> dict[str, Any]:
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ECSError("InvalidRequest", 'advance needs {"seconds": S} with S >= 0')
    if engine.clock.kind == "real":
        raise ECSError(
            "InvalidRequest", "the real clock cannot be advanced; start fakeecs with --clock manual"
        )
    engine.advance(float(seconds))
    return _clock(engine)


def _behaviours(engine: Engine, body: Any) -> dict[str, Any]:
    specs = body if isinstance(body, list) else [body]
    parsed = [behaviour_from_wire(spec) for spec in specs]  # all or nothing
    for family, container, behaviour in parsed:
        engine.behaviours.set(family, container, behaviour)
    return {"behaviours": engine.behaviours.dump()}


def _settings(engine: Engine, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ECSError("InvalidRequest", "settings must be a JSON object")
    unknown = set(body) - {"describeDelaySeconds"}
    if unknown:
        raise ECSError("InvalidRequest", f"unknown setting(s) {sorted(unknown)}")
    if "describeDelaySeconds" in body:
        delay = body["describeDelaySeconds"]
        if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
            raise ECSError("InvalidRequest", "describeDelaySeconds must be a number >= 0")
        engine.describe_delay = float(delay)
    return {"describeDelaySeconds": engine.describe_delay}


def _health(engine: Engine, _request: Any) -> dict[str, Any]:
    return {
        "status": "ok",
        "seed": engine.seed,
        "backend": engine.runtime.name,
        "lenientNetwork": engine.lenient_network,
        **_clock(engine),
    }


def _get_clock(engine: Engine, _request: Any) -> dict[str, Any]:
    return _clock(engine)


def _reset(engine: Engine, _request: Any) -> dict[str, Any]:
    engine.reset()
    moto_backend.reset()
    moto_backend.seed(engine.seed)
    return {"status": "reset"}


def _get_behaviours(engine: Engine, _request: Any) -> dict[str, Any]:
    return {"behaviours": engine.behaviours.dump()}


def _calls(engine: Engine, _request: Any) -> list[dict[str, Any]]:
    return list(engine.calls)


def _set_faults(engine: Engine, body: Any) -> dict[str, Any]:
    engine.faults.set(body, engine.now())
    return {"rules": [r.spec for r in engine.faults.rules]}


def _get_faults(engine: Engine, _request: Any) -> dict[str, Any]:
    return {"rules": [{**r.spec, "fired": r.fired} for r in engine.faults.rules]}


def _default_network(engine: Engine, body: Any) -> dict[str, Any]:
    region = body.get("region", "us-east-1") if isinstance(body, dict) else "us-east-1"
    if not isinstance(region, str) or not region:
        raise ECSError("InvalidRequest", 'network/default takes {"region": "us-east-1"} (optional)')
    try:
        return moto_backend.default_network(region)
    except LookupError as exc:
        raise ECSError("InvalidRequest", str(exc)) from None


def _clear_faults(engine: Engine, _request: Any) -> dict[str, Any]:
    engine.faults.clear()
    return {"rules": []}


@dataclass(frozen=True)
class Route:
    """One control endpoint; the route table is both the dispatcher and the documentation.

    `request` documents the JSON body the route reads; a route without one
    ignores its body (so a stray body on `POST reset` is harmless).
    """

    method: str
    path: str
    handler: Callable[[Engine, Any], Any]
    description: str
    request: str = ""


ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "health",
        _health,
        '`{"status": "ok", "seed", "backend", "lenientNetwork", "now", "iso", "kind"}` (backend: '
        "`simulated` or `docker`)",
    ),
    Route("GET", "clock", _get_clock, '`{"now": epoch seconds, "iso", "kind"}`'),
    Route(
        "POST",
        "clock/advance",
        _advance,
        "moves virtual time; every due step happens at its own time",
        '`{"seconds": S}`',
    ),
    Route(
        "POST",
        "reset",
        _reset,
        "forgets all state (ECS and moto), behaviours, faults and calls; a virtual clock goes back "
        "to its start",
    ),
    Route(
        "POST",
        "behaviours",
        _behaviours,
        "scripts what containers of a family do; applies to tasks started afterwards (a list sets "
        "several)",
        '`{"family", "container"?, "runSeconds", "exitCode", "failToStart", "outOfMemory", '
        '"logLines"}`',
    ),
    Route("GET", "behaviours", _get_behaviours, '`{"behaviours": [...]}`: the scripts in force'),
    Route(
        "GET",
        "calls",
        _calls,
        'a JSON array of every ECS call in order: `{"operation", "params", "status", "time"}`, '
        'plus `"fault"` when a fault rule fired and `"error"` (the `__type`) on errors',
    ),
    Route(
        "POST",
        "faults",
        _set_faults,
        "replaces every fault rule, all or nothing (see Fault rules in the guide)",
        '`{"rules": [...]}`',
    ),
    Route(
        "GET",
        "faults",
        _get_faults,
        '`{"rules": [...]}`: the rules in force, each with `"fired"`: how many calls it hit',
    ),
    Route("DELETE", "faults", _clear_faults, 'clears every fault rule; `{"rules": []}`'),
    Route(
        "POST",
        "network/default",
        _default_network,
        "a valid `networkConfiguration` for awsvpc tasks: the default VPC's default subnets and "
        "security group in the EC2 on this endpoint (made on EC2's first use in the region, with ids "
        "that follow the seed)",
        '`{"region"?}` (default `us-east-1`)',
    ),
    Route(
        "POST",
        "settings",
        _settings,
        "eventual consistency: a new task is MISSING from DescribeTasks and ListTasks for S "
        "virtual seconds",
        '`{"describeDelaySeconds": S}`',
    ),
)

_BY_KEY = {(route.method, route.path): route for route in ROUTES}


def handle_control(engine: Engine, method: str, path: str, raw: bytes) -> tuple[int, Any]:
    """Answer one control request; errors are `{"error", "message"}` with status 400/404."""
    key = (method, path[len(PREFIX) :].strip("/"))
    try:
        with engine.transaction():
            route = _BY_KEY.get(key)
            if route is None:
                raise ECSError("NotFound", f"no control endpoint {method} {PREFIX}{key[1]}")
            return 200, route.handler(engine, _body(raw) if route.request else None)
    except ECSError as err:
        status = 404 if err.code == "NotFound" else 400
        return status, {"error": err.code, "message": err.message}


class ControlError(RuntimeError):
    """The control API refused a request; the message is the server's."""


class ControlClient:
    """Drive a fakeecs server (in-process or remote) through its control API."""

    def __init__(self, endpoint_url: str, token: str | None = None, timeout: float = 30) -> None:
        self.endpoint_url = endpoint_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _call(self, method: str, route: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.endpoint_url}{PREFIX}{route}", data=data, method=method
        )
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("X-Fakeecs-Token", self.token)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            with contextlib.suppress(json.JSONDecodeError, AttributeError):
                detail = json.loads(detail).get("message", detail)
            raise ControlError(f"fakeecs {method} {route}: {detail}") from None

    def health(self) -> dict[str, Any]:
        return self._call("GET", "health")

    def now(self) -> float:
        return self._call("GET", "clock")["now"]

    def advance(self, seconds: float) -> float:
        return self._call("POST", "clock/advance", {"seconds": seconds})["now"]

    def reset(self) -> None:
        self._call("POST", "reset", {})

    def behaviour(self, family: str, container: str | None = None, **fields: Any) -> None:
        """Script what containers of `family` do: runSeconds, exitCode, failToStart, ..."""
        spec = {"family": family, **fields}
        if container is not None:
            spec["container"] = container
        self._call("POST", "behaviours", spec)

    def calls(self) -> list[dict[str, Any]]:
        return self._call("GET", "calls")

    def faults(self, rules: list[dict[str, Any]]) -> None:
        """Replace every fault rule; `[]` clears them."""
        if rules:
            self._call("POST", "faults", {"rules": rules})
        else:
            self._call("DELETE", "faults")

    def fault_rules(self) -> list[dict[str, Any]]:
        """The rules in force, each with `fired`: how many calls it has hit so far."""
        return self._call("GET", "faults")["rules"]

    def default_network(self, region: str = "us-east-1") -> dict[str, Any]:
        """A networkConfiguration that RunTask, CreateService, ... accept: the default VPC's.

        `ecs.run_task(..., networkConfiguration=fake.default_network())`
        """
        return self._call("POST", "network/default", {"region": region})

    def settings(self, **values: Any) -> dict[str, Any]:
        return self._call("POST", "settings", values)
