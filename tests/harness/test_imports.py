"""Everything imports with no AWS credentials and no deployment configuration (issue 3).

DAG files are imported by every Airflow component, often, on machines where the
deployment's variables may not be set: an import that reads them, or calls AWS,
breaks the whole deployment. This runs in a clean subprocess so nothing this test
session set up (credentials, Airflow home) can hide such an import.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import importlib, pkgutil, runpy, sys
from pathlib import Path

imported = []
for package in ("fakeecs", "mit_airflow", "harness"):
    module = importlib.import_module(package)
    imported.append(package)
    for info in pkgutil.walk_packages(module.__path__, prefix=package + "."):
        importlib.import_module(info.name)
        imported.append(info.name)
for path in sorted(Path(sys.argv[1]).glob("*.py")):
    runpy.run_path(str(path), run_name=path.stem)
    imported.append(path.name)
print("\n".join(imported))
"""


def clean_environment(tmp_path: Path) -> dict[str, str]:
    """No AWS_*, no ECS_* or other deployment variables; an empty Airflow home."""
    dropped = ("AWS_", "ECS_", "ES_URL", "SOLR_URL", "AIRFLOW", "TIMDEX_", "ALMA_", "SLINGSHOT_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env["AIRFLOW_HOME"] = str(tmp_path / "airflow")
    env["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "workflows")
    env["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    env["AWS_CONFIG_FILE"] = str(tmp_path / "no-aws-config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "no-aws-credentials")
    return env


def test_every_package_module_and_workflow_file_imports_without_aws_or_configuration(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(REPO / "workflows")],
        env=clean_environment(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    imported = result.stdout.split()
    workflow_files = sorted(p.name for p in (REPO / "workflows").glob("*.py"))
    assert workflow_files and set(workflow_files) <= set(imported)
    for module in ("fakeecs.wire", "mit_airflow.operators", "mit_airflow.cli", "harness.runner"):
        assert module in imported
