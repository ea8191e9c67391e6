"""`FakeECSContainer`: fakeecs itself in a Docker container, for tests built on testcontainers.

    with FakeECSContainer() as fake:          # image built from the project's Dockerfile
        ecs = fake.client("ecs")
        fake.control.advance(60)

The image is the Dockerfile's `fakeecs` target (built once, found later by its tag).
Nothing is pulled: the base image must be local (`base_image=`, as `make test-docker`
builds it). Where the engine has no default bridge network (dockerd --bridge=none),
the container shares the host's network on a free loopback port; otherwise its port
5090 is published and the control API asks for a generated token.
"""

from __future__ import annotations

import secrets
import socket
from pathlib import Path
from typing import Any

from fakeecs.control import ControlClient

ROOT = Path(__file__).resolve().parents[1]
IMAGE = "fakeecs:local"
PORT = 5090


def build_image(tag: str = IMAGE, *, base_image: str, index_url: str | None = None) -> str:
    """Build the Dockerfile's `fakeecs` target as `tag` (cached layers make a rebuild quick)."""
    import docker

    if not (ROOT / "Dockerfile").exists():
        raise FileNotFoundError(
            f"no Dockerfile in {ROOT}: FakeECSContainer builds its image from this project's "
            "Dockerfile; pass image= an image built elsewhere"
        )
    if index_url is None:
        from pip._internal.models.index import PyPI

        index_url = PyPI.simple_url
    docker.from_env().images.build(
        path=str(ROOT),
        target="fakeecs",
        tag=tag,
        network_mode="host",
        buildargs={"BASE_IMAGE": base_image, "PYPI_INDEX_URL": index_url},
        rm=True,
    )
    return tag


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _has_bridge(client: Any) -> bool:
    return bool(client.networks.list(names=["bridge"]))


class FakeECSContainer:
    """A `fakeecs serve` in a container; `endpoint_url`, `client(service)` and `control` once started."""

    def __init__(self, image: str = IMAGE, *, args: tuple[str, ...] = ()) -> None:
        try:
            from testcontainers.core.config import testcontainers_config
            from testcontainers.core.container import DockerContainer
        except ImportError:
            raise ImportError(
                "FakeECSContainer needs testcontainers: pip install testcontainers"
            ) from None
        import docker

        engine = docker.from_env()
        # Ryuk (testcontainers' reaper) is an image from a registry: without it locally, go without.
        if not engine.images.list(name="testcontainers/ryuk"):
            testcontainers_config.ryuk_disabled = True
        self.token = secrets.token_hex(16)
        self._container = DockerContainer(image).with_env("FAKEECS_CONTROL_TOKEN", self.token)
        if _has_bridge(engine):
            self._host_port: int | None = None
            self._container.with_exposed_ports(PORT).with_command(
                ["--host", "0.0.0.0", "--port", str(PORT), *args]
            )
        else:
            self._host_port = _free_port()
            self._container.with_kwargs(network_mode="host").with_command(
                ["--host", "127.0.0.1", "--port", str(self._host_port), *args]
            )
        self.endpoint_url = ""
        self.control: ControlClient | None = None

    def start(self, timeout: float = 60) -> FakeECSContainer:
        from testcontainers.core.waiting_utils import wait_for_logs

        self._container.start()
        wait_for_logs(self._container, "fakeecs listening on", timeout=timeout)
        if self._host_port is None:
            host = self._container.get_container_host_ip()
            self.endpoint_url = f"http://{host}:{self._container.get_exposed_port(PORT)}"
        else:
            self.endpoint_url = f"http://127.0.0.1:{self._host_port}"
        self.control = ControlClient(self.endpoint_url, token=self.token)
        return self

    def client(self, service: str = "ecs", region: str = "us-east-1") -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=region,
            aws_access_key_id="fakeecs",
            aws_secret_access_key="fakeecs",
        )

    def logs(self) -> str:
        out, err = self._container.get_logs()
        return (out + err).decode("utf-8", "replace")

    def stop(self) -> None:
        self._container.stop()

    def __enter__(self) -> FakeECSContainer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
