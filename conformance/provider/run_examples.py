"""Run the Amazon provider's example DAGs with dag.test(), once per variant; print the outcomes.

Runs in its own process (the suite's pytest process must not import Airflow with another home):
`python -m conformance.provider.run_examples HOME VARIANTS_JSON`, with AWS_ENDPOINT_URL pointing
at the fake. Each variant is {"name", "dag", "env": {...}}; the answer, one JSON document on the
last line of stdout, gives each variant's run state, task states and run_task's return value.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from harness import airflow_env

HERE = Path(__file__).resolve().parent
DAGS = HERE / "dags"
SCAFFOLD = HERE / "scaffold"
RESULT_TASKS = ("run_task", "hello_world")


def run_variant(variant: dict[str, Any]) -> dict[str, Any]:
    os.environ.update(variant["env"])
    dag = importlib.import_module(variant["dag"]).dag
    run = dag.test(logical_date=None)
    tis = run.get_task_instances()
    states = {ti.task_id: str(ti.state) for ti in tis}
    returned = {
        ti.task_id: ti.xcom_pull(task_ids=ti.task_id) for ti in tis if ti.task_id in RESULT_TASKS
    }
    return {"name": variant["name"], "state": str(run.state), "tasks": states, "returned": returned}


def main(home: str, variants_json: str) -> None:
    airflow_env.configure(Path(home), DAGS)
    airflow_env.migrate(Path(home))
    sys.path[:0] = [str(SCAFFOLD), str(DAGS)]
    outcomes = [run_variant(v) for v in json.loads(variants_json)]
    print(json.dumps(outcomes, default=str))


if __name__ == "__main__":
    main(*sys.argv[1:3])
