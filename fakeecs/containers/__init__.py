"""The docker backend: tasks' containers run for real in the local Docker engine."""

from fakeecs.containers.runtime import DockerRuntime, DockerUnavailable

__all__ = ["DockerRuntime", "DockerUnavailable"]
