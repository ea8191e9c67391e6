"""No credential reaches a log line, an error, XCom or an ECS request.

The DAG runs through real Airflow (dag.test()) against fakeecs with an `aws_default`
connection that carries a secret key, a session token and an extra password; then the
captured logs, the console, the XComs of the run and fakeecs's calls log (every ECS
request as fakeecs received it) are searched for each value.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from tests.mit_airflow.ecs_dag_support import (
    advance_on_poke,
    ecs_environment,
    register,
    run_dag,
    write_dag,
)

SECRETS = {
    "secret key": "wJalrXUtnFEMI-leakcheck-7Q2mZ",
    "session token": "IQoJb3JpZ2luX2VjEL-leakcheck-session",
    "extra password": "extra-Pa55-leakcheck-3k9",
}

DAG = """
from datetime import datetime
from airflow.sdk import DAG
from mit_airflow.operators import ECSOperator
from mit_airflow.sensors import ECSTaskSensor

with DAG("DAG_ID", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    run = ECSOperator(task_id="run", task_definition="worker", retries=0)
    wait = ECSTaskSensor(task_id="wait", ecs_task_id="run", poke_interval=0.01, timeout=600,
                         retries=0)
    run >> wait
"""


@pytest.fixture
def task_logs_at_info() -> Any:
    """Airflow's task logs at INFO, the deployment's level (the suite runs Airflow at WARNING).

    Only structlog's level filter changes, and it is put back: Airflow's processors, its
    secret masking and its output stay as configured. Not DEBUG: there Airflow's own
    in-process supervisor logs every MaskSecret request with the secret in it, which no
    code of ours can prevent.
    """
    import structlog

    saved = structlog.get_config()["wrapper_class"]
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
    yield
    structlog.configure(wrapper_class=saved)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Any:
    connection = {
        "conn_type": "aws",
        "login": "AKIAEXAMPLELEAKCHECK",
        "password": SECRETS["secret key"],
        "extra": {
            "aws_session_token": SECRETS["session token"],
            "endpoint_url": None,
            "proxy_password": SECRETS["extra password"],
        },
    }
    with ecs_environment(monkeypatch) as (fake, ecs):
        monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps(connection))
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(name, raising=False)
        register(ecs, "worker")
        advance_on_poke(monkeypatch, fake)
        yield fake


def _xcoms(dag_id: str) -> str:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(XComModel).filter(XComModel.dag_id == dag_id).all()
        return json.dumps([[row.key, row.value] for row in rows], default=str)


def test_credentials_appear_nowhere_even_when_the_container_fails(
    airflow_db: Path,
    dags_folder: Path,
    env: Any,
    caplog: pytest.LogCaptureFixture,
    task_logs_at_info: None,
    capfd: pytest.CaptureFixture[str],
) -> None:
    fake = env
    # a failing container: the operator's success path and the sensor's error path both run
    fake.behaviour("worker", runSeconds=120, exitCode=1, logLines=["working"])
    caplog.set_level(logging.DEBUG)
    for noisy in ("botocore", "urllib3", "sqlalchemy"):  # third parties' own debug output
        logging.getLogger(noisy).setLevel(logging.INFO)
    dag_id = write_dag(dags_folder, DAG)
    run = run_dag(dags_folder, dag_id)

    assert str(run.state) == "failed"
    assert [c for c in fake.calls() if c["operation"] == "RunTask"], "the DAG talked to fakeecs"
    console = capfd.readouterr()
    places = {
        "logs": caplog.text,
        "console": console.out + console.err,
        "XCom": _xcoms(dag_id),
        "ECS requests": json.dumps(fake.calls(), default=str),
    }
    leaks = [
        f"{what} in {where}"
        for what, value in SECRETS.items()
        for where, text in places.items()
        if value in text
    ]
    assert "Started arn:aws:ecs:" in places["console"], "the operator's own log was captured"
    assert leaks == []
