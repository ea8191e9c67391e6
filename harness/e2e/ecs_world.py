"""What the e2e deployment's ECS looks like: the network, the cluster, the task definition, the
environment.

Every Airflow process gets the environment the production deployment gives it, with
`fakeecs serve` as the AWS endpoint. `E2E_IDEMPOTENCY=off` adds
`no_idempotency/` to their PYTHONPATH (the operator as it was before), to show
which scenarios depend on the idempotency promise.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fakeecs.fixtures import fargate_task_definition
from harness import network
from harness.e2e.fakeecs_server import FakeEcsServer

CLUSTER = "e2e"
FAMILY = "e2e-worker"
SCALE = 10  # fakeecs runs ten virtual seconds per wall second
RUN_SECONDS = 3600  # virtual: a container outlives any retry until a test moves the clock
NO_IDEMPOTENCY = Path(__file__).parent / "no_idempotency"


def environment(url: str, ecs_network: dict[str, Any]) -> dict[str, str]:
    """The deployment's variables for every Airflow process, pointed at fakeecs, with the
    network `create` made."""
    env = {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "e2e",
        "AWS_SECRET_ACCESS_KEY": "e2e",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AIRFLOW_CONN_AWS_DEFAULT": '{"conn_type": "aws"}',
        "ECS_CLUSTER": CLUSTER,
        "ECS_NETWORK_CONFIG": network.config_value(ecs_network),
        "AIRFLOW_ENVIRONMENT": "e2e",
    }
    if os.environ.get("E2E_IDEMPOTENCY") == "off":
        paths = [str(NO_IDEMPOTENCY), os.environ.get("PYTHONPATH", "")]
        env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return env


def create(server: FakeEcsServer) -> dict[str, Any]:
    """The network, the cluster and the one task definition the e2e DAGs launch (its container
    runs an hour); returns the network, for `environment`."""
    ecs_network = network.create(server.client("ec2"), "airflow-e2e")
    ecs = server.client()
    ecs.create_cluster(clusterName=CLUSTER)
    ecs.register_task_definition(
        **fargate_task_definition(
            FAMILY, [{"name": "main", "image": "e2e/worker", "essential": True}]
        )
    )
    server.control.behaviour(FAMILY, runSeconds=RUN_SECONDS, exitCode=0)
    return ecs_network
