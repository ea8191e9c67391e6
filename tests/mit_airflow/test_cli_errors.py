"""Mistakes in a person's AWS set-up get one line and exit code 1, before any ECS is needed."""

from __future__ import annotations

import random
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from mit_airflow.cli import Runtime, cli


class NoTimePacer:
    def sleep(self, seconds: float) -> None:
        raise AssertionError("nothing here should wait")

    def elapsed(self) -> float:
        return 0.0


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(*args: str) -> Result:
    runtime = Runtime(pacer=NoTimePacer(), rng=random.Random(0), console=Console(width=200))
    return CliRunner().invoke(cli, list(args), obj=runtime)


@pytest.fixture
def nowhere(monkeypatch: pytest.MonkeyPatch) -> str:
    """An endpoint on which nothing listens, so no test can reach anything real."""
    url = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    return url


def test_no_region_is_one_line(
    nowhere: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))

    result = _run("status")

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: no AWS region configured: set AWS_REGION (or AWS_DEFAULT_REGION) or pass a profile with one"
    ]


def test_no_credentials_is_one_line(
    nowhere: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)

    result = _run("migrate-db")

    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("Error: no AWS credentials found")


def test_an_unreachable_endpoint_is_one_line(nowhere: str) -> None:
    result = _run("--cluster", "airflow-prod", "status")

    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: cannot reach AWS at {nowhere}/: check the network or AWS_ENDPOINT_URL"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cluster", " ", "status"], "Invalid value for --cluster: must not be empty"),
        (["--poll-interval", "0", "status"], "Invalid value for '--poll-interval'"),
        (["start-scheduler", "--count", "0"], "Invalid value for '--count'"),
        (["no-such-command"], "No such command 'no-such-command'"),
    ],
)
def test_bad_options_are_refused_by_click(nowhere: str, args: list[str], message: str) -> None:
    result = _run(*args)

    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_help_lists_every_command_and_the_alias() -> None:
    result = _run("--help")

    assert result.exit_code == 0
    for command in (
        "migrate-db", "upgradedb", "initialize", "add-user", "delete-user", "rotate-fernet-key",
        "redeploy", "stop-scheduler", "start-scheduler", "status",
    ):  # fmt: skip
        assert f"  {command} " in result.output
