# Long fuzz run of the ECS wire (issue 14); `make test` runs the same tests with few examples.
.PHONY: fuzz
FUZZ_EXAMPLES ?= 2000

fuzz: install ## Fuzz every supported ECS operation (in-process and over HTTP), FUZZ_EXAMPLES each; build/fuzz.json
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/fakeecs/test_fuzz_wire.py tests/fakeecs/test_wire.py -q -p no:cacheprovider
	@cat build/fuzz.json
