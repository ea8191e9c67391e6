"""Servers under measurement, each in its own process so its memory can be read from /proc.

`fakeecs serve` announces its URL on one line when it is ready; moto's server does not,
so it is ready when it answers an HTTP request. Both are waited for on that condition,
with a timeout, never with a fixed sleep.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

READY_TIMEOUT_SECONDS = 60.0
_BIN = Path(sys.executable).parent


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def rss_kib(pid: int) -> int:
    """Resident memory of a process now."""
    return _status_kib(pid, "VmRSS")


@dataclass
class ServerProcess:
    name: str
    proc: subprocess.Popen[str]
    url: str

    def rss_kib(self) -> int:
        return rss_kib(self.proc.pid)

    def peak_rss_kib(self) -> int:
        """The most resident memory the process ever had (the kernel's high-water mark)."""
        return _status_kib(self.proc.pid, "VmHWM")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_fakeecs(seed: int = 0, *extra: str) -> ServerProcess:
    """`fakeecs serve` on a free port (manual clock unless `extra` says otherwise)."""
    command = [str(_BIN / "fakeecs"), "serve", "--port", "0", "--seed", str(seed), *extra]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip() if proc.stdout else ""
    if not line.startswith("fakeecs listening on "):
        proc.kill()
        raise SystemExit(f"fakeecs did not start: {line!r}")
    return ServerProcess("fakeecs", proc, line.rsplit(" ", 1)[1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1.0).close()
    except urllib.error.HTTPError:
        return True  # an HTTP error is an answer: the server is up
    except OSError:
        return False
    return True


def start_moto() -> ServerProcess:
    """moto's standalone server (`moto_server`) on a free port, once it answers HTTP."""
    port = _free_port()
    proc = subprocess.Popen(
        [str(_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while not _answers(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(
                f"moto_server did not answer on {url} within {READY_TIMEOUT_SECONDS} s"
            )
        time.sleep(0.05)  # polling a condition (the server answering), bounded by the deadline
    return ServerProcess("moto", proc, url)
