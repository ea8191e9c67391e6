"""Account settings: PutAccountSetting, PutAccountSettingDefault, ListAccountSettings,
DeleteAccountSetting.

Settings are kept per principal in `RegionState.account_settings` as
`"<principal ARN>|<name>" -> value`. The caller is always the account's root user
(fakeecs checks no signatures), so an omitted principalArn means root, and the
account default (PutAccountSettingDefault) is root's setting, as ECS answers it.
A principal's effective value is its own setting, else root's, else AWS's default.

Where ECS acts on a setting, fakeecs does too: the long ARN formats can no longer be
turned off (ECS only has long ARNs now, as fakeecs), and `containerInsights` is the
default of clusters created without that setting. The others are stored and echoed.
"""

from __future__ import annotations

import re
from typing import Any

from fakeecs import errors
from fakeecs.api.registry import CallContext, operation
from fakeecs.engine.state import RegionState
from fakeecs.ids import ACCOUNT_ID
from fakeecs.rules.paging import page, with_token

ROOT_ARN = f"arn:aws:iam::{ACCOUNT_ID}:root"
LONG_ARN_SETTINGS = ("serviceLongArnFormat", "taskLongArnFormat", "containerInstanceLongArnFormat")
#: The values each setting accepts (names in botocore's SettingName order).
VALUES: dict[str, tuple[str, ...]] = {
    **{name: ("enabled",) for name in LONG_ARN_SETTINGS},
    "awsvpcTrunking": ("enabled", "disabled"),
    "containerInsights": ("enabled", "disabled", "enhanced"),
    "fargateFIPSMode": ("enabled", "disabled"),
    "tagResourceAuthorization": ("on", "off"),
    "fargateTaskRetirementWaitPeriod": ("0", "7", "14"),
    "guardDutyActivate": ("on", "off"),
    "defaultLogDriverMode": ("blocking", "non-blocking"),
    "fargateEventWindows": ("enabled", "disabled"),
}
#: What a new account has today.
DEFAULTS: dict[str, str] = {
    **{name: "enabled" for name in LONG_ARN_SETTINGS},
    "awsvpcTrunking": "disabled",
    "containerInsights": "disabled",
    "fargateFIPSMode": "disabled",
    "tagResourceAuthorization": "on",
    "fargateTaskRetirementWaitPeriod": "7",
    "guardDutyActivate": "off",
    "defaultLogDriverMode": "non-blocking",
    "fargateEventWindows": "disabled",
}
#: Settings of the whole account: only the root user may set them.
ROOT_ONLY = ("fargateTaskRetirementWaitPeriod", "fargateFIPSMode")
#: Managed by AWS (GuardDuty); read-only through ECS.
AWS_MANAGED = ("guardDutyActivate",)
_PRINCIPAL = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):(root|user/.+|role/.+)$")


def _key(principal: str, name: str) -> str:
    return f"{principal}|{name}"


def _principal(params: dict[str, Any]) -> str:
    principal = params.get("principalArn")
    if principal is None:
        return ROOT_ARN
    if ":sts::" in principal or ":assumed-role/" in principal or ":federated-user/" in principal:
        raise errors.invalid_parameter(
            "Federated users assume the account setting of the root user and can't have explicit "
            "account settings set for them."
        )
    match = _PRINCIPAL.match(principal)
    if match is None or match.group(1) != ACCOUNT_ID:
        raise errors.invalid_parameter(
            f"principalArn {principal} is not valid: use the root user "
            f"(arn:aws:iam::{ACCOUNT_ID}:root), an IAM user or an IAM role of this account."
        )
    return principal


def effective(state: RegionState, name: str, principal: str = ROOT_ARN) -> str:
    """The value that applies to `principal`: its own, else the account default, else AWS's."""
    settings = state.account_settings
    return settings.get(_key(principal, name), settings.get(_key(ROOT_ARN, name), DEFAULTS[name]))


def _setting(name: str, value: str, principal: str) -> dict[str, str]:
    kind = "aws_managed" if name in AWS_MANAGED else "user"
    return {"name": name, "value": value, "principalArn": principal, "type": kind}


def _check(name: str, value: str, principal: str) -> None:
    if name in AWS_MANAGED:
        raise errors.invalid_parameter(
            f"{name} is managed by AWS (Amazon GuardDuty controls it) and is read-only in Amazon ECS."
        )
    if name in LONG_ARN_SETTINGS and value == "disabled":
        raise errors.invalid_parameter("You can no longer disable Long Arn settings.")
    if value not in VALUES[name]:
        raise errors.invalid_parameter(
            f"Invalid value {value!r} for the account setting {name}: use one of "
            f"{', '.join(VALUES[name])}."
        )
    if name in ROOT_ONLY and principal != ROOT_ARN:
        raise errors.invalid_parameter(
            f"{name} applies to the whole account: only the root user ({ROOT_ARN}) can set it."
        )


def _put(ctx: CallContext, name: str, value: str, principal: str) -> dict[str, Any]:
    _check(name, value, principal)
    ctx.engine.region(ctx.region).account_settings[_key(principal, name)] = value
    return {"setting": _setting(name, value, principal)}


@operation("PutAccountSetting", notes="The caller is always the account's root user.")
def put_account_setting(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return _put(ctx, params["name"], params["value"], _principal(params))


@operation("PutAccountSettingDefault")
def put_account_setting_default(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return _put(ctx, params["name"], params["value"], ROOT_ARN)


@operation("DeleteAccountSetting")
def delete_account_setting(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    """Forget a principal's own setting: it then gets the account default (or AWS's)."""
    name, principal = params["name"], _principal(params)
    if name in AWS_MANAGED:
        _check(name, DEFAULTS[name], principal)
    state = ctx.engine.region(ctx.region)
    removed = state.account_settings.pop(_key(principal, name), None)
    value = removed if removed is not None else effective(state, name, principal)
    return {"setting": _setting(name, value, principal)}


@operation("ListAccountSettings")
def list_account_settings(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("value") is not None and params.get("name") is None:
        raise errors.invalid_parameter(
            "value can only be used together with name: specify the account setting name too."
        )
    principal = _principal(params)
    state = ctx.engine.region(ctx.region)
    names = [params["name"]] if params.get("name") else list(DEFAULTS)
    if params.get("effectiveSettings"):
        found = [_setting(n, effective(state, n, principal), principal) for n in names]
    else:
        found = [
            _setting(n, state.account_settings[_key(principal, n)], principal)
            for n in names
            if _key(principal, n) in state.account_settings
        ]
    if params.get("value") is not None:
        found = [s for s in found if s["value"] == params["value"]]
    chunk, token = page(found, params, limit=10, default=10)
    return with_token({"settings": chunk}, token)
