"""What the `harness` sub-commands do, kept apart from argument parsing."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from harness.checks import check_folder


def list_scenarios(folder: Path, out: TextIO) -> int:
    loaded = check_folder(folder)
    for dag_id in sorted(loaded.dags):
        out.write(f"{dag_id}\n")
    return 0


def run(
    folder: Path,
    *,
    scenarios: list[str],
    dags: list[str],
    seed: int | None,
    junit: Path | None,
    html: Path | None,
    checks_only: bool,
    verbose: bool,
    out: TextIO,
) -> int:
    loaded = check_folder(folder)
    out.write(f"Checked {len(loaded.dags)} DAGs in {folder}\n")
    for problem in loaded.problems:
        out.write(f"  FAIL {problem}\n")
    return 1 if loaded.problems else 0
