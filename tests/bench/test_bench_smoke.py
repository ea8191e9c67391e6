"""`make bench` measures what it says (tiny sizes here; the figures are never asserted)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import harness_scale, report, servers, wire
from bench.run import main


def test_the_wire_workload_runs_the_same_calls_against_fakeecs_and_moto() -> None:
    start = {"fakeecs": servers.start_fakeecs, "moto": servers.start_moto}
    rows = wire.compare(start, tasks=40, client_counts=[2])
    assert [r["server"] for r in rows] == ["fakeecs", "moto"]
    for row in rows:
        assert row["tasks"] == 40, row["server"]
        assert row["RunTask"]["calls"] == 4 and row["RunTask"]["errors"] == 0
        assert row["DescribeTasks"]["calls"] == 2  # each client describes its 20 tasks
        assert row["listed_per_client"] == 40  # the whole cluster, whatever the page size
        assert row["rss_holding_tasks_mib"] > 0
    assert rows[0]["ListTasks"]["calls"] == 2  # fakeecs: one page of 40 per client


def test_the_scaling_part_writes_json_and_judges_its_targets(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    assert main(["--only", "scaling", "--sizes", "100,200", "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert [r["tasks"] for r in figures["scaling"]] == [100, 200]
    judged = {t["target"].split(" (")[0] for t in figures["targets"]}
    assert judged == {
        "DescribeTasks cost flat",
        "idle clock advance flat",
        "advance costs what changes",
    }


def test_the_placement_part_places_ec2_tasks_on_every_size(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    assert main(["--only", "placement", "--instances", "3,6", "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert [r["instances"] for r in figures["placement"]] == [3, 6]
    assert all(r["run_task_10_random_ms"] > 0 for r in figures["placement"])
    [judged] = [t["target"] for t in figures["targets"]]
    assert judged.startswith("placement cost per instance flat (3 -> 6 instances)")


def test_targets_compare_fakeecs_with_moto_per_client_count() -> None:
    def row(server: str, ops: float, rss: float) -> dict[str, object]:
        phase = {"calls": 1, "errors": 0, "ops_per_second": ops, "p50_ms": 1.0, "p99_ms": 2.0}
        return {
            "server": server,
            "clients": 1,
            "tasks": 10,
            "RunTask": phase,
            "DescribeTasks": phase,
            "ListTasks": phase,
            "rss_holding_tasks_mib": rss,
        }

    figures = {"wire": [row("fakeecs", 30.0, 100.0), row("moto", 10.0, 150.0)]}
    checks = {name: (ok, figure) for name, ok, figure in report.targets(figures)}
    assert checks["RunTask >= 2x moto (1 clients)"] == (True, "3.0x")
    assert checks["less memory than moto (1 clients)"] == (True, "1.50x")
    figures["wire"][0]["RunTask"] = {**figures["wire"][0]["RunTask"], "ops_per_second": 15.0}
    checks = {name: ok for name, ok, _ in report.targets(figures)}
    assert checks["RunTask >= 2x moto (1 clients)"] is False


def test_an_unknown_part_is_refused_with_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--only", "wires"])
    assert (
        "unknown part(s) ['wires']; known: wire, scaling, placement, harness, harness-scale"
        in capsys.readouterr().err
    )


@pytest.mark.slow
def test_the_harness_scale_part_runs_copies_of_the_dags_and_judges_its_fit(
    tmp_path: Path,
) -> None:
    out = tmp_path / "bench.json"
    argv = ["--only", "harness-scale", "--scale-dags", "1,2", "--scale-scenarios", "all-succeed"]
    assert main([*argv, "--scale-workers", "1", "--json", str(out)]) == 0
    scale = json.loads(out.read_text())["harness_scale"]
    assert scale["scenarios"] == ["all-succeed"]
    assert [(r["dags"], r["workers"], r["cells"]) for r in scale["sizes"]] == [(1, 1, 1), (2, 1, 2)]
    for row in scale["sizes"]:
        # the second copy is geoweb_marc_load's: it succeeds only in its origin's world (S3 export)
        assert row["cells_not_as_expected"] == [] and row["dag_check_problems"] == 0
        assert row["dags_loaded"] == row["dags"] and row["cpu_seconds"] > 0
        assert len(row["load_average_1min"]) == 2
    assert scale["workers"] == [{**scale["sizes"][0], "speed_up": 1.0}]
    assert (
        set(scale["fit"])
        == set(scale["wall_fit"])
        == {"fixed_seconds", "seconds_per_cell", "r_squared"}
    )
    judged = {t["target"].split(" (")[0] for t in json.loads(out.read_text())["targets"]}
    assert judged == {"harness CPU cost linear in cells, R^2 >= 0.99", "harness cell cost flat"}


def test_harness_scale_targets_judge_linearity_and_two_workers_on_two_cores() -> None:
    def run(dags: int, workers: int, wall: float, median: float) -> dict[str, Any]:
        return {
            "dags": dags,
            "workers": workers,
            "cells": 2 * dags,
            "wall_seconds": wall,
            "cpu_seconds": wall * 1.8,
            "cell_median_seconds": median,
            "speed_up": 170.0 / wall if dags == 25 else None,
        }

    def scale(sizes: list[dict[str, Any]], cores: int) -> dict[str, Any]:
        points = [(r["cells"], r["cpu_seconds"]) for r in sizes]
        workers = [run(25, 1, 170.0, 2.0), sizes[0], run(25, 4, 105.0, 2.4)]
        return {
            "cores": cores,
            "sizes": sizes,
            "workers": workers,
            "fit": harness_scale.fit(points),
        }

    sizes = [run(25, 2, 100.0, 2.0), run(50, 2, 160.0, 2.1), run(100, 2, 280.0, 2.2)]
    checks = {name: (ok, figure) for name, ok, figure in report.scale_targets(scale(sizes, 2))}
    assert checks == {
        "harness CPU cost linear in cells, R^2 >= 0.99 (25 -> 100 DAGs)": (True, "1.0000"),
        "harness cell cost flat (25 -> 100 DAGs)": (True, "x1.10"),
        "harness 2 workers >= 1.6x one (50 cells, 2 cores)": (True, "1.70x"),
    }

    sizes[1]["cpu_seconds"] = 450.0  # a bulge: not a line
    sizes[2]["cell_median_seconds"] = 3.0
    checks = {name: (ok, figure) for name, ok, figure in report.scale_targets(scale(sizes, 1))}
    assert checks == {  # one core: two workers are not judged
        "harness CPU cost linear in cells, R^2 >= 0.99 (25 -> 100 DAGs)": (False, "0.7200"),
        "harness cell cost flat (25 -> 100 DAGs)": (False, "x1.50"),
    }
