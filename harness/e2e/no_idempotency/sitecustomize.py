"""Loaded by the e2e Airflow processes when E2E_IDEMPOTENCY=off (through PYTHONPATH).

It turns the ECSOperator back into the original one: no lookup of what this task
instance already started, and a new clientToken on every try. The e2e scenarios
run with it to show which of them fail without the idempotency promise. Never
used in production: only `harness.e2e` puts this folder on PYTHONPATH.
"""

from __future__ import annotations

import secrets

import mit_airflow.launches as launches
from mit_airflow.identity import LaunchIdentity

launches.find = lambda *args, **kwargs: launches.Found()
LaunchIdentity.client_token = lambda self, generation: secrets.token_hex(32)
