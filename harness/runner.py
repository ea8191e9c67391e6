"""Run one DAG under one scenario with `dag.test()` against an in-process fakeecs.

A `Session` pays Airflow's start-up once per process (DB migration, DAG loading,
the first dag.test()). Each run gets a fresh fakeecs seeded with the scenario's
seed (so the same seed gives the same ARNs, faults and trace), builds the DAG's
world (cluster, configuration, S3 objects), applies the scenario's fault rules,
runs the DAG with the hooks of `harness.instrument`, and returns what happened,
judged against the scenario's expectations.
"""

from __future__ import annotations

import contextlib
import io
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3

from fakeecs import FakeECS
from harness import expect, network, setup
from harness.checks import Loaded, check_folder, environment
from harness.instrument import ActiveRun, instrumented, internal
from harness.outcome import Result, TaskOutcome
from harness.recorder import AttemptRecorder, EcsRecorder, state_name
from harness.redeploy import WorkerService
from harness.scenarios import Scenario
from harness.shape import Shape, shape_of
from harness.timeline import Timeline
from harness.worlds import CLUSTER, World, world_for


def _quiet_airflow() -> None:
    for name in ("airflow", "airflow.task", "airflow.processor", "botocore", "urllib3"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


#: Operator attributes naming another DAG that must be in the metadata DB when the task runs
#: (TriggerDagRunOperator; ExternalTaskSensor with check_existence).
REFERS_TO_DAGS = ("trigger_dag_id", "external_dag_id")


class Session:
    """Airflow started once per process; a fresh fakeecs for every run."""

    def __init__(
        self,
        dags_folder: Path | None = None,
        verbose: bool = False,
        *,
        reuse_configured: bool = False,
    ) -> None:
        self.requested = setup.prepare(dags_folder, reuse_configured=reuse_configured)
        self.verbose = verbose
        setup.migrate()
        if not verbose:
            _quiet_airflow()
        self.loaded: Loaded = check_folder(self.requested)
        from airflow.sdk.listener import get_listener_manager

        self.attempts = AttemptRecorder()
        get_listener_manager().add_listener(self.attempts)

    def close(self) -> None:
        from airflow.sdk.listener import get_listener_manager

        manager = get_listener_manager()
        if manager.pm.is_registered(self.attempts):
            manager.pm.unregister(self.attempts)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what a DAG looks like ------------------------------------------------------------

    def shape(self, dag_id: str) -> Shape:
        return shape_of(self.loaded.dags[dag_id], world_for(dag_id).s3_input_task)

    def files_run(self, dag_id: str) -> set[Path]:
        """The files a run of `dag_id` has `dag.test()` parse: the DAG's own, and those of the
        folder's DAGs it triggers or waits for by a literal dag_id (they must be in the
        metadata DB: a trigger of a DAG that is not there fails)."""
        ids = {dag_id}
        for task in self.loaded.dags[dag_id].tasks:
            for name in REFERS_TO_DAGS:
                other = getattr(task, name, None)
                if isinstance(other, str) and other in self.loaded.files:
                    ids.add(other)
        return {self._parsed_file(Path(self.loaded.files[i])) for i in ids}

    def _parsed_file(self, fileloc: Path) -> Path:
        """The file Airflow parsed to find a DAG at `fileloc` (a packaged DAG's is its .zip)."""
        parsed = self.loaded.dag_files
        return next((f for f in parsed if f == fileloc or f in fileloc.parents), fileloc)

    def staged(self, dag_id: str) -> contextlib.AbstractContextManager[None]:
        """What `dag.test()` of `dag_id` must find in the configured DAGs folder, staged there
        for the block: the folder with only `files_run(dag_id)` of its DAG files."""
        return setup.exposed(self.requested, self.files_run(dag_id), self.loaded.dag_files)

    def applies(self, scenario: Scenario, dag_id: str) -> bool:
        shape = self.shape(dag_id)
        if scenario.requires == "s3-input":
            return shape.s3_input is not None
        return bool(shape.operators)

    # -- one run -------------------------------------------------------------------------------

    def run(
        self,
        dag_id: str,
        scenario: Scenario,
        seed: int | None = None,
        prepare: Callable[[FakeECS], None] | None = None,
    ) -> Result:
        """Run `dag_id` once under `scenario` and judge it.

        `prepare(fake)` runs after the world is built and before the DAG starts: a test can
        script more behaviours, faults, S3 objects or move the clock there.
        """
        scenario = scenario.with_seed(seed)
        if dag_id not in self.loaded.dags:
            known = ", ".join(sorted(self.loaded.dags)) or "none"
            raise KeyError(f"no DAG {dag_id!r} in {self.requested} (it has: {known})")
        with FakeECS(clock="manual", seed=scenario.seed) as fake:
            return self._run(fake, dag_id, scenario, prepare)

    def _run(
        self,
        fake: FakeECS,
        dag_id: str,
        scenario: Scenario,
        prepare: Callable[[FakeECS], None] | None,
    ) -> Result:
        dag, world, shape = self.loaded.dags[dag_id], world_for(dag_id), self.shape(dag_id)
        built = build_world(fake, world, scenario)
        admin = built.admin
        if scenario.faults:
            fake.faults(list(scenario.faults))
        if prepare is not None:
            with internal():
                prepare(fake)
        # The engine's own clock reading: ECS events arrive while the engine holds its lock,
        # so the timeline must not ask the fake over HTTP.
        timeline = Timeline(now_virtual=fake.engine.now)
        timeline.virtual_start = fake.engine.now()
        ecs_side = EcsRecorder(timeline)
        fake.engine.listeners.append(ecs_side)
        self.attempts.start(timeline)
        active = ActiveRun(dag, shape, scenario, fake, admin, timeline)
        if scenario.redeploy is not None:
            cluster = world.env.get("ECS_CLUSTER", CLUSTER)
            active.worker = WorkerService(
                admin, cluster, built.network, scenario.redeploy, active.advance, timeline
            )
            with internal():
                active.worker.start(fake)
        env = run_environment(fake, world, scenario, built.network)
        started = time.monotonic()
        log = io.StringIO()
        try:
            with self.staged(dag_id), environment(env), instrumented(active):
                if self.verbose:
                    run = dag.test(logical_date=world.logical_date)
                else:
                    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
                        run = dag.test(logical_date=world.logical_date)
        finally:
            self.attempts.stop()
            fake.engine.listeners.remove(ecs_side)
        seconds = time.monotonic() - started
        calls = fake.calls()
        _add_faults(timeline, calls)
        result = Result(
            dag_id=dag_id,
            scenario=scenario,
            seed=scenario.seed,
            run_state=state_name(run.state),
            tasks=self._outcomes(run, ecs_side),
            timeline=timeline,
            seconds=seconds,
            virtual_seconds=fake.engine.now() - timeline.virtual_start,
            log=log.getvalue(),
            task_order=list(shape.order),
            calls=calls,
            dags_folder=None if self.requested == setup.WORKFLOWS else self.requested,
        )
        result.problems = expect.judge(result, shape)
        if active.worker is not None:
            result.problems.extend(active.worker.findings)
        return result

    def _outcomes(self, run: Any, ecs_side: EcsRecorder) -> dict[str, TaskOutcome]:
        outcomes: dict[str, TaskOutcome] = {}
        for ti in run.get_task_instances():
            tries = int(ti.try_number or 0)
            outcomes[ti.task_id] = TaskOutcome(
                task_id=ti.task_id,
                state=state_name(ti.state),
                tries=tries,
                error=self.attempts.errors.get((ti.task_id, tries)),
            )
        for task_id, arns in ecs_side.launches().items():
            if task_id in outcomes:
                outcomes[task_id].launches = arns
                outcomes[task_id].succeeded = [a for a in arns if ecs_side.succeeded(a)]
                outcomes[task_id].relaunched_early = ecs_side.relaunched_early(arns)
        return outcomes


def run_environment(
    fake: FakeECS, world: World, scenario: Scenario, ecs_network: dict[str, Any]
) -> dict[str, str | None]:
    """The process environment a DAG runs in: the fake's endpoint, the world's variables with
    its network, and no real AWS credentials (None: unset for the run)."""
    env: dict[str, str | None] = {
        **setup.FAKE_AWS,
        "ECS_NETWORK_CONFIG": network.config_value(ecs_network),
        **world.env,
        "AWS_ENDPOINT_URL": fake.endpoint_url,
        # the operators' aws_default connection, as the deployment defines it (no keys)
        "AIRFLOW_CONN_AWS_DEFAULT": '{"conn_type": "aws"}',
        "AWS_ENDPOINT_URL_ECS": None,
        "AWS_PROFILE": None,
        "AWS_SESSION_TOKEN": None,
    }
    env.update(dict.fromkeys(scenario.unset))
    return env


@dataclass(frozen=True)
class Built:
    """A world made in a fake: the harness's own ECS client and the tasks' network."""

    admin: Any
    network: dict[str, Any]


def build_world(fake: FakeECS, world: World, scenario: Scenario) -> Built:
    """The network, cluster and S3 inputs the DAG expects, made in `fake`."""
    endpoint = fake.endpoint_url
    with internal():
        ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name="us-east-1")
        ecs_network = network.create(ec2, "airflow-harness")
        ecs = boto3.client("ecs", endpoint_url=endpoint, region_name="us-east-1")
        ecs.create_cluster(clusterName=world.env.get("ECS_CLUSTER", CLUSTER))
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        for bucket in world.buckets:
            s3.create_bucket(Bucket=bucket)
        if not scenario.s3_missing:
            for bucket, key in world.objects:
                s3.put_object(Bucket=bucket, Key=key, Body=b"harness input")
    return Built(ecs, ecs_network)


def _add_faults(timeline: Timeline, calls: list[dict[str, Any]]) -> None:
    """Faults that fired, from the fake's calls log, placed at their virtual times."""
    for call in calls:
        fault = call.get("fault")
        if not fault:
            continue
        action = fault.get("action", fault) if isinstance(fault, dict) else fault
        when = datetime.fromisoformat(call["time"].replace("Z", "+00:00")).timestamp()
        event = timeline.add(
            "fault", None, f"{call['operation']}: {action} (HTTP {call.get('status')})"
        )
        event.virtual = when - timeline.virtual_start
    timeline.events.sort(key=lambda e: (e.virtual, e.seq))
