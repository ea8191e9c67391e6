"""The matrix on the terminal, JUnit XML for CI, and the HTML report as a browser shows it."""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import junit, report_html, report_text
from harness import results as results_folder
from harness.checks import Problem
from harness.scenarios import BY_NAME, Expect

DAG = "hoard_jpal_harvest"
PROBLEM = Problem(
    "wrong.py (wrong)", "sensor-target", "ecs_task_id='runn' is not a task of this DAG"
)


@pytest.fixture(scope="module")
def results(harness: Any) -> list[Any]:
    """Two runs as expected and one that is not (a container fails; the scenario says success)."""
    import dataclasses

    wrong = dataclasses.replace(BY_NAME["container-exits-nonzero"], expect=Expect())
    return [
        harness.run(DAG, BY_NAME["all-succeed"]),
        harness.run(DAG, BY_NAME["worker-dies-after-runtask"]),
        harness.run(DAG, wrong),
    ]


def test_the_text_matrix_has_a_cell_per_run_and_says_how_to_reproduce(results: list[Any]) -> None:
    table = report_text.matrix(results)
    header, _rule, *rows = table.splitlines()
    assert header.split() == ["scenario", DAG]
    assert [row.split()[0] for row in rows] == [
        "all-succeed",
        "worker-dies-after-runtask",
        "container-exits-nonzero",
    ]
    assert rows[1].split()[1:4] == ["ok", "success", "1L"]
    assert rows[2].split()[1:4] == ["FAIL", "failed", "1L"]
    details = report_text.unexpected(results)
    assert "UNEXPECTED hoard_jpal_harvest x container-exits-nonzero (seed 0)" in details
    assert "  - run failed, expected success" in details
    assert f"reproduce: harness reproduce container-exits-nonzero --dag {DAG} --seed 0" in details
    assert report_text.summary(results, [PROBLEM], 1.0).startswith(
        "FAILED: 3 runs (1 DAGs x 3 scenarios): 2 as expected, 1 unexpected; 1 DAG check problem(s)"
    )


def test_results_read_back_from_their_files_give_the_same_reports(
    results: list[Any], tmp_path: Path
) -> None:
    """What xdist workers and CI shards write is all the reports need: same text, same page."""
    folder = tmp_path / "cells"
    for position, result in reversed(list(enumerate(results))):  # in any order of arrival
        results_folder.write_cell(folder, position, result)
    results_folder.write_checks(folder, [DAG], [PROBLEM])
    back = results_folder.read([folder])
    assert back.problems == [PROBLEM] and back.dags == [DAG]
    assert report_text.matrix(back.results) == report_text.matrix(results)
    assert report_text.unexpected(back.results) == report_text.unexpected(results)
    assert [report_text.timeline(r) for r in back.results] == [
        report_text.timeline(r) for r in results
    ]
    page = report_html.page(back.results, [PROBLEM], 3.0)
    assert page == report_html.page(results, [PROBLEM], 3.0)


def junit_file(path: Path, cases: list[tuple[str, str, bool]], seconds: float) -> Path:
    failures = sum(1 for *_, failed in cases if failed)
    body = "".join(
        f'<testcase classname="{c}" name="{n}">'
        + ("<failure message='x'/>" if failed else "")
        + "</testcase>"
        for c, n, failed in cases
    )
    path.write_text(
        f'<testsuites><testsuite name="test-dags" tests="{len(cases)}" failures="{failures}" '
        f'errors="0" skipped="0" time="{seconds}">{body}</testsuite></testsuites>'
    )
    return path


def test_shards_junit_files_join_into_one_suite_with_the_same_case_names(tmp_path: Path) -> None:
    one = junit_file(
        tmp_path / "1.xml", [(DAG, "all-succeed", False), ("checks", "x: y", True)], 30
    )
    two = junit_file(tmp_path / "2.xml", [(DAG, "worker-dies-twice", True)], 41.5)
    junit.merge([one, two], tmp_path / "out" / "test-dags.xml")
    suite = ET.parse(tmp_path / "out" / "test-dags.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("time")) == ("3", "2", "41.500")
    assert [(c.get("classname"), c.get("name")) for c in suite.iter("testcase")] == [
        (DAG, "all-succeed"),
        ("checks", "x: y"),
        (DAG, "worker-dies-twice"),
    ]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "chromium is missing: .ci/system-deps installs it (apt-get install chromium)"
            )
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


def test_the_html_report_in_a_browser(results: list[Any], tmp_path: Path, browser: Any) -> None:
    path = tmp_path / "report.html"
    report_html.write(path, results, [PROBLEM], 3.0)
    page = browser.new_page()
    page.goto(path.as_uri())
    assert page.locator(".summary").inner_text().startswith("FAILED: 3 runs")
    assert "ecs_task_id='runn' is not a task of this DAG" in page.locator("#checks").inner_text()

    died = page.locator(f'td[data-dag="{DAG}"][data-scenario="worker-dies-after-runtask"]')
    assert died.inner_text().startswith("ok · success · 1 ECS")
    wrong = page.locator('td[data-scenario="container-exits-nonzero"]')
    assert wrong.inner_text().startswith("FAIL · failed") and "fail" in wrong.get_attribute("class")

    # A run that went as expected is folded; clicking its cell opens it at its timeline.
    run = page.locator(f"#run-{DAG}--worker-dies-after-runtask")
    assert not run.locator("svg.timeline").is_visible()
    died.locator("a").click()
    assert run.locator("svg.timeline").is_visible()
    tries = run.locator("svg rect.try")
    assert tries.count() == 3  # harvest: try 1 (killed) and try 2; harvest_done: try 1
    assert "up_for_retry: WorkerDied" in tries.first.locator("title").text_content()
    assert run.locator("svg .death").count() == 1
    assert "killed at after:RunTask" in run.locator("svg .death title").text_content()
    assert run.locator("svg rect.ecs").count() >= 5  # the one ECS task through its states
    assert "1 ECS task(s) launched" in run.inner_text()

    # A run that did not go as expected is open from the start, with what was wrong.
    failing = page.locator(f"#run-{DAG}--container-exits-nonzero")
    assert failing.locator("ul.problems").is_visible()
    assert "run failed, expected success" in failing.locator("ul.problems").inner_text()
    assert (
        f"harness reproduce container-exits-nonzero --dag {DAG} --seed 0"
        in failing.locator("code").inner_text()
    )
    page.close()
