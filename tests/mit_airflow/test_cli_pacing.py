"""The CLI's waiting and retrying, without any AWS: timeouts, backoff, redaction."""

from __future__ import annotations

import random

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from hypothesis import given
from hypothesis import strategies as st

from mit_airflow.maintenance import oneoff
from mit_airflow.maintenance.aws import Backoff, RetryingClient
from mit_airflow.maintenance.errors import REDACTED, redact
from mit_airflow.maintenance.names import ClusterNames
from mit_airflow.maintenance.pacing import WaitTimeout, wait_until


class CountingPacer:
    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds

    def elapsed(self) -> float:
        return self.now


def test_wait_until_gives_up_at_the_deadline_after_a_last_look() -> None:
    pacer = CountingPacer()
    looks: list[float] = []

    def never() -> None:
        looks.append(pacer.now)

    with pytest.raises(WaitTimeout, match="gave up waiting after 12s for the thing"):
        wait_until(never, pacer=pacer, interval=5, timeout=12, what="the thing")
    assert looks == [0, 5, 10, 12]


def _throttled(operation: str) -> ClientError:
    return ClientError(
        {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, operation
    )


class FlakyClient:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def describe_services(self, **kwargs: object) -> dict:
        self.calls += 1
        if self.calls <= self.failures:
            raise _throttled("DescribeServices")
        return {"services": [], "kwargs": kwargs}


def test_throttling_is_retried_with_growing_pauses_then_succeeds() -> None:
    pacer = CountingPacer()
    client = RetryingClient(FlakyClient(failures=4), pacer, Backoff(rng=random.Random(1)))

    answer = client.describe_services(cluster="c")

    assert answer["kwargs"] == {"cluster": "c"}
    assert len(pacer.pauses) == 4
    ceilings = [0.5, 1.0, 2.0, 4.0]
    assert all(c / 2 <= p <= c for p, c in zip(pacer.pauses, ceilings, strict=True))


def test_throttling_that_does_not_stop_is_raised_after_the_last_attempt() -> None:
    pacer = CountingPacer()
    flaky = FlakyClient(failures=100)
    client = RetryingClient(flaky, pacer, Backoff(attempts=5, rng=random.Random(1)))

    with pytest.raises(ClientError):
        client.describe_services()
    assert flaky.calls == 5


@given(st.integers(min_value=1, max_value=40))
def test_backoff_never_exceeds_its_cap(attempt: int) -> None:
    backoff = Backoff(rng=random.Random(attempt))
    assert 0 < backoff.delay(attempt) <= backoff.cap


@given(st.text(min_size=1, max_size=200))
def test_started_by_and_client_token_are_always_valid_for_ecs(label: str) -> None:
    started_by = oneoff.started_by(label)
    assert len(started_by) <= 128
    assert all(ch.isascii() and (ch.isalnum() or ch in "_/-") for ch in started_by)
    request = oneoff.OneOffRequest(label=label, command=["airflow", label], nonce="n")
    assert 1 <= len(oneoff.client_token(ClusterNames.for_cluster("c"), request)) <= 64


@given(
    st.text(min_size=1, max_size=30).filter(lambda s: "*" not in s),
    st.text(max_size=50),
    st.text(max_size=50),
)
def test_redact_leaves_no_occurrence(secret: str, before: str, after: str) -> None:
    text = redact(f"{before}{secret}{after}{secret}", [secret])
    assert secret not in text
    assert REDACTED in text


class UnreachableClient:
    def __init__(self) -> None:
        self.calls = 0

    def describe_services(self, **kwargs: object) -> dict:
        self.calls += 1
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9")


def test_an_unreachable_endpoint_fails_at_once() -> None:
    pacer = CountingPacer()
    unreachable = UnreachableClient()
    client = RetryingClient(unreachable, pacer, Backoff(rng=random.Random(1)))

    with pytest.raises(EndpointConnectionError):
        client.describe_services()
    assert unreachable.calls == 1 and pacer.pauses == []
