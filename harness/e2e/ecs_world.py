"""What the e2e deployment's ECS looks like: the cluster, the task definition, the environment.

Every Airflow process gets the environment the production deployment gives it, with
`fakeecs serve` as the AWS endpoint. `E2E_IDEMPOTENCY=off` adds
`no_idempotency/` to their PYTHONPATH (the operator as it was before), to show
which scenarios depend on the idempotency promise.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from fakeecs.fixtures import fargate_task_definition
from harness.e2e.fakeecs_server import FakeEcsServer

CLUSTER = "e2e"
FAMILY = "e2e-worker"
SCALE = 10  # fakeecs runs ten virtual seconds per wall second
RUN_SECONDS = 3600  # virtual: a container outlives any retry until a test moves the clock
NETWORK = '{"awsvpcConfiguration": {"subnets": ["subnet-e2e"], "securityGroups": ["sg-e2e"]}}'
NO_IDEMPOTENCY = Path(__file__).parent / "no_idempotency"


def environment(url: str) -> dict[str, str]:
    """The deployment's variables for every Airflow process, pointed at fakeecs."""
    env = {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "e2e",
        "AWS_SECRET_ACCESS_KEY": "e2e",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AIRFLOW_CONN_AWS_DEFAULT": '{"conn_type": "aws"}',
        "ECS_CLUSTER": CLUSTER,
        "ECS_NETWORK_CONFIG": base64.b64encode(NETWORK.encode()).decode(),
        "AIRFLOW_ENVIRONMENT": "e2e",
    }
    if os.environ.get("E2E_IDEMPOTENCY") == "off":
        paths = [str(NO_IDEMPOTENCY), os.environ.get("PYTHONPATH", "")]
        env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return env


def create(server: FakeEcsServer) -> None:
    """The cluster and the one task definition the e2e DAGs launch; its container runs an hour."""
    ecs = server.client()
    ecs.create_cluster(clusterName=CLUSTER)
    ecs.register_task_definition(
        **fargate_task_definition(
            FAMILY, [{"name": "main", "image": "e2e/worker", "essential": True}]
        )
    )
    server.control.behaviour(FAMILY, runSeconds=RUN_SECONDS, exitCode=0)
