"""boto3 clients through Airflow's AWS connection, so credentials, region and endpoint
(fakeecs via AWS_ENDPOINT_URL or the connection's `endpoint_url`) need no code."""

from __future__ import annotations

from typing import Any

from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook
from botocore.config import Config

#: botocore's standard retries (throttling, 5xx, dropped connections; the same clientToken).
RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 5})


def aws_client(service: str, aws_conn_id: str | None, region_name: str | None) -> Any:
    hook = AwsBaseHook(
        aws_conn_id=aws_conn_id, client_type=service, region_name=region_name, config=RETRIES
    )
    return hook.get_conn()
