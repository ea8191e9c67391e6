"""Local development as docs/development.md describes it: init.yml once (twice is harmless), then the
whole stack up, and example_ecs run by the real scheduler and Celery worker against the fakeecs
container, then torn down. fakeecs runs a scaled clock so containers end at once; the sensors
still wait their real 60 s poke interval, so a run takes a few minutes."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import ROOT

from harness.e2e.waiting import wait_for

PROJECT = "mitairflowtest"
TOKEN = "local-development-only"


def compose(
    *args: str, env: dict[str, str], file: str = "docker-compose.yml", timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["deploy/compose.sh", "-p", PROJECT, "-f", file, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]
    return done.stdout


def airflow(env: dict[str, str], *args: str) -> str:
    return ok(compose("exec", "-T", "scheduler", "airflow", *args, env=env, timeout=300))


def json_document(out: str) -> Any:
    """The JSON an `airflow ... -o json` printed; Airflow logs warnings (graphviz) on stdout too."""
    lines = [line for line in out.splitlines() if line.startswith(("[", "{"))]
    assert lines, f"no JSON in the airflow command's output:\n{out}"
    return json.loads(lines[-1])


def fakeecs_calls() -> list[dict[str, Any]]:
    request = urllib.request.Request(
        "http://127.0.0.1:5090/_fakeecs/calls", headers={"X-Fakeecs-Token": TOKEN}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def api_healthy() -> bool:
    try:
        with urllib.request.urlopen("http://127.0.0.1:8080/api/v2/monitor/health", timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def stack(image: str, base_images: dict[str, str]) -> Iterator[dict[str, str]]:
    env = {
        **os.environ,
        **base_images,
        "AIRFLOW_IMAGE": image,
        "FAKEECS_CLOCK": "scaled:60",
        "FAKEECS_CONTROL_TOKEN": TOKEN,
        # On vfs each new container copies the whole 1 GB image; five at once outlast
        # docker-compose's default 60 s HTTP timeout on a busy machine.
        "COMPOSE_HTTP_TIMEOUT": "600",
    }
    compose("down", "-v", "--remove-orphans", env=env)
    try:
        yield env
    finally:
        logs = compose("logs", "--no-color", "--tail", "200", env=env)
        (ROOT / "build").mkdir(exist_ok=True)
        (ROOT / "build" / "test-docker-compose.log").write_text(logs.stdout + logs.stderr)
        compose("down", "-v", "--remove-orphans", env=env)


def test_initialize_is_harmless_the_second_time(stack: dict[str, str]) -> None:
    first = ok(compose("run", "--rm", "initialize", file="init.yml", env=stack))
    assert "created admin user 'admin'" in first
    assert "local ECS: registered airflow-dev-example" in first
    again = ok(compose("run", "--rm", "initialize", file="init.yml", env=stack))
    assert "admin user 'admin' exists already; nothing to do" in again
    assert "local ECS: airflow-dev-example exists" in again
    encoding = ok(
        compose(
            "exec", "-T", "postgres", "psql", "-U", "airflow", "-d", "airflow", "-tAc",
            "SHOW server_encoding", file="init.yml", env=stack,
        )
    )  # fmt: skip
    assert encoding.strip() == "UTF8"  # as the official image; SQL_ASCII breaks psycopg 3


def test_example_ecs_runs_through_the_real_scheduler_and_worker(stack: dict[str, str]) -> None:
    ok(compose("up", "-d", "--no-build", env=stack))
    wait_for(api_healthy, timeout=300, what="the api-server on http://127.0.0.1:8080")
    wait_for(
        lambda: "example_ecs" in airflow(stack, "dags", "list", "-o", "plain"),
        timeout=300,
        what="the dag-processor to parse workflows/",
    )
    pid1 = ok(compose("exec", "-T", "worker", "cat", "/proc/1/cmdline", env=stack))
    assert "mit_airflow.worker_supervisor" in pid1.replace("\0", " ")  # the stop policy is PID 1
    airflow(stack, "dags", "unpause", "example_ecs")
    airflow(stack, "dags", "trigger", "example_ecs", "--run-id", "docker-1")

    def finished() -> str | None:
        runs = json_document(airflow(stack, "dags", "list-runs", "example_ecs", "-o", "json"))
        state = next((r["state"] for r in runs if r["run_id"] == "docker-1"), None)
        return state if state in ("success", "failed") else None

    assert wait_for(finished, timeout=900, interval=5, what="example_ecs to finish") == "success"
    run_tasks = [c for c in fakeecs_calls() if c["operation"] == "RunTask" and c["status"] == 200]
    assert [c["params"]["taskDefinition"] for c in run_tasks] == ["airflow-dev-example"] * 2
