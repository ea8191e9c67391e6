"""hoard_jpal_harvest: harvest J-PAL's Dataverse over OAI-PMH into the research data repository, weekly.

One hoard container does the work; the repository it writes to depends on the
environment (AIRFLOW_ENVIRONMENT), resolved when the task runs. No catch-up:
a missed week is picked up by the next run's harvest window.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowFailException

from mit_airflow.config import MACROS, airflow_environment
from mit_airflow.operators import ECSOperator
from mit_airflow.sensors import ECSTaskSensor

JPAL_OAI = "https://dataverse.harvard.edu/oai"
REPOSITORIES = {
    "dev": "https://rdr-dev.mit.edu",
    "stage": "https://rdr-stage.mit.edu",
    "prod": "https://rdr.mit.edu",
}
DEFAULT_ARGS = {
    "owner": "hoard",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}


def repository_url() -> str:
    """The research data repository of this environment (fails naming the unknown environment)."""
    name = airflow_environment()
    if name not in REPOSITORIES:
        raise AirflowFailException(
            f"AIRFLOW_ENVIRONMENT={name!r} has no research data repository; "
            f"known: {', '.join(sorted(REPOSITORIES))}"
        )
    return REPOSITORIES[name]


with DAG(
    "hoard_jpal_harvest",
    schedule="@weekly",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    user_defined_macros={**MACROS, "repository_url": repository_url},
    tags=["hoard", "ecs"],
    doc_md=__doc__,
):
    harvest = ECSOperator(
        task_id="harvest",
        task_definition="hoard-{{ airflow_environment() }}",
        overrides={
            "containerOverrides": [
                {
                    "name": "hoard",
                    "command": [
                        "ingest",
                        "jpal",
                        "--url",
                        "{{ repository_url() }}",
                        "--source-url",
                        JPAL_OAI,
                        "--set",
                        "Jameel_Poverty_Action_Lab",
                        "--from",
                        "{{ data_interval_start | ds }}",
                    ],
                }
            ]
        },
    )
    harvest_done = ECSTaskSensor(
        task_id="harvest_done", ecs_task_id="harvest", poke_interval=300, timeout=12 * 3600
    )
    harvest >> harvest_done
