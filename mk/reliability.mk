# Long-run evidence (issue 27): none of it runs in `make test`. Each target writes a JSON record
# under build/reliability/ (with the machine and its load) and docs/reliability.md quotes them.
.PHONY: property crash-loop
PROPERTY_CASES ?= 10000
PROPERTY_WORKERS ?= 4
PROPERTY_ARGS ?=
CRASH_LOOP_SECONDS ?= 600

property: install ## Operator idempotency over PROPERTY_CASES seeded interleavings (resumable); build/reliability/property.json
	$(AIRFLOW_LOCAL_ENV) $(PY) -m reliability.property --cases $(PROPERTY_CASES) --workers $(PROPERTY_WORKERS) $(PROPERTY_ARGS)

crash-loop: install ## fakeecs serve --state SIGKILLed every few seconds under 8 clients; build/reliability/crash-loop.json
	$(PY) -m reliability.crash_loop --seconds $(CRASH_LOOP_SECONDS)
