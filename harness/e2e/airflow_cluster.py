"""Airflow 3 with CeleryExecutor as real processes: api-server, scheduler, dag-processor, workers.

Airflow 3 workers run tasks through the execution API, served by `airflow
api-server`; the scheduler signs the tasks' tokens with the shared JWT secret.
Each worker runs under mit_airflow.worker_supervisor, as in production. Tests trigger
runs through the api-server's REST API, as the UI does, signed in as the
deployment's one user (SimpleAuthManager, which Airflow uses when no other is set).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from harness.e2e.processes import ManagedProcess
from harness.e2e.services import PostgresDatabase, RedisDatabase
from harness.e2e.waiting import wait_for

BIN = Path(sys.executable).parent
TERMINAL_RUN_STATES = {"success", "failed"}
API_USER, API_PASSWORD = "e2e", "e2e-only-not-a-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def airflow_env(
    base: dict[str, str],
    home: Path,
    dags: Path,
    db: PostgresDatabase,
    broker: RedisDatabase,
    api_port: int,
    overrides: dict[str, str],
) -> dict[str, str]:
    """The environment every Airflow process of one run shares."""
    env = {k: v for k, v in base.items() if not k.startswith("AIRFLOW__")}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            # The DAGs of workflows/ are parsed as in production but never run here (their
            # schedules would queue failing runs on the tests' `default` workers); each test DAG
            # sets is_paused_upon_creation=False.
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}",
            "AIRFLOW__API_AUTH__JWT_SECRET": "e2e-only-not-a-secret-0123456789abcdef",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{API_USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "api-passwords.json"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db.sqlalchemy_url,
            "AIRFLOW__CELERY__BROKER_URL": broker.url,
            "AIRFLOW__CELERY__RESULT_BACKEND": db.result_backend_url,
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            # The DAG files never change during a run: parsed once at start, not again every 5 s
            # (each pass over them costs CPU that two deployments on two cores share).
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "600",
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "3",
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "AIRFLOW__CORE__ALLOWED_DESERIALIZATION_CLASSES_REGEXP": ".*",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


@dataclass
class AirflowCluster:
    """The Airflow processes of one run and the metadata DB they share."""

    workdir: Path
    env: dict[str, str]
    db: PostgresDatabase
    api_port: int
    processes: dict[str, ManagedProcess] = field(default_factory=dict)
    _token: str | None = field(default=None, repr=False)

    @property
    def logs(self) -> Path:
        return self.workdir / "logs"

    def _process(
        self, name: str, argv: list[str], env: dict[str, str] | None = None
    ) -> ManagedProcess:
        self.logs.mkdir(parents=True, exist_ok=True)
        proc = self.processes.get(name)
        if proc is None:
            proc = ManagedProcess(name, argv, env or self.env, self.logs / f"{name}.log")
            self.processes[name] = proc
        return proc

    def _log_call(self, what: str, output: str) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        with (self.logs / "cli.log").open("a") as log:
            log.write(f"\n===== {what}\n{output}")

    def cli(self, *args: str, timeout: float = 120) -> str:
        """Run one `airflow` CLI command; its output goes to the cli log too."""
        result = subprocess.run(
            [str(BIN / "airflow"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        self._log_call(
            f"airflow {' '.join(args)} -> {result.returncode}", result.stdout + result.stderr
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"airflow {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def migrate(self) -> None:
        self.cli("db", "migrate", timeout=300)

    def start_api_server(self) -> ManagedProcess:
        """Start the api-server with its one user's password; `wait_api_server` waits for it."""
        passwords = Path(self.env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
        passwords.parent.mkdir(parents=True, exist_ok=True)
        passwords.write_text(json.dumps({API_USER: API_PASSWORD}))
        argv = [
            str(BIN / "airflow"),
            "api-server",
            "-H",
            "127.0.0.1",
            "-p",
            str(self.api_port),
            "-w",
            "1",
        ]
        return self._process("api-server", argv).start()

    def wait_api_server(self) -> None:
        """Until the api-server answers, and has built its execution API: it does so on the
        first request to it (10 s and more), which would otherwise stall the first task."""
        wait_for(
            lambda: self._answers("/api/v2/monitor/health", timeout=2),
            timeout=120,
            what="the api-server to answer /api/v2/monitor/health",
        )
        assert self._answers("/execution/health", timeout=120), "the execution API answers"

    def _answers(self, path: str, timeout: float) -> bool:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{self.api_port}{path}", timeout=timeout
            ) as r:
                return r.status == 200
        except OSError:
            return False

    def api(self, method: str, path: str, body: dict[str, object]) -> dict[str, object]:
        """One call to the REST API as the deployment's admin; logged like the CLI calls."""
        if self._token is None:
            self._token = str(
                self._request(
                    "POST", "/auth/token", {"username": API_USER, "password": API_PASSWORD}, None
                )["access_token"]
            )
        return self._request(method, path, body, self._token)

    def _request(
        self, method: str, path: str, body: dict[str, object], token: str | None
    ) -> dict[str, object]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.api_port}{path}",
            data=json.dumps(body).encode(),
            headers=headers,
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            status, text = err.code, err.read().decode(errors="replace")
        signing_in = token is None and status < 300
        self._log_call(f"{method} {path} -> {status}", "(a token)" if signing_in else text)
        if status >= 300:
            raise RuntimeError(f"{method} {path} answered {status}: {text}")
        return json.loads(text)

    def start_scheduler(self) -> ManagedProcess:
        """Start (or restart) the scheduler and wait for *its* heartbeat, not a predecessor's."""
        before = self.scalar("SELECT coalesce(max(id), 0) FROM job WHERE job_type='SchedulerJob'")
        proc = self._process("scheduler", [str(BIN / "airflow"), "scheduler"]).start()
        wait_for(
            lambda: self.scalar(
                "SELECT count(*) FROM job WHERE job_type='SchedulerJob' AND state='running' AND id > %s "
                "AND latest_heartbeat > now() - interval '10 seconds'",
                (before,),
            ),
            timeout=120,
            what="a running scheduler heartbeat",
        )
        return proc

    def start_dag_processor(self) -> ManagedProcess:
        return self._process("dag-processor", [str(BIN / "airflow"), "dag-processor"]).start()

    def worker(
        self,
        name: str,
        grace: float,
        extra_env: dict[str, str] | None = None,
        queues: str = "default",
    ) -> ManagedProcess:
        """A Celery worker under the production stop policy (not started yet)."""
        argv = [
            str(BIN / "python"), "-m", "mit_airflow.worker_supervisor", "--grace", str(grace), "--",
            str(BIN / "airflow"), "celery", "worker", "--celery-hostname", f"{name}@%h",
            "--skip-serve-logs", "--without-mingle", "--without-gossip", "--queues", queues,
        ]  # fmt: skip
        return self._process(name, argv, {**self.env, **(extra_env or {})})

    def start_worker(
        self,
        name: str,
        grace: float = 120.0,
        extra_env: dict[str, str] | None = None,
        queues: str = "default",
    ) -> ManagedProcess:
        return self.start_workers(self.worker(name, grace, extra_env, queues))[0]

    def start_workers(self, *procs: ManagedProcess) -> list[ManagedProcess]:
        """Start workers (from `worker`) side by side and wait until each has logged 'ready.':
        a start is mostly Airflow's import, which a second worker need not wait for."""
        offsets = [len(p.log_text(tail=10**9)) if p.log_path.exists() else 0 for p in procs]
        for proc in procs:
            proc.start()
        for proc, offset in zip(procs, offsets, strict=True):
            wait_for(
                lambda proc=proc, offset=offset: (
                    " ready." in proc.log_text(tail=10**9)[offset:]
                    or (not proc.alive() and "exited")
                ),
                timeout=120,
                what=f"worker {proc.name} to log 'ready.'",
            )
            assert proc.alive(), f"worker {proc.name} exited during start-up"
        return list(procs)

    def stop_all(self) -> None:
        """Kill every process of the run (its tree), at the end of the run: nothing is left to
        finish gracefully (the database is dropped next), so no grace period is waited out."""
        for proc in reversed(list(self.processes.values())):
            proc.kill_group()

    def failure_report(self) -> str:
        """Every process's log, for a failing test."""
        parts = []
        for path in sorted(self.logs.glob("*.log")):
            parts.append(
                f"\n----- {path.name} (last 15000 chars) -----\n{path.read_text(errors='replace')[-15000:]}"
            )
        return "".join(parts)

    # --- the metadata DB ---------------------------------------------------------------------

    def rows(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self.db.connect() as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            result = cur.fetchall()
        conn.close()
        return result

    def scalar(self, sql: str, params: tuple[object, ...] = ()) -> object:
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    def wait_dag_parsed(self, dag_id: str, timeout: float = 120) -> None:
        wait_for(
            lambda: self.scalar("SELECT count(*) FROM serialized_dag WHERE dag_id=%s", (dag_id,)),
            timeout=timeout,
            what=f"DAG {dag_id} to be parsed",
        )

    def trigger(self, dag_id: str, run_id: str, conf: dict[str, object] | None = None) -> None:
        """A manual run, through the REST API (the `airflow dags trigger` CLI spent 3-5 s
        starting Airflow for each run)."""
        body = {"dag_run_id": run_id, "logical_date": None, "conf": conf or {}}
        self.api("POST", f"/api/v2/dags/{dag_id}/dagRuns", body)

    def run_state(self, dag_id: str, run_id: str) -> str | None:
        return self.scalar(
            "SELECT state FROM dag_run WHERE dag_id=%s AND run_id=%s", (dag_id, run_id)
        )  # type: ignore[return-value]

    def ti(self, dag_id: str, run_id: str, task_id: str) -> tuple[str | None, int] | None:
        """(state, try_number) of one task instance."""
        rows = self.rows(
            "SELECT state, try_number FROM task_instance WHERE dag_id=%s AND run_id=%s AND task_id=%s "
            "AND map_index=-1",
            (dag_id, run_id, task_id),
        )
        return (rows[0][0], int(rows[0][1])) if rows else None  # type: ignore[return-value]

    def wait_ti_state(
        self, dag_id: str, run_id: str, task_id: str, states: set[str], timeout: float = 120
    ) -> int:
        """Wait until the task instance is in one of `states`; returns its try number."""
        found = wait_for(
            lambda: (ti := self.ti(dag_id, run_id, task_id)) and ti[0] in states and ti,
            timeout=timeout,
            what=f"{dag_id}.{task_id} in {run_id} to reach {sorted(states)}",
        )
        return found[1]

    def wait_run_finished(self, dag_id: str, run_id: str, timeout: float = 240) -> str:
        return wait_for(
            lambda: (s := self.run_state(dag_id, run_id)) in TERMINAL_RUN_STATES and s,
            timeout=timeout,
            what=f"DAG run {dag_id}/{run_id} to finish",
        )
