"""The worker container's stop policy: SIGTERM, a grace period, then SIGKILL.

ECS stops a container by sending SIGTERM and, after the task definition's
`stopTimeout`, SIGKILL. A Celery worker answers SIGTERM with a warm shutdown
(it finishes the tasks it is running), which can take longer than ECS waits.
Running the worker under this supervisor makes that policy explicit and the
same everywhere (ECS, docker-compose, the e2e tests): on SIGTERM the worker
gets `grace` seconds to finish, then its whole process group is killed, task
runners included, and Airflow's heartbeat timeout hands the task to a retry
that re-attaches to the ECS task instead of starting a second one.

Usage: python -m mit_airflow.worker_supervisor [--grace SECONDS] -- airflow celery worker ...
The grace defaults to $WORKER_STOP_GRACE_SECONDS, else 120 s (production). Keep
the task definition's stopTimeout above the grace so ECS never kills first.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence

import psutil

DEFAULT_GRACE_SECONDS = 120.0
GRACE_ENV = "WORKER_STOP_GRACE_SECONDS"


def default_grace() -> float:
    """The grace period from the environment, or the production default."""
    raw = os.environ.get(GRACE_ENV, "").strip()
    if not raw:
        return DEFAULT_GRACE_SECONDS
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(
            f"worker_supervisor: {GRACE_ENV}={raw!r} is not a number of seconds"
        ) from None
    if value < 0:
        raise SystemExit(f"worker_supervisor: {GRACE_ENV} must not be negative (got {raw})")
    return value


def supervise(argv: Sequence[str], grace: float) -> int:
    """Run `argv` in its own process group; on SIGTERM/SIGINT apply the stop policy.

    Returns the child's exit code (128 + signal number when a signal ended it).
    """
    child = subprocess.Popen(list(argv), start_new_session=True)
    stopping = threading.Event()

    def on_stop(signum: int, _frame: object) -> None:
        if stopping.is_set():
            return
        stopping.set()
        print(
            f"worker_supervisor: got signal {signum}; SIGTERM to worker, SIGKILL after {grace:g}s",
            flush=True,
        )
        _send(child.pid, signal.SIGTERM, group=False)
        threading.Thread(target=_kill_after_grace, args=(child, grace), daemon=True).start()

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    code = child.wait()
    # The worker is gone; anything it left in its group (task runners) goes with it.
    _send(child.pid, signal.SIGKILL, group=True)
    return code if code >= 0 else 128 - code


def _kill_after_grace(child: subprocess.Popen[bytes], grace: float) -> None:
    try:
        child.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        print(f"worker_supervisor: worker still running after {grace:g}s; SIGKILL", flush=True)
        _send(child.pid, signal.SIGKILL, group=True)


def _send(pid: int, signum: int, *, group: bool) -> None:
    """Signal the worker, or (group=True) the worker and every process it started.

    Airflow's task runners start sessions of their own, so the group alone is not enough.
    """
    victims = []
    if group:
        with contextlib.suppress(psutil.NoSuchProcess):
            victims = psutil.Process(pid).children(recursive=True)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signum) if group else os.kill(pid, signum)
    for proc in victims:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.send_signal(signum)


def main(args: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mit_airflow.worker_supervisor",
        description="Run a worker command; on SIGTERM give it a grace period, then SIGKILL it.",
    )
    parser.add_argument(
        "--grace", type=float, default=None, help=f"seconds (default ${GRACE_ENV} or 120)"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- the worker command")
    ns = parser.parse_args(args)
    command = ns.command[1:] if ns.command[:1] == ["--"] else ns.command
    if not command:
        parser.error("give the worker command after --, e.g. -- airflow celery worker")
    grace = default_grace() if ns.grace is None else ns.grace
    if grace < 0:
        parser.error("--grace must not be negative")
    try:
        return supervise(command, grace)
    except FileNotFoundError:
        print(f"worker_supervisor: command not found: {command[0]}", file=sys.stderr)
        return 127


if __name__ == "__main__":
    sys.exit(main())
