"""Process set-up for the harness: an Airflow home of its own, configured before airflow loads.

The CLI and the pytest plugin call `prepare()` before anything imports Airflow;
Airflow's start-up (imports, DB migration, the first dag.test()) is then paid
once per process. The configured DAGs folder is a stage, not the DAGs folder the
harness runs: `dag.test()` parses and syncs every DAG file of the configured folder,
so while one cell runs the stage shows only the DAG files that run needs (`exposed`,
`harness.staging`); loading and checking read the DAGs folder itself. The harness's
own configuration gets an empty stage in its Airflow home. Inside a test session
that already configured Airflow (a conftest using `harness.airflow_env.configure`,
or one that imported airflow), the stage is a `harness-<folder>` folder inside the
configured DAGs folder, there only while a cell runs.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from fakeecs import moto_backend
from harness import airflow_env, staging

#: No real AWS account is ever used: a stray call must fail, not use someone's credentials.
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}

WORKFLOWS = airflow_env.WORKFLOWS_DIR.resolve()
#: DAGs folder asked for -> its stage in the configured DAGs folder (None: the folder is
#: inside the configured one, which dag.test() then parses whole, as Airflow does).
_stages: dict[Path, Path | None] = {}


def _fake_aws() -> None:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECS"):
        os.environ.pop(name, None)
    os.environ.update(FAKE_AWS)


def _already_configured() -> bool:
    return airflow_env.configured is not None or "airflow" in sys.modules


@contextmanager
def exposed(folder: Path, show: Collection[Path], dag_files: Collection[Path]) -> Iterator[None]:
    """While the block runs, the configured DAGs folder shows `folder` with only the DAG files
    in `show` (of its `dag_files`): what one cell's `dag.test()` parses and syncs.

    Outside the block the stage is gone, so nobody else's DagBag (another test of the same
    session, the next cell) parses the harness's DAG files.
    """
    stage = _stages.get(folder)
    if stage is None:
        yield
        return
    with staging.staged(stage, folder, show, dag_files):
        yield


def _memory_folder() -> str | None:
    """A folder in memory (tmpfs) for the Airflow home when the machine has one, else the temp dir.

    Every state change of a task is a commit to the SQLite metadata DB, and a commit on a
    disk waits for the disk; in memory it does not (the DB lives as long as the process).
    """
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def prepare(dags_folder: Path | None = None, *, reuse_configured: bool = False) -> Path:
    """Configure Airflow for this process (idempotent); return the DAGs folder, resolved.

    `reuse_configured` (the pytest plugin): keep a configuration this process already made.
    Otherwise (the CLI) the harness gets a fresh Airflow home in a temp dir, never ~/airflow,
    whose `dags/` is the stage.
    """
    folder = Path(dags_folder or WORKFLOWS).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"DAGs folder {folder} does not exist")
    if folder in _stages:
        return folder
    if _stages or (reuse_configured and _already_configured()):
        root = Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"]).resolve()
        taken = {stage for stage in _stages.values() if stage is not None}
        _stages[folder] = staging.stage_path(root, folder, taken)
        return folder
    _fake_aws()
    home = Path(tempfile.mkdtemp(prefix="harness-airflow-", dir=_memory_folder()))
    atexit.register(shutil.rmtree, home, True)
    airflow_env.configure(home, home / "dags")
    # The worlds run Fargate tasks only: no cell needs the region's 1,300 AMIs, and each
    # cell's fresh fake would build them (0.3 s of a cell's 1 to 3 s).
    moto_backend.use_default_amis_only(home)
    _stages[folder] = (home / "dags").resolve()
    return folder


def migrate() -> None:
    """Create the metadata DB (needed by dag.test(), not by loading)."""
    airflow_env.migrate(Path(os.environ["AIRFLOW_HOME"]))
