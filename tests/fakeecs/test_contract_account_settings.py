"""Account settings through boto3: Put, PutDefault, List (own and effective), Delete, and their
effect where ECS has one (long ARNs can no longer be turned off; containerInsights is the
default of new clusters)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from fakeecs import FakeECS
from fakeecs.api.account_settings import DEFAULTS, VALUES
from tests.fakeecs.conftest import CLUSTER, client, run

ROOT = "arn:aws:iam::123456789012:root"
USER = "arn:aws:iam::123456789012:user/ana"
ROLE = "arn:aws:iam::123456789012:role/deployer"


def effective(ecs: Any, **extra: Any) -> dict[str, str]:
    settings_: list[dict[str, str]] = []
    params: dict[str, Any] = {"effectiveSettings": True, **extra}
    while True:
        page = ecs.list_account_settings(**params)
        settings_ += page["settings"]
        if "nextToken" not in page:
            return {s["name"]: s["value"] for s in settings_}
        params["nextToken"] = page["nextToken"]


def test_a_new_account_has_ecs_defaults_of_today(ecs: Any) -> None:
    assert effective(ecs) == DEFAULTS
    first = ecs.list_account_settings(effectiveSettings=True)
    assert len(first["settings"]) == 10 and "nextToken" in first  # pages of ten
    assert ecs.list_account_settings()["settings"] == []  # nothing set explicitly
    guard = ecs.list_account_settings(name="guardDutyActivate", effectiveSettings=True)
    assert guard["settings"] == [
        {"name": "guardDutyActivate", "value": "off", "principalArn": ROOT, "type": "aws_managed"}
    ]


def test_a_principal_setting_overrides_the_default_and_deleting_it_falls_back(ecs: Any) -> None:
    default = ecs.put_account_setting_default(name="awsvpcTrunking", value="enabled")
    assert default["setting"] == {
        "name": "awsvpcTrunking",
        "value": "enabled",
        "principalArn": ROOT,
        "type": "user",
    }
    mine = ecs.put_account_setting(name="awsvpcTrunking", value="disabled", principalArn=USER)
    assert mine["setting"]["principalArn"] == USER
    assert effective(ecs, principalArn=USER)["awsvpcTrunking"] == "disabled"
    assert effective(ecs, principalArn=ROLE)["awsvpcTrunking"] == "enabled"
    own = ecs.list_account_settings(principalArn=USER)["settings"]
    assert [(s["name"], s["value"]) for s in own] == [("awsvpcTrunking", "disabled")]
    listed = ecs.list_account_settings(
        name="awsvpcTrunking", value="enabled", effectiveSettings=True
    )
    assert [s["value"] for s in listed["settings"]] == ["enabled"]

    deleted = ecs.delete_account_setting(name="awsvpcTrunking", principalArn=USER)
    assert deleted["setting"]["value"] == "disabled"
    assert effective(ecs, principalArn=USER)["awsvpcTrunking"] == "enabled"
    ecs.delete_account_setting(name="awsvpcTrunking")  # root's: back to AWS's default
    assert effective(ecs)["awsvpcTrunking"] == "disabled"


@pytest.mark.parametrize(
    "name", ["taskLongArnFormat", "serviceLongArnFormat", "containerInstanceLongArnFormat"]
)
def test_long_arn_formats_can_no_longer_be_turned_off(fake: FakeECS, ecs: Any, name: str) -> None:
    for put in (
        lambda: ecs.put_account_setting(name=name, value="disabled"),
        lambda: ecs.put_account_setting_default(name=name, value="disabled"),
    ):
        with pytest.raises(ClientError) as exc:
            put()
        assert exc.value.response["Error"]["Code"] == "InvalidParameterException"
        assert (
            exc.value.response["Error"]["Message"] == "You can no longer disable Long Arn settings."
        )
    assert ecs.put_account_setting(name=name, value="enabled")["setting"]["value"] == "enabled"
    # and ARNs are long: task/<cluster>/<id>
    arn = run(ecs)["tasks"][0]["taskArn"]
    assert arn.startswith(f"arn:aws:ecs:us-east-1:123456789012:task/{CLUSTER}/")


def test_container_insights_is_the_default_of_new_clusters(ecs: Any) -> None:
    ecs.put_account_setting_default(name="containerInsights", value="enhanced")
    made = ecs.create_cluster(clusterName="insightful")["cluster"]
    assert made["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    given_ = ecs.create_cluster(
        clusterName="plain", settings=[{"name": "containerInsights", "value": "disabled"}]
    )["cluster"]
    assert given_["settings"] == [{"name": "containerInsights", "value": "disabled"}]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"name": "containerInsights", "value": "maybe"}, "Invalid value 'maybe'"),
        ({"name": "guardDutyActivate", "value": "on"}, "read-only"),
        (
            {"name": "fargateTaskRetirementWaitPeriod", "value": "14", "principalArn": USER},
            "only the root user",
        ),
        (
            {
                "name": "awsvpcTrunking",
                "value": "enabled",
                "principalArn": "arn:aws:iam::999999999999:user/x",
            },
            "not valid",
        ),
        (
            {
                "name": "awsvpcTrunking",
                "value": "enabled",
                "principalArn": "arn:aws:sts::123456789012:assumed-role/r/s",
            },
            "Federated users",
        ),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(
    ecs: Any, params: dict[str, str], words: str
) -> None:
    with pytest.raises(ClientError) as exc:
        ecs.put_account_setting(**params)
    assert exc.value.response["Error"]["Code"] == "InvalidParameterException"
    assert words in exc.value.response["Error"]["Message"]
    assert ecs.list_account_settings()["settings"] == []


def test_a_value_filter_needs_a_name(ecs: Any) -> None:
    with pytest.raises(ClientError, match="together with name"):
        ecs.list_account_settings(value="enabled")


_names = st.sampled_from(sorted(n for n in VALUES if n not in ("guardDutyActivate",)))
_principals = st.sampled_from([None, USER, ROLE])


@given(
    calls=st.lists(
        st.tuples(st.sampled_from(["put", "default", "delete"]), _names, _principals, st.data()),
        max_size=12,
    )
)
@settings(max_examples=25, deadline=None)
def test_effective_settings_follow_a_simple_model(shared_fake: FakeECS, calls: list[Any]) -> None:
    """Own value, else root's, else AWS's: after any sequence of puts and deletes."""
    shared_fake.reset()
    ecs = client(shared_fake)
    model: dict[tuple[str, str], str] = {}
    for kind, name, principal, data in calls:
        who = principal or ROOT
        if kind == "delete":
            ecs.delete_account_setting(
                name=name, **({"principalArn": principal} if principal else {})
            )
            model.pop((who, name), None)
            continue
        value = data.draw(st.sampled_from(VALUES[name]))
        try:
            if kind == "default":
                ecs.put_account_setting_default(name=name, value=value)
                who = ROOT
            else:
                ecs.put_account_setting(
                    name=name, value=value, **({"principalArn": principal} if principal else {})
                )
        except ClientError:
            continue  # refused (a root-only setting for a user): nothing changed
        model[(who, name)] = value
    for principal in (ROOT, USER, ROLE):
        expected = {
            n: model.get((principal, n), model.get((ROOT, n), DEFAULTS[n])) for n in DEFAULTS
        }
        assert effective(ecs, principalArn=principal) == expected


def test_settings_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with FakeECS(clock="manual", seed=2, state=path) as fake:
        ecs = client(fake)
        ecs.put_account_setting(name="awsvpcTrunking", value="enabled", principalArn=ROLE)
        ecs.put_account_setting_default(name="defaultLogDriverMode", value="blocking")
    with FakeECS(clock="manual", seed=2, state=path) as fake:
        ecs = client(fake)
        assert effective(ecs, principalArn=ROLE)["awsvpcTrunking"] == "enabled"
        assert effective(ecs)["defaultLogDriverMode"] == "blocking"
