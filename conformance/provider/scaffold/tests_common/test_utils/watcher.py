"""The watcher task: fails the run when any task failed, even if teardown tasks then succeeded.

Airflow's own watcher does the same: a task with trigger rule ONE_FAILED that raises, so a DAG
whose last tasks run with ALL_DONE still ends failed when its body failed.
"""

from __future__ import annotations

from airflow.sdk import TriggerRule, task


class WatcherFailed(RuntimeError):
    """A task upstream of the watcher failed."""


@task(trigger_rule=TriggerRule.ONE_FAILED, retries=0)
def watcher() -> None:
    raise WatcherFailed("a task of this system test failed; the run is marked failed")
