"""Conformance suite: real third-party ECS clients, unmodified and pinned, against `fakeecs serve`.

Run it with `make conformance` (everything, and it rewrites docs/conformance.md) or
`make conformance-fast` (the CI subset). The clients are installed into build/conformance/ by
`conformance.clients`; nothing here is imported by fakeecs, mit_airflow or the harness.
"""
