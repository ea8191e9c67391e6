"""Process set-up for the harness: an Airflow home of its own, configured before airflow loads.

The CLI and the pytest plugin call `prepare()` before anything imports Airflow;
Airflow's start-up (imports, DB migration, the first dag.test()) is then paid
once per process. Inside a test session that already configured Airflow (a
conftest using `harness.airflow_env.configure`, or one that imported airflow),
the harness uses that configuration and links the DAGs folder it runs into the
configured one while it loads or runs them (`exposed`), because `dag.test()` only
runs DAGs found in the configured folder.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness import airflow_env

#: No real AWS account is ever used: a stray call must fail, not use someone's credentials.
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}

WORKFLOWS = airflow_env.WORKFLOWS_DIR.resolve()
#: DAGs folder asked for -> the path to load it from (itself, or its link in the configured folder).
_folders: dict[Path, Path] = {}
#: Link path -> the folder it shows (links exist only inside `exposed`).
_links: dict[Path, Path] = {}


def _fake_aws() -> None:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECS"):
        os.environ.pop(name, None)
    os.environ.update(FAKE_AWS)


def _already_configured() -> bool:
    return airflow_env.configured is not None or "airflow" in sys.modules


def _link_path(root: Path, folder: Path) -> Path:
    """Where `folder` appears inside the configured DAGs folder `root` (itself when inside it)."""
    if folder == root or root in folder.parents:
        return folder
    for n in range(100):
        link = root / f"harness-{folder.name}{'' if n == 0 else f'-{n}'}"
        if not link.exists() and not link.is_symlink():
            _links[link] = folder
            return link
    raise RuntimeError(f"cannot link {folder} into {root}: too many harness-* entries there")


@contextmanager
def exposed(path: Path) -> Iterator[None]:
    """While the block runs, a DAGs folder linked into the configured one is there.

    dag.test() parses the whole configured DAGs folder, so the link must exist while the
    harness loads or runs its DAGs; outside the block it is gone, so nobody else's DagBag
    (another test of the same session) ever parses the harness's DAG files.
    """
    target = _links.get(path)
    if target is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target, target_is_directory=True)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _memory_folder() -> str | None:
    """A folder in memory (tmpfs) for the Airflow home when the machine has one, else the temp dir.

    Every state change of a task is a commit to the SQLite metadata DB, and a commit on a
    disk waits for the disk; in memory it does not (the DB lives as long as the process).
    """
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def prepare(dags_folder: Path | None = None, *, reuse_configured: bool = False) -> Path:
    """Configure Airflow for this process (idempotent); return the path to load the DAGs from.

    `reuse_configured` (the pytest plugin): keep a configuration this process already made.
    Otherwise (the CLI) the harness gets a fresh Airflow home in a temp dir, never ~/airflow.
    """
    folder = Path(dags_folder or WORKFLOWS).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"DAGs folder {folder} does not exist")
    if folder in _folders:
        return _folders[folder]
    if _folders or (reuse_configured and _already_configured()):
        root = Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"]).resolve()
        _folders[folder] = _link_path(root, folder)
        return _folders[folder]
    _fake_aws()
    home = Path(tempfile.mkdtemp(prefix="harness-airflow-", dir=_memory_folder()))
    atexit.register(shutil.rmtree, home, True)
    airflow_env.configure(home, folder)
    _folders[folder] = folder
    return folder


def migrate() -> None:
    """Create the metadata DB (needed by dag.test(), not by loading)."""
    airflow_env.migrate(Path(os.environ["AIRFLOW_HOME"]))
