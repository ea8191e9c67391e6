"""How ECS counts a container instance's tasks, as DescribeContainerInstances and the
cluster query language's `runningTasksCount` show them.

The API reference defines them apart from the cluster's counts: `runningTasksCount` is
"the number of tasks on the container instance that have a desired status
(`desiredStatus`) of `RUNNING`", so a task still starting counts, and a task being
stopped no longer does; `pendingTasksCount` counts the tasks not yet RUNNING.
"""

from __future__ import annotations

from collections.abc import Iterable

from fakeecs.model import PENDING_STATES, Task


def instance_running(tasks: Iterable[Task]) -> int:
    """Tasks not STOPPED whose desired status is RUNNING."""
    return sum(1 for t in tasks if t.last_status != "STOPPED" and t.desired_status == "RUNNING")


def instance_pending(tasks: Iterable[Task]) -> int:
    """Tasks started and not yet RUNNING (PROVISIONING, PENDING, ACTIVATING)."""
    return sum(1 for t in tasks if t.last_status in PENDING_STATES)
