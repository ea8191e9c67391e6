"""Long-run evidence for the project's promises (`make property`, `make crash-loop`, the soak's
and the fuzzer's records): each module has one job and writes a JSON record under
build/reliability/. None of it runs in `make test`."""
