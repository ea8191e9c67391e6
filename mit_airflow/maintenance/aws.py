"""AWS clients for the CLI, with throttling and transient errors retried on the CLI's pacer.

botocore's own retries are turned off so that every pause goes through the Pacer:
real sleeps in production, virtual time in tests. Endpoints come from boto3's usual
configuration (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_ECS, profiles), never from code.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from mit_airflow.maintenance.errors import THROTTLING_CODES, TRANSIENT_CODES, error_code
from mit_airflow.maintenance.pacing import Pacer

RetryNotice = Callable[[str, str, float, int], None]

_NO_BOTOCORE_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


@dataclass
class Backoff:
    """Exponential backoff with full jitter (the AWS-recommended shape), seeded for tests."""

    base: float = 0.5
    cap: float = 20.0
    attempts: int = 8
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        """The pause before retry number `attempt` (1-based)."""
        ceiling = min(self.cap, self.base * 2 ** (attempt - 1))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)


def is_retryable(exc: BaseException) -> str | None:
    """Why `exc` is worth retrying (an error code or 'connection'), or None."""
    if isinstance(exc, ClientError):
        code = error_code(exc)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in THROTTLING_CODES or code in TRANSIENT_CODES or status in {500, 502, 503, 504}:
            return code or str(status)
        return None
    if isinstance(exc, ConnectionClosedError | ReadTimeoutError):
        # The request may have been carried out: safe to repeat only because every change the
        # CLI makes is idempotent (RunTask carries a clientToken). A refused connection
        # (EndpointConnectionError) is not retried: a wrong endpoint should fail at once.
        return "connection lost"
    return None


class RetryingClient:
    """A boto3 client whose API methods retry throttling and transient errors with backoff.

    Safe for the calls the CLI makes: RunTask carries a clientToken, the rest are reads
    or set a value (desiredCount) to the same thing again.
    """

    def __init__(
        self, client: Any, pacer: Pacer, backoff: Backoff, notice: RetryNotice | None = None
    ) -> None:
        self._client = client
        self._pacer = pacer
        self._backoff = backoff
        self._notice = notice

    @property
    def raw(self) -> Any:
        """The underlying boto3 client (for paginators and `exceptions`)."""
        return self._client

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._client, name)
        if not callable(target) or name.startswith("_") or name in _NOT_API_CALLS:
            return target

        def call(**kwargs: Any) -> Any:
            attempt = 1
            while True:
                try:
                    return target(**kwargs)
                except Exception as exc:
                    reason = is_retryable(exc)
                    if reason is None or attempt >= self._backoff.attempts:
                        raise
                    pause = self._backoff.delay(attempt)
                    if self._notice is not None:
                        self._notice(name, reason, pause, attempt)
                    self._pacer.sleep(pause)
                    attempt += 1

        return call


_NOT_API_CALLS = frozenset(
    {"get_paginator", "get_waiter", "can_paginate", "close", "generate_presigned_url"}
)


@dataclass
class Clients:
    """The three AWS APIs the CLI uses, each retrying on the same pacer."""

    ecs: Any
    ssm: Any
    logs: Any

    @classmethod
    def create(
        cls,
        pacer: Pacer,
        *,
        backoff: Backoff | None = None,
        notice: RetryNotice | None = None,
        session: boto3.Session | None = None,
    ) -> Clients:
        """Build clients from the environment's AWS configuration (profile, region, endpoints)."""
        session = session or boto3.Session()
        backoff = backoff or Backoff()

        def make(service: str) -> RetryingClient:
            client = session.client(service, config=_NO_BOTOCORE_RETRIES)
            return RetryingClient(client, pacer, backoff, notice)

        return cls(ecs=make("ecs"), ssm=make("ssm"), logs=make("logs"))
