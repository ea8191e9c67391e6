"""How the harness's main job scales: a repository of many DAGs, on one core and on several.

For each size a folder of copies of the workflows/ DAGs is written (`bench.dag_copies`)
and the matrix is run on it exactly as `harness run` runs it (the same pytest command
line, `harness.commands.pytest_args`, in a fresh process, with pytest-xdist), plus
`bench.copies_plugin` so each copy runs in its origin's world. Each run is timed from
outside (what a person or CI waits for, Airflow's start-up in every worker included),
and each cell's own seconds are read back from the results folder.

- the speed-up: the smallest size with each worker count, back to back, against one worker;
- the fit: every size with the same worker count; CPU seconds of the run (its processes,
  summed: the cost, which the machine's load hardly changes) against cells by least squares
  (fixed cost, seconds per cell, R^2), the same for wall seconds, and the median cell's
  seconds per size (a cell that gets dearer in a bigger repository shows there).
Each run records the 1-minute load average before and after it.
"""

from __future__ import annotations

import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import dag_copies
from harness import commands, results

#: The default scenario subset: the happy path (the floor of a cell's cost) and a worker
#: killed after RunTask, whose retry re-attaches to the running container (the promise
#: the harness exists to check).
SCENARIOS = ("all-succeed", "worker-dies-after-runtask")
ROOT = Path(__file__).resolve().parent.parent
TAIL = 40


class RunFailed(RuntimeError):
    """`harness run` could not run the matrix at all (not: some cells were unexpected)."""


def fit_workers(workers: Sequence[int], cores: int) -> int:
    """The worker count the sizes are compared at: the most that has a core each."""
    fitting = [w for w in workers if w <= cores]
    return max(fitting) if fitting else min(workers)


def _children_cpu() -> float:
    """User and system CPU seconds of this process's finished children (the run and its workers)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def fresh_environment() -> dict[str, str]:
    """This environment as a shell would give it to `harness run`: this checkout importable,
    and no pytest or Airflow settings of a test session that calls the bench."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "AIRFLOW", "_AIRFLOW"))
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return env


def run_matrix(folder: Path, scenarios: Sequence[str], workers: int) -> dict[str, Any]:
    """One `harness run` of every DAG of `folder` under `scenarios`, timed from outside."""
    out = folder.parent / f"results-{folder.name}-{workers}w"
    request = commands.RunRequest(
        folder, scenarios=tuple(scenarios), workers=str(workers), results=out
    )
    argv = [sys.executable, "-m", "pytest", *commands.pytest_args(request), "-p"]
    argv.append("bench.copies_plugin")
    load_before, cpu_before = os.getloadavg()[0], _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        argv, cwd=ROOT, env=fresh_environment(), capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    found = results.read([out])
    planned = re.search(r"Running (\d+) scenario runs", done.stdout)
    ended_early = planned is not None and len(found.results) < int(planned.group(1))
    if done.returncode not in (0, 1) or not found.results or ended_early:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-TAIL:])
        raise RunFailed(f"harness run on {folder} ended {done.returncode}:\n{tail}")
    cores = min(workers, os.cpu_count() or 1)
    seconds = [r.seconds for r in found.results]
    return {
        "dags": len(list(folder.glob("*.py"))),
        "dags_loaded": len(found.dags),
        "workers": workers,
        "cells": len(found.results),
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "load_average_1min": [load_before, os.getloadavg()[0]],
        "cells_per_second_per_core": len(found.results) / wall / cores,
        "cell_median_seconds": statistics.median(seconds),
        "cell_mean_seconds": statistics.fmean(seconds),
        "dag_check_problems": len(found.problems),
        "cells_not_as_expected": [
            f"{r.dag_id}/{r.scenario.name}" for r in found.results if not r.ok
        ],
    }


def fit(points: Sequence[tuple[float, float]]) -> dict[str, float]:
    """Least squares seconds = fixed + per_cell * cells, and R^2 (1.0: the points are on the line)."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0
    fixed = my - slope * mx
    total = sum((y - my) ** 2 for y in ys)
    residual = sum((y - fixed - slope * x) ** 2 for x, y in points)
    return {
        "fixed_seconds": fixed,
        "seconds_per_cell": slope,
        "r_squared": 1.0 - residual / total if total else 1.0,
    }


def measure(
    sizes: Sequence[int], scenarios: Sequence[str], workers: Sequence[int]
) -> dict[str, Any]:
    """The fit over `sizes` and the speed-up over `workers` (on the smallest size)."""
    cores = os.cpu_count() or 1
    at = fit_workers(workers, cores)
    with tempfile.TemporaryDirectory(prefix="bench-harness-scale-") as scratch:
        folders = {}
        for size in sorted(set(sizes)):
            folders[size] = Path(scratch) / f"dags-{size}"
            dag_copies.write(folders[size], size)
        smallest = min(folders)
        # the worker counts back to back, so a change in the machine's load hits them alike
        by_workers = [run_matrix(folders[smallest], scenarios, w) for w in sorted(set(workers))]
        shared = next(r for r in by_workers if r["workers"] == at)
        by_size = [shared] + [run_matrix(folders[n], scenarios, at) for n in sorted(folders)[1:]]
    one = next((r for r in by_workers if r["workers"] == 1), None)
    for r in by_workers:
        r["speed_up"] = one["wall_seconds"] / r["wall_seconds"] if one else None
    return {
        "cores": cores,
        "scenarios": list(scenarios),
        "fit_workers": at,
        "sizes": by_size,
        "fit": fit([(r["cells"], r["cpu_seconds"]) for r in by_size]),
        "wall_fit": fit([(r["cells"], r["wall_seconds"]) for r in by_size]),
        "workers": by_workers,
    }
