"""`fakeecs serve`: run the fake ECS as a server."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click

from fakeecs import backends
from fakeecs.assembly import assemble
from fakeecs.clock import parse_clock
from fakeecs.containers.runtime import DockerUnavailable
from fakeecs.errors import ECSError
from fakeecs.persistence import StateFileError

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _load_faults(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"{path} is not valid JSON: {exc}") from None
    return data


@click.group()
def main() -> None:
    """fakeecs: an offline Amazon ECS that speaks the real wire protocol."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=5090, show_default=True, type=int, help="0 picks a free port.")
@click.option(
    "--clock",
    "clock_spec",
    default=None,
    help="real, manual (moves only via POST /_fakeecs/clock/advance) or scaled:FACTOR "
    "[default: manual; real with --backend docker].",
)
@click.option(
    "--backend",
    type=click.Choice(backends.BACKENDS),
    default="simulated",
    show_default=True,
    help="simulated: containers do what their behaviours script; docker: they run for real "
    "in the local Docker engine.",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for IDs and faults.")
@click.option(
    "--faults",
    "faults_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help='JSON file of fault rules: {"rules": [...]}',
)
@click.option(
    "--state",
    "state_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Keep all state in this JSON file (loaded at start, rewritten after every change).",
)
@click.option(
    "--lenient-network/--strict-network",
    default=False,
    help="strict (the default): awsvpc subnets and security groups must exist in the EC2 on this "
    "port, in one VPC, as ECS requires (POST /_fakeecs/network/default answers the default VPC's "
    "network). lenient: any subnet and security group string is accepted, for callers whose "
    "network configuration is fixed before this fake's EC2 exists.",
)
@click.option(
    "--control-token",
    envvar="FAKEECS_CONTROL_TOKEN",
    help="Require this token (header X-Fakeecs-Token) on the control API.",
)
def serve(
    host: str,
    port: int,
    clock_spec: str | None,
    backend: str,
    seed: int,
    faults_path: Path | None,
    state_path: Path | None,
    lenient_network: bool,
    control_token: str | None,
) -> None:
    """Serve ECS (and, through moto, every other AWS service) on one port."""
    try:
        clock = parse_clock(clock_spec or backends.default_clock(backend))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--clock") from None
    if host not in LOOPBACK:
        click.echo(
            f"warning: fakeecs is listening on {host}, reachable from other machines; "
            "it has no authentication for ECS calls",
            err=True,
        )
        if not control_token:
            raise click.UsageError(
                "binding beyond loopback needs --control-token (or FAKEECS_CONTROL_TOKEN) "
                "so that others cannot drive the control API"
            )
    try:
        fake = assemble(
            clock,
            seed=seed,
            backend=backend,
            state=state_path,
            faults=None if faults_path is None else lambda: _load_faults(faults_path),
            host=host,
            port=port,
            control_token=control_token,
            lenient_network=lenient_network,
        )
    except (ValueError, DockerUnavailable) as exc:
        raise click.UsageError(str(exc)) from None
    except StateFileError as exc:
        raise click.ClickException(str(exc)) from None
    except ECSError as err:
        raise click.BadParameter(f"{faults_path}: {err.message}", param_hint="--faults") from None
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    engine, server, store = fake.engine, fake.server, fake.store
    if fake.restored and faults_path is not None:
        click.echo(
            f"note: --faults {faults_path} ignored: the fault rules saved in {state_path} "
            "carry on (with how often they already fired)",
            err=True,
        )
    if store is not None:
        try:
            store.save()
        except OSError as exc:
            server.httpd.server_close()
            engine.runtime.close()
            raise click.ClickException(
                f"cannot write the state file {state_path}: {exc.strerror}"
            ) from None
    stopping = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    fake.seed_other_services()
    stop_backend = fake.start_backend()
    if backend == "docker":
        cleaned = getattr(engine.runtime, "cleaned_up", 0)
        click.echo(
            "docker backend: tasks' containers run in the local Docker engine"
            + (f"; removed {cleaned} left behind by a fakeecs that crashed" if cleaned else ""),
            err=True,
        )
    click.echo(f"fakeecs listening on {server.url}")
    sys.stdout.flush()
    try:
        server.serve_forever()
    finally:
        server.httpd.server_close()
        stop_backend()
    if store is not None:
        store.save()
