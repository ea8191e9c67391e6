"""JUnit XML for CI: one test case per DAG x scenario run, and one per failed DAG check.

A failing case's message is the first difference; its text holds every difference
and the command that reproduces it; system-out holds the run's timeline.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from harness import report_text

if TYPE_CHECKING:
    from harness.outcome import Problem, Result


def document(results: Sequence[Result], problems: Sequence[Problem], seconds: float) -> ET.Element:
    failures = sum(1 for r in results if not r.ok) + len(problems)
    suites = ET.Element("testsuites")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="test-dags",
        tests=str(len(results) + len(problems)),
        failures=str(failures),
        errors="0",
        skipped="0",
        time=f"{seconds:.3f}",
    )
    for problem in problems:
        case = ET.SubElement(
            suite, "testcase", classname="checks", name=f"{problem.check}: {problem.where}"
        )
        ET.SubElement(case, "failure", message=problem.message, type=problem.check).text = str(
            problem
        )
    for r in results:
        case = ET.SubElement(
            suite, "testcase", classname=r.dag_id, name=r.scenario.name, time=f"{r.seconds:.3f}"
        )
        if not r.ok:
            body = "\n".join([*r.problems, "", f"reproduce: {r.reproduce()}"])
            ET.SubElement(case, "failure", message=r.problems[0], type="unexpected").text = body
        ET.SubElement(case, "system-out").text = report_text.timeline(r)
    return suites


def write(
    path: Path, results: Sequence[Result], problems: Sequence[Problem], seconds: float
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tree = ET.ElementTree(document(results, problems, seconds))
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
