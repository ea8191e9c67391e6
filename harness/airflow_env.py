"""An offline, self-contained Airflow environment for tests and the harness.

Airflow reads its configuration when it is first imported, so these helpers
must run before anything imports `airflow`. They never touch the user's
~/airflow: AIRFLOW_HOME is a folder we own (a temp dir in tests, `.airflow/`
for local commands) with a SQLite metadata DB.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS_DIR = REPO_ROOT / "workflows"

#: (AIRFLOW_HOME, DAGS_FOLDER) once `configure` ran in this process, else None.
configured: tuple[Path, Path] | None = None


def airflow_settings(home: Path, dags_folder: Path) -> dict[str, str]:
    """The environment variables that pin Airflow to `home` and `dags_folder`."""
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "AIRFLOW__CORE__ALLOWED_DESERIALIZATION_CLASSES_REGEXP": ".*",
    }


def configure(home: Path, dags_folder: Path) -> dict[str, str]:
    """Point this process (and its children) at `home`; call before importing airflow."""
    global configured
    settings = airflow_settings(home, dags_folder)
    if "airflow" in sys.modules and os.environ.get("AIRFLOW_HOME") != settings["AIRFLOW_HOME"]:
        raise RuntimeError(
            "airflow was imported before the test environment was configured; "
            "call harness.airflow_env.configure() before importing airflow"
        )
    home.mkdir(parents=True, exist_ok=True)
    dags_folder.mkdir(parents=True, exist_ok=True)
    os.environ.update(settings)
    configured = (home, dags_folder)
    return settings


def migrate(home: Path) -> None:
    """Create or upgrade the metadata DB in `home` (3-6 s the first time, cheap after)."""
    marker = home / ".migrated"
    if marker.exists():
        return
    airflow = Path(sys.executable).with_name("airflow")
    result = subprocess.run(
        [str(airflow), "db", "migrate"],
        env={**os.environ, "AIRFLOW_HOME": str(home)},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"airflow db migrate failed in {home}:\n{result.stdout}\n{result.stderr}"
        )
    marker.touch()
