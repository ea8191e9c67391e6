"""What ECS checks in gateway requests, as functions of the request alone."""

from __future__ import annotations

from typing import Any

from fakeecs import errors

#: The gateway types botocore's model knows; a configuration sets exactly one of them.
TYPES = ("hostSharedAlb",)
#: A cluster is associated with at most this many gateways (ECS's documented limit).
MAX_GATEWAYS_PER_CLUSTER = 5
#: ListGateways filters by at most this many names.
MAX_NAME_FILTERS = 10
#: The only listener a gateway's load balancers have.
PORT, PROTOCOL = 443, "HTTPS"
DEFAULT_MAX_ALBS = 10


def check_name(name: str) -> None:
    ok = 1 <= len(name) <= 255 and all(c.isascii() and (c.isalnum() or c in "-_") for c in name)
    if not ok:
        raise errors.invalid_parameter(
            "Gateway name must be 1-255 characters: letters, numbers, hyphens and underscores."
        )


def gateway_type(configuration: dict[str, Any] | None) -> str:
    """The one configuration variant set (it is the gateway's type)."""
    given = [t for t in TYPES if (configuration or {}).get(t) is not None]
    if len(given) != 1:
        raise errors.invalid_parameter(
            f"configuration must set exactly one gateway type: one of {', '.join(TYPES)}."
        )
    return given[0]


def _check_alb(config: dict[str, Any]) -> None:
    if config.get("port", PORT) != PORT or config.get("protocol", PROTOCOL) != PROTOCOL:
        raise errors.invalid_parameter(
            f"A hostSharedAlb gateway listens with {PROTOCOL} on port {PORT} only."
        )
    if config.get("maxAlbCount", DEFAULT_MAX_ALBS) < 1:
        raise errors.invalid_parameter("maxAlbCount must be at least 1.")
    header = (config.get("testTrafficRules") or {}).get("header")
    if header is not None and not header.get("values"):
        raise errors.invalid_parameter("testTrafficRules.header.values can not be empty.")


def create_configuration(configuration: dict[str, Any] | None) -> dict[str, Any]:
    """The configuration a new gateway keeps: the documented defaults, then what was given."""
    kind = gateway_type(configuration)
    given = dict((configuration or {})[kind])
    _check_alb(given)
    network = {"ipAddressType": "dualstack", **(given.get("networkConfiguration") or {})}
    return {
        kind: {
            "scheme": "internet-facing",
            "port": PORT,
            "protocol": PROTOCOL,
            "maxAlbCount": DEFAULT_MAX_ALBS,
            **given,
            "networkConfiguration": network,
        }
    }


def update_configuration(current: dict[str, Any], given: dict[str, Any] | None) -> dict[str, Any]:
    """`current` with the mutable fields of `given` applied; the variant must be the gateway's."""
    if not given:
        return current
    kind = gateway_type(given)
    if kind not in current:
        raise errors.invalid_parameter(
            f"The configuration variant {kind} does not match the gateway's type "
            f"{next(iter(current))}."
        )
    changes = dict(given[kind])
    merged = {**current[kind], **changes}
    merged["networkConfiguration"] = {
        **current[kind].get("networkConfiguration", {}),
        **(changes.get("networkConfiguration") or {}),
    }
    _check_alb(merged)
    return {kind: merged}


def access_type(configuration: dict[str, Any]) -> str:
    """PRIVATE for an internal scheme, PUBLIC otherwise (ECS derives it at creation)."""
    scheme = next(iter(configuration.values())).get("scheme")
    return "PRIVATE" if scheme == "internal" else "PUBLIC"


def connector_serves(connector: dict[str, Any], access: str) -> bool:
    """Whether a service's gateway connector takes traffic from a gateway of `access` type."""
    wanted = (connector.get("filters") or {}).get("accessTypes")
    return not wanted or access in wanted
