"""The docker backend: every task's containers run for real in the local Docker engine.

The lifecycle still decides when a task moves; this runtime does the container
work off the engine's lock (a Docker call can take a second) and reports back
what really happened through `Engine.report`: images missing (CannotPullContainerError),
containers created and started, each one's real exit code, an OOM kill. Images are
never pulled: a task can only use images the engine already has.

Every container is labelled with this fakeecs instance and its task; this runtime
removes only those (on forget, reset and close) and, when it starts, those a crashed
fakeecs left behind.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fakeecs import awslogs
from fakeecs.containers import ownership
from fakeecs.containers.spec import ContainerSpec, container_spec
from fakeecs.engine import lifecycle
from fakeecs.ids import hex_id
from fakeecs.model import Container, Task

if TYPE_CHECKING:
    from fakeecs.engine.core import Engine

log = logging.getLogger("fakeecs.docker")

PULL_FAILED = (
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to "
    "resolve ref {image}: not found in the local Docker engine (the docker backend never "
    "pulls: build or load the image first)"
)


class DockerUnavailable(RuntimeError):
    """No Docker engine answers; the message says how to get one."""


@dataclass
class TaskContainers:
    """What this runtime made for one task: specs by container name, then Docker IDs."""

    generation: int
    specs: dict[str, ContainerSpec]
    logs: dict[str, awslogs.Destination | None]
    ids: dict[str, str] = field(default_factory=dict)


def connect(client: Any | None = None) -> Any:
    """A Docker client that answers, or DockerUnavailable naming what to do."""
    try:
        import docker
        import docker.errors
    except ImportError:  # docker is a dependency of this package; a broken install lacks it
        raise DockerUnavailable(
            "the docker backend needs the docker package: pip install docker"
        ) from None
    try:
        client = client or docker.from_env()
        client.ping()
    except docker.errors.DockerException as exc:
        raise DockerUnavailable(
            f"the docker backend needs a running Docker engine ({exc}); start dockerd or "
            "point DOCKER_HOST at one"
        ) from None
    return client


class DockerRuntime:
    name = "docker"

    def __init__(self, client: Any | None = None) -> None:
        self.client = connect(client)
        self.instance = ownership.this_instance()
        #: Where the containers reach this fakeecs (metadata endpoint, AWS calls); set by
        #: the server once it listens.
        self.endpoint_url = "http://127.0.0.1:5090"
        self._tasks: dict[str, TaskContainers] = {}
        #: metadata key -> (task ARN, container name)
        self._keys: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()
        self._generation = 0
        self._closed = False
        #: How many containers of crashed fakeecs instances were removed at start-up.
        self.cleaned_up = ownership.remove(ownership.left_behind(self.client))

    # lifecycle hooks (called under the engine's lock) ---------------------------------

    def pull(self, engine: Engine, task: Task, at: float) -> None:
        td = engine.region(task.region).task_definition(task.task_definition_arn)
        specs, logs = {}, {}
        for definition, container in zip(td.containers, task.containers, strict=True):
            key = f"{task.id}-{hex_id(engine.rng, 10)}"
            specs[container.name] = container_spec(
                task,
                definition,
                instance=self.instance,
                metadata_key=key,
                endpoint_url=self.endpoint_url,
            )
            logs[container.name] = awslogs.destination(engine, task, container)
        record = TaskContainers(self._generation, specs, logs)
        with self._lock:
            self._tasks[task.arn] = record
            for spec in specs.values():
                self._keys[spec.metadata_key] = (task.arn, spec.name)
        self._background(self._create, engine, task.arn, task.plan, record)

    def start(self, engine: Engine, task: Task, at: float) -> None:
        record = self._tasks.get(task.arn)
        if record is not None:
            self._background(self._start, engine, task.arn, record)

    def stop(self, engine: Engine, task: Task, at: float) -> None:
        record = self._tasks.get(task.arn)
        if record is None:
            return
        for name, docker_id in list(record.ids.items()):
            self._background(self._stop_one, docker_id, record.specs[name].stop_timeout)

    def forget(self, task: Task) -> None:
        with self._lock:
            record = self._tasks.pop(task.arn, None)
            if record is not None:
                for spec in record.specs.values():
                    self._keys.pop(spec.metadata_key, None)
        if record is not None:
            self._background(self._remove, list(record.ids.values()))

    def reset(self) -> None:
        with self._lock:
            self._generation += 1
            self._tasks.clear()
            self._keys.clear()
        ownership.remove(ownership.owned_by(self.client, self.instance))

    def close(self) -> None:
        self._closed = True
        self.reset()

    # the metadata endpoint --------------------------------------------------------------

    def container_at(self, key: str) -> tuple[str, str] | None:
        """(task ARN, container name) of the container whose metadata URL ends in `key`."""
        with self._lock:
            return self._keys.get(key)

    def inspect(self, task_arn: str, name: str) -> dict[str, Any]:
        """Docker's view of one container (empty before it was created)."""
        docker_id = self._docker_id(task_arn, name)
        if docker_id is None:
            return {}
        with contextlib.suppress(Exception):
            return self.client.api.inspect_container(docker_id)
        return {}

    def stats(self, task_arn: str, name: str) -> dict[str, Any]:
        """Docker's stats of one container, one sample (what the v4 /stats path serves)."""
        docker_id = self._docker_id(task_arn, name)
        if docker_id is None:
            return {}
        with contextlib.suppress(Exception):
            return self.client.api.stats(docker_id, stream=False, one_shot=True)
        return {}

    def _docker_id(self, task_arn: str, name: str) -> str | None:
        with self._lock:
            record = self._tasks.get(task_arn)
            return record.ids.get(name) if record is not None else None

    # work done off the engine's lock ------------------------------------------------------

    def _background(self, work: Callable[..., None], *args: Any) -> None:
        def run() -> None:
            try:
                work(*args)
            except Exception:  # a thread's error would vanish: say what went wrong
                log.exception("docker backend: %s failed", work.__name__)

        threading.Thread(target=run, daemon=True, name=f"fakeecs-docker-{work.__name__}").start()

    def _report(
        self, engine: Engine, task_arn: str, record: TaskContainers, change: Callable[..., None]
    ) -> None:
        """Apply `change(task, now)` if the task is still the one this record was made for."""

        def apply(now: float) -> None:
            task = engine.find_task(task_arn)
            if self._closed or record.generation != self._generation or task is None:
                return
            change(task, now)

        engine.report(apply)

    def _failed(
        self,
        engine: Engine,
        task_arn: str,
        record: TaskContainers,
        reason: str,
        culprits: set[str],
    ) -> None:
        """The task failed to start because of `culprits` (TaskFailedToStart with `reason`)."""
        self._report(
            engine,
            task_arn,
            record,
            lambda task, now: lifecycle.fail_to_start(engine, task, reason, now, culprits),
        )

    def _create(self, engine: Engine, task_arn: str, plan: int, record: TaskContainers) -> None:
        import docker.errors

        missing = {name for name, spec in record.specs.items() if not self._has(spec.image)}
        if missing:
            image = record.specs[sorted(missing)[0]].image
            self._failed(engine, task_arn, record, PULL_FAILED.format(image=image), missing)
            return
        for name, spec in record.specs.items():
            try:
                created = self.client.api.create_container(
                    **spec.config,
                    host_config=self.client.api.create_host_config(**spec.host_config),
                )
            except docker.errors.APIError as exc:
                reason = f"CannotCreateContainerError: {exc.explanation or exc}"
                self._failed(engine, task_arn, record, reason, {name})
                return
            with self._lock:
                record.ids[name] = created["Id"]

        def created_all(task: Task, now: float) -> None:
            if task.plan == plan:
                lifecycle.pulled(engine, task, now)

        self._report(engine, task_arn, record, created_all)

    def _start(self, engine: Engine, task_arn: str, record: TaskContainers) -> None:
        import docker.errors

        for name, docker_id in list(record.ids.items()):
            try:
                self.client.api.start(docker_id)
            except docker.errors.APIError as exc:
                reason = f"CannotStartContainerError: {exc.explanation or exc}"
                self._failed(engine, task_arn, record, reason, {name})
                return
            self._report(
                engine,
                task_arn,
                record,
                lambda task, now, n=name, d=docker_id: self._started(engine, task, n, d),
            )
            self._background(self._watch, engine, task_arn, record, name, docker_id)

    def _started(self, engine: Engine, task: Task, name: str, docker_id: str) -> None:
        container = _container(task, name)
        if container.last_status == "STOPPED" or task.desired_status == "STOPPED":
            # The task was stopped while this container was starting.
            self._background(self._stop_one, docker_id, 0)
            return
        container.last_status = "RUNNING"
        container.runtime_id = docker_id
        task.version += 1
        engine.notify("container_started", task, container)

    def _watch(
        self, engine: Engine, task_arn: str, record: TaskContainers, name: str, docker_id: str
    ) -> None:
        """Follow the container to its end (its output to awslogs), then report its exit."""
        import docker.errors

        with contextlib.suppress(docker.errors.NotFound):  # removed by a reset or shutdown
            self._follow(engine, task_arn, record, name, docker_id)

    def _follow(
        self, engine: Engine, task_arn: str, record: TaskContainers, name: str, docker_id: str
    ) -> None:
        destination = record.logs.get(name)
        sent = 0
        if destination is not None:
            for lines in _complete_lines(self.client.api.logs(docker_id, stream=True, follow=True)):
                awslogs.put(destination, [(int(engine.clock.now() * 1000), x) for x in lines])
                sent += len(lines)
        code = self.client.api.wait(docker_id)["StatusCode"]
        if destination is not None:
            # Docker hands over a last line without a newline only once the container is gone.
            rest = self.client.api.logs(docker_id).decode("utf-8", "replace").splitlines()[sent:]
            if rest:
                awslogs.put(destination, [(int(engine.clock.now() * 1000), x) for x in rest])
        oom = bool(self.client.api.inspect_container(docker_id)["State"].get("OOMKilled"))

        def exited(task: Task, now: float) -> None:
            container = _container(task, name)
            if oom:
                lifecycle.container_stopped(
                    engine, task, container, lifecycle.OOM_EXIT, lifecycle.OOM_REASON, now
                )
            else:
                lifecycle.container_stopped(engine, task, container, code, None, now)

        self._report(engine, task_arn, record, exited)

    def _stop_one(self, docker_id: str, timeout: int) -> None:
        """SIGTERM, then SIGKILL after `timeout` seconds (Docker's stop, as the ECS agent does)."""
        import docker.errors

        with contextlib.suppress(docker.errors.NotFound):
            self.client.api.stop(docker_id, timeout=timeout)

    def _remove(self, docker_ids: list[str]) -> None:
        ownership.remove(self.client.containers.get(i) for i in docker_ids if self._exists(i))

    def _exists(self, docker_id: str) -> bool:
        import docker.errors

        try:
            self.client.api.inspect_container(docker_id)
        except docker.errors.NotFound:
            return False
        return True

    def _has(self, image: str) -> bool:
        import docker.errors

        try:
            self.client.api.inspect_image(image)
        except docker.errors.ImageNotFound:
            return False
        return True


def _container(task: Task, name: str) -> Container:
    return next(c for c in task.containers if c.name == name)


def _complete_lines(chunks: Iterator[bytes]) -> Iterator[list[str]]:
    """The complete lines of a stream of output chunks, as they arrive."""
    pending = b""
    for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        if complete:
            yield [line.decode("utf-8", "replace") for line in complete]
