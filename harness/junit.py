"""Joining the JUnit files of CI shards into one (pytest writes each shard's own).

The cases keep their names (`classname` the DAG, `name` the scenario; `checks` for DAG
check problems), so CI's test history does not care how many machines ran them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

COUNTS = ("tests", "failures", "errors", "skipped")


def merge(files: Iterable[Path], out: Path, name: str = "test-dags") -> None:
    """One <testsuite> with every case of `files`; counts summed, time the longest shard's."""
    merged = ET.Element("testsuite", name=name)
    totals = dict.fromkeys(COUNTS, 0)
    seconds = 0.0
    for path in files:
        root = ET.parse(path).getroot()
        for suite in root.iter("testsuite"):
            for key in COUNTS:
                totals[key] += int(suite.get(key, "0"))
            seconds = max(seconds, float(suite.get("time", "0")))
            merged.extend(suite.findall("testcase"))
    for key, value in totals.items():
        merged.set(key, str(value))
    merged.set("time", f"{seconds:.3f}")
    suites = ET.Element("testsuites")
    suites.append(merged)
    tree = ET.ElementTree(suites)
    ET.indent(tree)
    out.parent.mkdir(parents=True, exist_ok=True)
    tree.write(out, encoding="utf-8", xml_declaration=True)
