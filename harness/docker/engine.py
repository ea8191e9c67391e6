"""A Docker engine to test the image with: the running one, or one started here.

No public registry is reachable on this project's machines, and the engine runs
without iptables or a default bridge (`dockerd --storage-driver vfs
--iptables=false --bridge=none`): containers use the networks Compose creates,
and builds that need the network use the host's (`--network host`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from harness.e2e.waiting import wait_for

DOCKERD = ["dockerd", "--storage-driver", "vfs", "--iptables=false", "--bridge=none"]
HOW = "install Debian's engine (apt-get install docker.io) and start it as root: " + " ".join(
    DOCKERD
)


class EngineUnavailable(RuntimeError):
    """No Docker engine answers and none can be started here; the message says how."""


def docker(
    *args: str, timeout: float = 1800, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run the docker CLI; a failure carries what it printed."""
    done = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and done.returncode != 0:
        raise RuntimeError(
            f"docker {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return done


def answers() -> bool:
    if shutil.which("docker") is None:
        return False
    return docker("info", "--format", "{{.ServerVersion}}", timeout=30, check=False).returncode == 0


def ensure(log: Path) -> None:
    """A Docker engine answers `docker info`, started here (as root) when none did."""
    if answers():
        return
    if shutil.which("dockerd") is None or shutil.which("docker") is None:
        raise EngineUnavailable(f"no Docker engine: {HOW}")
    if os.geteuid() != 0:
        raise EngineUnavailable(f"no Docker engine answers and starting one needs root: {HOW}")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        subprocess.Popen(DOCKERD, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    wait_for(answers, timeout=60, what=f"dockerd to answer (its log: {log})")
