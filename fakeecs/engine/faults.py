"""Seeded fault rules: which call misbehaves, when, and how.

A rule is data: `{"operation": "RunTask", "action": "lose-response", "times": 1}`.
Rules are checked in order on every ECS call; the first that matches fires.
Randomness comes from the engine's seeded generator, so a fault plan replays
identically with the same seed and the same calls.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from fakeecs.errors import ECSError

#: Actions the wire layer carries out itself (the operation never runs or its answer is lost).
WIRE_ACTIONS = frozenset({"throttle", "server-error", "latency", "lose-response"})
#: Actions an operation carries out (they change what ECS does, not how it answers).
ENGINE_ACTIONS = frozenset({"no-capacity", "fail-to-start", "interrupt"})
ACTIONS = WIRE_ACTIONS | ENGINE_ACTIONS
#: Actions that only mean something for RunTask: a rule on "*" waits for the next RunTask.
RUN_TASK_ACTIONS = frozenset({"no-capacity", "fail-to-start"})
INTERRUPT_CODES = ("SpotInterruption", "TerminationNotice")
_CONDITIONS = ("times", "probability", "after", "until")
_ALLOWED = {"operation", "action", "seconds", "reason", "stopCode", *_CONDITIONS}


def _bad(message: str) -> ECSError:
    return ECSError("InvalidFaultRule", message)


@dataclass
class FaultRule:
    operation: str
    action: str
    times: int | None = None
    probability: float | None = None
    after: float | None = None  # absolute virtual time
    until: float | None = None  # absolute virtual time
    seconds: float = 0.0
    reason: str | None = None
    stop_code: str = "SpotInterruption"
    fired: int = 0
    spec: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """What the calls log records about this rule when it fires."""
        out: dict[str, Any] = {"action": self.action}
        if self.action == "latency":
            out["seconds"] = self.seconds
        if self.action == "fail-to-start":
            out["reason"] = self.reason
        if self.action == "interrupt":
            out["stopCode"] = self.stop_code
        return out


def parse_rule(
    spec: Any, now: float, index: int, served: Collection[str] | None = None
) -> FaultRule:
    """Validate one rule; `after`/`until` are relative to `now` on the wire.

    `served` are the operations fakeecs answers (the api registry, handed down by whoever
    assembles the engine, which sits below the api); a rule naming another operation
    could never fire. None: names are not checked.
    """
    where = f"fault rule #{index}"
    if not isinstance(spec, dict):
        raise _bad(f"{where} must be a JSON object")
    unknown = set(spec) - _ALLOWED
    if unknown:
        raise _bad(f"{where} has unknown field(s) {sorted(unknown)}; allowed: {sorted(_ALLOWED)}")
    operation = spec.get("operation", "*")
    if not isinstance(operation, str) or not operation:
        raise _bad(f"{where}: 'operation' must be an ECS operation name or '*'")
    if operation != "*" and served is not None and operation not in served:
        raise _bad(
            f"{where}: 'operation' {operation!r} is not an operation fakeecs serves "
            "(see the supported operations table), so the rule could never fire"
        )
    action = spec.get("action")
    if action not in ACTIONS:
        raise _bad(f"{where}: 'action' must be one of {sorted(ACTIONS)}, got {action!r}")
    if action in RUN_TASK_ACTIONS and operation not in ("*", "RunTask"):
        raise _bad(f"{where}: action {action!r} applies to RunTask only (or '*'), not {operation}")
    rule = FaultRule(operation=operation, action=action, spec=dict(spec))
    if "times" in spec:
        times = spec["times"]
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise _bad(f"{where}: 'times' must be a positive integer")
        rule.times = times
    if "probability" in spec:
        p = spec["probability"]
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1:
            raise _bad(f"{where}: 'probability' must be a number between 0 and 1")
        rule.probability = float(p)
    for name in ("after", "until"):
        if name in spec:
            value = spec[name]
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise _bad(f"{where}: '{name}' must be virtual seconds from now (>= 0)")
            setattr(rule, name, now + float(value))
    if not any(c in spec for c in _CONDITIONS):
        raise _bad(f"{where} needs a condition: one of {list(_CONDITIONS)}")
    if action == "latency":
        seconds = spec.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise _bad(f"{where}: action 'latency' needs 'seconds' (>= 0, wall-clock)")
        rule.seconds = float(seconds)
    if action == "fail-to-start":
        reason = spec.get("reason", "ResourceInitializationError: failed to start (fault rule)")
        if not isinstance(reason, str) or not reason:
            raise _bad(f"{where}: 'reason' must be a non-empty string")
        rule.reason = reason
    if action == "interrupt":
        code = spec.get("stopCode", "SpotInterruption")
        if code not in INTERRUPT_CODES:
            raise _bad(f"{where}: 'stopCode' must be one of {list(INTERRUPT_CODES)}")
        rule.stop_code = code
    return rule


class FaultBook:
    def __init__(self, served: Collection[str] | None = None) -> None:
        self.rules: list[FaultRule] = []
        self._set_at = 0.0
        #: The operations a rule may name (None: any).
        self.served = served

    def set(self, specs: Any, now: float) -> None:
        """Replace every rule (all or nothing: a bad rule leaves the old set in place)."""
        if isinstance(specs, dict) and "rules" in specs:
            specs = specs["rules"]
        if not isinstance(specs, list):
            raise _bad('faults must be a list of rules, or {"rules": [...]}')
        self.rules = [parse_rule(spec, now, i, self.served) for i, spec in enumerate(specs)]
        self._set_at = now

    def clear(self) -> None:
        self.rules = []

    def match(
        self,
        operation: str,
        now: float,
        rng: random.Random,
        can_act: Callable[[FaultRule], bool] | None = None,
    ) -> FaultRule | None:
        """The rule that fires on this call, counted as fired (None: the call is left alone).

        `can_act` says whether a rule would change anything now; one that would not (an
        `interrupt` while no task runs) is skipped and not used up, so it waits for a call
        that finds something to act on.
        """
        for rule in self.rules:
            if rule.operation not in ("*", operation):
                continue
            if rule.action in RUN_TASK_ACTIONS and operation != "RunTask":
                continue
            if can_act is not None and not can_act(rule):
                continue
            if rule.times is not None and rule.fired >= rule.times:
                continue
            if rule.after is not None and now < rule.after:
                continue
            if rule.until is not None and now >= rule.until:
                continue
            if rule.probability is not None and rng.random() >= rule.probability:
                continue
            rule.fired += 1
            return rule
        return None

    def dump(self) -> dict[str, Any]:
        return {
            "rules": [
                {
                    "spec": r.spec,
                    "after": r.after,
                    "until": r.until,
                    "fired": r.fired,
                }
                for r in self.rules
            ]
        }

    def load(self, data: dict[str, Any]) -> None:
        self.rules = []
        for i, row in enumerate(data.get("rules", [])):
            rule = parse_rule(row["spec"], 0.0, i, self.served)
            rule.after, rule.until, rule.fired = row["after"], row["until"], row["fired"]
            self.rules.append(rule)
