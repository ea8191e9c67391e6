# Benchmarks (speed is measured here, never asserted in tests); not part of `make test`.
.PHONY: bench
BENCH_ARGS ?=

bench: install ## Measure fakeecs (wire, engine, placement) and the harness (cost, scale); build/bench.json
	$(PY) -m bench.run --json build/bench.json $(BENCH_ARGS)
