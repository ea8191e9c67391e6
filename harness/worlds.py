"""The deployed environment each DAG expects: configuration, S3 inputs, the logical date.

fakeecs starts empty; the harness fills it as Terraform and the data owners fill
the real account: the cluster, the network its tasks run in (`harness.network`,
given to the DAG as ECS_NETWORK_CONFIG), the task definitions a DAG names
(registered the first time a RunTask names a family, with an essential container
per override name and a non-essential `log-router` sidecar), and the S3 objects below.
A DAG not listed here gets the default world; add an entry when a new DAG reads
S3 inputs or needs its own configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

CLUSTER = "airflow-harness"
SIDECAR = "log-router"
LOGICAL_DATE = datetime(2026, 1, 2, 6, 0, tzinfo=UTC)

DEFAULT_ENV = {
    "ECS_CLUSTER": CLUSTER,
    "AIRFLOW_ENVIRONMENT": "stage",
    "ES_URL": "https://search-timdex-stage.example.org",
    "SOLR_URL": "https://geoweb-solr-stage.example.org/solr/geoweb",
    "TIMDEX_BUCKET": "timdex-extract-stage",
    "ALMA_EXPORT_BUCKET": "alma-export-stage",
    "SLINGSHOT_TASK_ROLE_ARN": "arn:aws:iam::123456789012:role/slingshot-stage",
}


@dataclass(frozen=True)
class World:
    #: The deployment's variables; ECS_NETWORK_CONFIG is added from the network each run makes.
    env: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ENV))
    buckets: tuple[str, ...] = ()
    #: (bucket, key) objects present before the run.
    objects: tuple[tuple[str, str], ...] = ()
    #: The task that reads the S3 inputs (scenario role "s3-input"); None: the DAG reads none.
    s3_input_task: str | None = None
    logical_date: datetime = LOGICAL_DATE


WORLDS: dict[str, World] = {
    "timdex_aspace_harvest": World(buckets=("timdex-extract-stage",)),
    "geoweb_marc_load": World(
        buckets=("alma-export-stage",),
        objects=(("alma-export-stage", "exlibris/marc/ALMA_FULL_EXPORT_2026-01-01_0300.tar.gz"),),
        s3_input_task="find_export",
    ),
}


def world_for(dag_id: str) -> World:
    return WORLDS.get(dag_id, World())
