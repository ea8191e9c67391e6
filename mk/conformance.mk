# Conformance suite (issue 25): real third-party ECS clients, unmodified and pinned, against
# `fakeecs serve`. The clients install themselves into build/conformance/ (pip venvs, an npm
# prefix) on first use; `make conformance` rewrites docs/conformance.md.
.PHONY: conformance conformance-fast conformance-clients

CONFORMANCE_ARGS ?=
CONFORMANCE_PYTEST := $(PY) -m pytest conformance -p no:cacheprovider -q --durations=5

conformance-clients: install ## Install the pinned clients (AWS CLI, ecs-deploy, JavaScript SDK) into build/
	$(PY) -m conformance.clients

conformance: conformance-clients ## Every client x check against fakeecs serve; writes docs/conformance.md
	$(CONFORMANCE_PYTEST) --conformance-page docs/conformance.md $(CONFORMANCE_ARGS)

conformance-fast: conformance-clients ## The CI subset (no Airflow DAGs, no 15-second waiters, the text format only)
	$(CONFORMANCE_PYTEST) -m "not slow" $(CONFORMANCE_ARGS)
