"""`make bench`: how fast the parts are, measured, never asserted in tests.

- wire: fakeecs and moto's server, each in its own process, on the same boto3 workload
  over HTTP (bench/wire.py), with one client and with eight;
- scaling: fakeecs's engine holding 1k, 10k and 100k tasks (bench/scaling.py);
- placement: EC2 RunTask over 10, 100 and 1,000 container instances (bench/placement.py);
- harness: the `make test-dags` matrix, per scenario, and against bare dag.test()
  (bench/harness_cost.py);
- harness-scale: `harness run` on repositories of 25, 50 and 100 copies of the DAGs,
  and with 1, 2 and 4 pytest-xdist workers (bench/harness_scale.py).
Prints a table with the targets and writes JSON (`--json`); compare figures across commits.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PARTS = ("wire", "scaling", "placement", "harness", "harness-scale")


def _ints(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers separated by commas, got {text!r}"
        ) from None


def _positive(text: str) -> list[int]:
    numbers = _ints(text)
    if not numbers or min(numbers) < 1:
        raise argparse.ArgumentTypeError(f"expected whole numbers of 1 or more, got {text!r}")
    return numbers


def _scenarios(text: str) -> list[str]:
    from harness.scenarios import BY_NAME

    names = [n for n in text.split(",") if n]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown scenario(s) {unknown or [text]}; known: {', '.join(BY_NAME)}"
        )
    return names


def _parts(text: str) -> list[str]:
    parts = [p for p in text.split(",") if p]
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown part(s) {unknown}; known: {', '.join(PARTS)}")
    return parts


def machine() -> str:
    model = "unknown CPU"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} x {model}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--only", type=_parts, default=list(PARTS), help="e.g. wire,scaling")
    parser.add_argument("--tasks", type=int, default=10_000, help="tasks in the wire workload")
    parser.add_argument("--clients", type=_ints, default=[1, 8], help="client counts, e.g. 1,8")
    parser.add_argument("--sizes", type=_ints, default=[1_000, 10_000, 100_000])
    parser.add_argument(
        "--instances", type=_ints, default=[10, 100, 1_000], help="container instance counts"
    )
    parser.add_argument(
        "--bare-runs", type=int, default=5, help="harness and bare runs per DAG, interleaved"
    )
    parser.add_argument(
        "--scale-dags", type=_positive, default=[25, 50, 100], help="DAGs per repository, e.g. 2,4"
    )
    parser.add_argument(
        "--scale-scenarios",
        type=_scenarios,
        default=None,
        help="scenarios run on every DAG copy (default: all-succeed,worker-dies-after-runtask)",
    )
    parser.add_argument(
        "--scale-workers", type=_positive, default=[1, 2, 4], help="pytest-xdist worker counts"
    )
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)
    from harness.setup import FAKE_AWS

    os.environ.update(FAKE_AWS)  # neither server checks signatures, but botocore wants keys
    figures: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "load_average": {"start": list(os.getloadavg())},
    }
    if "wire" in args.only:
        from bench import servers, wire

        start = {"fakeecs": servers.start_fakeecs, "moto": servers.start_moto}
        figures["wire"] = wire.compare(start, args.tasks, args.clients)
    if "scaling" in args.only:
        from bench import scaling

        figures["scaling"] = scaling.scale(args.sizes)
    if "placement" in args.only:
        from bench import placement

        figures["placement"] = placement.scale(args.instances)
    if "harness" in args.only:
        from bench import harness_cost

        figures["harness"] = harness_cost.measure(args.bare_runs)
    if "harness-scale" in args.only:
        from bench import harness_scale

        scenarios = args.scale_scenarios or list(harness_scale.SCENARIOS)
        figures["harness_scale"] = harness_scale.measure(
            args.scale_dags, scenarios, args.scale_workers
        )
    figures["load_average"]["end"] = list(os.getloadavg())
    from bench.report import render, targets

    figures["targets"] = [{"target": n, "met": ok, "figure": v} for n, ok, v in targets(figures)]
    print(render(figures))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
