"""The lifecycle stages of a service deployment and what a paused hook holds back.

Pure rules over a ServiceDeployment's data: the engine (engine/service_deployments.py)
moves a deployment along these stages as its scheduler Deployment progresses, and the
service scheduler asks here whether a paused lifecycle hook forbids it to start or to
stop tasks. A rolling deployment in fakeecs walks the same stages as ECS's blue/green
one (traffic stages pass at once: there is no traffic to shift), so PAUSE hooks work
for any service.
"""

from __future__ import annotations

from typing import Any

from fakeecs import errors
from fakeecs.model import ServiceDeployment

#: The stages in order, each as (hook stage it fires, lifecycleStage it shows).
#: PRE_PRODUCTION_TRAFFIC_SHIFT is a hook stage ECS never shows as a lifecycleStage.
STAGES: tuple[tuple[str, str], ...] = (
    ("RECONCILE_SERVICE", "RECONCILE_SERVICE"),
    ("PRE_SCALE_UP", "PRE_SCALE_UP"),
    ("SCALE_UP", "SCALE_UP"),
    ("POST_SCALE_UP", "POST_SCALE_UP"),
    ("TEST_TRAFFIC_SHIFT", "TEST_TRAFFIC_SHIFT"),
    ("POST_TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT"),
    ("PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"),
    ("PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"),
    ("POST_PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT"),
    ("CLEAN_UP", "CLEAN_UP"),
)
STAGE_NAMES = tuple(stage for stage, _ in STAGES)
HOOK_STAGES = frozenset(STAGE_NAMES) - {"SCALE_UP", "CLEAN_UP"}
#: Paused here, the new revision has not started: the scheduler starts none of its tasks.
BEFORE_SCALE_UP = frozenset({"RECONCILE_SERVICE", "PRE_SCALE_UP"})

ONGOING = frozenset(
    {"PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"}
)
TERMINAL = frozenset({"SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"})


def shown_stage(stage: str) -> str:
    return dict(STAGES)[stage]


def first_stage(source_count: int) -> str:
    """RECONCILE_SERVICE only when more than one revision was running, as ECS documents."""
    return "RECONCILE_SERVICE" if source_count > 1 else "PRE_SCALE_UP"


def next_stage(stage: str) -> str | None:
    i = STAGE_NAMES.index(stage)
    return STAGE_NAMES[i + 1] if i + 1 < len(STAGE_NAMES) else None


def awaiting(sd: ServiceDeployment) -> dict[str, Any] | None:
    """The hook the deployment is paused at, or None."""
    if sd.status != "IN_PROGRESS":
        return None
    return next((h for h in sd.hooks if h["status"] == "AWAITING_ACTION"), None)


def holds_scale_up(sd: ServiceDeployment | None) -> bool:
    hook = awaiting(sd) if sd is not None else None
    return hook is not None and hook["stage"] in BEFORE_SCALE_UP


def holds_old_tasks(sd: ServiceDeployment | None) -> bool:
    """Paused anywhere, or hooks still to come: the old revision's tasks stay, nothing completes."""
    if sd is None or sd.status != "IN_PROGRESS":
        return False
    return awaiting(sd) is not None or any(
        stage not in h["done"] for h in sd.hooks for stage in h["stages"]
    )


def hooks_from(config: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Check deploymentConfiguration.lifecycleHooks; the state a deployment tracks per hook."""
    hooks = []
    for i, hook in enumerate(config or []):
        target = hook.get("targetType", "AWS_LAMBDA")
        stages = list(hook.get("lifecycleStages") or [])
        if not stages:
            raise errors.invalid_parameter("lifecycleStages must contain at least one stage.")
        unknown = [s for s in stages if s not in HOOK_STAGES]
        if unknown:
            raise errors.invalid_parameter(f"Invalid lifecycle stage: {unknown[0]}.")
        if target == "AWS_LAMBDA" and not (hook.get("hookTargetArn") and hook.get("roleArn")):
            raise errors.invalid_parameter(
                "hookTargetArn and roleArn are required for an AWS_LAMBDA lifecycle hook."
            )
        timeout = hook.get("timeoutConfiguration") or {}
        hooks.append(
            {
                "index": i,
                "targetType": target,
                "targetArn": hook.get("hookTargetArn"),
                "stages": stages,
                "done": [],
                "status": "PENDING",
                "stage": None,
                "hookId": None,
                "expiresAt": None,
                "timeoutMinutes": timeout.get("timeoutInMinutes"),
                "timeoutAction": timeout.get("action", "ROLLBACK"),
            }
        )
    return hooks
