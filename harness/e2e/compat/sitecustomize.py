"""Compatibility shim loaded only by the e2e suite's Airflow processes (via PYTHONPATH).

apache-airflow-providers-celery 3.26.0 imports `retry` from
`celery.backends.database`, which celery 5.7.0 (in Pipfile.lock) removed, so the
CeleryExecutor cannot even load. Until the lock pins a matching pair, give the
module a `retry` that calls the function once (celery's old decorator retried
on database errors up to three times). Remove when the lock is fixed.
"""

from __future__ import annotations

try:
    import celery.backends.database as _database
except ImportError:  # celery not installed: nothing to patch
    _database = None

if _database is not None and not hasattr(_database, "retry"):
    import functools

    def retry(fun):  # type: ignore[no-untyped-def]
        @functools.wraps(fun)
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            return fun(*args, **kwargs)

        return wrapper

    _database.retry = retry
