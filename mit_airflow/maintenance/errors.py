"""Turning what goes wrong into one line a person can act on.

A traceback is for bugs in this program; a wrong cluster name, missing credentials
or a throttled account are the user's situation, and get one sentence saying what
to do. Messages are redacted of any secret the command handled.
"""

from __future__ import annotations

from collections.abc import Iterable

from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
)

REDACTED = "********"


class WorkflowError(Exception):
    """A failure the user can understand and act on; printed as one line, exit code 1."""

    exit_code = 1


class UnknownServiceError(WorkflowError):
    """A service named by the options does not exist in the cluster."""


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each (non-empty) secret in `text`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ClientError (`ThrottlingException`, ...), or ''."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def explain(exc: BaseException, *, cluster: str) -> str | None:
    """One line for a known AWS or configuration failure; None for anything else (a bug)."""
    if isinstance(exc, WorkflowError):
        return str(exc)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return (
            "no AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY), or run `aws sso login`"
        )
    if isinstance(exc, NoRegionError):
        return "no AWS region configured: set AWS_REGION (or AWS_DEFAULT_REGION) or pass a profile with one"
    if isinstance(exc, EndpointConnectionError):
        return f"cannot reach AWS at {exc.kwargs.get('endpoint_url', 'its endpoint')}: check the network or AWS_ENDPOINT_URL"
    if isinstance(exc, ParamValidationError):
        return f"invalid request: {exc.kwargs.get('report', exc)}".strip()
    if isinstance(exc, ClientError):
        code = error_code(exc)
        message = exc.response.get("Error", {}).get("Message", "")
        operation = getattr(exc, "operation_name", "the request")
        if code == "ClusterNotFoundException":
            return f"unknown cluster {cluster!r}: check --cluster / WORKFLOW_CLUSTER and the AWS region"
        if code == "ServiceNotFoundException":
            return f"unknown service in cluster {cluster!r}: {message}"
        if code in THROTTLING_CODES:
            return f"AWS kept throttling {operation} after several retries: wait a minute and run the command again"
        if code in {"AccessDeniedException", "AccessDenied", "UnrecognizedClientException"}:
            return f"AWS refused {operation}: {message or code} (check your credentials and IAM permissions)"
        if code in {"ExpiredTokenException", "ExpiredToken"}:
            return "your AWS session has expired: log in again (for example `aws sso login`)"
        return f"{operation} failed: {code}: {message}".rstrip(": ")
    return None


#: Error codes that mean "slow down", across ECS, SSM and CloudWatch Logs.
THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
    }
)

#: Error codes of transient failures on the AWS side, retried like throttling.
TRANSIENT_CODES = frozenset(
    {"ServerException", "InternalServerError", "ServiceUnavailable", "InternalFailure"}
)
