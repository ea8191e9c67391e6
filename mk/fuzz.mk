# Long fuzz run of the ECS wire (issue 14); `make test` runs the same tests with few examples.
.PHONY: fuzz
FUZZ_EXAMPLES ?= 2000

fuzz: install ## Fuzz every ECS operation (in-process, over HTTP, in call sequences), FUZZ_EXAMPLES each; build/reliability/fuzz.json
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/fakeecs/test_fuzz_wire.py tests/fakeecs/test_fuzz_sequences.py tests/fakeecs/test_wire.py -q -p no:cacheprovider
	@cat build/reliability/fuzz.json
