"""The other AWS services (moto) start empty with each fake, and stopping one leaks nothing."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import boto3
import pytest

from fakeecs import FakeECS, moto_backend


def clients(fake: FakeECS) -> tuple[object, object, object]:
    def client(name: str) -> object:
        return boto3.client(name, endpoint_url=fake.endpoint_url, region_name="us-east-1")

    return client("s3"), client("ec2"), client("logs")


def test_the_next_fake_finds_nothing_the_last_one_made() -> None:
    with FakeECS() as first:
        s3, ec2, logs = clients(first)
        s3.create_bucket(Bucket="harvest-input")
        ec2.create_vpc(CidrBlock="10.20.0.0/16")
        logs.create_log_group(logGroupName="/ecs/harvest")
        vpcs_with_mine = len(ec2.describe_vpcs()["Vpcs"])
    with FakeECS() as second:
        s3, ec2, logs = clients(second)
        assert s3.list_buckets()["Buckets"] == []
        assert len(ec2.describe_vpcs()["Vpcs"]) == vpcs_with_mine - 1  # the default VPC only
        assert all(v["IsDefault"] for v in ec2.describe_vpcs()["Vpcs"])
        assert logs.describe_log_groups()["logGroups"] == []


def test_stopping_the_last_fake_closes_the_temporary_files_of_s3_objects() -> None:
    from moto.s3.models import s3_backends

    with FakeECS() as fake:
        s3, _, _ = clients(fake)
        s3.create_bucket(Bucket="harvest-input")
        s3.put_object(Bucket="harvest-input", Key="export.xml", Body=b"<records/>")
        key = s3_backends["123456789012"]["aws"].buckets["harvest-input"].keys["export.xml"]
        assert not key.disposed
    assert key.disposed  # S3's own reset ran: no file handle waits for the garbage collector


def test_default_amis_only_writes_motos_default_list_and_respects_a_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MOTO_AMIS_PATH", raising=False)
    moto_backend.use_default_amis_only(tmp_path)
    written = Path(os.environ["MOTO_AMIS_PATH"])
    packed = resources.files("moto") / "ec2" / "resources" / "amis.json.gz"
    expected = json.loads(gzip.decompress(packed.read_bytes()))
    assert written.parent == tmp_path
    assert [a["ami_id"] for a in json.loads(written.read_text())] == [a["ami_id"] for a in expected]

    monkeypatch.setenv("MOTO_AMIS_PATH", "/somewhere/my-amis.json")
    moto_backend.use_default_amis_only(tmp_path / "elsewhere")
    assert os.environ["MOTO_AMIS_PATH"] == "/somewhere/my-amis.json"


FIRST_STACK_AFTER_S3 = """
import json, sys
import boto3
from fakeecs import FakeECS

with FakeECS() as fake:
    def client(name):
        return boto3.client(name, endpoint_url=fake.endpoint_url, region_name="us-east-1")

    client("s3").create_bucket(Bucket="harvest-input")
    client("logs").create_log_group(logGroupName="/ecs/harvest")
    before = "moto.cloudformation" in sys.modules
    body = {"Resources": {"C": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "cf"}}}}
    client("cloudformation").create_stack(StackName="s", TemplateBody=json.dumps(body))
    clusters = client("ecs").describe_clusters(clusters=["cf"])["clusters"]
    print(json.dumps({"before": before, "statuses": [c["status"] for c in clusters]}))
"""


def test_cloudformation_is_loaded_by_the_first_stack_call_not_by_other_services() -> None:
    """Importing moto's CloudFormation (with its EC2 and Auto Scaling) costs over a second, so a
    fake whose users only touch S3 or Logs never pays it; the first stack call still gets
    fakeecs's own ECS resource types (the cluster is fakeecs's, seen through ECS)."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_STACK_AFTER_S3],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) == {"before": False, "statuses": ["ACTIVE"]}
