"""ENV_ID_KEY and SystemTestContextBuilder without an AWS account.

Airflow's builder reads each variable from the environment, then from SSM in the test account.
This one reads the environment only (the conformance runner sets CLUSTER_NAME, SUBNETS,
SECURITY_GROUPS and SYSTEM_TESTS_ENV_ID for each run) and pushes the same XComs.
"""

from __future__ import annotations

import os
from typing import Any

from airflow.sdk import task

ENV_ID_ENVIRON_KEY = "SYSTEM_TESTS_ENV_ID"
ENV_ID_KEY = "ENV_ID"


class SystemTestContextBuilder:
    """Collects the variables a system test needs; build() gives the task that pushes them."""

    def __init__(self) -> None:
        self.variables: dict[str, bool] = {}

    def add_variable(
        self, name: str, split_string: bool = False, **_: Any
    ) -> SystemTestContextBuilder:
        self.variables[name] = split_string
        return self

    def build(self) -> Any:
        variables = dict(self.variables)

        @task
        def variable_fetcher(ti: Any = None) -> None:
            ti.xcom_push(ENV_ID_KEY, os.environ[ENV_ID_ENVIRON_KEY])
            for name, split in variables.items():
                value = os.environ[name]
                ti.xcom_push(name, value.split(",") if split else value)

        return variable_fetcher
