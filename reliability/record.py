"""The JSON records of the long runs (build/reliability/NAME.json): figures plus the machine
and its load, because a figure without the conditions it was measured under means little."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RECORDS = Path("build/reliability")


def machine() -> dict[str, Any]:
    """Cores, memory and the load average (the machine may be shared)."""
    pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(pages * page_size / 2**30, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }


def write(name: str, figures: dict[str, Any], folder: Path = RECORDS) -> Path:
    """Write build/reliability/NAME.json with the date and the machine; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    record = {
        "name": name,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **figures,
    }
    path.write_text(json.dumps(record, indent=2) + "\n")
    return path
