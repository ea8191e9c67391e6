"""The production pattern on real Celery workers: ECSOperator, then ECSTaskSensor, against fakeecs.

One DAG per scenario (`e2e_ecs_<n>`), each task on a queue of its own
(`launch-<n>`, `wait-<n>`), so a test can start, SIGTERM or SIGKILL exactly the
worker that runs the task it means, and a run left over by a failed test never
reaches the next test's workers. The sensor reschedules every 2 s (wall time);
the containers run on fakeecs's scaled clock, which the tests also advance.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import DAG

from mit_airflow.operators import ECSOperator
from mit_airflow.sensors import ECSTaskSensor

SCENARIOS = (1, 2, 3, 5, 6)

for n in SCENARIOS:
    with DAG(
        f"e2e_ecs_{n}",
        schedule=None,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        is_paused_upon_creation=False,  # the deployment pauses new DAGs (workflows/)
        default_args={"retries": 2, "retry_delay": timedelta(seconds=1)},
    ):
        launch = ECSOperator(
            task_id="launch",
            task_definition="e2e-worker",
            overrides={
                "containerOverrides": [{"name": "main", "command": ["work", "{{ run_id }}"]}]
            },
            queue=f"launch-{n}",
        )
        wait = ECSTaskSensor(
            task_id="wait", ecs_task_id="launch", poke_interval=2, timeout=900, queue=f"wait-{n}"
        )
        launch >> wait
