"""One pure function per ECS operation, registered in `registry.OPERATIONS`.

Importing this package registers every operation module.
"""

from fakeecs.api import clusters, services, tags, task_definitions, tasks  # noqa: F401
from fakeecs.api.registry import OPERATIONS, CallContext, operation

__all__ = ["OPERATIONS", "CallContext", "operation"]
