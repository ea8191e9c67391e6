"""Stand-in for the Airflow repository's system-test scaffolding (see conformance/provider/README in docs)."""
