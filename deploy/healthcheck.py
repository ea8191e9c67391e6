"""Container healthcheck per component (`python /opt/app/deploy/healthcheck.py COMPONENT`).

Uses only the standard library and Airflow's own CLI, so the slim image needs no curl.
Exit 0 when healthy, 1 otherwise (Docker's HEALTHCHECK and ECS's healthCheck both read that).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request

JOB_TYPES = {
    "scheduler": "SchedulerJob",
    "triggerer": "TriggererJob",
    "dag-processor": "DagProcessorJob",
}


def http_ok(url: str, headers: dict[str, str] | None = None) -> bool:
    try:
        request = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status == 200
    except OSError:
        return False


def check(component: str) -> bool:
    if component == "api-server":
        return http_ok("http://localhost:8080/api/v2/monitor/health")
    if component == "fakeecs":
        # a fakeecs reachable beyond loopback requires its control token on every control request
        token = os.environ.get("FAKEECS_CONTROL_TOKEN")
        return http_ok(
            f"http://localhost:{os.environ.get('FAKEECS_PORT', '5090')}/_fakeecs/health",
            {"X-Fakeecs-Token": token} if token else None,
        )
    if component in JOB_TYPES:
        command = ["airflow", "jobs", "check", "--job-type", JOB_TYPES[component], "--local"]
    elif component == "worker":
        command = [
            "celery",
            "--app",
            "airflow.providers.celery.executors.celery_executor.app",
            "inspect",
            "ping",
            "-d",
            f"celery@{socket.gethostname()}",
        ]
    else:
        print(f"no healthcheck for component {component!r}", file=sys.stderr)
        return False
    return subprocess.run(command, capture_output=True, timeout=50, check=False).returncode == 0


if __name__ == "__main__":
    sys.exit(0 if check(sys.argv[1] if len(sys.argv) > 1 else "") else 1)
