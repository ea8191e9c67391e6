"""Create the local ECS cluster and task definitions on fakeecs (init.yml, LOCAL_ECS_SETUP=1).

Idempotent: CreateCluster is, and a family is registered only when it has no active
revision yet. Reads ECS_CLUSTER and AWS_ENDPOINT_URL like the workers do.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import boto3
from botocore.exceptions import ClientError


def main(path: str) -> int:
    definitions = json.loads(Path(path).read_text())
    environment = os.environ.get("AIRFLOW_ENVIRONMENT", "dev")
    cluster = os.environ.get("ECS_CLUSTER", f"airflow-{environment}")
    ecs = boto3.client("ecs")
    ecs.create_cluster(clusterName=cluster)
    for template in definitions:
        body = json.loads(json.dumps(template).replace("{env}", environment))
        try:
            ecs.describe_task_definition(taskDefinition=body["family"])
            print(f"local ECS: {body['family']} exists")
        except ClientError:
            ecs.register_task_definition(**body)
            print(f"local ECS: registered {body['family']}")
    print(f"local ECS: cluster {cluster} ready at {os.environ.get('AWS_ENDPOINT_URL', 'AWS')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
