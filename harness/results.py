"""The results folder: one JSON file per cell, the DAG checks, and how long the run took.

Every process that runs cells (the one process of `harness run -n 0`, each pytest-xdist
worker, each CI shard) writes here, and the reports are built from what is read back,
so one process, many workers and merged shards give the same matrix, JUnit and HTML.

    <folder>/cells/<position>.json   a cell's Result (its position in the full plan first)
    <folder>/checks.json             the DAGs loaded and the DAG check problems
    <folder>/run.json                the wall-clock seconds of the run
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.outcome import (
    Problem,
    Result,
    problem_from_json,
    problem_to_json,
    result_from_json,
    result_to_json,
)

CELLS = "cells"
CHECKS = "checks.json"
RUN = "run.json"


@dataclass
class Collected:
    """What one or more results folders hold, in the order of the plan."""

    results: list[Result] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    dags: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _write_json(path: Path, data: Any) -> None:
    """Write atomically: a reader (the controller, a merge) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, default=str)
    os.replace(scratch, path)


def clear(folder: Path) -> None:
    """Forget an earlier run's results (the run starting now writes its own)."""
    shutil.rmtree(folder / CELLS, ignore_errors=True)
    for name in (CHECKS, RUN):
        (folder / name).unlink(missing_ok=True)


def write_cell(folder: Path, position: int, result: Result) -> None:
    _write_json(
        folder / CELLS / f"{position:05d}.json",
        {"position": position, "result": result_to_json(result)},
    )


def write_checks(folder: Path, dags: Sequence[str], problems: Sequence[Problem]) -> None:
    _write_json(
        folder / CHECKS, {"dags": list(dags), "problems": [problem_to_json(p) for p in problems]}
    )


def write_run(folder: Path, seconds: float) -> None:
    _write_json(folder / RUN, {"seconds": seconds})


def read(folders: Iterable[Path]) -> Collected:
    """Every result of `folders` in plan order; DAGs and problems once each; the longest
    run's seconds (shards run side by side)."""
    collected = Collected()
    cells: dict[int, Result] = {}
    for folder in folders:
        for path in sorted((folder / CELLS).glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            cells[data["position"]] = result_from_json(data["result"])
        if (folder / CHECKS).exists():
            checks = json.loads((folder / CHECKS).read_text(encoding="utf-8"))
            for dag in checks["dags"]:
                if dag not in collected.dags:
                    collected.dags.append(dag)
            for problem in map(problem_from_json, checks["problems"]):
                if problem not in collected.problems:
                    collected.problems.append(problem)
        if (folder / RUN).exists():
            seconds = json.loads((folder / RUN).read_text(encoding="utf-8"))["seconds"]
            collected.seconds = max(collected.seconds, seconds)
    collected.results = [cells[k] for k in sorted(cells)]
    return collected
