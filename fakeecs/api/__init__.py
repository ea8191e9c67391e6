"""One pure function per ECS operation, registered in `registry.OPERATIONS`.

Importing this package registers every operation module.
"""

from fakeecs.api import (  # noqa: F401
    account_settings,
    agent,
    attributes,
    capacity_providers,
    clusters,
    container_instances,
    services,
    tags,
    task_definitions,
    task_sets,
    tasks,
)
from fakeecs.api.registry import OPERATIONS, CallContext, operation

__all__ = ["OPERATIONS", "CallContext", "operation"]
