"""make stage / make prod print their plan and stop on DRY_RUN=1 or a missing variable."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def release(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "deploy/release.sh", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=30,
    )


def test_dry_run_prints_the_plan_and_does_nothing() -> None:
    result = release(
        "stage",
        "1234.dkr.ecr.us-east-1.amazonaws.com/airflow",
        "airflow-stage",
        "mit-airflow-ecs:v1.2",
        "false",
        "false",
        DRY_RUN="1",
    )
    assert result.returncode == 0, result.stderr
    assert "docker push" not in result.stderr
    assert "false push 1234.dkr.ecr.us-east-1.amazonaws.com/airflow:v1.2" in result.stdout
    assert "workflow --cluster airflow-stage redeploy --yes" in result.stdout
    assert "DRY_RUN=1: stopping after the plan" in result.stdout


def test_a_missing_repository_stops_before_anything_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    docker = tmp_path / "docker"
    docker.write_text(f"#!/bin/sh\ntouch {marker}\n")
    docker.chmod(0o755)
    result = release("prod", "", "airflow-prod", "mit-airflow-ecs:v1", str(docker), str(docker))
    assert result.returncode == 2
    assert "missing: PROD_ECR_REPOSITORY" in result.stderr
    assert not marker.exists()


def test_a_real_run_pushes_then_redeploys(tmp_path: Path) -> None:
    log = tmp_path / "log"
    tool = tmp_path / "tool"
    tool.write_text(f'#!/bin/sh\necho "$*" >> {log}\n')
    tool.chmod(0o755)
    result = release("stage", "repo/airflow", "airflow-stage", "img:v2", str(tool), str(tool))
    assert result.returncode == 0, result.stderr
    assert log.read_text().splitlines() == [
        "tag img:v2 repo/airflow:v2",
        "push repo/airflow:v2",
        "--cluster airflow-stage redeploy --yes",
    ]
