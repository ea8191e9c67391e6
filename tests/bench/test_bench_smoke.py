"""`make bench` measures what it says (tiny sizes here; the figures are never asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import report, servers, wire
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
        "unknown part(s) ['wires']; known: wire, scaling, placement, harness"
        in capsys.readouterr().err
    )
