"""Real-process end-to-end support: PostgreSQL, Redis, Airflow with CeleryExecutor, fakeecs.

Used by tests/e2e only; `make test` never imports it.
"""
