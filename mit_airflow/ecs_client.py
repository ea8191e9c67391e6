"""boto3 clients through Airflow's AWS connection, so credentials, region and endpoint
(fakeecs via AWS_ENDPOINT_URL or the connection's `endpoint_url`) need no code.

Building a client costs about 0.1 s of CPU (a boto3 session, botocore's models, the
connection's configuration), which a sensor checking every minute would pay on every
check. `aws_client` keeps the clients of this process, keyed by everything that shapes
one: the service, the connection's id and current definition, the region, and the
`AWS_*` environment variables botocore reads (endpoint, credentials, profile). Any change
to those gives a new client, so an edited connection or a new endpoint is never missed;
botocore clients are safe to share between threads, and refreshable credentials (task
roles, assumed roles) refresh inside the client.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from typing import Any

from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook
from botocore.config import Config

#: botocore's standard retries (throttling, 5xx, dropped connections; the same clientToken).
RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 5})
#: Clients kept per process; the oldest goes first (each holds a small connection pool).
CACHED_CLIENTS = 16

_clients: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_lock = threading.Lock()


def new_client(service: str, aws_conn_id: str | None, region_name: str | None) -> Any:
    """A client built now, shared with nobody."""
    hook = AwsBaseHook(
        aws_conn_id=aws_conn_id, client_type=service, region_name=region_name, config=RETRIES
    )
    return hook.get_conn()


def _connection_fingerprint(aws_conn_id: str | None) -> str | None:
    """A digest of the connection's current definition (None: no connection is used)."""
    if not aws_conn_id:
        return None
    connection = AwsBaseHook.get_connection(aws_conn_id)
    parts = (
        connection.conn_type,
        connection.host,
        connection.login,
        connection.password,
        connection.port,
        connection.schema,
        connection.extra,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _aws_environment() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_")))


def aws_client(service: str, aws_conn_id: str | None, region_name: str | None) -> Any:
    """This process's client for `service` through `aws_conn_id`, built on first use."""
    try:
        fingerprint = _connection_fingerprint(aws_conn_id)
    except Exception:  # not found or unreadable: the hook decides what that means, uncached
        return new_client(service, aws_conn_id, region_name)
    key = (service, aws_conn_id, fingerprint, region_name, _aws_environment())
    with _lock:
        client = _clients.get(key)
        if client is not None:
            _clients.move_to_end(key)
            return client
    client = new_client(service, aws_conn_id, region_name)
    with _lock:
        client = _clients.setdefault(key, client)
        while len(_clients) > CACHED_CLIENTS:
            _clients.popitem(last=False)
    return client
