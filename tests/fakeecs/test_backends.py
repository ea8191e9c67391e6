"""Choosing a backend: combinations that cannot work are refused with what to change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fakeecs import FakeECS
from fakeecs.containers import DockerUnavailable

FAKEECS = str(Path(sys.executable).parent / "fakeecs")


def serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FAKEECS, "serve", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_docker_backend_refuses_a_virtual_clock() -> None:
    done = serve("--backend", "docker", "--clock", "manual")
    assert done.returncode == 2
    assert "real containers in real time" in done.stderr
    assert "Traceback" not in done.stderr
    with pytest.raises(ValueError, match="real clock"):
        FakeECS(backend="docker", clock="scaled:60")


def test_docker_backend_refuses_a_state_file(tmp_path: Path) -> None:
    done = serve("--backend", "docker", "--state", str(tmp_path / "state.json"))
    assert done.returncode == 2
    assert "cannot keep state in a file" in done.stderr


def test_docker_backend_without_an_engine_says_how_to_get_one(tmp_path: Path) -> None:
    nowhere = {"DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"}
    done = serve("--backend", "docker", env=nowhere)
    assert done.returncode == 2
    assert "needs a running Docker engine" in done.stderr
    assert "Traceback" not in done.stderr
    os.environ["DOCKER_HOST"], saved = nowhere["DOCKER_HOST"], os.environ.get("DOCKER_HOST")
    try:
        with pytest.raises(DockerUnavailable, match="start dockerd"):
            FakeECS(backend="docker")
    finally:
        os.environ.pop("DOCKER_HOST")
        if saved is not None:
            os.environ["DOCKER_HOST"] = saved


def test_unknown_backend_is_named() -> None:
    done = serve("--backend", "kubernetes")
    assert done.returncode == 2
    assert "'kubernetes' is not one of 'simulated', 'docker'" in done.stderr
    with pytest.raises(ValueError, match="unknown backend 'kubernetes'"):
        FakeECS(backend="kubernetes")


def test_health_names_the_backend() -> None:
    with FakeECS() as fake:
        assert fake.health()["backend"] == "simulated"
