"""Child processes with their output in a log file, each in its own process group.

A whole process group is one "container": SIGKILL to the group is what ECS does
when a container is killed, so forked task runners die with their worker.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import psutil


@dataclass
class ManagedProcess:
    """One started command and the log file that holds everything it printed."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> ManagedProcess:
        """Start (or restart) the command, appending to its log file."""
        log = self.log_path.open("ab")
        log.write(f"\n===== start: {' '.join(self.argv)}\n".encode())
        log.flush()
        self.popen = subprocess.Popen(
            self.argv,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None, f"{self.name} was never started"
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, signum: int) -> None:
        """Send `signum` to the main process only (what `docker stop` does to PID 1)."""
        if self.alive():
            os.kill(self.pid, signum)

    def kill_group(self) -> None:
        """SIGKILL the process and every descendant: the container is gone, children too.

        Airflow's task runners start their own sessions, so a process-group kill
        alone would leave them running, which a real container stop never does.
        """
        if self.popen is None:
            return
        kill_tree(self.pid)
        self.popen.wait(timeout=30)

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM, wait up to `grace` seconds, then SIGKILL the group."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=grace)  # type: ignore[union-attr]
        self.kill_group()

    def wait_exit(self, timeout: float) -> int:
        """The exit code once the main process has ended."""
        assert self.popen is not None
        return self.popen.wait(timeout=timeout)

    def log_text(self, tail: int = 20000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log file)"
        return text[-tail:]


def kill_tree(pid: int) -> None:
    """SIGKILL `pid`, its process group and all its descendants."""
    try:
        victims = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        victims = []
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    for proc in victims:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
