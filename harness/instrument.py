"""The harness's hands inside one run: virtual time, worker deaths, and what it records.

Production code knows nothing of this. For the length of a run the harness:
- zeroes each task's real poke interval and retry delay, and instead moves the
  fakeecs clock by the declared (nominal) interval after each unfinished poke
  and after each try that will be retried (`retry_pending`, called by the
  runner's listener), so an hour-long container takes a few pokes;
- wraps botocore's `_make_api_call` to kill the worker at scripted points
  (`WorkerDied` derives from BaseException: no `except Exception` in operator
  code runs, as with SIGKILL; Airflow records the failed try and retries), to
  give the fake the task definitions a DAG names, and to zero botocore's
  real-time retry back-off;
- refuses a template that pulls an XCom that does not exist (it would render
  as the string "None");
- reuses the dependency trees FastAPI rebuilds on every request of Airflow's in-process
  execution API (`_reusing_dependants`), and builds that API's routes for the one API
  version the task SDK speaks (`_latest_version_only`);
- skips dag.test()'s one-second idle waits: when a try fails, dag.test() marks one
  more level of downstream tasks upstream_failed per turn of its loop and sleeps a
  real second between turns (there is nothing to wait for in a harness run: no
  triggerer, no human input, no real-time delay left).
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from airflow.sdk import DAG
from airflow.sdk.api.datamodels._generated import API_VERSION
from airflow.sdk.exceptions import AirflowFailException
from cadwyn import Cadwyn, Version, VersionBundle, route_generation
from fastapi.dependencies import utils as fastapi_dependencies

from fakeecs.fixtures import awslogs, fargate_task_definition
from harness.redeploy import WorkerService
from harness.scenarios import DEFAULT_RUN_SECONDS, Scenario
from harness.shape import Shape
from harness.timeline import Timeline
from harness.worlds import SIDECAR

INFINITE_SECONDS = 10 * 24 * 3600
#: dag.test()'s idle waits skipped per run before they are real again: a run that keeps
#: finding nothing to run is waiting for something the harness does not know, and a real
#: second per turn keeps it from spinning a core.
MAX_SKIPPED_IDLE_WAITS = 100


class WorkerDied(BaseException):
    """The worker is gone mid-task: nothing after this point runs (no except, no clean-up)."""


class TemplateFinding(AirflowFailException):
    """A template pulls an XCom that does not exist: fail the task now (retrying cannot help)."""


@dataclass
class ActiveRun:
    dag: Any
    shape: Shape
    scenario: Scenario
    fake: Any
    admin: Any  # the harness's own ECS client (bypasses the hooks)
    timeline: Timeline
    thread: int = field(default_factory=threading.get_ident)
    task: Any = None  # the operator object running now
    task_id: str | None = None
    try_number: int = 0
    point_counts: Counter = field(default_factory=Counter)
    registered: set[str] = field(default_factory=set)
    rendering: bool = False
    idle_waits_skipped: int = 0
    worker: WorkerService | None = None  # the worker service a redeploy scenario runs on

    def advance(self, seconds: float, why: str) -> None:
        if seconds > 0:
            self.fake.advance(seconds)
            self.timeline.add("clock", self.task_id, f"+{seconds:g} s virtual ({why})")


ACTIVE: ActiveRun | None = None
_internal = threading.local()


def _active() -> ActiveRun | None:
    run = ACTIVE
    if run is None or threading.get_ident() != run.thread or getattr(_internal, "on", False):
        return None
    return run


@contextmanager
def internal() -> Iterator[None]:
    """Calls the harness makes itself (setting up the world) pass the hooks untouched."""
    _internal.on = True
    try:
        yield
    finally:
        _internal.on = False


# -- botocore -----------------------------------------------------------------------------


def family_of(task_definition: str) -> str:
    """The family a RunTask's `taskDefinition` names (family, family:revision or an ARN)."""
    name = task_definition.rsplit("/", 1)[-1]
    return name.split(":", 1)[0]


def container_names(params: dict[str, Any]) -> list[str]:
    """The containers a RunTask overrides, by name; `main` when it overrides none."""
    overrides = (params.get("overrides") or {}).get("containerOverrides") or []
    return [o["name"] for o in overrides if o.get("name")] or ["main"]


def _ensure_task_definition(run: ActiveRun, params: dict[str, Any]) -> None:
    """Register the family the first time a RunTask names it, and script its containers."""
    family = family_of(str(params.get("taskDefinition", "")))
    names = container_names(params)
    if family not in run.registered:
        with internal():
            run.admin.register_task_definition(
                **fargate_task_definition(
                    family,
                    [
                        *(
                            {
                                "name": name,
                                "image": f"harness/{family}:latest",
                                "essential": True,
                                "logConfiguration": awslogs(f"/aws/ecs/{family}"),
                            }
                            for name in names
                        ),
                        {"name": SIDECAR, "image": "harness/log-router:latest", "essential": False},
                    ],
                    cpu="512",
                    memory="1024",
                    executionRoleArn="arn:aws:iam::123456789012:role/ecs-task-execution",
                )
            )
        run.registered.add(family)
    target = run.task_id in run.shape.members(run.scenario.target)
    main = {"runSeconds": DEFAULT_RUN_SECONDS, "exitCode": 0}
    sidecar = {"runSeconds": INFINITE_SECONDS, "exitCode": 0}
    if target:
        main.update(run.scenario.behaviour)
        sidecar.update(run.scenario.sidecar)
    main["logLines"] = [f"{run.task_id} try {run.try_number}: working", "done"]
    with internal():
        for name in names:
            run.fake.behaviour(family, container=name, **main)
        run.fake.behaviour(family, container=SIDECAR, **sidecar)


def _maybe_die(run: ActiveRun, point: str) -> None:
    for index, death in enumerate(run.scenario.deaths):
        if death.point != point or run.task_id not in run.shape.members(death.role):
            continue
        if run.try_number != death.attempt:
            continue
        key = (index, run.task_id, run.try_number)
        run.point_counts[key] += 1
        if run.point_counts[key] != death.nth:
            continue
        run.timeline.add(
            "death",
            run.task_id,
            f"worker {'redeployed' if death.graceful else 'killed'} at {point}",
        )
        if death.graceful and run.task is not None:
            run.task.on_kill()  # SIGTERM: Airflow calls on_kill, then the worker goes away
        run.advance(death.downtime, "workers down")
        raise WorkerDied(f"harness: worker killed at {point} (try {run.try_number})")


def _maybe_redeploy(run: ActiveRun, point: str) -> None:
    """The scenario's worker redeploy: protect and redeploy at its point; at `expire_at`, the
    protection runs out, and the deployment stopping the worker is a graceful worker death."""
    plan, worker = run.scenario.redeploy, run.worker
    if plan is None or worker is None or run.try_number != 1:
        return
    if run.task_id not in run.shape.members(plan.role):
        return
    if point == plan.point and worker.protected_for is None:
        with internal():
            worker.protect_and_redeploy(run.task_id)
    elif point == plan.expire_at and worker.protected_for == run.task_id:
        with internal():
            stopped = worker.expire_protection()
        if stopped:
            run.timeline.add("death", run.task_id, f"worker stopped by its redeploy at {point}")
            if run.task is not None:
                run.task.on_kill()  # ECS sends SIGTERM: Airflow calls on_kill
            raise WorkerDied(f"harness: worker stopped by the redeploy at {point}")


def _hooked_call(original: Any) -> Any:
    def _make_api_call(client: Any, operation: str, params: dict[str, Any]) -> Any:
        run = _active()
        service = client.meta.service_model.service_name
        if run is None or run.task_id is None or service != "ecs":
            return original(client, operation, params)
        if operation == "RunTask":
            _ensure_task_definition(run, params)
        _maybe_redeploy(run, f"before:{operation}")
        _maybe_die(run, f"before:{operation}")
        try:
            answer = original(client, operation, params)
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
            run.timeline.add("ecs-call", run.task_id, f"{operation} -> {code}", error=True)
            raise
        if operation in ("RunTask", "StopTask"):
            arns = [t["taskArn"].rsplit("/", 1)[-1][:8] for t in answer.get("tasks", [])]
            run.timeline.add("ecs-call", run.task_id, f"{operation} -> {', '.join(arns) or 'none'}")
        _maybe_redeploy(run, f"after:{operation}")
        _maybe_die(run, f"after:{operation}")
        return answer

    return _make_api_call


#: The botocore data loaders of this process, by search path (see _shared_loader).
_LOADERS: dict[Any, Any] = {}


def _shared_loader(original: Any) -> Any:
    """One botocore data loader per process while the patch is in place.

    Airflow's AWS hook builds a new boto3 session for every client, and each new session
    decodes botocore's JSON models again (about 0.25 s of CPU per client, the bulk of a
    sensor poke). A loader only reads files that never change, so sharing it changes nothing
    but the time a scenario takes. The loaders outlive the patch: each cell installs it
    again, and a loader made per cell decoded endpoints.json and the models anew in every
    cell.
    """

    def create_loader(search_path_string: Any = None) -> Any:
        if search_path_string not in _LOADERS:
            _LOADERS[search_path_string] = original(search_path_string)
        return _LOADERS[search_path_string]

    return create_loader


def _zero_backoff(original: Any) -> Any:
    def delay_amount(self: Any, context: Any) -> float:
        return 0.0 if _active() is not None else original(self, context)

    return delay_amount


#: FastAPI dependency trees by get_dependant's arguments (see _reusing_dependants).
_DEPENDANTS: dict[tuple[Any, ...], Any] = {}


def _reusing_dependants(original: Any) -> Any:
    """fastapi's get_dependant, answering the calls solve_dependencies makes per request from a
    cache.

    Airflow's in-process execution API (what dag.test() runs tasks against) overrides its
    auth dependencies, and with any override set FastAPI rebuilds the dependency tree of every
    sub-dependency on every request, reading each function's signature anew: about a seventh
    of a cell's CPU. The tree depends only on the arguments, and without overrides FastAPI
    itself reuses one tree for every request. Route set-up calls are left alone (a route
    changes its tree after building it), and so are callables made inside a function: they
    may be new for each task (Airflow overrides the API's DAG bag with a fresh lambda per
    task), so a tree kept for one would call a stale one, and the cache would grow per task.
    """
    solving = fastapi_dependencies.solve_dependencies.__code__

    @functools.wraps(original)
    def get_dependant(**kwargs: Any) -> Any:
        made_inside = "<locals>" in getattr(kwargs.get("call"), "__qualname__", "<locals>")
        if made_inside or sys._getframe(1).f_code is not solving:
            return original(**kwargs)
        key = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(kwargs.items()))
        try:
            found = _DEPENDANTS.get(key)
        except TypeError:  # an argument that cannot be a key (an unhashable callable)
            return original(**kwargs)
        if found is None:
            found = _DEPENDANTS[key] = original(**kwargs)
        return found

    return get_dependant


def _no_older_routes(original: Any) -> Any:
    """Cadwyn's route generation, not asking for the routes only older versions restore."""

    def transform(transformer: Any) -> Any:
        transformer.routes_that_never_existed = []
        return original(transformer)

    return transform


def _latest_version_only(original: Any) -> Any:
    """Cadwyn's first-request set-up, generating the routes of the task SDK's API version only.

    Airflow's execution API serves every version since 2025 (workers of older releases
    call it); Cadwyn builds the routes and models of each one on the app's first request, 3 to
    4 s of every harness process's first cell. In dag.test() the only caller is the task SDK
    installed beside it, which always sends API_VERSION, the newest version; requests of that
    version are never migrated, so its routes alone answer them as all of them would. Routes the
    newest version deleted but older ones restore are dropped, as Cadwyn drops them from the
    newest version's routes. When the SDK and the API disagree on the newest version (or the
    head has changes of its own), the full set-up runs.
    """

    def initialize(app: Any) -> None:
        bundle = app.versions
        newest = bundle.versions[0] if bundle.versions else None
        if newest is None or newest.value != API_VERSION or bundle.head_version.changes:
            return original(app)
        app.versions = VersionBundle(Version(newest.value), api_version_var=bundle.api_version_var)
        try:
            with patched(route_generation._EndpointTransformer, "transform", _no_older_routes):
                return original(app)
        finally:
            app.versions = bundle

    return initialize


def _skip_idle_waits(original: Any) -> Any:
    """time.sleep that returns at once when dag.test() itself calls it on the run's thread."""
    loop = DAG.test.__code__

    def sleep(seconds: float) -> None:
        run = _active()
        if (
            run is not None
            and sys._getframe(1).f_code is loop
            and run.idle_waits_skipped < MAX_SKIPPED_IDLE_WAITS
        ):
            run.idle_waits_skipped += 1
            return
        original(seconds)

    return sleep


# -- operators --------------------------------------------------------------------------------


def _wrap_execute(original: Any) -> Any:
    def execute(self: Any, context: Any) -> Any:
        run = _active()
        if run is None or self.dag_id != run.shape.dag_id:
            return original(self, context)
        run.task, run.task_id, run.try_number = self, self.task_id, int(context["ti"].try_number)
        answer = original(self, context)
        if run.worker is not None:
            with internal():
                run.worker.task_finished(self.task_id)
        return answer

    return execute


def retry_pending(task_id: str) -> None:
    """A try of `task_id` failed and Airflow will retry it: its declared retry delay passes
    now, between the tries, as it would on the scheduler."""
    run = _active()
    if run is not None:
        run.advance(run.shape.retry_delay.get(task_id, 0.0), f"retry delay of {task_id}")


def _wrap_poke(original: Any) -> Any:
    def poke(self: Any, context: Any) -> Any:
        run = _active()
        if run is None or self.dag_id != run.shape.dag_id:
            return original(self, context)
        run.timeline.add("poke", self.task_id, "check")
        result = original(self, context)
        done = result.is_done if hasattr(result, "is_done") else bool(result)
        if not done:
            run.advance(run.shape.poke.get(self.task_id, 0.0), "poke interval")
        return result

    return poke


def _wrap_render(original: Any) -> Any:
    def render_templates(self: Any, *args: Any, **kwargs: Any) -> Any:
        run = _active()
        if run is None:
            return original(self, *args, **kwargs)
        run.rendering = True
        try:
            return original(self, *args, **kwargs)
        finally:
            run.rendering = False

    return render_templates


def _wrap_xcom_pull(original: Any) -> Any:
    def xcom_pull(self: Any, *args: Any, **kwargs: Any) -> Any:
        value = original(self, *args, **kwargs)
        run = _active()
        if run is not None and run.rendering and value is None:
            task_ids = kwargs.get("task_ids", args[0] if args else None)
            key = kwargs.get("key", args[2] if len(args) > 2 else "return_value")
            message = (
                f"a template of {self.task_id} pulls xcom_pull(task_ids={task_ids!r}, "
                f"key={key!r}) and finds nothing: it would render as 'None'"
            )
            run.timeline.add("finding", self.task_id, message)
            raise TemplateFinding(message)
        return value

    return xcom_pull


# -- installing -------------------------------------------------------------------------------


@contextmanager
def patched(owner: Any, name: str, make: Any) -> Iterator[None]:
    """`owner.name` replaced by `make(original)` inside the block, put back after."""
    had = name in owner.__dict__
    saved = owner.__dict__.get(name)
    original = getattr(owner, name)
    setattr(owner, name, make(original))
    try:
        yield
    finally:
        if had:
            setattr(owner, name, saved)
        else:
            delattr(owner, name)


@contextmanager
def _patched_module(module: Any, name: str, make: Any) -> Iterator[None]:
    original = getattr(module, name)
    setattr(module, name, make(original))
    try:
        yield
    finally:
        setattr(module, name, original)


@contextmanager
def sharing_botocore_loader() -> Iterator[None]:
    """Inside the block every new botocore session reuses one loader (see _shared_loader)."""
    import botocore.session

    with _patched_module(botocore.session, "create_loader", _shared_loader):
        yield


_fast_api_lock = threading.Lock()
_fast_api_users = 0


@contextmanager
def fast_execution_api() -> Iterator[None]:
    """Inside the block Airflow's in-process execution API is built for the task SDK's version
    only and reuses its dependency trees (`_latest_version_only`, `_reusing_dependants`).
    Blocks nest (a test session's and a run's): the patches go in once, out with the last."""
    global _fast_api_users
    with ExitStack() as stack:
        with _fast_api_lock:
            _fast_api_users += 1
            if _fast_api_users == 1:
                stack.enter_context(
                    _patched_module(fastapi_dependencies, "get_dependant", _reusing_dependants)
                )
                stack.enter_context(patched(Cadwyn, "_cadwyn_initialize", _latest_version_only))
        try:
            yield
        finally:
            with _fast_api_lock:
                _fast_api_users -= 1


@contextmanager
def instrumented(run: ActiveRun) -> Iterator[ActiveRun]:
    """Install every hook for one run of `run.dag`, and take them all out afterwards."""
    global ACTIVE
    import botocore.client
    import botocore.retries.standard
    import botocore.session
    from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

    dag = run.dag
    saved = {
        t.task_id: (getattr(t, "poke_interval", None), t.retry_delay, t.retry_exponential_backoff)
        for t in dag.tasks
    }
    with ExitStack() as stack:
        stack.enter_context(patched(botocore.client.BaseClient, "_make_api_call", _hooked_call))
        stack.enter_context(
            patched(botocore.retries.standard.ExponentialBackoff, "delay_amount", _zero_backoff)
        )
        stack.enter_context(sharing_botocore_loader())
        stack.enter_context(_patched_module(time, "sleep", _skip_idle_waits))
        stack.enter_context(fast_execution_api())
        stack.enter_context(patched(RuntimeTaskInstance, "render_templates", _wrap_render))
        stack.enter_context(patched(RuntimeTaskInstance, "xcom_pull", _wrap_xcom_pull))
        for cls in {type(t) for t in dag.tasks}:
            stack.enter_context(patched(cls, "execute", _wrap_execute))
            if hasattr(cls, "poke"):
                stack.enter_context(patched(cls, "poke", _wrap_poke))
        for task in dag.tasks:
            if hasattr(task, "poke"):
                task.poke_interval = 0.0
            task.retry_delay = timedelta(0)
            task.retry_exponential_backoff = 0
        ACTIVE = run
        try:
            yield run
        finally:
            ACTIVE = None
            for task in dag.tasks:
                poke, delay, backoff = saved[task.task_id]
                if poke is not None:
                    task.poke_interval = poke
                task.retry_delay = delay
                task.retry_exponential_backoff = backoff
