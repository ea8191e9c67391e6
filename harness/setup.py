"""Process set-up for the harness: an Airflow home of its own, configured before airflow loads.

The CLI and the pytest plugin both call `prepare()` once per process; Airflow's
start-up (imports, DB migration, the first dag.test()) is then paid once.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from harness import airflow_env

#: No real AWS account is ever used: a stray call must fail, not use someone's credentials.
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}

_prepared: Path | None = None


def prepare(dags_folder: Path | None = None, home: Path | None = None) -> Path:
    """Configure Airflow for this process (idempotent) and return the DAGs folder in use."""
    global _prepared
    folder = Path(dags_folder or airflow_env.WORKFLOWS_DIR).resolve()
    if _prepared is not None:
        if folder != _prepared:
            raise RuntimeError(f"harness already prepared for {_prepared}, not {folder}")
        return folder
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(FAKE_AWS)
    if home is None:
        home = Path(tempfile.mkdtemp(prefix="harness-airflow-"))
        atexit.register(shutil.rmtree, home, True)
    airflow_env.configure(home, folder)
    _prepared = folder
    return folder


def migrate() -> None:
    """Create the metadata DB (needed by dag.test(), not by loading)."""
    airflow_env.migrate(Path(os.environ["AIRFLOW_HOME"]))
