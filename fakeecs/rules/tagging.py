"""Tags as ECS checks them (at most 50 per resource, key 1..128, value 0..256 chars)."""

from __future__ import annotations

from typing import Any

from fakeecs import errors

MAX_TAGS = 50
#: The kinds whose ARNs gained the cluster's name in 2018 (`service/CLUSTER/NAME`,
#: `task/CLUSTER/ID`, `container-instance/CLUSTER/ID`); ECS tags them by the long form only.
LONG_ARN_KINDS = frozenset({"service", "task", "container-instance"})
SHORT_ARN = "Long arn format must be used for tagging operations"


def check_long_arn(kind: str, rest: str) -> None:
    """Refuse the old short ARN of a service, task or container instance (`kind/ID`), as ECS
    does for TagResource, UntagResource and ListTagsForResource (the API reference: "If you try
    to tag a service with a short ARN, you receive an InvalidParameterException error")."""
    if kind in LONG_ARN_KINDS and "/" not in rest:
        raise errors.invalid_parameter(SHORT_ARN)


INACTIVE_CLUSTER = "The specified cluster is inactive. Specify an active cluster and try again."


def check_cluster_taggable(status: str) -> None:
    """Refuse to tag a deleted (INACTIVE) cluster, as ECS answers TagResource on one (seen in
    public reports: InvalidParameterException, status 400, with this message). Its tags can
    still be read while DescribeClusters shows it."""
    if status == "INACTIVE":
        raise errors.invalid_parameter(INACTIVE_CLUSTER)


def check_tags(tags: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    tags = list(tags or [])
    if len(tags) > MAX_TAGS:
        raise errors.invalid_parameter(f"Too many tags: at most {MAX_TAGS} tags per resource.")
    for tag in tags:
        key, value = tag.get("key"), tag.get("value", "")
        if not key or len(key) > 128:
            raise errors.invalid_parameter("Tag keys must be between 1 and 128 characters.")
        if len(value) > 256:
            raise errors.invalid_parameter("Tag values must be at most 256 characters.")
        if key.lower().startswith("aws:"):
            raise errors.invalid_parameter("Tag keys may not start with the reserved prefix aws:.")
    return [{"key": t["key"], "value": t.get("value", "")} for t in tags]


def merge_tags(existing: list[dict[str, str]], new: list[dict[str, str]]) -> list[dict[str, str]]:
    merged = {t["key"]: t["value"] for t in existing}
    merged.update({t["key"]: t["value"] for t in new})
    result = [{"key": k, "value": v} for k, v in merged.items()]
    if len(result) > MAX_TAGS:
        raise errors.invalid_parameter(f"Too many tags: at most {MAX_TAGS} tags per resource.")
    return result
