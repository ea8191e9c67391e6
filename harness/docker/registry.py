"""A local image registry (Debian's docker-registry, Docker Distribution 2.8) for the push path.

`make stage` pushes to it exactly as to ECR; pushing to a loopback address needs no TLS.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

from harness.e2e.airflow_cluster import free_port
from harness.e2e.processes import ManagedProcess
from harness.e2e.waiting import wait_for

CONFIG = """version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: {root}
http:
  addr: 127.0.0.1:{port}
"""


class LocalRegistry:
    def __init__(self, workdir: Path) -> None:
        if shutil.which("docker-registry") is None:
            raise RuntimeError("docker-registry is missing: apt-get install docker-registry")
        self.port = free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        config = workdir / "registry.yml"
        config.write_text(CONFIG.format(root=workdir / "data", port=self.port))
        self.process = ManagedProcess(
            "registry", ["docker-registry", "serve", str(config)], {}, workdir / "registry.log"
        )

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://{self.host}/v2/", timeout=2) as answer:
                return answer.status == 200
        except OSError:
            return False

    def start(self) -> LocalRegistry:
        self.process.start()
        wait_for(self._answers, timeout=30, what=f"the registry on {self.host}")
        return self

    def tags(self, repository: str) -> list[str]:
        with urllib.request.urlopen(
            f"http://{self.host}/v2/{repository}/tags/list", timeout=10
        ) as r:
            return json.load(r).get("tags") or []

    def stop(self) -> None:
        self.process.stop(grace=5)
