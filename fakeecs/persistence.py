"""Keeping a fake's whole state in one JSON file, so it survives its own crash.

`StateStore(engine, path)` loads the file when it exists and writes it again after
every ECS or control request that changed anything (and after clock moves), before
the answer leaves: a RunTask that was answered is on disk. Writes are atomic (a
temporary file in the same folder, fsync, rename, fsync of the folder) and the file
is private (mode 0600). A file that is not a fakeecs state file, or is damaged, is
refused with an error naming it, and is never overwritten.

What is kept: clusters, task definitions, tasks, services, container instances,
capacity providers, task sets, account settings, clientTokens, the event
queue (what happens next and when), behaviours, fault rules (with how often they
fired), the clock's time and the random generators' states; the calls log is
appended to `PATH.calls.jsonl` beside it. Not kept: the state of the other AWS
services (moto).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

from fakeecs.engine import Engine
from fakeecs.engine.state import RegionState
from fakeecs.model import (
    Behaviour,
    ClientTokenRecord,
    Cluster,
    Container,
    Deployment,
    Service,
    ServiceEvent,
    Task,
    TaskDefinition,
)

log = logging.getLogger("fakeecs")

FORMAT = "fakeecs-state"
VERSION = 1


class StateFileError(Exception):
    """The state file cannot be used; the message names it and says why."""


# engine <-> plain data -------------------------------------------------------------


def _rng_state(rng: Any) -> list[Any]:
    version, internal, gauss = rng.getstate()
    return [version, list(internal), gauss]


def _set_rng(rng: Any, saved: list[Any]) -> None:
    rng.setstate((saved[0], tuple(saved[1]), saved[2]))


def _fields(obj: Any) -> dict[str, Any]:
    """A dataclass's fields as a dict, not copied (dataclasses.asdict deep-copies: far slower)."""
    return dict(obj.__dict__)


def _task_data(task: Task) -> dict[str, Any]:
    out = _fields(task)
    out["containers"] = [{**_fields(c), "behaviour": _fields(c.behaviour)} for c in task.containers]
    return out


def _record_data(record: ClientTokenRecord) -> dict[str, Any]:
    out = _fields(record)
    if "forgotten" in out:
        out["forgotten"] = {arn: _task_data(t) for arn, t in out["forgotten"].items()}
    return out


def _service_data(service: Service) -> dict[str, Any]:
    out = _fields(service)
    out["deployments"] = [_fields(d) for d in service.deployments]
    out["events"] = [_fields(e) for e in service.events]
    return out


def _region(state: RegionState) -> dict[str, Any]:
    return {
        "clusters": [_fields(c) for c in state.clusters.values()],
        "task_definitions": {
            family: [_fields(td) for td in revisions]
            for family, revisions in state.task_definitions.items()
        },
        "tasks": [_task_data(t) for t in state.tasks.values()],
        "client_tokens": [
            [cluster_arn, token, _record_data(record)]
            for (cluster_arn, token), record in state.client_tokens.items()
        ],
        "services": [_service_data(s) for s in state.services.values()],
        **{
            table: [[key, _fields(row)] for key, row in getattr(state, table).items()]
            for table in RegionState.TABLES
        },
        "account_settings": state.account_settings,
    }


def snapshot(engine: Engine) -> dict[str, Any]:
    """Everything the engine must remember, as JSON-ready data.

    Call it under engine.lock and serialize the result at once: it shares lists and dicts
    with the live state rather than copying them.
    """
    return {
        "format": FORMAT,
        "version": VERSION,
        "seed": engine.seed,
        "clock": {"kind": engine.clock.kind, "now": engine.clock.now()},
        "now_seen": engine.now_seen,
        "rng": _rng_state(engine.rng),
        "fault_rng": _rng_state(engine.fault_rng),
        "describe_delay": engine.describe_delay,
        "queue": engine.queue.dump(),
        "behaviours": engine.behaviours.dump(),
        "faults": engine.faults.dump(),
        "regions": {name: _region(state) for name, state in engine.regions.items()},
    }


def _task(row: dict[str, Any]) -> Task:
    containers = [
        Container(**{**c, "behaviour": Behaviour(**c["behaviour"])}) for c in row["containers"]
    ]
    return Task(**{**row, "containers": containers})


def _token_record(row: dict[str, Any]) -> ClientTokenRecord:
    """A clientToken record; tasks it kept past their retention (if the model has them) are Tasks."""
    values = dict(row)
    if "forgotten" in values and "forgotten" in {f.name for f in fields(ClientTokenRecord)}:
        values["forgotten"] = {arn: _task(t) for arn, t in values["forgotten"].items()}
    return ClientTokenRecord(**values)


def _service(row: dict[str, Any]) -> Service:
    return Service(
        **{
            **row,
            "deployments": [Deployment(**d) for d in row["deployments"]],
            "events": [ServiceEvent(**e) for e in row["events"]],
        }
    )


def _load_region(name: str, data: dict[str, Any]) -> RegionState:
    state = RegionState(name)
    for row in data["clusters"]:
        cluster = Cluster(**row)
        state.clusters[cluster.name] = cluster
    state.task_definitions = defaultdict(list)
    for family, revisions in data["task_definitions"].items():
        state.task_definitions[family] = [TaskDefinition(**td) for td in revisions]
    for row in data["tasks"]:
        task = _task(row)
        state.tasks[task.arn] = task
    for cluster_arn, token, row in data["client_tokens"]:
        state.client_tokens[(cluster_arn, token)] = _token_record(row)
    for row in data["services"]:
        service = _service(row)
        cluster_arn = service.cluster_arn
        state.services[(cluster_arn, service.name)] = service
    for table, row_type in RegionState.TABLES.items():
        setattr(state, table, {key: row_type(**row) for key, row in data.get(table, [])})
    state.account_settings = dict(data.get("account_settings", {}))
    return state


def restore(engine: Engine, data: dict[str, Any]) -> None:
    """Put a snapshot back into a freshly built engine (raises KeyError/TypeError if malformed)."""
    with engine.lock:
        engine.seed = int(data["seed"])
        engine.reset()
        set_clock = getattr(engine.clock, "set", None)
        if set_clock is not None:
            set_clock(float(data["clock"]["now"]))
        _set_rng(engine.rng, data["rng"])
        _set_rng(engine.fault_rng, data["fault_rng"])
        engine.describe_delay = float(data["describe_delay"])
        engine.queue.load(data["queue"])
        engine.behaviours.load(data["behaviours"])
        engine.faults.load(data["faults"])
        engine.regions = {
            name: _load_region(name, region) for name, region in data["regions"].items()
        }
        engine.now_seen = float(data["now_seen"])


# the file ------------------------------------------------------------------------


def read_state(path: Path) -> dict[str, Any] | None:
    """The saved state, None when there is no file yet, or StateFileError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateFileError(f"cannot read the state file {path}: {exc.strerror}") from None
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateFileError(
            f"{path} is not a fakeecs state file (not valid JSON: {exc}); "
            "fakeecs will not overwrite it: move it away or pass another --state path"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StateFileError(
            f'{path} is not a fakeecs state file (no "format": "{FORMAT}"); '
            "fakeecs will not overwrite it: move it away or pass another --state path"
        )
    if data.get("version") != VERSION:
        raise StateFileError(
            f"{path} is a fakeecs state file of version {data.get('version')!r}; "
            f"this fakeecs reads version {VERSION} only and will not overwrite it"
        )
    return data


def write_state(path: Path, text: str) -> None:
    """Replace `path` with `text` atomically: temp file, fsync, rename, fsync the folder."""
    folder = path.parent
    tmp = folder / f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class CallsLog:
    """The calls log beside the state file (`PATH.calls.jsonl`), one JSON object a line.

    It is appended to (never rewritten, except after a reset), so keeping it costs only the
    new calls, however long the log grows. On start the last entries (as many as the
    engine keeps) come back into `GET /_fakeecs/calls`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._calls: Any = None  # the engine's deque last written from (a reset replaces it)
        self._last: Any = None  # the last entry written

    def load(self, engine: Engine) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StateFileError(f"cannot read the calls log {self.path}: {exc.strerror}") from None
        if raw and not raw.endswith(b"\n"):
            # a line cut short by a crash belongs to a call that was never answered
            raw = raw[: raw.rfind(b"\n") + 1]
            with open(self.path, "r+b") as out:
                out.truncate(len(raw))
        entries = []
        for number, line in enumerate(raw.splitlines(), start=1):
            try:
                entries.append(json.loads(line))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise StateFileError(
                    f"{self.path} line {number} is not a calls log entry; "
                    "fakeecs will not overwrite it"
                ) from None
        engine.calls.extend(entries)
        self._calls = engine.calls
        self._last = engine.calls[-1] if engine.calls else None

    def _new_entries(self, engine: Engine) -> tuple[list[dict[str, Any]], bool]:
        """(entries not yet written, whether the file must be started afresh)."""
        calls = engine.calls
        if calls is not self._calls:
            return list(calls), True
        new = []
        for entry in reversed(calls):
            if entry is self._last:
                break
            new.append(entry)
        new.reverse()
        return new, False

    def append(self, engine: Engine) -> None:
        """Write the calls made since the last append (call under engine.lock)."""
        new, afresh = self._new_entries(engine)
        if not new and not afresh:
            return
        text = "".join(json.dumps(e, sort_keys=True, default=str) + "\n" for e in new)
        if afresh:
            write_state(self.path, text)
        else:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
        self._calls = engine.calls
        self._last = engine.calls[-1] if engine.calls else None


class StateStore:
    """Loads and saves one engine's state at `path` (and its calls log beside it)."""

    def __init__(self, engine: Engine, path: Path | str) -> None:
        self.engine = engine
        self.path = Path(path)
        self.calls = CallsLog(self.path.with_name(self.path.name + ".calls.jsonl"))
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._lock_fd: int | None = None
        self._last_body: str | None = None
        self._last_now: float | None = None

    def _take_lock(self) -> None:
        """One fakeecs per state file: a second one would overwrite the first one's state."""
        if self._lock_fd is not None:
            return
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StateFileError(
                f"cannot create the lock file {self.lock_path}: {exc.strerror}"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise StateFileError(
                f"{self.path} is in use by another running fakeecs (it holds {self.lock_path})"
            ) from None
        self._lock_fd = fd

    def close(self) -> None:
        """Let another fakeecs use the state file (the lock also goes when the process dies)."""
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def load(self) -> bool:
        """Take the file's lock and restore the saved state if the file exists.

        True when something was loaded.
        """
        self._take_lock()
        try:
            return self._load()
        except BaseException:
            self.close()
            raise

    def _load(self) -> bool:
        data = read_state(self.path)
        if data is None:
            return False
        try:
            restore(self.engine, data)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise StateFileError(
                f"{self.path} is a damaged fakeecs state file ({type(exc).__name__}: {exc}); "
                "fakeecs will not overwrite it"
            ) from None
        with self.engine.lock:
            self.calls.load(self.engine)
            self._last_body, self._last_now = self._body(snapshot(self.engine))
        return True

    @staticmethod
    def _body(data: dict[str, Any]) -> tuple[str, float]:
        """The state without the clock's time (which a scaled clock moves on every read)."""
        now = data.pop("clock")["now"]
        return json.dumps(data, sort_keys=True), now

    @staticmethod
    def _with_clock(body: str, clock: dict[str, Any]) -> str:
        """The whole file: the body with the clock put back (one serialization, not two)."""
        return f'{body[:-1]}, "clock": {json.dumps(clock, sort_keys=True)}}}'

    def save(self) -> bool:
        """Append new calls, and write the state if it changed; True when the state was written.

        Everything happens under the engine's lock, so the files follow the order of the calls.
        """
        with self.engine.transaction():
            self.calls.append(self.engine)
            data = snapshot(self.engine)
            clock = dict(data["clock"])
            body, now = self._body(data)
            manual_moved = self.engine.clock.kind == "manual" and now != self._last_now
            if body == self._last_body and not manual_moved:
                return False
            write_state(self.path, self._with_clock(body, clock))
            self._last_body, self._last_now = body, now
            return True


def _relevant(environ: dict[str, Any]) -> bool:
    """ECS, control and CloudFormation requests (stacks make ECS resources) can change state;
    the rest of moto's requests are not persisted."""
    return (
        environ.get("PATH_INFO", "").startswith("/_fakeecs/")
        or environ.get("HTTP_X_AMZ_TARGET", "").startswith("AmazonEC2ContainerService")
        or "/cloudformation/aws4_request" in environ.get("HTTP_AUTHORIZATION", "")
    )


class PersistingApp:
    """WSGI middleware: save the state after a request, before its answer is sent."""

    def __init__(self, app: Callable[..., Iterable[bytes]], store: StateStore) -> None:
        self.app = app
        self.store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not _relevant(environ):
            return self.app(environ, start_response)
        try:
            return self.app(environ, start_response)
        finally:
            try:
                self.store.save()
            except OSError:
                log.exception("fakeecs could not write its state file %s", self.store.path)
                raise
