"""`harness`: run every DAG in workflows/ against fakeecs under a matrix of scenarios.

    harness list
    harness run [SCENARIO...] [--dag ID] [--seed N] [--shard I/N] [--changed [BASE]] ...
    harness reproduce SCENARIO --dag ID --seed N
    harness merge DIR... [--junit PATH] [--html PATH]

Exit status 0 when every scenario ended as expected and every DAG file passed
the static checks, 1 otherwise, 2 on a usage error. Extra pytest options (-k, --lf,
-x) go in PYTEST_ADDOPTS.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from harness import commands, setup
from harness.scenarios import BY_NAME
from harness.selection import BadShard, parse_shard

FOLDER = click.Path(exists=True, file_okay=False, path_type=Path)
OUT = click.Path(dir_okay=False, path_type=Path)


def _known(names: tuple[str, ...]) -> None:
    """Before Airflow starts: a typo answers at once."""
    unknown = [name for name in names if name not in BY_NAME]
    if unknown:
        raise click.UsageError(
            f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(BY_NAME)}"
        )


class HarnessGroup(click.Group):
    """Usage errors as one line `harness: ...` and exit status 2."""

    def main(self, *args: object, **kwargs: object) -> object:
        try:
            return super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        except click.UsageError as exc:
            click.echo(f"harness: {exc.format_message()}", err=True)
            sys.exit(2)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.Abort:
            sys.exit(1)


@click.group(cls=HarnessGroup)
@click.option(
    "--dags-folder",
    type=FOLDER,
    default=setup.WORKFLOWS,
    show_default="workflows/",
    help="folder of DAG files",
)
@click.pass_context
def main(ctx: click.Context, dags_folder: Path) -> None:
    """harness: every DAG against fakeecs, under every scenario that applies."""
    ctx.obj = dags_folder.resolve()


@main.command("list")
@click.pass_obj
def list_command(folder: Path) -> None:
    """List the scenarios and the DAGs they apply to."""
    sys.exit(commands.list_scenarios(folder, sys.stdout))


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            parse_shard(value)
        except BadShard as exc:
            raise click.BadParameter(str(exc)) from None
    return value


@main.command()
@click.argument("scenarios", nargs=-1, metavar="[SCENARIO]...")
@click.option("--dag", "dags", multiple=True, help="only this DAG (repeatable)")
@click.option("--seed", type=int, default=None, help="seed for every scenario")
@click.option("--junit", type=OUT, default=None, help="write JUnit XML here")
@click.option("--html", type=OUT, default=None, help="write the HTML report here")
@click.option(
    "--results",
    type=click.Path(file_okay=False, path_type=Path),
    default=commands.RESULTS,
    show_default=True,
    help="folder for the per-cell results (harness merge reads it)",
)
@click.option("--checks-only", is_flag=True, help="only the static checks")
@click.option("-v", "--verbose", is_flag=True, help="Airflow's task logs and each timeline")
@click.option(
    "-n",
    "--workers",
    default="auto",
    show_default=True,
    help="processes running cells: a number, auto (every core) or 0 (this one)",
)
@click.option("--shard", default=None, callback=_shard, metavar="I/N", help="run slice I of N")
@click.option(
    "--changed",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[BASE]",
    help="only DAGs whose files or imported modules changed since BASE (default: merge base with main)",
)
@click.pass_obj
def run(folder: Path, scenarios: tuple[str, ...], **given: object) -> None:
    """Check every DAG file and run the scenario matrix."""
    _known(scenarios)
    sys.exit(commands.run(commands.RunRequest(folder, scenarios=scenarios, **given)))  # type: ignore[arg-type]


@main.command()
@click.argument("scenario")
@click.option("--dag", required=True, help="the DAG")
@click.option("--seed", type=int, required=True, help="the seed the report printed")
@click.option("--html", type=OUT, default=None, help="write the HTML report here")
@click.pass_obj
def reproduce(folder: Path, scenario: str, dag: str, seed: int, html: Path | None) -> None:
    """Run one scenario on one DAG in this process, with Airflow's logs and the timeline."""
    _known((scenario,))
    request = commands.RunRequest(
        folder, scenarios=(scenario,), dags=(dag,), seed=seed, html=html, verbose=True
    )
    sys.exit(commands.run(request))


@main.command()
@click.argument(
    "folders",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option("--junit", type=OUT, default=None, help="write the joined JUnit XML here")
@click.option("--html", type=OUT, default=None, help="write the joined HTML report here")
def merge(folders: tuple[Path, ...], junit: Path | None, html: Path | None) -> None:
    """Join CI shards' results folders (harness run --shard) into one matrix and report."""
    sys.exit(commands.merge(list(folders), junit, html, sys.stdout))


if __name__ == "__main__":
    main()
