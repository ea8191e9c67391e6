"""pytest plugin for the harness scale part: each DAG copy runs in the world of its origin.

The harness looks a DAG's world up by dag_id (`harness.worlds`), so a copy of
geoweb_marc_load would otherwise run without the S3 export its first task reads.
Loaded with `-p bench.copies_plugin` beside `harness.matrix_plugin`, in the process
that collects and in every pytest-xdist worker; it reads the copies' ids from the
file names of the DAGs folder (`bench.dag_copies` names each file after its DAG).
"""

from __future__ import annotations

import pytest

from bench.dag_copies import origin_of
from harness import worlds


def pytest_configure(config: pytest.Config) -> None:
    for arg in config.args:
        folder = config.invocation_params.dir / arg.split("::")[0]
        if not folder.is_dir():
            continue
        for path in folder.glob("*.py"):
            origin = origin_of(path.stem)
            if origin is not None and origin in worlds.WORLDS:
                worlds.WORLDS[path.stem] = worlds.WORLDS[origin]
