"""The installed `harness` command, as CI and a developer reproducing an incident run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.matrix import UnknownName, plan

HARNESS = Path(sys.executable).with_name("harness")
BROKEN = Path(__file__).parent / "broken_dags"
DAG = "hoard_jpal_harvest"


def harness_command(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HARNESS), *args], cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )


def test_run_prints_the_matrix_and_writes_junit_and_html(tmp_path: Path) -> None:
    done = harness_command(
        "run",
        "all-succeed",
        "worker-dies-after-runtask",
        "--dag",
        DAG,
        "--junit",
        "out/dags.xml",
        "--html",
        "out/dags.html",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert "[1/2] hoard_jpal_harvest x all-succeed: ok success 1L" in done.stdout
    assert any(
        line.startswith("worker-dies-after-runtask") and "ok success 1L" in line for line in lines
    )
    assert lines[-3].startswith(
        "PASSED: 2 runs (1 DAGs x 2 scenarios): 2 as expected, 0 unexpected"
    )
    assert (tmp_path / "out/dags.xml").read_text().count("<testcase") == 2
    assert "worker-dies-after-runtask" in (tmp_path / "out/dags.html").read_text()


def test_a_broken_dags_folder_fails_with_what_to_fix_and_a_command_that_reproduces_it(
    tmp_path: Path,
) -> None:
    done = harness_command("--dags-folder", str(BROKEN), "run", "all-succeed", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "[sensor-target] ecs_task_id='runn' is not a task of this DAG" in out
    assert "reads ECS_CLUSTER when the file is imported" in out
    assert "KeyError: 'ES_URL'" in out
    assert "UNEXPECTED broken_xcom_key x all-succeed (seed 0)" in out
    assert "key='output_path') and finds nothing: it would render as 'None'" in out
    assert out.splitlines()[-1].startswith("FAILED: ")
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
