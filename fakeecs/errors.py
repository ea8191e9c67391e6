"""ECS errors as the API raises them; the wire layer turns them into AWS JSON errors."""

from __future__ import annotations

from typing import Any


class ECSError(Exception):
    """An error ECS would answer with: `code` is the `__type`, `message` the text.

    `members` holds the error shape's other members as the wire shows them (for example
    ConflictException's `resourceIds`); the wire layer serialises them from botocore's
    model, so a member the model does not define for `code` is a fakeecs bug.
    """

    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        status: int | None = None,
        *,
        members: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.members = dict(members or {})
        if status is not None:
            self.status = status


def client_error(message: str) -> ECSError:
    return ECSError("ClientException", message)


def invalid_parameter(message: str) -> ECSError:
    return ECSError("InvalidParameterException", message)


def cluster_not_found(message: str = "Cluster not found.") -> ECSError:
    return ECSError("ClusterNotFoundException", message)


def conflict(message: str, resource_ids: list[str]) -> ECSError:
    """ConflictException with the ARNs already tied to the request's clientToken."""
    return ECSError("ConflictException", message, members={"resourceIds": list(resource_ids)})


def server_error(message: str = "Service Unavailable. Please try again later.") -> ECSError:
    return ECSError("ServerException", message, status=500)
