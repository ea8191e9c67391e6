"""Service Connect namespaces: which Cloud Map namespace a name or ARN means.

ECS turns a namespace name into the ARN of the Cloud Map namespace of that name (and
creates an HTTP namespace when none has it); DescribeClusters then shows the ARN in
serviceConnectDefaults. fakeecs has no Cloud Map of its own: a name is looked up in
moto's (servicediscovery, reachable on the same endpoint), and a name moto does not
know gets an ARN made from the name itself, the same every time (nothing is created in
moto). So a name and its ARN mean one namespace either way.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fakeecs import errors, moto_backend
from fakeecs.ids import ACCOUNT_ID

#: Characters of a made-up namespace ID (Cloud Map's are `ns-` and 16 of these).
_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"
_FORBIDDEN = set('<>"/')


def check_name(ref: str) -> None:
    """A namespace name as ECS accepts it (an ARN is taken as it is)."""
    if ref.startswith("arn:"):
        return
    if len(ref) > 1024 or _FORBIDDEN & set(ref):
        raise errors.invalid_parameter(
            'The namespace name is invalid: up to 1024 characters, without >, <, " or /. '
            "Specify a valid namespace name or ARN and try again."
        )


def _cloud_map(region: str) -> list[tuple[str, str]]:
    """(name, ARN) of each namespace in moto's Cloud Map in `region`."""
    return moto_backend.cloud_map_namespaces(region)


def in_cloud_map(region: str, arn: str) -> bool:
    return any(found == arn for _, found in _cloud_map(region))


def made_up_arn(region: str, name: str) -> str:
    """The ARN fakeecs gives a namespace name Cloud Map does not know (stable, from the name)."""
    digest = int.from_bytes(hashlib.sha256(f"{region}:{name}".encode()).digest(), "big")
    chars = []
    for _ in range(16):
        digest, index = divmod(digest, len(_ID_CHARS))
        chars.append(_ID_CHARS[index])
    return f"arn:aws:servicediscovery:{region}:{ACCOUNT_ID}:namespace/ns-{''.join(chars)}"


def namespace_arn(region: str, ref: str) -> str:
    """The ARN of the namespace `ref` (a name or an ARN) means."""
    if ref.startswith("arn:"):
        return ref
    found = next((arn for name, arn in _cloud_map(region) if name == ref), None)
    return found or made_up_arn(region, ref)


def service_connect(default: str | None, given: dict[str, Any] | None) -> dict[str, Any] | None:
    """A service's serviceConnectConfiguration as stored: with Service Connect enabled and no
    namespace, the cluster's default namespace (`default`, an ARN) is the service's."""
    if given and given.get("namespace"):
        check_name(given["namespace"])
    if not given or not given.get("enabled") or given.get("namespace"):
        return given
    if default is None:
        raise errors.invalid_parameter(
            "Service Connect is enabled but no namespace is given and the cluster has no default "
            "Service Connect namespace: specify serviceConnectConfiguration.namespace, or set the "
            "cluster's serviceConnectDefaults (CreateCluster or UpdateCluster)."
        )
    return {**given, "namespace": default}
