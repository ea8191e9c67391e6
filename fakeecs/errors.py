"""ECS errors as the API raises them; the wire layer turns them into AWS JSON errors."""

from __future__ import annotations


class ECSError(Exception):
    """An error ECS would answer with: `code` is the `__type`, `message` the text."""

    status = 400

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        if status is not None:
            self.status = status


def client_error(message: str) -> ECSError:
    return ECSError("ClientException", message)


def invalid_parameter(message: str) -> ECSError:
    return ECSError("InvalidParameterException", message)


def cluster_not_found(message: str = "Cluster not found.") -> ECSError:
    return ECSError("ClusterNotFoundException", message)


def server_error(message: str = "Service Unavailable. Please try again later.") -> ECSError:
    return ECSError("ServerException", message, status=500)
