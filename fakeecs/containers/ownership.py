"""Which containers are fakeecs's to remove: its own, and those of a fakeecs that crashed.

Every container fakeecs creates carries
`fakeecs.instance=<host>/<pid>/<process start>/<runtime number>`; the number tells apart
several fakeecs in one process (pytest fixtures), whose resets must not remove each
other's containers. An instance whose process is gone from this host (the pid is free,
or reused by a process that started at another time) left its containers behind; any
other container, fakeecs's or not, is never touched.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fakeecs.containers.spec import INSTANCE_LABEL


def _process_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


_runtimes = itertools.count(1)


def this_instance() -> str:
    """A name no other fakeecs runtime on this host has, now or before (see the module doc)."""
    pid = os.getpid()
    return f"{socket.gethostname()}/{pid}/{_process_start(pid)}/{next(_runtimes)}"


def is_alive(instance: str) -> bool:
    """Whether the fakeecs process named by `instance` still runs (other hosts: assume so)."""
    host, pid, started = [*instance.split("/"), "", ""][:3]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    return _process_start(int(pid)) == started


def remove(containers: Iterable[Any]) -> int:
    """Force-remove containers (with their anonymous volumes); those already gone are skipped."""
    import docker.errors

    removed = 0
    for container in containers:
        with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
            container.remove(force=True, v=True)
            removed += 1
    return removed


def owned_by(client: Any, instance: str) -> list[Any]:
    label = f"{INSTANCE_LABEL}={instance}"
    return client.containers.list(all=True, filters={"label": label}, ignore_removed=True)


def left_behind(client: Any) -> list[Any]:
    """Containers of fakeecs instances on this host that no longer run."""
    # Another fakeecs starting at the same time may remove some between docker-py's listing
    # and its inspecting each one: those are gone, which is what was wanted.
    found = client.containers.list(all=True, filters={"label": INSTANCE_LABEL}, ignore_removed=True)
    return [c for c in found if not is_alive(c.labels.get(INSTANCE_LABEL, ""))]
