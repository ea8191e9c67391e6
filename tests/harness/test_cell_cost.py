"""What the harness leaves out of a cell is only waiting and rebuilding, never the DAG's work.

Each test watches the real call the harness saves (dag.test()'s idle sleep, FastAPI's
per-request dependency trees) and fails if a cell pays for it again; the run itself must
still end exactly as the scenario expects.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from airflow.api_fastapi.execution_api.app import create_task_execution_api_app
from airflow.sdk import DAG
from airflow.sdk.api.datamodels._generated import API_VERSION
from cadwyn import Cadwyn
from fastapi.dependencies import utils as fastapi_dependencies
from fastapi.routing import APIRoute

from harness import instrument

DAG_ID = "example_ecs"  # first >> first_done >> second >> second_done


@contextmanager
def watching(owner: Any, name: str, seen: list[Any], caller_code: Any = None) -> Iterator[None]:
    """`owner.name` records each call (only those made from `caller_code`, if given)."""
    original = getattr(owner, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        if caller_code is None or sys._getframe(1).f_code is caller_code:
            seen.append(args or kwargs)
        return original(*args, **kwargs)

    setattr(owner, name, spy)
    try:
        yield
    finally:
        setattr(owner, name, original)


def test_a_failed_try_fails_its_downstream_chain_without_real_idle_seconds(run_dag: Any) -> None:
    idle_waits: list[Any] = []
    with watching(time, "sleep", idle_waits, caller_code=DAG.test.__code__):
        result = run_dag(DAG_ID, "container-exits-nonzero")
    assert result.ok, result.problems
    assert result.run_state == "failed"
    # dag.test() marks one level per turn of its loop: second, then second_done, with a real
    # one-second sleep between the turns unless the harness skips it
    assert result.tasks["second"].state == "upstream_failed"
    assert result.tasks["second_done"].state == "upstream_failed"
    assert idle_waits == []


def test_the_execution_apis_dependency_trees_are_built_once_per_process(run_dag: Any) -> None:
    assert run_dag(DAG_ID).ok  # Airflow's in-process API is up and every request was seen
    built: list[Any] = []
    # get_dependant reads the signature of what it builds a tree for, first of all
    building = getattr(fastapi_dependencies.get_dependant, "__wrapped__", None)
    building = building or fastapi_dependencies.get_dependant
    with watching(
        fastapi_dependencies, "get_typed_signature", built, caller_code=building.__code__
    ):
        result = run_dag(DAG_ID, "worker-dies-while-sensor-waits")
    assert result.ok, result.problems
    assert result.tasks["first_done"].tries == 2  # a run of many requests, retries included
    # only callables made inside a function (Airflow makes one per task) or callable objects
    # are built again; module-level functions' trees come from the cache
    assert built, "no dependency tree built at all: is this still Airflow's in-process API?"
    names = {getattr(b[0], "__qualname__", "<locals>") for b in built}
    assert {name for name in names if "<locals>" not in name} == set()


@pytest.mark.parametrize("scenario", ["all-succeed", "container-exits-nonzero"])
def test_cells_end_the_same_however_often_they_run(run_dag: Any, scenario: str) -> None:
    """Caches that outlive a cell (botocore's loader, FastAPI's trees) change no outcome."""
    first, again = run_dag(DAG_ID, scenario), run_dag(DAG_ID, scenario)
    assert first.ok and again.ok
    assert [(e.kind, e.task_id, e.text, e.virtual) for e in again.timeline.events] == [
        (e.kind, e.task_id, e.text, e.virtual) for e in first.timeline.events
    ]


def _execution_api() -> Any:
    return create_task_execution_api_app()


def _routes(router: Any) -> set[tuple[str, tuple[str, ...]]]:
    return {
        (r.path, tuple(sorted(r.methods)))
        for r in router.routes
        if isinstance(r, APIRoute) and "_CADWYN_DELETED_ROUTE" not in r.tags
    }


def test_the_execution_api_is_built_for_the_task_sdks_version_only() -> None:
    """Cadwyn builds every API version's routes on the first request, 3 to 4 s of each
    harness process; dag.test()'s only caller speaks the newest, so only it is built, with
    every route the newest version serves and none an older one restores."""
    app = _execution_api()
    all_versions = [v.value for v in app.versions.versions]
    assert all_versions[0] == API_VERSION and len(all_versions) > 1
    instrument._latest_version_only(Cadwyn._cadwyn_initialize)(app)
    built = {v: _routes(r) for v, r in app.router.versioned_routers.items()}
    assert built[API_VERSION] == _routes(app._latest_version_router)
    assert len(built[API_VERSION]) > 20
    assert {v for v, routes in built.items() if routes} == {API_VERSION}  # no older version built
    assert [v.value for v in app.versions.versions] == all_versions  # the app's bundle is back


def test_the_whole_execution_api_is_built_when_the_sdk_speaks_another_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(instrument, "API_VERSION", "2025-01-01")
    app = _execution_api()
    seen: list[list[str]] = []
    instrument._latest_version_only(lambda a: seen.append([v.value for v in a.versions]))(app)
    assert seen == [[v.value for v in app.versions.versions]]
