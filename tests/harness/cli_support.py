"""The installed `harness` command, run on this checkout's code.

The virtualenv's editable install points at one checkout; a git worktree sharing that
virtualenv would otherwise test the other checkout's harness. PYTHONPATH puts this
checkout first (as `bench.harness_scale.fresh_environment` does for its runs).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HARNESS = Path(sys.executable).with_name("harness")
ROOT = Path(__file__).resolve().parents[2]


def environment() -> dict[str, str]:
    """This environment with this checkout first on PYTHONPATH."""
    paths = [str(ROOT), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def harness_command(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HARNESS), *args],
        cwd=cwd,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
