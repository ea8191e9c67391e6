"""`harness`: run every DAG in workflows/ against fakeecs under a matrix of scenarios.

    harness list
    harness run [SCENARIO...] [--dag ID] [--seed N] [--junit PATH] [--html PATH]
    harness reproduce SCENARIO --dag ID --seed N

Exit status 0 when every scenario ended as expected and every DAG file passed
the static checks, 1 otherwise, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="harness", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--dags-folder", type=Path, default=None, help="folder of DAG files (default: workflows/)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the scenarios and the DAGs they apply to")
    run = commands.add_parser("run", help="check every DAG file and run the scenario matrix")
    run.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="only these scenarios")
    run.add_argument("--dag", action="append", default=[], help="only this DAG (repeatable)")
    run.add_argument("--seed", type=int, default=None, help="seed for every scenario")
    run.add_argument("--junit", type=Path, default=None, help="write JUnit XML here")
    run.add_argument("--html", type=Path, default=None, help="write the HTML report here")
    run.add_argument("--checks-only", action="store_true", help="only the static checks")
    run.add_argument("-v", "--verbose", action="store_true", help="show Airflow's task logs")
    again = commands.add_parser("reproduce", help="run one scenario on one DAG, with its logs")
    again.add_argument("scenario")
    again.add_argument("--dag", required=True)
    again.add_argument("--seed", type=int, required=True)
    again.add_argument("--html", type=Path, default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from harness.scenarios import BY_NAME

    named = [args.scenario] if args.command == "reproduce" else getattr(args, "scenarios", [])
    unknown = [name for name in named if name not in BY_NAME]
    if unknown:  # before Airflow starts: a typo answers at once
        print(
            f"harness: unknown scenario(s) {', '.join(unknown)}; known: {', '.join(BY_NAME)}",
            file=sys.stderr,
        )
        return 2
    from harness import setup

    try:
        folder = setup.prepare(args.dags_folder)
    except FileNotFoundError as exc:
        print(f"harness: {exc} (give an existing folder with --dags-folder)", file=sys.stderr)
        return 2
    if args.command == "reproduce" or getattr(args, "verbose", False):
        os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "INFO"  # the operators' own words
    from harness import commands
    from harness.matrix import UnknownName

    try:
        if args.command == "list":
            return commands.list_scenarios(folder, sys.stdout)
        reproduce = args.command == "reproduce"
        return commands.run(
            folder,
            scenarios=[args.scenario] if reproduce else args.scenarios,
            dags=[args.dag] if reproduce else args.dag,
            seed=args.seed,
            junit=None if reproduce else args.junit,
            html=args.html,
            checks_only=False if reproduce else args.checks_only,
            verbose=True if reproduce else args.verbose,
            out=sys.stdout,
        )
    except UnknownName as exc:
        print(f"harness: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
