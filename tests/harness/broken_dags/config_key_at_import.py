"""Broken on purpose: needs ES_URL to even import (every Airflow component would fail to parse it)."""

import os
from datetime import datetime

from airflow.sdk import DAG

from mit_airflow.operators import ECSOperator

ES_URL = os.environ["ES_URL"]

with DAG("broken_config_key_at_import", schedule=None, start_date=datetime(2026, 1, 1)):
    ECSOperator(
        task_id="run",
        task_definition="airflow-stage-mario",
        overrides={"containerOverrides": [{"name": "mario", "command": ["--url", ES_URL]}]},
    )
