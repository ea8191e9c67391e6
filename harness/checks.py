"""Static checks on a folder of DAG files, before anything runs.

They catch the mistakes that otherwise show up in production as a DAG that
silently does the wrong thing: a file that does not import, a file that reads
deployment configuration at import (its DAG would change with the environment of
whoever parses it), a sensor that watches the wrong task, and a template that
pulls an XCom from a task that is not upstream. Needs Airflow configured
(`harness.airflow_env.configure`) before it is called.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.outcome import Problem

#: Deployment configuration a DAG file must not read at import.
CONFIG_VARIABLES = (
    "ECS_CLUSTER",
    "ECS_CLUSTER_NAME",
    "ECS_NETWORK_CONFIG",
    "AIRFLOW_ENVIRONMENT",
    "ES_URL",
    "SOLR_URL",
    "TIMDEX_BUCKET",
    "ALMA_EXPORT_BUCKET",
    "SLINGSHOT_TASK_ROLE_ARN",
)
PROBE = "harness-probe-value"
XCOM_PULL = re.compile(r"xcom_pull\((?P<args>[^)]*)\)")
TASK_IDS = re.compile(r"task_ids\s*=\s*(?P<q>['\"])(?P<id>[^'\"]+)(?P=q)")
KEY = re.compile(r"key\s*=\s*(?P<q>['\"])(?P<key>[^'\"]+)(?P=q)")


@dataclass
class Loaded:
    """What loading the folder gave: the DAGs (by id), their files and the problems found.

    `dag_files` are every file Airflow parsed as a DAG file, with DAGs in it or not (a
    packaged DAG's is its .zip); a run stages only the ones it needs (`harness.staging`).
    """

    dags: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    dag_files: set[Path] = field(default_factory=set)


def config_variables(extra: Iterable[str] = ()) -> list[str]:
    return sorted({*CONFIG_VARIABLES, *extra})


@contextmanager
def environment(values: dict[str, str | None]) -> Iterator[None]:
    """Set (or with None, remove) environment variables for the block, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def load(dags_folder: Path) -> Any:
    """Airflow's own DagBag over the folder (what the dag-processor would parse)."""
    from airflow.dag_processing.dagbag import BundleDagBag

    return BundleDagBag(
        dag_folder=str(dags_folder), bundle_path=dags_folder, bundle_name="dags-folder"
    )


def _short(error: str) -> str:
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else str(error)


def _serialized(dag: Any) -> str:
    from airflow.serialization.serialized_objects import DagSerialization

    return json.dumps(DagSerialization.serialize_dag(dag), default=str, sort_keys=True)


def check_folder(dags_folder: Path, variables: Iterable[str] = ()) -> Loaded:
    """Load every DAG file twice (configuration unset, then set to probe values) and check them."""
    names = config_variables(variables)
    with environment(dict.fromkeys(names)):
        bare = load(dags_folder)
    with environment({name: f"{PROBE}-{name}" for name in names}):
        probed = load(dags_folder)
    loaded = Loaded(
        dag_files={Path(f) for f in (*bare.file_last_changed, *probed.file_last_changed)}
    )
    for path, error in sorted(bare.import_errors.items()):
        hint = ""
        if path not in probed.import_errors:
            hint = " (it imports when the configuration is set: it reads configuration at import)"
        loaded.problems.append(Problem(path, "import", f"does not import: {_short(error)}{hint}"))
    for path, error in sorted(probed.import_errors.items()):
        if path not in bare.import_errors:
            loaded.problems.append(
                Problem(
                    path,
                    "config-at-import",
                    "fails to import when the configuration is set "
                    f"({_short(error)}): it reads configuration at import",
                )
            )
    for dag_id, dag in sorted(bare.dags.items()):
        loaded.dags[dag_id] = dag
        loaded.files[dag_id] = dag.fileloc
        probe_dag = probed.dags.get(dag_id)
        if probe_dag is not None:
            text = _serialized(probe_dag)
            read = sorted(name for name in names if f"{PROBE}-{name}" in text)
            if read:
                loaded.problems.append(
                    Problem(
                        f"{Path(dag.fileloc).name} ({dag_id})",
                        "config-at-import",
                        f"reads {', '.join(read)} when the file is imported; read it when the "
                        "task runs (mit_airflow.config in execute, or {{ env('NAME') }} in a template)",
                    )
                )
        loaded.problems.extend(check_dag(dag))
    return loaded


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from _strings(item)


def xcom_references(task: Any) -> Iterator[tuple[str, str, str | None]]:
    """(template field, task_ids, key or None) for each xcom_pull in the task's templates."""
    for name in getattr(task, "template_fields", ()):
        for text in _strings(getattr(task, name, None)):
            for match in XCOM_PULL.finditer(text):
                args = match.group("args")
                ids = TASK_IDS.search(args)
                key = KEY.search(args)
                if ids is not None:
                    yield name, ids.group("id"), key.group("key") if key else None


def check_dag(dag: Any) -> list[Problem]:
    """Structural checks on one loaded DAG (sensor targets, XCom templates)."""
    from mit_airflow.operators import ECSOperator
    from mit_airflow.sensors import ECSTaskSensor

    problems: list[Problem] = []
    for task in dag.tasks:
        upstream = task.get_flat_relative_ids(upstream=True)
        where = f"{dag.dag_id}.{task.task_id}"
        if isinstance(task, ECSTaskSensor):
            target = task.ecs_task_id
            other = dag.task_dict.get(target)
            if other is None:
                problems.append(
                    Problem(
                        where, "sensor-target", f"ecs_task_id={target!r} is not a task of this DAG"
                    )
                )
            elif not isinstance(other, ECSOperator):
                problems.append(
                    Problem(
                        where,
                        "sensor-target",
                        f"ecs_task_id={target!r} is a {type(other).__name__}, not an ECSOperator: "
                        "the sensor would watch no container",
                    )
                )
            elif target not in upstream:
                problems.append(
                    Problem(
                        where,
                        "sensor-target",
                        f"ecs_task_id={target!r} is not upstream of the sensor: "
                        "it may not have started its container when the sensor runs",
                    )
                )
        for field_name, source, key in xcom_references(task):
            pulled = f"xcom_pull(task_ids={source!r}{f', key={key!r}' if key else ''})"
            if source not in dag.task_dict:
                problems.append(
                    Problem(
                        where,
                        "xcom-template",
                        f"{field_name} pulls {pulled} but there is no task {source!r}",
                    )
                )
            elif source not in upstream:
                problems.append(
                    Problem(
                        where,
                        "xcom-template",
                        f"{field_name} pulls {pulled} but {source!r} is not upstream: "
                        "it would render empty",
                    )
                )
    return problems
