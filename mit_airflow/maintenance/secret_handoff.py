"""Handing a password to a one-off task without it ever being in ECS's hands.

The CLI stores the password in a short-lived SSM SecureString parameter and gives the
task only the parameter's name; `in_task_user.py` reads and deletes it inside the
container. The CLI deletes it too once the task has stopped (or failed to start), and
the parameter carries an expiration policy so a crashed laptop cannot leave it behind.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

from mit_airflow.maintenance.errors import WorkflowError, error_code

#: How long the parameter may live if nothing deletes it (an SSM expiration policy).
PARAMETER_LIFETIME = timedelta(hours=1)


def in_task_script() -> str:
    """The source of the script the container runs to read and delete the parameter."""
    return resources.files("mit_airflow.maintenance").joinpath("in_task_user.py").read_text()


def parameter_name(cluster: str, nonce: str) -> str:
    """A fresh parameter name per command (the nonce is unique per invocation)."""
    return f"/workflow/{cluster}/handoff/{nonce}"


#: Loggers that write request bodies at DEBUG level (botocore logs every parameter it sends).
_WIRE_LOGGERS = ("botocore", "boto3", "urllib3")


@contextmanager
def _wire_logging_silenced() -> Iterator[None]:
    """Keep the request that carries the password out of any DEBUG log, whoever configured logging."""
    loggers = [logging.getLogger(name) for name in _WIRE_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(logging.INFO, logger.getEffectiveLevel()))
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@contextmanager
def password_parameter(
    ssm: Any, name: str, password: str, *, now: datetime | None = None
) -> Iterator[str]:
    """Store `password` as a SecureString under `name` for the duration of the block, then delete it.

    Errors never carry the password: AWS's own message is dropped, only its code is kept.
    """
    expires = (now or datetime.now(UTC)) + PARAMETER_LIFETIME
    policy = [
        {
            "Type": "Expiration",
            "Version": "1.0",
            "Attributes": {"Timestamp": expires.strftime("%Y-%m-%dT%H:%M:%S.000Z")},
        }
    ]
    try:
        with _wire_logging_silenced():
            ssm.put_parameter(
                Name=name,
                Value=password,
                Type="SecureString",
                Tier="Advanced",
                Policies=json.dumps(policy),
                Description="one-time password hand-off from `workflow`; deleted by the task that reads it",
            )
    except Exception as exc:
        code = error_code(exc) or type(exc).__name__
        raise WorkflowError(
            f"could not store the password in SSM parameter {name}: {code}"
        ) from None
    try:
        yield name
    finally:
        try:
            ssm.delete_parameter(Name=name)
        except Exception as exc:
            if error_code(exc) != "ParameterNotFound":
                raise WorkflowError(
                    f"could not delete the password parameter {name} ({error_code(exc) or type(exc).__name__}): "
                    f"delete it with `aws ssm delete-parameter --name {name}`"
                ) from None
