"""The `status` table: each Airflow service's counts, deployments and latest event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.table import Table

from mit_airflow.maintenance import service_deployments, services
from mit_airflow.maintenance.names import ClusterNames


def _deployments(service: dict[str, Any]) -> str:
    parts = []
    for deployment in service.get("deployments", []):
        state = deployment.get("rolloutState") or ""
        parts.append(
            f"{deployment.get('status', '?').lower()} {deployment.get('runningCount', 0)}/{deployment.get('desiredCount', 0)}"
            + (f" {state.lower()}" if state else "")
        )
    return "\n".join(parts) or "-"


def _last_event(service: dict[str, Any]) -> str:
    events = service.get("events") or []
    if not events:
        return "-"
    newest = max(events, key=lambda e: _timestamp(e.get("createdAt")))
    when = newest.get("createdAt")
    stamp = when.strftime("%H:%M:%S ") if isinstance(when, datetime) else ""
    return f"{stamp}{newest.get('message', '')}"


def _timestamp(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else 0.0


def table(
    names: ClusterNames,
    described: dict[str, dict[str, Any]],
    latest: dict[str, dict[str, Any] | None] | None = None,
) -> Table:
    """One row per service, in the order of `names.all_services()`; `latest` adds each service's
    newest service deployment (status, new/old tasks running, stage, why it failed)."""
    grid = Table(title=f"Airflow services in {names.cluster}", title_justify="left")
    grid.add_column("service", no_wrap=True)
    grid.add_column("desired", justify="right")
    grid.add_column("running", justify="right")
    grid.add_column("pending", justify="right")
    grid.add_column("deployments", no_wrap=True)
    if latest is not None:
        grid.add_column("latest service deployment")
    grid.add_column("last event")
    for name in names.all_services():
        service = described[name]
        marker = "" if services.is_stable(service) else " *"
        grid.add_row(
            name + marker,
            str(service.get("desiredCount", 0)),
            str(service.get("runningCount", 0)),
            str(service.get("pendingCount", 0)),
            _deployments(service),
            *([service_deployments.summary(latest.get(name))] if latest is not None else []),
            _last_event(service),
        )
    return grid
