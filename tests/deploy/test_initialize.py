"""init.yml's work without Docker: the database and admin user, and the local ECS set-up, twice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from fakeecs import FakeECS

ROOT = Path(__file__).resolve().parents[2]


def test_local_ecs_setup_is_idempotent() -> None:
    with FakeECS() as fake:
        env = {
            **os.environ,
            "AWS_ENDPOINT_URL": fake.endpoint_url,
            "ECS_CLUSTER": "airflow-dev",
            "AIRFLOW_ENVIRONMENT": "dev",
        }
        command = [sys.executable, "deploy/local_ecs.py", "deploy/local-task-definitions.json"]
        first = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        second = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
        assert "registered airflow-dev-oaiharvester" in first.stdout
        assert "airflow-dev-oaiharvester exists" in second.stdout
        ecs = boto3.client("ecs", endpoint_url=fake.endpoint_url, region_name="us-east-1")
        assert ecs.list_task_definitions(familyPrefix="airflow-dev-mario")[
            "taskDefinitionArns"
        ] == ["arn:aws:ecs:us-east-1:123456789012:task-definition/airflow-dev-mario:1"]


@pytest.mark.slow
def test_initialize_migrates_and_creates_the_admin_once(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path / 'airflow.db'}",
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager",
        "ADMIN_USERNAME": "librarian",
        "ADMIN_PASSWORD": "not-in-any-command-line",
    }
    command = [sys.executable, "-m", "mit_airflow.deploy_init"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "created admin user 'librarian'" in first.stdout
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0 and "exists already" in second.stdout


def test_initialize_says_when_the_database_never_answers(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path),
        # nothing listens on port 9 (discard): the database of a stack that did not come up
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql+psycopg2://airflow@127.0.0.1:9/airflow",
        "INITIALIZE_DB_WAIT_SECONDS": "0",
        "ADMIN_PASSWORD": "x",
    }
    done = subprocess.run(
        [sys.executable, "-m", "mit_airflow.deploy_init"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("initialize: the metadata database did not answer within 0 s")
    assert "Connection refused" in done.stderr  # why, in the database driver's words
