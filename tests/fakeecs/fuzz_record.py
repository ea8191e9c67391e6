"""What the fuzz tests sent and what came back, for `make fuzz`'s report (build/fuzz.json)."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

#: Examples per fuzz test: a few in `make test`, many in `make fuzz` (FUZZ_EXAMPLES).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
#: Requests sent, by answer ("200", "400 <error code>", "http <status>").
SENT: Counter[str] = Counter()
REPORT = Path(__file__).resolve().parents[2] / "build" / "reliability" / "fuzz.json"


def write_report() -> None:
    """Only for a `make fuzz` run: `make test`'s few examples are not worth a report."""
    if "FUZZ_EXAMPLES" not in os.environ or not SENT:
        return
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "examples_per_test": EXAMPLES,
        "requests": sum(SENT.values()),
        "answers": dict(SENT.most_common()),
    }
    REPORT.write_text(json.dumps(report, indent=2) + "\n")
