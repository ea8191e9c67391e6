"""`make soak` itself works: a few seconds of it, with its invariants checked."""

from __future__ import annotations

import json
from pathlib import Path

from soak.run import main


def test_a_short_soak_keeps_every_promise(tmp_path: Path) -> None:
    report_path = tmp_path / "soak.json"
    assert main(["--seconds", "3", "--clients", "3", "--json", str(report_path)]) == 0
    report = json.loads(report_path.read_text())
    assert report["requests"] > 50
    assert report["tasks_acknowledged"] > 0
    assert report["broken_promises"] == []
