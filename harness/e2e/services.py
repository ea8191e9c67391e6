"""The machine's PostgreSQL and Redis: make sure they run, and take a private DB of each per run.

Each run gets a fresh PostgreSQL database and a fresh Redis DB index, and gives
both back at the end, so runs never see each other's state.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import redis

from harness.e2e.waiting import wait_for

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_START = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'
CLAIM_KEY = "mit-airflow-e2e:claimed-by"


class ServiceUnavailable(RuntimeError):
    """A server is down and could not be started; the message says how to start it."""


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _pg_start_command() -> list[str]:
    versions = (
        sorted(p.name for p in Path("/etc/postgresql").glob("*"))
        if Path("/etc/postgresql").is_dir()
        else []
    )
    if not versions:
        raise ServiceUnavailable(
            "PostgreSQL is not running on 127.0.0.1:5432 and no cluster is installed under "
            "/etc/postgresql; install the postgresql package, then run "
            "`pg_ctlcluster --skip-systemctl-redirect <version> main start`"
        )
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"]


def _start(what: str, argv: list[str], host: str, port: int, how: str) -> None:
    if _listening(host, port):
        return
    if shutil.which(argv[0]) is None:
        raise ServiceUnavailable(
            f"{what} is not running on {host}:{port} and `{argv[0]}` is not installed; {how}"
        )
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ServiceUnavailable(
            f"{what} is not running on {host}:{port} and `{' '.join(argv)}` failed "
            f"({result.stderr.strip() or result.stdout.strip()}); {how}"
        )
    wait_for(lambda: _listening(host, port), timeout=30, what=f"{what} to listen on {host}:{port}")


def ensure_postgres() -> None:
    """Start the installed PostgreSQL cluster if nothing listens on 5432."""
    if _listening(PG_HOST, PG_PORT):
        return
    argv = _pg_start_command()
    if os.geteuid() != 0:
        argv = ["sudo", "-n", *argv]
    _start("PostgreSQL", argv, PG_HOST, PG_PORT, f"start it with `{' '.join(argv)}`")


def ensure_redis() -> None:
    """Start a throwaway Redis (no persistence) if nothing listens on 6379."""
    argv = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
            "--save", "", "--appendonly", "no"]  # fmt: skip
    _start("Redis", argv, REDIS_HOST, REDIS_PORT, f"start it with `{REDIS_START}`")


@dataclass
class PostgresDatabase:
    """A database created for one run and dropped after it."""

    name: str

    @property
    def sqlalchemy_url(self) -> str:
        return f"postgresql+psycopg2://{PG_USER}@{PG_HOST}:{PG_PORT}/{self.name}"

    @property
    def result_backend_url(self) -> str:
        return f"db+postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{self.name}"

    def connect(self) -> psycopg2.extensions.connection:
        conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=self.name)
        conn.autocommit = True
        return conn

    @classmethod
    def create(cls) -> PostgresDatabase:
        name = f"mit_e2e_{os.getpid()}_{secrets.token_hex(4)}"
        with _admin() as conn, conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        return cls(name)

    def drop(self) -> None:
        with _admin() as conn, conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class _admin:
    """A connection to the `postgres` maintenance DB, closed on exit (psycopg2's own
    context manager only ends the transaction)."""

    def __enter__(self) -> psycopg2.extensions.connection:
        self.conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres")
        self.conn.autocommit = True
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self.conn.close()


@dataclass
class RedisDatabase:
    """A Redis DB index claimed for one run (empty when claimed, flushed when released)."""

    index: int

    @property
    def url(self) -> str:
        return f"redis://{REDIS_HOST}:{REDIS_PORT}/{self.index}"

    def client(self) -> redis.Redis:
        return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=self.index)

    @classmethod
    def claim(cls) -> RedisDatabase:
        """The first empty index (1..15) that we manage to mark as ours."""
        token = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        first = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=0)
        databases = int(first.config_get("databases").get("databases", 16))
        for index in range(1, databases):
            client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=index)
            if client.dbsize() == 0 and client.set(CLAIM_KEY, token, nx=True):
                if client.dbsize() == 1:
                    return cls(index)
                client.delete(CLAIM_KEY)
        raise ServiceUnavailable(
            f"no empty Redis DB index among 1..{databases - 1} on {REDIS_HOST}:{REDIS_PORT}"
        )

    def release(self) -> None:
        self.client().flushdb()
