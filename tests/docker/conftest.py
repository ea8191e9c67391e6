"""`make test-docker`: the image, the compose stack and the release path, with a real engine.

Never part of `make test`. The engine is started here when none runs (as root; see
harness.docker.engine), base images are built locally once (harness.docker.images),
and everything this suite starts is removed afterwards.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from harness.docker import engine, images

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "mit-airflow-ecs:test-docker"


@pytest.fixture(scope="session")
def base_images() -> dict[str, str]:
    """A Docker engine and the locally built base images; the variables that name them."""
    try:
        engine.ensure(ROOT / "build" / "dockerd.log")
    except engine.EngineUnavailable as err:
        pytest.fail(str(err), pytrace=False)
    return images.ensure_all()


def make(
    *args: str, env: dict[str, str] | None = None, timeout: float = 3600
) -> subprocess.CompletedProcess[str]:
    """Run a make target of this repository as a user would."""
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="session")
def image(base_images: dict[str, str]) -> str:
    """`make dist` on the local python base, tagged test-docker (rebuilt from cache each run)."""
    done = make(
        "dist",
        f"BASE_IMAGE={base_images['BASE_IMAGE']}",
        "IMAGE_TAG=test-docker",
        "DOCKER_BUILD_FLAGS=--network=host",
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]
    return IMAGE
