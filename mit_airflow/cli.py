"""`workflow`: maintenance of the Airflow cluster that runs on ECS Fargate.

Each command is thin: it reads options, asks for confirmation or a password, and calls
one module of `mit_airflow.maintenance`. Errors a person can fix are one line
(`Error: ...`, exit 1); only bugs show a traceback. Nothing here imports Airflow.
"""

from __future__ import annotations

import random
import re
import shlex
import sys
from dataclasses import dataclass, field
from typing import Any

import click
from rich.console import Console

from mit_airflow.maintenance import (
    oneoff,
    scheduler,
    secret_handoff,
    service_deployments,
    services,
)
from mit_airflow.maintenance import redeploy as redeploy_steps
from mit_airflow.maintenance.aws import Backoff, Clients
from mit_airflow.maintenance.display import Display
from mit_airflow.maintenance.errors import WorkflowError, explain, redact
from mit_airflow.maintenance.journal import ClusterMemory
from mit_airflow.maintenance.names import ClusterNames
from mit_airflow.maintenance.pacing import Pacer, RealPacer, WaitTimeout, wait_until
from mit_airflow.maintenance.status_view import table

#: The roles `rollback` accepts instead of a service name, in `ClusterNames.all_services()` order.
SERVICE_ROLES = ("scheduler", "web", "dag-processor", "triggerer", "worker")

#: The FAB auth manager's built-in roles.
ROLES = ("Admin", "Op", "User", "Viewer", "Public")
_USERNAME = re.compile(r"^[A-Za-z0-9_.@+-]{1,64}$")


@dataclass
class Runtime:
    """What the CLI takes from its surroundings; tests pass their own (a pacer on fakeecs's clock, a seed)."""

    pacer: Pacer = field(default_factory=RealPacer)
    rng: random.Random = field(default_factory=random.Random)
    console: Console | None = None


@dataclass
class App:
    """Everything a command needs, built once per invocation by the group."""

    names: ClusterNames
    runtime: Runtime
    display: Display
    interval: float
    timeout: float
    resume_hint: str
    secrets: list[str] = field(default_factory=list)
    _clients: Clients | None = None

    @property
    def clients(self) -> Clients:
        if self._clients is None:
            self._clients = Clients.create(
                self.runtime.pacer, backoff=Backoff(rng=self.runtime.rng), notice=self._retrying
            )
        return self._clients

    @property
    def memory(self) -> ClusterMemory:
        return ClusterMemory(self.clients.ssm, self.names.cluster)

    def nonce(self) -> str:
        """A fresh identifier for one command run (clientToken, hand-off parameter name)."""
        return f"{self.runtime.rng.getrandbits(64):016x}"

    def _retrying(self, operation: str, reason: str, pause: float, attempt: int) -> None:
        self.display.warn(
            f"{operation}: {reason}; retrying in {pause:.1f}s (attempt {attempt + 1})"
        )

    def run_one_off(
        self,
        label: str,
        command: list[str],
        environment: dict[str, str] | None = None,
        shown: str = "",
    ) -> None:
        request = oneoff.OneOffRequest(
            label=label,
            command=command,
            nonce=self.nonce(),
            environment=environment or {},
            shown=shown,
        )
        oneoff.run(
            self.clients,
            self.names,
            request,
            pacer=self.runtime.pacer,
            display=self.display,
            interval=self.interval,
            timeout=self.timeout,
        )


class WorkflowGroup(click.Group):
    """A click group that turns known failures into one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            raise _Failure("interrupted", 130) from None
        except Exception as exc:
            app = ctx.obj if isinstance(ctx.obj, App) else None
            message = explain(exc, cluster=app.names.cluster if app else "?")
            if message is None:
                raise
            secrets = app.secrets if app else []
            code = exc.exit_code if isinstance(exc, WorkflowError) else 1
            raise _Failure(redact(message, secrets), code) from None


class _Failure(click.ClickException):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _service_option(flag: str, role: str, env: str) -> Any:
    return click.option(
        flag,
        role,
        envvar=env,
        show_envvar=True,
        default=None,
        metavar="NAME",
        help=f"the {role.replace('_', '-')} service [default: <cluster>-{role.replace('_', '-')}]",
    )


@click.group(
    cls=WorkflowGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--cluster",
    envvar="WORKFLOW_CLUSTER",
    show_envvar=True,
    default="airflow-stage",
    show_default=True,
    help="the ECS cluster",
)
@_service_option("--scheduler", "scheduler", "WORKFLOW_SCHEDULER")
@_service_option("--worker", "worker", "WORKFLOW_WORKER")
@_service_option("--web", "web", "WORKFLOW_WEB")
@_service_option("--dag-processor", "dag_processor", "WORKFLOW_DAG_PROCESSOR")
@_service_option("--triggerer", "triggerer", "WORKFLOW_TRIGGERER")
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0.01),
    default=5.0,
    show_default=True,
    envvar="WORKFLOW_POLL_INTERVAL",
    show_envvar=True,
    help="seconds between checks while waiting",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=1800.0,
    show_default=True,
    envvar="WORKFLOW_TIMEOUT",
    show_envvar=True,
    help="seconds to wait for a task or a rollout",
)
@click.pass_context
def cli(
    ctx: click.Context,
    cluster: str,
    poll_interval: float,
    timeout: float,
    **service_names: str | None,
) -> None:
    """Maintain the Airflow cluster on ECS Fargate: database, users, fernet key, redeploys."""
    if not cluster.strip():
        raise click.BadParameter("must not be empty", param_hint="--cluster")
    runtime = ctx.obj if isinstance(ctx.obj, Runtime) else Runtime()
    names = ClusterNames.for_cluster(cluster, **service_names)
    hint = ["workflow", "--cluster", cluster] + [
        f"--{role.replace('_', '-')}={value}" for role, value in service_names.items() if value
    ]
    ctx.obj = App(
        names=names,
        runtime=runtime,
        display=Display(runtime.console or Console(highlight=False)),
        interval=poll_interval,
        timeout=timeout,
        resume_hint=shlex.join(hint),
    )


def _app(ctx: click.Context) -> App:
    return ctx.find_object(App)


def _confirm(yes: bool) -> Any:
    def ask(question: str) -> None:
        if not yes:
            click.confirm(question, abort=True)

    return ask


@cli.command("migrate-db")
@click.pass_context
def migrate_db(ctx: click.Context) -> None:
    """Run `airflow db migrate` as a one-off task and wait for it (alias: upgradedb)."""
    _app(ctx).run_one_off("migrate-db", ["airflow", "db", "migrate"])


cli.add_command(migrate_db, "upgradedb")


def _check_username(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if not _USERNAME.match(value or ""):
        raise click.BadParameter("use 1-64 letters, digits or . _ @ + -")
    return value


def _check_email(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value or ""):
        raise click.BadParameter(f"{value!r} is not an e-mail address")
    return value


def _ask_password(username: str) -> str:
    password = click.prompt(f"Password for {username}", hide_input=True, confirmation_prompt=True)
    if not password.strip():
        raise WorkflowError("the password must not be empty")
    return password


def _create_user(
    app: App, *, username: str, email: str, firstname: str, lastname: str, role: str, password: str
) -> None:
    """Create a web UI user in a one-off task; the password travels only through SSM."""
    app.secrets.append(password)
    clients = app.clients
    name = secret_handoff.parameter_name(app.names.cluster, app.nonce())
    command = [
        "python",
        "-c",
        secret_handoff.in_task_script(),
        "airflow", "users", "create",
        "--username", username,
        "--email", email,
        "--firstname", firstname,
        "--lastname", lastname,
        "--role", role,
    ]  # fmt: skip
    environment = {
        "WORKFLOW_PASSWORD_PARAMETER": name,
        "WORKFLOW_PASSWORD_REGION": clients.ssm.raw.meta.region_name or "",
    }
    with secret_handoff.password_parameter(clients.ssm, name, password):
        app.display.step(
            f"the password for {username} waits in SecureString parameter {name} (deleted after use)"
        )
        shown = shlex.join(command[3:]) + " (password read from SSM)"
        app.run_one_off(f"add-user {username}", command, environment, shown)


def _user_options(fn: Any) -> Any:
    for decorator in reversed(
        [
            click.option("--username", prompt=True, callback=_check_username, help="login name"),
            click.option("--email", prompt=True, callback=_check_email, help="e-mail address"),
            click.option("--firstname", default="", help="first name [default: the username]"),
            click.option("--lastname", default="-", show_default=True, help="last name"),
        ]
    ):
        fn = decorator(fn)
    return fn


@cli.command("add-user")
@_user_options
@click.option(
    "--role", type=click.Choice(ROLES), default="Viewer", show_default=True, help="the FAB role"
)
@click.pass_context
def add_user(
    ctx: click.Context, username: str, email: str, firstname: str, lastname: str, role: str
) -> None:
    """Add a web UI user; prompts for the password, which never reaches ECS or the logs."""
    app = _app(ctx)
    password = _ask_password(username)
    _create_user(
        app,
        username=username,
        email=email,
        firstname=firstname or username,
        lastname=lastname,
        role=role,
        password=password,
    )


@cli.command("delete-user")
@click.option("--username", prompt=True, callback=_check_username, help="login name")
@click.option("--yes", "-y", is_flag=True, help="do not ask for confirmation")
@click.pass_context
def delete_user(ctx: click.Context, username: str, yes: bool) -> None:
    """Delete a web UI user."""
    app = _app(ctx)
    _confirm(yes)(f"Delete user {username} from {app.names.cluster}?")
    app.run_one_off(
        f"delete-user {username}", ["airflow", "users", "delete", "--username", username]
    )


@cli.command()
@_user_options
@click.option("--yes", "-y", is_flag=True, help="do not ask for confirmation")
@click.pass_context
def initialize(
    ctx: click.Context, username: str, email: str, firstname: str, lastname: str, yes: bool
) -> None:
    """First-time set-up of a new cluster: migrate the database and create the admin user."""
    app = _app(ctx)
    _confirm(yes)(
        f"Initialize {app.names.cluster}: migrate its database and create admin user {username}?"
    )
    password = _ask_password(username)
    app.run_one_off("migrate-db", ["airflow", "db", "migrate"])
    _create_user(
        app,
        username=username,
        email=email,
        firstname=firstname or username,
        lastname=lastname,
        role="Admin",
        password=password,
    )
    app.display.done(f"{app.names.cluster} is initialized; log in as {username}")


@cli.command("rotate-fernet-key")
@click.pass_context
def rotate_fernet_key(ctx: click.Context) -> None:
    """Re-encrypt connections and variables with the newest fernet key (`airflow rotate-fernet-key`)."""
    _app(ctx).run_one_off("rotate-fernet-key", ["airflow", "rotate-fernet-key"])


@cli.command()
@click.option("--yes", "-y", is_flag=True, help="do not ask for confirmation")
@click.pass_context
def redeploy(ctx: click.Context, yes: bool) -> None:
    """Stop the scheduler, roll every other service, start the scheduler; run again to resume."""
    app = _app(ctx)
    redeploy_steps.redeploy(
        app.clients.ecs,
        app.memory,
        app.names,
        pace=redeploy_steps.Pace(app.runtime.pacer, app.interval, app.timeout),
        display=app.display,
        confirm=_confirm(yes),
        resume_hint=app.resume_hint,
    )


@cli.command("stop-scheduler")
@click.option(
    "--wait/--no-wait", default=True, show_default=True, help="wait until no scheduler task is left"
)
@click.pass_context
def stop_scheduler(ctx: click.Context, wait: bool) -> None:
    """Scale the scheduler to 0 (its count is remembered for start-scheduler)."""
    app = _app(ctx)
    count = scheduler.stop(app.clients.ecs, app.memory, app.names, app.display)
    if wait:
        scheduler.wait_stopped(
            app.clients.ecs,
            app.names,
            pacer=app.runtime.pacer,
            display=app.display,
            interval=app.interval,
            timeout=app.timeout,
        )
    app.display.warn(
        f"{app.names.scheduler} is stopped: no DAG runs are scheduled until `{app.resume_hint} start-scheduler` (starts {count})"
    )


@cli.command("start-scheduler")
@click.option(
    "--count",
    type=click.IntRange(min=1),
    default=None,
    help="desired count [default: the count before it was stopped, else 1]",
)
@click.option(
    "--wait/--no-wait", default=True, show_default=True, help="wait until the scheduler is stable"
)
@click.pass_context
def start_scheduler(ctx: click.Context, count: int | None, wait: bool) -> None:
    """Scale the scheduler back up."""
    app = _app(ctx)
    scheduler.start(app.clients.ecs, app.memory, app.names, app.display, count=count)
    if app.memory.redeploy() is not None:
        app.display.warn(
            f"a redeploy of {app.names.cluster} is unfinished: `{app.resume_hint} redeploy` finishes it"
        )
    if wait:
        scheduler.wait_stable(
            app.clients.ecs,
            app.names,
            [app.names.scheduler],
            pacer=app.runtime.pacer,
            display=app.display,
            interval=app.interval,
            timeout=app.timeout,
        )


@cli.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """A table of the Airflow services: desired, running, pending, deployments, latest event."""
    app = _app(ctx)
    ecs = app.clients.ecs
    described = services.describe(ecs, app.names.cluster, app.names.all_services())
    latest = {name: service_deployments.latest(ecs, app.names.cluster, name) for name in described}
    app.display.console.print(table(app.names, described, latest))
    scheduler_service = described[app.names.scheduler]
    if scheduler_service.get("desiredCount", 0) == 0:
        app.display.warn(
            f"{app.names.scheduler} is stopped: `{app.resume_hint} start-scheduler` starts it"
        )
    journal = app.memory.redeploy()
    if journal is not None:
        step = redeploy_steps.STEPS.get(journal.get("step", ""), "?")
        app.display.warn(
            f"a redeploy is unfinished (it stopped while {step}): `{app.resume_hint} redeploy` resumes it"
        )
    unstable = [n for n, s in described.items() if not services.is_stable(s)]
    if unstable:
        app.display.info("* not stable yet: " + ", ".join(unstable))
    for name, deployment in latest.items():
        failure = service_deployments.failure(name, deployment)
        if failure:
            app.display.warn(failure)


@cli.command()
@click.argument("service")
@click.option("--yes", "-y", is_flag=True, help="do not ask for confirmation")
@click.option(
    "--wait/--no-wait", default=True, show_default=True, help="wait until the rollback finished"
)
@click.pass_context
def rollback(ctx: click.Context, service: str, yes: bool, wait: bool) -> None:
    """Stop SERVICE's deployment in progress and roll it back to the previous revision.

    SERVICE is a service name or its role (scheduler, web, dag-processor, triggerer, worker).
    """
    app = _app(ctx)
    ecs = app.clients.ecs
    roles = dict(zip(SERVICE_ROLES, app.names.all_services(), strict=True))
    name = roles.get(service, service)
    services.describe_one(ecs, app.names.cluster, name)
    deployment = service_deployments.latest(ecs, app.names.cluster, name)
    _confirm(yes)(f"Roll back the deployment of {name} in progress?")
    stopped = service_deployments.roll_back(ecs, app.names.cluster, name)
    arn = stopped["serviceDeploymentArn"]
    app.display.step(f"rolling back {name} ({arn})")
    if not wait or deployment is None:
        return
    with app.display.waiting(f"waiting for {name} to roll back") as line:

        def finished() -> bool | None:
            now = service_deployments.describe(ecs, [arn]).get(arn)
            line.update(service_deployments.summary(now))
            return True if now and now.get("status") in service_deployments.FAILED else None

        try:
            wait_until(
                finished,
                pacer=app.runtime.pacer,
                interval=app.interval,
                timeout=app.timeout,
                what=f"{name} to roll back",
            )
        except WaitTimeout as exc:
            raise WorkflowError(str(exc)) from None
    final = service_deployments.describe(ecs, [arn])[arn]
    if final["status"] == "ROLLBACK_SUCCESSFUL":
        app.display.done(f"{name} is back on its previous revision")
    else:
        raise WorkflowError(f"the rollback of {name} ended {service_deployments.summary(final)}")


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="workflow")


__all__ = ["Runtime", "cli", "main"]

if __name__ == "__main__":
    sys.exit(main())
