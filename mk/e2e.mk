# Real-process end-to-end suite (issue 9): Airflow with CeleryExecutor, PostgreSQL, Redis, fakeecs.
# Not part of `make test` (which ignores tests/e2e). Needs PostgreSQL on 127.0.0.1:5432 and Redis
# on 127.0.0.1:6379; starts them when they are down, fails with instructions when it cannot.
# Each pytest-xdist worker runs a whole deployment of its own; the tests mostly wait on Airflow's
# heartbeats and timeouts, so two deployments side by side fit on 2 cores. worksteal: the tests
# take 20 to 50 s each, and a worker that runs out takes tests from the other's queue.
# E2E_WORKERS=0 runs the suite in one process, on one deployment.
.PHONY: test-e2e

E2E_ARGS ?=
E2E_WORKERS ?= 2

test-e2e: install ## Worker/scheduler restart safety with real Airflow processes (see docs/restarts.md)
	$(PY) -m pytest tests/e2e -q -p no:cacheprovider --durations=0 -n $(E2E_WORKERS) --dist worksteal \
		$(E2E_ARGS)
