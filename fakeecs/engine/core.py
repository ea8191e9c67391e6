"""The engine: all fakeecs state, the clock that moves it, and nothing of HTTP.

One lock guards everything, so concurrent clients see a consistent ECS and two
RunTask calls with the same clientToken start one task. Before each call the
engine catches up with its clock: state moves because time moved, never because
someone read it.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections import deque
from collections.abc import Callable, Collection, Iterator
from typing import Any

from fakeecs.clock import Clock, ManualClock
from fakeecs.engine import (
    agent_reports,
    daemons,
    instances,
    lifecycle,
    service_scheduler,
    services,
    task_sets,
)
from fakeecs.engine.behaviours import BehaviourBook
from fakeecs.engine.events import EventQueue
from fakeecs.engine.faults import FaultBook
from fakeecs.engine.runtime import Runtime, SimulatedRuntime
from fakeecs.engine.state import RegionState
from fakeecs.errors import ECSError
from fakeecs.model import TD_DELETED, Container, Task

#: At most this many entries stay in the calls log (oldest dropped first).
CALLS_LOG_LIMIT = 20_000
#: How often ECS looks again at a DELETE_IN_PROGRESS task definition (virtual seconds).
DELETE_CHECK_SECONDS = 60.0

Listener = Callable[[str, Task, Container | None], None]


class Engine:
    def __init__(
        self,
        clock: Clock | None = None,
        seed: int = 0,
        runtime: Runtime | None = None,
        operations: Collection[str] | None = None,
        lenient_network: bool = False,
    ) -> None:
        self.clock: Clock = clock or ManualClock()
        #: The operations served above the engine (fault rules may name only these; None: any).
        self.operations = operations
        self.seed = seed
        #: Accept awsvpc subnets and security groups without looking them up in EC2 (a server
        #: option, `--lenient-network`; kept across resets).
        self.lenient_network = lenient_network
        #: What runs the containers (scripted behaviours unless told otherwise).
        self.runtime: Runtime = runtime or SimulatedRuntime()
        self.lock = threading.RLock()
        #: Called (under the lock) whenever an event is queued: a driver thread waits on it.
        self.wakers: list[Callable[[], None]] = []
        self.listeners: list[Listener] = []
        #: Services scheduler hook: called with (engine, now) after each catch-up.
        self.tickers: list[Callable[[Engine, float], None]] = []
        self.listeners.append(services.listener(self))
        self.listeners.append(daemons.listener(self))
        self.listeners.append(self._finish_cluster_deletion)
        self._fresh()

    def _fresh(self) -> None:
        self.rng = random.Random(self.seed)
        self.fault_rng = random.Random(f"faults:{self.seed}")
        self.queue = EventQueue(on_push=self._queued)
        self.regions: dict[str, RegionState] = {}
        self.behaviours = BehaviourBook()
        self.faults = FaultBook(self.operations)
        self.calls: deque[dict[str, Any]] = deque(maxlen=CALLS_LOG_LIMIT)
        #: Seconds a new task stays MISSING from DescribeTasks (0 = consistent at once).
        self.describe_delay = 0.0
        self.now_seen = self.clock.now()

    def _queued(self) -> None:
        for wake in self.wakers:
            wake()

    def reset(self) -> None:
        """Forget all state; a virtual clock goes back to its start."""
        with self.lock:
            self.runtime.reset()
            restart = getattr(self.clock, "restart", None)
            if restart is not None:
                restart()
            self._fresh()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[float]:
        """Hold the engine and catch it up with the clock; yields now.

        Every reader and writer of state outside the engine goes through this (the wire,
        the control API, CloudFormation, the task metadata endpoint, the state file), so
        what it sees is the state at one instant with everything due already done.
        """
        with self.lock:
            yield self.sync()

    def report(self, change: Callable[[float], None]) -> None:
        """Apply what happened outside the engine (a real container exited) at the clock's now.

        The engine first catches up, so the change lands after everything that was due.
        """
        with self.transaction() as now:
            change(now)

    # time -----------------------------------------------------------------

    def now(self) -> float:
        return self.now_seen

    def sync(self) -> float:
        """Catch up with the clock: run every event that is due, in order."""
        with self.lock:
            now = max(self.clock.now(), self.now_seen)
            while (event := self.queue.pop_due(now)) is not None:
                self.now_seen = max(self.now_seen, event.time)
                self._run(event)
            self.now_seen = now
            for tick in self.tickers:
                tick(self, now)
            return now

    def advance(self, seconds: float) -> float:
        """Move virtual time on by `seconds`, processing events at their own times."""
        with self.lock:
            if seconds < 0:
                raise ValueError(f"cannot move the clock backwards (seconds={seconds})")
            target = self.clock.now() + seconds
            # Step through intermediate tickers so services react at the right moments.
            while (next_time := self.queue.next_time()) is not None and next_time <= target:
                self.clock.advance(max(0.0, next_time - self.clock.now()))
                self.sync()
            self.clock.advance(max(0.0, target - self.clock.now()))
            return self.sync()

    def _run(self, event: Any) -> None:
        if event.kind == "forget":
            self._forget(event.key)
            return
        if event.kind == "token":
            self._expire_token(event.key, event.arg, event.time)
            return
        if event.kind == "service":
            service_scheduler.on_event(self, event)
            return
        if event.kind == agent_reports.KIND:
            agent_reports.on_event(self, event.key)
            return
        if event.kind == daemons.KIND:
            daemons.on_event(self, event)
            return
        if event.kind == instances.KIND:  # a deregistered container instance is forgotten
            instances.on_event(self, event)
            return
        if event.kind == "td-delete":
            self._finish_deletion(event.key, event.arg)
            return
        task = self.find_task(event.key)
        if task is None or event.plan != task.plan:
            return
        if event.kind == "step":
            lifecycle.step(self, task, event.arg, event.time)
        elif event.kind == "exit":
            lifecycle.container_exit(self, task, event.arg, event.time)
        elif event.kind == "fail":
            lifecycle.fail_to_start(self, task, event.arg, event.time)

    def find_task(self, arn: str) -> Task | None:
        region = arn.split(":")[3]
        state = self.regions.get(region)
        return state.tasks.get(arn) if state else None

    def _forget(self, arn: str) -> None:
        task = self.find_task(arn)
        if task is None:
            return
        del self.regions[task.region].tasks[arn]
        self.runtime.forget(task)

    def delete_later(self, region: str, td_arn: str) -> None:
        """Delete a DELETE_IN_PROGRESS revision once nothing running uses it (checked periodically)."""
        self.queue.push(self.now_seen + DELETE_CHECK_SECONDS, "td-delete", region, 0, td_arn)

    def _finish_deletion(self, region: str, td_arn: str) -> None:
        state = self.regions.get(region)
        try:
            td = state.task_definition(td_arn) if state is not None else None
        except ECSError:
            td = None  # deleted already
        if state is None or td is None or td.status != "DELETE_IN_PROGRESS":
            return
        in_use = any(
            t.task_definition_arn == td_arn and t.last_status != "STOPPED"
            for t in state.tasks.values()
        ) or any(
            d.task_definition_arn == td_arn
            for s in state.services.values()
            if s.status != "INACTIVE"
            for d in s.deployments
        )
        if in_use or task_sets.uses_task_definition(state, td_arn):
            self.delete_later(region, td_arn)  # now_seen is this event's time: look again later
        else:
            td.status = TD_DELETED

    def _finish_cluster_deletion(self, kind: str, task: Task, container: Container | None) -> None:
        """A cluster a stack deleted while its tasks stopped goes INACTIVE with its last task."""
        if kind != "task_state" or task.last_status != "STOPPED":
            return
        state = self.regions[task.region]
        cluster = state.clusters.get(task.cluster_name)
        if cluster is None or not cluster.delete_when_empty:
            return
        busy = any(t.last_status != "STOPPED" for t in state.cluster_tasks(cluster)) or any(
            c == cluster.arn and s.status == "ACTIVE" for (c, _), s in state.services.items()
        )
        if not busy:
            cluster.status = "INACTIVE"
            cluster.delete_when_empty = False

    def remember_token(self, region: str, cluster_arn: str, token: str, record: Any) -> None:
        """Keep what a RunTask with `token` produced until the record expires (24 h)."""
        self.region(region).client_tokens[(cluster_arn, token)] = record
        self.queue.push(record.expires_at, "token", region, 0, [cluster_arn, token])

    def _expire_token(self, region: str, key: list[str], at: float) -> None:
        tokens = self.region(region).client_tokens
        record = tokens.get((key[0], key[1]))
        if record is not None and record.expires_at <= at:
            del tokens[(key[0], key[1])]

    # state ------------------------------------------------------------------

    def region(self, name: str) -> RegionState:
        found = self.regions.get(name)
        if found is None:
            found = self.regions[name] = RegionState(name)
        return found

    def launch(self, task: Task) -> None:
        """Register a task created by RunTask (or a service) and schedule its lifecycle."""
        self.region(task.region).tasks[task.arn] = task
        if self.describe_delay > 0:
            task.visible_at = task.created_at + self.describe_delay
        lifecycle.begin(self, task)
        self.notify("task_state", task, None)

    def stop_task(self, task: Task, code: str, reason: str | None) -> None:
        lifecycle.stop(self, task, self.now_seen, code, reason)

    def notify(self, kind: str, task: Task, container: Container | None) -> None:
        for listener in self.listeners:
            listener(kind, task, container)

    # calls log --------------------------------------------------------------

    def record_call(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.calls.append(entry)

    def interruption_targets(self, region: str, cluster_ref: str | None, code: str) -> list[Task]:
        """The running tasks an interruption (SpotInterruption, TerminationNotice) would stop.

        Only tasks of the cluster the call names are hit; a call naming no cluster hits
        every cluster in the region. A SpotInterruption hits only FARGATE_SPOT tasks when
        there are any (tasks started without a capacity provider strategy are all hit).
        """
        state = self.region(region)
        name = cluster_ref.rsplit("/", 1)[-1] if cluster_ref else None
        hit = [
            t
            for t in list(state.tasks.values())
            if t.last_status == "RUNNING"
            and t.desired_status == "RUNNING"
            and (name is None or t.cluster_name == name)
        ]
        spot = [t for t in hit if t.capacity_provider_name == "FARGATE_SPOT"]
        return spot if code == "SpotInterruption" and spot else hit

    def interrupt(self, region: str, cluster_ref: str | None, code: str) -> list[Task]:
        """Stop the running tasks an interruption hits, as the platform would."""
        hit = self.interruption_targets(region, cluster_ref, code)
        for task in hit:
            lifecycle.stop(self, task, self.now_seen, code, None)
        return hit
