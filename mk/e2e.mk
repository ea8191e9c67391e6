# Real-process end-to-end suite (issue 9): Airflow with CeleryExecutor, PostgreSQL, Redis, fakeecs.
# Not part of `make test` (which ignores tests/e2e). Needs PostgreSQL on 127.0.0.1:5432 and Redis
# on 127.0.0.1:6379; starts them when they are down, fails with instructions when it cannot.
.PHONY: test-e2e

E2E_ARGS ?=

test-e2e: install ## Worker/scheduler restart safety with real Airflow processes (see docs/restarts.md)
	$(PY) -m pytest tests/e2e -q -p no:cacheprovider --durations=0 $(E2E_ARGS)
