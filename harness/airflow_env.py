"""An offline, self-contained Airflow environment for tests and the harness.

Airflow reads its configuration when it is first imported, so these helpers
must run before anything imports `airflow`. They never touch the user's
~/airflow: AIRFLOW_HOME is a folder we own (a temp dir in tests, `.airflow/`
for local commands) with a SQLite metadata DB.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS_DIR = REPO_ROOT / "workflows"
#: Where the migrated template DB of each Airflow version is kept (see `template_db`).
DB_CACHE = REPO_ROOT / "build" / "airflow-db"

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
    """Give `home` a migrated metadata DB: a copy of this machine's template (see `template_db`)."""
    marker = home / ".migrated"
    if marker.exists():
        return
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template_db(), home / "airflow.db")
    marker.touch()


def template_db(cache: Path = DB_CACHE) -> Path:
    """A migrated SQLite metadata DB for the installed Airflow, made once per machine.

    `airflow db migrate` costs 3-6 s (a subprocess that imports Airflow and runs every
    migration); every test session, harness process and pytest-xdist worker needs a DB,
    so the migration runs once per Airflow version into `build/airflow-db/` and each home
    gets a copy (milliseconds). A lock makes concurrent workers wait for one migration.
    """
    template = cache / f"airflow-{version('apache-airflow')}.db"
    if template.exists():
        return template
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            with tempfile.TemporaryDirectory(dir=cache) as scratch:
                _migrate_into(Path(scratch))
                (Path(scratch) / "airflow.db").replace(template)
    return template


def _migrate_into(home: Path) -> None:
    airflow = Path(sys.executable).with_name("airflow")
    result = subprocess.run(
        [str(airflow), "db", "migrate"],
        env={
            **os.environ,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"airflow db migrate failed in {home}:\n{result.stdout}\n{result.stderr}"
        )
