"""AIRFLOW_V_3_0_PLUS, as the Airflow repository's test utilities define it."""

from __future__ import annotations

from importlib.metadata import version

AIRFLOW_V_3_0_PLUS = int(version("apache-airflow").split(".")[0]) >= 3
