"""A cell's dag.test() parses only the DAG files its run needs, not the whole DAGs folder.

Airflow's dag.test() parses every DAG file of the configured DAGs folder and syncs every
DAG it finds, on every call; the harness stages only the run's own file there. Each DAG
file of the folder below writes its path to `imports.log` (outside the folder) whenever
it is imported: inside the DAGs folder when the harness loads and checks it, inside the
stage when a run's dag.test() parses it.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness.cli_support import harness_command

RECORD = """
from pathlib import Path

HERE = Path(__file__)
with open(IMPORTS_LOG, "a") as log:
    log.write(f"{HERE}\\n")
"""

FILES = {
    "helpers.py": '"""A sibling module the DAG files import."""\n\nTASK_DEFINITION = "staged-example"\n',
    "command.txt": "echo staged\n",
    # two DAGs in one file, a sibling module, a neighbour file read at import
    "pair.py": RECORD
    + """
from datetime import datetime

from airflow.sdk import DAG
from helpers import TASK_DEFINITION

from mit_airflow.operators import ECSOperator
from mit_airflow.sensors import ECSTaskSensor

COMMAND = (HERE.parent / "command.txt").read_text().split()

for dag_id in ("staged_first", "staged_second"):
    with DAG(dag_id, schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
        run = ECSOperator(
            task_id="run",
            task_definition=TASK_DEFINITION,
            overrides={"containerOverrides": [{"name": "example", "command": COMMAND}]},
        )
        run >> ECSTaskSensor(task_id="run_done", ecs_task_id="run", poke_interval=60)
""",
    # a DAG no run above needs: dag.test() must not parse it
    "tripwire.py": RECORD
    + """
from datetime import datetime

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

with DAG("staged_tripwire", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    EmptyOperator(task_id="nothing")
""",
    # triggers staged_tripwire: that DAG must be in the metadata DB when the trigger runs
    "trigger.py": RECORD
    + """
from datetime import datetime

from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import DAG

with DAG("staged_trigger", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    TriggerDagRunOperator(task_id="trigger", trigger_dag_id="staged_tripwire")
""",
}


# a packaged DAG: Airflow parses the .zip, the DAG's file is the module inside it
PACKAGED = (
    RECORD
    + """
from datetime import datetime

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

with DAG("staged_packaged", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    EmptyOperator(task_id="nothing")
"""
)


def write_folder(root: Path) -> Path:
    """`root/dags` with the files above; their imports are logged to `root/imports.log`."""
    folder = (root / "dags").resolve()
    folder.mkdir(parents=True)
    log = repr(str(folder.parent / "imports.log"))
    for name, text in FILES.items():
        (folder / name).write_text(text.replace("IMPORTS_LOG", log))
    with zipfile.ZipFile(folder / "packaged.zip", "w") as packaged:
        packaged.writestr("packaged_dag.py", PACKAGED.replace("IMPORTS_LOG", log))
    return folder


def imports(folder: Path) -> list[Path]:
    """The path of each DAG file import logged since the log was last cleared."""
    log = folder.parent / "imports.log"
    return [Path(line) for line in log.read_text().splitlines()] if log.exists() else []


def clear_imports(folder: Path) -> None:
    (folder.parent / "imports.log").unlink(missing_ok=True)


def parsed_by_runs(folder: Path) -> set[str]:
    """The DAG files imported from outside the DAGs folder: from the stage, by dag.test()."""
    return {path.name for path in imports(folder) if folder not in path.parents}


@pytest.fixture(scope="module")
def staged_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from harness.runner import Session

    folder = write_folder(tmp_path_factory.mktemp("staging"))
    with Session(folder, reuse_configured=True) as session:
        yield session


def all_succeed() -> Any:
    from harness.scenarios import BY_NAME

    return BY_NAME["all-succeed"]


def test_a_run_parses_only_its_own_dag_file_and_leaves_nothing_behind(staged_harness: Any) -> None:
    folder = staged_harness.requested
    assert staged_harness.loaded.problems == []
    assert {"staged_first", "staged_second", "staged_tripwire"} <= set(staged_harness.loaded.dags)
    clear_imports(folder)

    result = staged_harness.run("staged_second", all_succeed())

    assert result.ok, [*result.problems, result.log[-2000:]]
    assert parsed_by_runs(folder) == {"pair.py"}  # the file of both DAGs, and nothing else
    configured = Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    assert list(configured.glob("harness-*")) == []  # the stage is gone after the run


def test_a_dag_that_triggers_another_has_that_dags_file_staged_too(staged_harness: Any) -> None:
    folder = staged_harness.requested
    clear_imports(folder)

    result = staged_harness.run("staged_trigger", all_succeed())

    assert result.tasks["trigger"].state == "success", result.tasks["trigger"].error
    assert parsed_by_runs(folder) == {"trigger.py", "tripwire.py"}


def test_a_packaged_dag_has_its_zip_staged(staged_harness: Any) -> None:
    folder = staged_harness.requested
    clear_imports(folder)

    result = staged_harness.run("staged_packaged", all_succeed())

    assert result.run_state == "success", result.log[-2000:]
    assert parsed_by_runs(folder) == {"packaged_dag.py"}


@pytest.mark.slow
def test_the_harness_command_stages_only_the_run_dags_file(tmp_path: Path) -> None:
    """The harness's own configuration (the CLI, `make test-dags`), in a process of its own."""
    folder = write_folder(tmp_path)
    command = [
        "--dags-folder",
        str(folder),
        "run",
        "all-succeed",
        "--dag",
        "staged_first",
        "-n",
        "0",
    ]
    done = harness_command(*command, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[1/1] staged_first x all-succeed: ok" in done.stdout
    assert parsed_by_runs(folder) == {"pair.py"}
    everything = {"pair.py", "tripwire.py", "trigger.py", "packaged_dag.py"}
    assert {path.name for path in imports(folder)} == everything  # the checks loaded them all
