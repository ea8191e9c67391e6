"""A fake that survives its own crash: `--state PATH` / `FakeECS(state=...)`, including a real `kill -9`."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from fakeecs import ControlClient, FakeECS
from fakeecs.persistence import StateFileError
from tests.fakeecs.conftest import (
    CLUSTER,
    FAMILY,
    NO_RETRIES,
    client,
    fargate_task_definition,
    network,
    run,
)

BIN = Path(sys.executable).parent


def prepare(ecs: Any) -> None:
    ecs.create_cluster(clusterName=CLUSTER)
    ecs.register_task_definition(**fargate_task_definition())


def create_service(ecs: Any, name: str = "svc", count: int = 2) -> dict[str, Any]:
    return ecs.create_service(
        cluster=CLUSTER,
        serviceName=name,
        taskDefinition=FAMILY,
        desiredCount=count,
        launchType="FARGATE",
        networkConfiguration=network(ecs),
    )["service"]


def all_tasks(ecs: Any) -> list[dict[str, Any]]:
    arns = []
    for desired in ("RUNNING", "STOPPED"):
        arns += ecs.list_tasks(cluster=CLUSTER, desiredStatus=desired)["taskArns"]
    return ecs.describe_tasks(cluster=CLUSTER, tasks=sorted(arns))["tasks"] if arns else []


def test_state_survives_a_restart_and_moves_on_from_where_it_was(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with FakeECS(clock="manual", seed=1, state=path) as fake:
        ecs = client(fake)
        prepare(ecs)
        fake.behaviour(FAMILY, runSeconds=100, exitCode=3)
        arn = run(ecs, clientToken="tok-1")["tasks"][0]["taskArn"]
        fake.advance(10)
        create_service(ecs)
        fake.faults([{"operation": "ListClusters", "action": "throttle", "times": 2}])
        with pytest.raises(Exception, match="Rate exceeded"):
            client(fake, config=NO_RETRIES).list_clusters()
        before_tasks = all_tasks(ecs)
        now = fake.now()

    with FakeECS(clock="manual", seed=99, state=path) as fake:
        ecs = client(fake)
        assert fake.now() == now
        assert all_tasks(ecs) == before_tasks
        assert (
            ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]["lastStatus"] == "RUNNING"
        )
        # the same clientToken still answers with the same task, starting nothing
        assert run(ecs, clientToken="tok-1")["tasks"][0]["taskArn"] == arn
        # the fault rule fired once before the restart: one throttle left
        bare = client(fake, config=NO_RETRIES)
        with pytest.raises(Exception, match="Rate exceeded"):
            bare.list_clusters()
        assert bare.list_clusters()["clusterArns"]
        fake.advance(200)
        task = ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]
        assert (task["lastStatus"], task["containers"][0]["exitCode"]) == ("STOPPED", 3)
        service = ecs.describe_services(cluster=CLUSTER, services=["svc"])["services"][0]
        assert service["runningCount"] == 2
        assert service["deployments"][0]["rolloutState"] == "COMPLETED"


def test_restart_keeps_the_endpoint_and_the_state(tmp_path: Path) -> None:
    fake = FakeECS(state=tmp_path / "state.json").start()
    try:
        ecs = client(fake)
        prepare(ecs)
        arn = run(ecs)["tasks"][0]["taskArn"]
        fake.advance(10)
        url = fake.endpoint_url

        fake = fake.restart()

        assert fake.endpoint_url == url
        task = ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]  # the same client
        assert task["lastStatus"] == "RUNNING"
        fake.advance(60)
        assert (
            ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]["lastStatus"] == "STOPPED"
        )
    finally:
        fake.stop()


def test_restart_needs_a_state_file() -> None:
    with FakeECS() as fake, pytest.raises(RuntimeError, match="state file"):
        fake.restart()


def _trace(tmp_path: Path, restart: bool) -> list[Any]:
    """The same calls, with or without a save and restart in the middle."""
    path = tmp_path / f"trace-{restart}.json"
    fake = FakeECS(clock="manual", seed=5, state=path).start()
    ecs = client(fake)
    prepare(ecs)
    run(ecs, count=2)
    create_service(ecs, count=1)
    fake.advance(7)
    if restart:
        fake.stop()
        fake = FakeECS(clock="manual", seed=5, state=path).start()
        ecs = client(fake)
    run(ecs)
    ecs.update_service(cluster=CLUSTER, service="svc", forceNewDeployment=True)
    fake.advance(40)
    out = [all_tasks(ecs), ecs.describe_services(cluster=CLUSTER, services=["svc"])["services"]]
    fake.stop()
    return out


def test_a_restart_changes_nothing_in_what_happens_next(tmp_path: Path) -> None:
    assert _trace(tmp_path, restart=True) == _trace(tmp_path, restart=False)


def test_the_file_is_private_complete_and_alone(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with FakeECS(state=path) as fake:
        prepare(client(fake))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        data = json.loads(path.read_text())
        assert data["format"] == "fakeecs-state"
        assert "test-cluster" in json.dumps(data["regions"])
        calls = tmp_path / "state.json.calls.jsonl"
        assert stat.S_IMODE(calls.stat().st_mode) == 0o600
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["state.json", "state.json.calls.jsonl", "state.json.lock"]  # no temp files


def test_one_fake_per_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with FakeECS(state=path) as fake:
        prepare(client(fake))
        with pytest.raises(StateFileError, match="in use by another running fakeecs"):
            FakeECS(state=path)
    with FakeECS(state=path) as fake:
        assert client(fake).list_clusters()["clusterArns"]


def test_a_scaled_clock_carries_on_from_the_saved_time(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with FakeECS(clock="scaled:1000", state=path) as fake:
        ecs = client(fake)
        prepare(ecs)
        fake.advance(3600)
        arn = run(ecs)["tasks"][0]["taskArn"]
        created = ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]["createdAt"]
    with FakeECS(clock="scaled:1000", state=path) as fake:
        ecs = client(fake)
        assert fake.now() >= created.timestamp()
        task = ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]
        assert task["createdAt"] == created


def test_a_state_file_in_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StateFileError, match="cannot create the lock file"):
        FakeECS(state=tmp_path / "no-such-folder" / "state.json")


def test_the_calls_log_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with FakeECS(state=path) as fake:
        ecs = client(fake)
        prepare(ecs)
        run(ecs)
        before = fake.calls()
    log = tmp_path / "state.json.calls.jsonl"
    with log.open("a") as out:
        out.write('{"operation": "RunTask", "par')  # a line cut short by a crash
    with FakeECS(state=path) as fake:
        assert fake.calls() == before
        client(fake).list_clusters()
        assert [c["operation"] for c in fake.calls()] == [
            *(c["operation"] for c in before),
            "ListClusters",
        ]
        fake.reset()
        assert fake.calls() == []
    with FakeECS(state=path) as fake:
        assert fake.calls() == []


def test_a_damaged_calls_log_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with FakeECS(state=path) as fake:
        prepare(client(fake))
    log = tmp_path / "state.json.calls.jsonl"
    damaged = b"not json\n" + log.read_bytes()
    log.write_bytes(damaged)
    with pytest.raises(StateFileError, match="line 1 is not a calls log entry") as exc:
        FakeECS(state=path)
    assert str(log) in str(exc.value)
    assert log.read_bytes() == damaged


def test_reads_do_not_rewrite_the_file_and_changes_do(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with FakeECS(state=path) as fake:
        ecs = client(fake)
        prepare(ecs)
        written = path.stat().st_ino
        ecs.describe_clusters(clusters=[CLUSTER])
        ecs.list_task_definitions()
        assert path.stat().st_ino == written
        run(ecs)
        assert path.stat().st_ino != written
        written = path.stat().st_ino
        fake.advance(5)
        assert path.stat().st_ino != written
        fake.reset()
        assert json.loads(path.read_text())["regions"] == {}


def test_describing_services_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with FakeECS(state=path) as fake:
        ecs = client(fake)
        prepare(ecs)
        create_service(ecs, count=1)
        fake.advance(10)
        [arn] = ecs.list_tasks(cluster=CLUSTER, serviceName="svc")["taskArns"]
        ecs.stop_task(cluster=CLUSTER, task=arn)
        fake.advance(3700)  # the stopped task is forgotten, its replacement runs
        written = path.stat().st_ino
        service = ecs.describe_services(cluster=CLUSTER, services=["svc"])["services"][0]
        assert service["runningCount"] == 1
        ecs.list_tasks(cluster=CLUSTER, serviceName="svc")
        assert path.stat().st_ino == written


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"format": "fakeecs-state", "vers', "not valid JSON"),
        (b"\x00\xff garbage", "not valid JSON"),
        (json.dumps({"clusters": []}).encode(), "is not a fakeecs state file"),
        (json.dumps({"format": "fakeecs-state", "version": 99}).encode(), "version 99"),
        (json.dumps({"format": "fakeecs-state", "version": 1, "seed": 0}).encode(), "damaged"),
    ],
)
def test_a_corrupt_or_foreign_file_is_refused_and_left_alone(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(StateFileError, match=words) as exc:
        FakeECS(state=path)
    assert str(path) in str(exc.value)
    assert path.read_bytes() == content


# a real server process ---------------------------------------------------------------


class Serve:
    """`fakeecs serve --state PATH` as a process; stop it with kill -9 and start it again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.proc: subprocess.Popen[str] | None = None

    def start(self, *extra: str) -> str:
        self.proc = subprocess.Popen(
            [
                str(BIN / "fakeecs"),
                "serve",
                "--port",
                "0",
                "--clock",
                "manual",
                "--state",
                str(self.path),
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline().strip()  # returns when ready, or "" when it died
        return line.rsplit(" ", 1)[1] if line.startswith("fakeecs listening on ") else ""

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        assert self.proc.wait(timeout=30) == -signal.SIGKILL

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    server = Serve(tmp_path / "state.json")
    yield server
    server.stop()


def ecs_at(url: str) -> Any:
    return boto3.client("ecs", endpoint_url=url, region_name="us-east-1")


def test_kill_9_loses_no_answered_run_task(serve: Serve) -> None:
    url = serve.start()
    assert url, serve.proc.stderr.read() if serve.proc else ""
    control = ControlClient(url)
    ecs = ecs_at(url)
    prepare(ecs)
    control.behaviour(FAMILY, runSeconds=60, exitCode=0)
    answered = [run(ecs, clientToken=f"tok-{i}")["tasks"][0]["taskArn"] for i in range(3)]
    control.advance(10)
    create_service(ecs, count=1)
    seen = {t["taskArn"]: t for t in all_tasks(ecs)}
    last = run(ecs, clientToken="tok-last")["tasks"][0]  # answered, and at once:
    answered.append(last["taskArn"])
    seen[last["taskArn"]] = last

    serve.kill9()
    url = serve.start()
    assert url, serve.proc.stderr.read() if serve.proc else ""
    control, ecs = ControlClient(url), ecs_at(url)

    after = {t["taskArn"]: t for t in all_tasks(ecs)}
    assert set(answered) <= set(after)
    assert after.keys() == seen.keys()
    for arn, task in after.items():
        assert (task["lastStatus"], task["version"]) == (
            seen[arn]["lastStatus"],
            seen[arn]["version"],
        )
    runs = [c for c in control.calls() if c["operation"] == "RunTask"]
    assert [c["params"]["clientToken"] for c in runs] == ["tok-0", "tok-1", "tok-2", "tok-last"]
    assert run(ecs, clientToken="tok-last")["tasks"][0]["taskArn"] == answered[-1]
    assert len(all_tasks(ecs)) == len(seen)
    control.advance(120)
    moved = {t["taskArn"]: t for t in all_tasks(ecs)}
    assert all(moved[a]["lastStatus"] == "STOPPED" for a in answered)
    assert {moved[a]["stopCode"] for a in answered} == {"EssentialContainerExited"}
    service = ecs.describe_services(cluster=CLUSTER, services=["svc"])["services"][0]
    assert (service["runningCount"], len(service["deployments"])) == (1, 1)


def test_sigterm_stops_cleanly_and_the_state_is_there_next_time(serve: Serve) -> None:
    url = serve.start()
    prepare(ecs_at(url))
    assert serve.proc is not None
    serve.proc.send_signal(signal.SIGTERM)
    assert serve.proc.wait(timeout=30) == 0

    url = serve.start()
    assert ecs_at(url).list_clusters()["clusterArns"] == [
        f"arn:aws:ecs:us-east-1:123456789012:cluster/{CLUSTER}"
    ]


def test_serve_refuses_a_foreign_state_file_naming_it(serve: Serve) -> None:
    serve.path.write_text("not: a fakeecs file\n")
    assert serve.start() == ""
    assert serve.proc is not None
    assert serve.proc.wait(timeout=30) == 1
    err = serve.proc.stderr.read()
    assert str(serve.path) in err
    assert "is not a fakeecs state file" in err
    assert serve.path.read_text() == "not: a fakeecs file\n"


def test_a_second_serve_on_the_same_state_file_is_refused(serve: Serve) -> None:
    assert serve.start()
    second = Serve(serve.path)
    assert second.start() == ""
    assert second.proc is not None
    assert second.proc.wait(timeout=30) == 1
    assert "in use by another running fakeecs" in second.proc.stderr.read()


def test_serve_keeps_saved_fault_rules_over_a_faults_file(serve: Serve, tmp_path: Path) -> None:
    rules = tmp_path / "faults.json"
    rules.write_text(json.dumps([{"operation": "ListClusters", "action": "throttle", "times": 1}]))
    url = serve.start("--faults", str(rules))
    bare = boto3.client("ecs", endpoint_url=url, region_name="us-east-1", config=NO_RETRIES)
    with pytest.raises(Exception, match="Rate exceeded"):
        bare.list_clusters()

    serve.kill9()
    url = serve.start("--faults", str(rules))
    bare = boto3.client("ecs", endpoint_url=url, region_name="us-east-1", config=NO_RETRIES)
    assert bare.list_clusters()["clusterArns"] == []  # the rule had already fired its one time
    assert serve.proc is not None


def test_other_aws_state_lasts_as_long_as_the_fakes(tmp_path: Path) -> None:
    """moto is per process: the last fake to stop clears it; starting a fake clears nothing."""
    with FakeECS() as fake:
        client(fake, "logs").create_log_group(logGroupName="/left/behind")
    with FakeECS() as fake:
        logs = client(fake, "logs")
        assert logs.describe_log_groups()["logGroups"] == []
        logs.create_log_group(logGroupName="/set/up/first")
        with FakeECS() as second:  # starting another fake while one runs clears nothing
            groups = client(second, "logs").describe_log_groups()["logGroups"]
            assert [g["logGroupName"] for g in groups] == ["/set/up/first"]
