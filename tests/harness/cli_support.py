"""The installed `harness` command, run on this checkout's code.

The virtualenv's editable install points at one checkout; a git worktree sharing that
virtualenv would otherwise test the other checkout's harness. The command runs in the
environment the bench gives its runs (`bench.harness_scale.fresh_environment`): this
checkout first on PYTHONPATH, and none of this test session's pytest or Airflow settings.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.harness_scale import fresh_environment

HARNESS = Path(sys.executable).with_name("harness")


def harness_command(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HARNESS), *args],
        cwd=cwd,
        env=fresh_environment(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
