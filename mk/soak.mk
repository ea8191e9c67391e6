# Soak test of fakeecs under concurrent clients (issue 14); not part of `make test`.
.PHONY: soak
SOAK_SECONDS ?= 120
SOAK_CLIENTS ?= 8

soak: install ## Many concurrent clients against one fakeecs serve, then invariants (build/reliability/soak.json)
	$(PY) -m soak.run --seconds $(SOAK_SECONDS) --clients $(SOAK_CLIENTS) --json build/reliability/soak.json
