"""The CLI runs on an operator's laptop: boto3, click and rich only; never Airflow, fakeecs or the harness."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_cli_loads_no_airflow_fakeecs_or_harness() -> None:
    code = (
        "import sys, mit_airflow.cli\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'airflow', 'fakeecs', 'harness'})\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == ""
