"""The installed `harness` command, as CI and a developer reproducing an incident run it."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from bench.harness_scale import fresh_environment
from harness import report_text, results
from harness.matrix import UnknownName, plan
from tests.harness.cli_support import HARNESS, harness_command

BROKEN = Path(__file__).parent / "broken_dags"
DAG = "hoard_jpal_harvest"


SCENARIOS = ("all-succeed", "worker-dies-after-runtask", "lost-runtask-response")


def same_cell(result: Any) -> tuple[Any, ...]:
    """What a cell showed, without the wall-clock times (they differ from run to run)."""
    events = [(e.kind, e.task_id, e.text, e.virtual) for e in result.timeline.events]
    return (
        result.dag_id,
        result.scenario,
        result.run_state,
        result.tasks,
        result.problems,
        events,
        result.virtual_seconds,
    )


def without_wall_time(render: Any, cells: list[Any]) -> str:
    """A report of the cells as if each took 0 s: wall time (and the column widths it sets) varies."""
    return render([dataclasses.replace(r, seconds=0.0) for r in cells])


@pytest.mark.slow
def test_two_shards_merged_equal_one_full_run_cell_for_cell(tmp_path: Path) -> None:
    cells = [*SCENARIOS, "--dag", DAG]
    shards = [
        subprocess.Popen(
            [str(HARNESS), "run", *cells, "--shard", f"{i}/2", "--results", f"shard-{i}",
             "--junit", f"shard-{i}/test-dags.xml", "-n", "0"],
            cwd=tmp_path, env=fresh_environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True,
        )
        for i in (1, 2)
    ]  # fmt: skip
    # one xdist worker: the controller/worker split CI uses, with Airflow started once
    full = harness_command(
        "run", *cells, "--junit", "out/dags.xml", "--html", "out/dags.html", "-n", "1",
        cwd=tmp_path,
    )  # fmt: skip
    assert full.returncode == 0, full.stdout + full.stderr
    lines = full.stdout.splitlines()
    assert re.search(r"\[\d/3\] hoard_jpal_harvest x all-succeed: ok success 1L", full.stdout)
    assert any(
        line.startswith("worker-dies-after-runtask") and "ok success 1L" in line for line in lines
    )
    assert any(
        line.startswith("PASSED: 3 runs (1 DAGs x 3 scenarios): 3 as expected, 0 unexpected")
        for line in lines
    )
    cases = ET.parse(tmp_path / "out/dags.xml").getroot().iter("testcase")
    assert sorted((c.get("classname"), c.get("name")) for c in cases) == sorted(
        (DAG, s) for s in SCENARIOS
    )
    assert "worker-dies-after-runtask" in (tmp_path / "out/dags.html").read_text()

    for shard in shards:
        out, _ = shard.communicate(timeout=600)
        assert shard.returncode == 0, out
    sliced = [len(list((tmp_path / f"shard-{i}/cells").glob("*.json"))) for i in (1, 2)]
    assert sorted(sliced) == [1, 2]  # balanced, and no cell twice
    merged = harness_command(
        "merge", "shard-1", "shard-2", "--junit", "merged.xml", "--html", "merged.html",
        cwd=tmp_path,
    )  # fmt: skip
    assert merged.returncode == 0, merged.stdout + merged.stderr
    one = results.read([tmp_path / "build/test-dags"])
    joined = results.read([tmp_path / "shard-1", tmp_path / "shard-2"])
    assert [same_cell(r) for r in joined.results] == [same_cell(r) for r in one.results]
    assert without_wall_time(report_text.matrix, joined.results) == without_wall_time(
        report_text.matrix, one.results
    )
    merged_cases = ET.parse(tmp_path / "merged.xml").getroot().iter("testcase")
    assert sorted((c.get("classname"), c.get("name")) for c in merged_cases) == sorted(
        (DAG, s) for s in SCENARIOS
    )
    assert "PASSED: 3 runs (1 DAGs x 3 scenarios)" in merged.stdout


def test_a_bad_shard_is_a_usage_error(tmp_path: Path) -> None:
    done = harness_command("run", "--shard", "3/2", cwd=tmp_path)
    assert done.returncode == 2
    assert "give i/N with 1 <= i <= N" in done.stderr


@pytest.mark.slow
def test_a_broken_dags_folder_fails_with_what_to_fix_and_a_command_that_reproduces_it(
    tmp_path: Path,
) -> None:
    done = harness_command(
        "--dags-folder", str(BROKEN), "run", "all-succeed", "-n", "1", cwd=tmp_path
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "[sensor-target] ecs_task_id='runn' is not a task of this DAG" in out
    assert "reads ECS_CLUSTER when the file is imported" in out
    assert "KeyError: 'ES_URL'" in out
    assert "UNEXPECTED broken_xcom_key x all-succeed (seed 0)" in out
    assert "key='output_path') and finds nothing: it would render as 'None'" in out
    assert any(line.startswith("FAILED: ") for line in out.splitlines())
    command = f"harness --dags-folder {BROKEN.resolve()} reproduce all-succeed --dag broken_xcom_key --seed 0"
    assert f"reproduce: {command}" in out

    again = harness_command(*command.split()[1:], cwd=tmp_path)  # what a developer pastes
    assert again.returncode == 1
    assert "Timeline of broken_xcom_key x all-succeed (seed 0):" in again.stdout
    assert "finding     run              a template of run pulls" in again.stdout
    assert "[1/1] broken_xcom_key x all-succeed: FAIL failed 0L" in again.stdout


def test_an_unknown_scenario_answers_at_once_with_the_known_ones(tmp_path: Path) -> None:
    done = harness_command("run", "all-suceed", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("harness: unknown scenario(s) all-suceed; known: all-succeed,")
    assert done.stdout == ""


def test_the_plan_refuses_an_unknown_dag_and_skips_what_does_not_apply(harness: Any) -> None:
    with pytest.raises(
        UnknownName, match=r"unknown DAG\(s\) hoard; the DAGs folder has: example_ecs"
    ):
        plan(harness, dag_ids=["hoard"])
    cells = plan(harness, ["missing-s3-input"])
    assert [c.dag_id for c in cells] == ["geoweb_marc_load"]  # the only DAG that reads S3 input
    with pytest.raises(UnknownName, match="none of the scenarios missing-s3-input applies to"):
        plan(harness, ["missing-s3-input"], [DAG])
    assert {c.scenario.seed for c in plan(harness, seed=9)} == {9}
