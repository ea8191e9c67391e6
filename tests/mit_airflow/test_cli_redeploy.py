"""redeploy: the scheduler stays stopped while the others roll, and an interrupted run resumes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from test_cli_support import ClockPacer, Cluster, airflow_cluster

from mit_airflow.maintenance.redeploy import STEPS


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with airflow_cluster() as made:
        yield made


def _primary_ids(cluster: Cluster) -> dict[str, str]:
    ids = {}
    for name in cluster.names.all_services():
        service = cluster.service(name)
        ids[name] = next(d["id"] for d in service["deployments"] if d["status"] == "PRIMARY")
    return ids


def _journal(cluster: Cluster) -> dict[str, Any] | None:
    name = f"/workflow/{cluster.names.cluster}/redeploy"
    found = cluster.client("ssm").get_parameters(Names=[name])["Parameters"]
    return json.loads(found[0]["Value"]) if found else None


def _assert_redeployed(cluster: Cluster, before: dict[str, str]) -> None:
    after = _primary_ids(cluster)
    for name in cluster.names.others():
        assert after[name] != before[name], f"{name} was not redeployed"
        service = cluster.service(name)
        assert (
            len(service["deployments"]) == 1 and service["runningCount"] == service["desiredCount"]
        )
    scheduler = cluster.service(cluster.names.scheduler)
    assert scheduler["desiredCount"] == 2 and scheduler["runningCount"] == 2
    assert _journal(cluster) is None


def _update_calls(cluster: Cluster) -> list[dict[str, Any]]:
    return [c["params"] for c in cluster.calls("UpdateService") if c["status"] == 200]


def test_redeploy_stops_the_scheduler_rolls_the_rest_and_starts_it_again(cluster: Cluster) -> None:
    before = _primary_ids(cluster)

    result = cluster.run("redeploy", "--yes")

    assert result.exit_code == 0, result.output
    _assert_redeployed(cluster, before)
    updates = _update_calls(cluster)
    assert updates[0] == {
        "cluster": cluster.names.cluster,
        "service": cluster.names.scheduler,
        "desiredCount": 0,
    }
    assert [u["service"] for u in updates[1:5]] == cluster.names.others()
    assert all(u.get("forceNewDeployment") for u in updates[1:5])
    assert updates[5] == {
        "cluster": cluster.names.cluster,
        "service": cluster.names.scheduler,
        "desiredCount": 2,
    }
    assert "redeploy of airflow-test complete" in result.output


def test_redeploy_never_forces_a_deployment_while_a_scheduler_task_is_running(
    cluster: Cluster,
) -> None:
    ecs = cluster.client("ecs")
    seen: list[int] = []

    def watch(_pacer: ClockPacer) -> None:
        forced = [u for u in _update_calls(cluster) if u.get("forceNewDeployment")]
        if not forced:
            return
        arns = ecs.list_tasks(cluster=cluster.names.cluster, serviceName=cluster.names.scheduler)[
            "taskArns"
        ]
        running = [t for t in ecs.describe_tasks(cluster=cluster.names.cluster, tasks=arns)["tasks"] if t["lastStatus"] != "STOPPED"] if arns else []  # fmt: skip
        if not any(
            u["service"] == cluster.names.scheduler and u.get("desiredCount")
            for u in _update_calls(cluster)
        ):
            seen.append(len(running))

    cluster.hook = watch
    assert cluster.run("redeploy", "--yes").exit_code == 0
    assert seen and set(seen) == {0}


def test_redeploy_asks_for_confirmation(cluster: Cluster) -> None:
    result = cluster.run("redeploy", input="n\n")

    assert result.exit_code == 1
    assert _update_calls(cluster) == []
    assert cluster.service(cluster.names.scheduler)["desiredCount"] == 2


def _server_errors_on_next_update(cluster: Cluster) -> None:
    # More failures than the CLI's retries (8 attempts): the next UpdateService fails for good.
    cluster.ecs.faults([{"operation": "UpdateService", "action": "server-error", "times": 8}])


def _interrupt_during(cluster: Cluster, step: str) -> None:
    """Ctrl-C while the redeploy waits in `step`."""

    def hook(_pacer: ClockPacer) -> None:
        journal = _journal(cluster)
        if journal and journal["step"] == step:
            raise KeyboardInterrupt

    cluster.hook = hook


def _fail_update_after(cluster: Cluster, step: str) -> None:
    """Make the first UpdateService after the wait in `step` fail for good."""
    armed: list[bool] = []

    def hook(_pacer: ClockPacer) -> None:
        journal = _journal(cluster)
        if not armed and journal and journal["step"] == step:
            armed.append(True)
            _server_errors_on_next_update(cluster)

    cluster.hook = hook


#: How to break the redeploy in each of its steps.
BREAKS = {
    "stop-scheduler": _server_errors_on_next_update,
    "wait-scheduler-stopped": lambda c: _interrupt_during(c, "wait-scheduler-stopped"),
    "force-deployments": lambda c: _fail_update_after(c, "wait-scheduler-stopped"),
    "wait-stable": lambda c: _interrupt_during(c, "wait-stable"),
    "start-scheduler": lambda c: _fail_update_after(c, "wait-stable"),
    "wait-scheduler-stable": lambda c: _interrupt_during(c, "wait-scheduler-stable"),
}


def test_every_step_is_broken_somewhere() -> None:
    assert list(BREAKS) == list(STEPS)


@pytest.mark.parametrize("step", list(BREAKS))
def test_an_interrupted_redeploy_says_where_it_stopped_and_finishes_when_run_again(
    cluster: Cluster, step: str
) -> None:
    before = _primary_ids(cluster)
    BREAKS[step](cluster)

    broken = cluster.run("redeploy", "--yes")

    assert broken.exit_code == 1, broken.output
    assert f"redeploy stopped while {STEPS[step]}" in broken.output
    assert "Traceback" not in broken.output
    assert "workflow --cluster airflow-test redeploy` again" in broken.output
    assert "workflow --cluster airflow-test start-scheduler` (starts 2)" in broken.output
    scheduler = cluster.service(cluster.names.scheduler)
    if step in ("stop-scheduler", "wait-scheduler-stable"):
        # Stopping failed (it was never scaled down), or it was already started again.
        assert scheduler["desiredCount"] == 2
        assert "has desired count 2" in broken.output
    else:
        assert scheduler["desiredCount"] == 0
        assert f"{cluster.names.scheduler} is STOPPED (desired count 0)" in broken.output
    assert _journal(cluster) is not None
    assert "a redeploy is unfinished" in cluster.run("status").output

    cluster.hook = None
    cluster.ecs.faults([])
    resumed = cluster.run("redeploy")  # no --yes: a resume does not ask again

    assert resumed.exit_code == 0, resumed.output
    assert "resuming the unfinished redeploy" in resumed.output
    _assert_redeployed(cluster, before)


def test_a_resumed_redeploy_does_not_force_the_same_service_twice(cluster: Cluster) -> None:
    _interrupt_during(cluster, "wait-stable")
    assert cluster.run("redeploy", "--yes").exit_code == 1
    cluster.hook = None

    assert cluster.run("redeploy").exit_code == 0

    forced = [u["service"] for u in _update_calls(cluster) if u.get("forceNewDeployment")]
    assert sorted(forced) == sorted(cluster.names.others())


def test_a_failed_preflight_changes_nothing(cluster: Cluster) -> None:
    result = cluster.run("--triggerer", "no-such-service", "redeploy", "--yes")

    assert result.exit_code == 1
    assert "unknown service in cluster 'airflow-test': no-such-service" in result.output
    assert _update_calls(cluster) == []
