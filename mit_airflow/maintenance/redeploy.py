"""Redeploying the cluster with the scheduler stopped, resumable after any interruption.

The steps: stop the scheduler, wait until none of its tasks is left, force a new
deployment of every other service, wait until they are all stable, start the scheduler
again and wait until it is stable. A journal in SSM records the scheduler's count and
each step as it completes, so running the command again after a failure, a Ctrl-C or a
lost laptop picks up where it stopped. Whenever it stops early it says exactly what
state the cluster is in and how to recover: the scheduler is never left stopped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mit_airflow.maintenance import scheduler, service_deployments, services
from mit_airflow.maintenance.display import Display
from mit_airflow.maintenance.errors import WorkflowError
from mit_airflow.maintenance.journal import ClusterMemory
from mit_airflow.maintenance.names import ClusterNames
from mit_airflow.maintenance.pacing import Pacer

#: The steps in order, with the words used when reporting how far a redeploy got.
STEPS: dict[str, str] = {
    "stop-scheduler": "stopping the scheduler",
    "wait-scheduler-stopped": "waiting for the scheduler's tasks to stop",
    "force-deployments": "forcing new deployments",
    "wait-stable": "waiting for the services to be stable",
    "start-scheduler": "starting the scheduler",
    "wait-scheduler-stable": "waiting for the scheduler to be stable",
}
_ORDER = list(STEPS)


class RedeployInterrupted(WorkflowError):
    """A redeploy stopped before the end; the message says what state it left."""


@dataclass
class Pace:
    """How often to poll and how long to wait for each waiting step."""

    pacer: Pacer
    interval: float
    timeout: float


def redeploy(
    ecs: Any,
    memory: ClusterMemory,
    names: ClusterNames,
    *,
    pace: Pace,
    display: Display,
    confirm: Callable[[str], None],
    resume_hint: str,
) -> None:
    """Run (or resume) the redeploy; raise RedeployInterrupted with a recovery note on any failure."""
    services.describe(ecs, names.cluster, names.all_services())
    journal = memory.redeploy()
    if journal is not None and journal.get("step") in STEPS:
        display.warn(
            f"resuming the unfinished redeploy of {names.cluster} (it stopped while {STEPS[journal['step']]})"
        )
    else:
        confirm(
            f"Redeploy {names.cluster}: stop {names.scheduler}, restart {', '.join(names.others())}, "
            f"then start {names.scheduler} again?"
        )
        journal = {"step": "stop-scheduler", "forced": {}}
    try:
        _run_steps(ecs, memory, names, journal, pace=pace, display=display)
    except BaseException as exc:
        reason = (
            "interrupted (Ctrl-C)"
            if isinstance(exc, KeyboardInterrupt)
            else str(exc) or type(exc).__name__
        )
        raise RedeployInterrupted(
            _recovery_note(ecs, names, journal, reason, resume_hint)
        ) from None
    memory.finish_redeploy()
    display.done(f"redeploy of {names.cluster} complete; {names.scheduler} is running again")


def _run_steps(
    ecs: Any,
    memory: ClusterMemory,
    names: ClusterNames,
    journal: dict[str, Any],
    *,
    pace: Pace,
    display: Display,
) -> None:
    def reached(step: str) -> bool:
        return _ORDER.index(journal["step"]) >= _ORDER.index(step)

    def advance(step: str) -> None:
        journal["step"] = step
        memory.save_redeploy(journal)

    wait = {
        "pacer": pace.pacer,
        "display": display,
        "interval": pace.interval,
        "timeout": pace.timeout,
    }

    if not reached("start-scheduler"):
        if "scheduler_count" not in journal:
            current = int(
                services.describe_one(ecs, names.cluster, names.scheduler).get("desiredCount", 0)
            )
            journal["scheduler_count"] = current if current > 0 else (memory.scheduler_count() or 1)
            memory.remember_scheduler_count(journal["scheduler_count"])
            advance("stop-scheduler")
        display.step(
            f"stopping {names.scheduler} (it will be started again with {journal['scheduler_count']})"
        )
        services.set_desired_count(ecs, names.cluster, names.scheduler, 0)
        if not reached("wait-scheduler-stopped"):
            advance("wait-scheduler-stopped")
        scheduler.wait_stopped(ecs, names, **wait)
        if not reached("force-deployments"):
            advance("force-deployments")
        for name in names.others():
            if name in journal["forced"]:
                display.info(f"{name}: new deployment already forced ({journal['forced'][name]})")
                continue
            display.step(f"forcing a new deployment of {name}")
            updated = services.force_new_deployment(ecs, names.cluster, name)
            journal["forced"][name] = services.primary_deployment(updated).get("id", "?")
            started = service_deployments.latest(ecs, names.cluster, name)
            if started is not None:
                journal.setdefault("service_deployments", {})[name] = started[
                    "serviceDeploymentArn"
                ]
                display.info(f"{name}: service deployment {started['serviceDeploymentArn']}")
            memory.save_redeploy(journal)
        if not reached("wait-stable"):
            advance("wait-stable")
        scheduler.wait_stable(
            ecs, names, names.others(), watched=journal.get("service_deployments"), **wait
        )
        _report_deployments(ecs, journal, display)
        advance("start-scheduler")
    scheduler.start(ecs, memory, names, display, count=journal["scheduler_count"])
    if not reached("wait-scheduler-stable"):
        advance("wait-scheduler-stable")
    scheduler.wait_stable(ecs, names, [names.scheduler], **wait)


def _report_deployments(ecs: Any, journal: dict[str, Any], display: Display) -> None:
    """One line per service deployment the redeploy started, as ECS finished it."""
    watched = journal.get("service_deployments") or {}
    finished = service_deployments.describe(ecs, list(watched.values())) if watched else {}
    for name, arn in watched.items():
        display.info(f"{name}: {service_deployments.summary(finished.get(arn))}")


def _recovery_note(
    ecs: Any, names: ClusterNames, journal: dict[str, Any], reason: str, resume_hint: str
) -> str:
    """Say what state the cluster was left in, and the commands that recover from it."""
    step = STEPS.get(journal.get("step", ""), "starting")
    count = journal.get("scheduler_count", 1)
    try:
        desired = int(
            services.describe_one(ecs, names.cluster, names.scheduler).get("desiredCount", 0)
        )
        scheduler_state = (
            f"{names.scheduler} is STOPPED (desired count 0)"
            if desired == 0
            else f"{names.scheduler} has desired count {desired}"
        )
    except Exception:
        scheduler_state = f"the state of {names.scheduler} could not be read (assume it is STOPPED)"
    forced = ", ".join(journal.get("forced", {})) or "none"
    rolled = ""
    if "rolled back" in reason or "ROLLBACK" in reason:
        rolled = "  ECS rolled that service back to its previous revision; fix the cause first.\n"
    return (
        f"redeploy stopped while {step}: {reason}\n"
        f"  {scheduler_state}; new deployments forced so far: {forced}.\n"
        f"{rolled}"
        f"  To finish the redeploy, run `{resume_hint} redeploy` again (it resumes where it stopped).\n"
        f"  To only start the scheduler again: `{resume_hint} start-scheduler` (starts {count})."
    )
