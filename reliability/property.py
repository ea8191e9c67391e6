"""`make property`: the operator-idempotency properties over many generated interleavings.

Case N of seed S is always the same case (reliability.interleavings.generate), so a run is
derandomised, and resumable: the progress file (build/reliability/property-progress.json)
holds the next case and the running totals, and a run started again carries on from there
(`--fresh` starts over; a progress file of another seed or generator version is not resumed).
A case that breaks a promise (a second container launch, a false success, a false failure, a
protected worker stopped by a deployment before its protection was cleared or expired) is
shrunk to the simplest case that still breaks it and appended to
tests/mit_airflow/idempotency_regressions.json, which `make test` replays. The record goes to
build/reliability/property.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from reliability import record
from reliability.interleavings import GENERATOR, Interleaving, generate, simpler
from reliability.operator_world import OperatorWorld, Outcome, operator_world

REGRESSIONS = Path("tests/mit_airflow/idempotency_regressions.json")
#: Shrinking stops after this many candidate runs (a shrunk case is still a counter-example).
SHRINK_BUDGET = 200


def shrink(world: OperatorWorld, case: Interleaving) -> tuple[Interleaving, Outcome]:
    """The simplest case one-step simplifications reach that still breaks a promise."""
    outcome = world.run(case)
    budget = SHRINK_BUDGET
    improved = True
    while improved and budget > 0:
        improved = False
        for candidate in simpler(case):
            budget -= 1
            result = world.run(candidate)
            if result.broken:
                case, outcome, improved = candidate, result, True
                break
            if budget <= 0:
                break
    return case, outcome


def save_regression(case: Interleaving, outcome: Outcome, path: Path = REGRESSIONS) -> None:
    """Append a shrunk counter-example to the regression file `make test` replays."""
    saved = json.loads(path.read_text()) if path.exists() else []
    entry = {"case": case.to_json(), "found": outcome.detail}
    if all(e["case"] != entry["case"] for e in saved):
        saved.append(entry)
        path.write_text(json.dumps(saved, indent=2) + "\n")


def progress_file(shard: int, shards: int) -> Path:
    return record.RECORDS / f"property-progress-{shard}-of-{shards}.json"


def _fresh_totals(seed: int, shard: int) -> dict[str, Any]:
    return {
        "seed": seed,
        "next_case": shard,
        "interleavings": 0,
        "launches": 0,
        "duplicate_launches": 0,
        "false_successes": 0,
        "false_failures": 0,
        "operator_errors": 0,
        "interleavings_with_protection": 0,
        "protected_redeploys": 0,
        "protection_violations": 0,
        "generator": GENERATOR,
        "seconds": 0.0,
        "counter_examples": [],
    }


def _load_progress(path: Path, seed: int, shard: int, fresh: bool) -> dict[str, Any]:
    if fresh or not path.exists():
        return _fresh_totals(seed, shard)
    totals = json.loads(path.read_text())
    if totals.get("seed") != seed or totals.get("generator") != GENERATOR:
        print(
            f"{path} is for seed {totals.get('seed')}, generator {totals.get('generator', 1)}: "
            f"starting seed {seed}, generator {GENERATOR} afresh"
        )
        return _fresh_totals(seed, shard)
    return totals


def _save_progress(path: Path, totals: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(totals, indent=2) + "\n")
    tmp.replace(path)


def _count(totals: dict[str, Any], case: Interleaving, outcome: Outcome) -> None:
    totals["interleavings"] += 1
    totals["interleavings_with_protection"] += int(case.protected)
    totals["protected_redeploys"] += outcome.protected_redeploys
    totals["protection_violations"] += outcome.protection_violations
    totals["launches"] += outcome.launches
    totals["duplicate_launches"] += outcome.duplicates
    totals["false_successes"] += int(outcome.false_success)
    totals["false_failures"] += int(outcome.false_failure)
    totals["operator_errors"] += int(outcome.operator_errors)


def run_shard(
    cases: int, seed: int, shard: int, shards: int, fresh: bool, until: float | None
) -> dict[str, Any]:
    """Cases shard, shard + shards, ... below `cases` (resuming), until wall time `until`."""
    path = progress_file(shard, shards)
    totals = _load_progress(path, seed, shard, fresh)
    logging.getLogger("airflow.task").setLevel(logging.WARNING)
    with operator_world(seed) as world:
        while totals["next_case"] < cases and (until is None or time.monotonic() < until):
            index = totals["next_case"]
            started = time.monotonic()
            case = generate(seed, index)
            outcome = world.run(case)
            if outcome.broken:
                shrunk, shrunk_outcome = shrink(world, case)
                save_regression(shrunk, shrunk_outcome)
                totals["counter_examples"].append(
                    {
                        "case_index": index,
                        "shrunk": shrunk.to_json(),
                        "found": shrunk_outcome.detail,
                    }
                )
            _count(totals, case, outcome)
            totals["next_case"] = index + shards
            totals["seconds"] = round(totals["seconds"] + time.monotonic() - started, 1)
            if totals["interleavings"] % 10 == 0:
                _save_progress(path, totals)
                print(
                    f"{totals['interleavings']} interleavings, "
                    f"{totals['duplicate_launches']} duplicates, "
                    f"{totals['false_successes']} false successes, "
                    f"{totals['false_failures']} false failures, "
                    f"{totals['protection_violations']} protection violations",
                    flush=True,
                )
    _save_progress(path, totals)
    return totals


def merge(shards: int) -> dict[str, Any]:
    """The totals of every shard's progress file."""
    parts = [json.loads(progress_file(k, shards).read_text()) for k in range(shards)]
    merged: dict[str, Any] = {
        "seed": parts[0]["seed"],
        "generator": parts[0]["generator"],
        "shards": shards,
    }
    for key in (
        "interleavings",
        "launches",
        "duplicate_launches",
        "false_successes",
        "false_failures",
        "operator_errors",
        "interleavings_with_protection",
        "protected_redeploys",
        "protection_violations",
    ):
        merged[key] = sum(p[key] for p in parts)
    merged["cpu_seconds_in_cases"] = round(sum(p["seconds"] for p in parts), 1)
    merged["counter_examples"] = [c for p in parts for c in p["counter_examples"]]
    return merged


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    """Run the shards as processes side by side (a case mostly waits: on HTTP, on botocore's
    back-off after throttling), then merge their progress files."""
    started = time.monotonic()
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reliability.property",
                f"--shard={k}/{args.workers}",
                f"--cases={args.cases}",
                f"--seed={args.seed}",
                *(["--fresh"] if args.fresh else []),
                *([f"--max-seconds={args.max_seconds}"] if args.max_seconds else []),
            ],
            stdout=(record.RECORDS / f"property-shard-{k}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for k in range(args.workers)
    ]
    codes = [child.wait() for child in children]
    merged = merge(args.workers)
    merged["wall_seconds_this_run"] = round(time.monotonic() - started, 1)
    merged["shard_exit_codes"] = codes
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="interleavings in total")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fresh", action="store_true", help="ignore the progress file")
    parser.add_argument(
        "--max-seconds", type=float, default=None, help="stop (resumably) after this wall time"
    )
    parser.add_argument("--workers", type=int, default=4, help="shards run side by side")
    parser.add_argument("--shard", default=None, help="K/N: run only shard K of N (internal)")
    args = parser.parse_args(argv)
    record.RECORDS.mkdir(parents=True, exist_ok=True)
    if args.shard:
        shard, shards = (int(x) for x in args.shard.split("/"))
        until = time.monotonic() + args.max_seconds if args.max_seconds else None
        run_shard(args.cases, args.seed, shard, shards, args.fresh, until)
        return 0
    totals = run_all(args)
    figures = {
        **totals,
        "cases_asked": args.cases,
        "complete": totals["interleavings"] >= args.cases,
    }
    path = record.write("property", figures)
    print(json.dumps(figures, indent=2))
    print(f"record: {path}")
    broken = (
        totals["duplicate_launches"]
        or totals["false_successes"]
        or totals["false_failures"]
        or totals["protection_violations"]
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
