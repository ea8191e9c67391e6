"""Gateways: CreateGateway, UpdateGateway, DeleteGateway, DescribeGateway, ListGateways,
DescribeGatewayResources, DescribeGatewayRoute, ListGatewayRoutes, AssociateGatewayWithCluster,
DisassociateGatewayFromCluster, ListGatewayClusterAssociations.

A gateway is recorded and reported; the load balancers it would manage are not emulated. Routes
come from services with a gateway connector (engine/gateways.py).
"""

from __future__ import annotations

from typing import Any

from fakeecs import errors
from fakeecs.api.registry import CallContext, operation
from fakeecs.engine import gateways as engine_gateways
from fakeecs.engine.state import RegionState
from fakeecs.engine.task_requests import check_client_token
from fakeecs.errors import ECSError
from fakeecs.ids import arn, short_name
from fakeecs.model import Gateway, GatewayAssociation
from fakeecs.rules import gateways as rules
from fakeecs.rules.daemons import fingerprint
from fakeecs.rules.paging import page, with_token
from fakeecs.rules.tagging import check_tags

NOT_FOUND = (
    "The specified gateway wasn't found. Check that the gateway name or ARN is correct and that "
    "the gateway exists in your account and Region."
)
REPORTED = "Reported, not emulated: no load balancer, listener or certificate exists."


def _state(ctx: CallContext) -> RegionState:
    """The region's state with gateway updates and disassociations brought up to now."""
    state = ctx.engine.region(ctx.region)
    engine_gateways.settle(state, ctx.engine.now())
    return state


def _gateway(ctx: CallContext, state: RegionState, ref: str) -> Gateway:
    """The gateway a name or ARN names, or GatewayNotFoundException."""
    found = state.gateways.get(arn(ctx.region, f"gateway/{short_name(ref)}"))
    if found is None:
        raise ECSError("GatewayNotFoundException", NOT_FOUND)
    return found


def _change(gateway: Gateway, status: str | None = None) -> dict[str, Any]:
    return {"gatewayArn": gateway.arn, "name": gateway.name, "status": status or gateway.status}


def _describe(gateway: Gateway, current_albs: int) -> dict[str, Any]:
    kind, config = next(iter(gateway.configuration.items()))
    out: dict[str, Any] = {
        "gatewayArn": gateway.arn,
        "name": gateway.name,
        "status": gateway.status,
        "infrastructureRoleArn": gateway.infrastructure_role_arn,
        "deletionProtection": gateway.deletion_protection,
        "configuration": {kind: {**config, "currentAlbCount": current_albs}},
        "accessType": rules.access_type(gateway.configuration),
        "propagateTags": gateway.propagate_tags,
        "tags": gateway.tags,
        "createdAt": gateway.created_at,
        "updatedAt": gateway.updated_at,
    }
    return out


def _routes_of(state: RegionState, gateway: Gateway) -> list[engine_gateways.Route]:
    return [r for r in engine_gateways.routes(state) if r.gateway is gateway]


@operation("CreateGateway", area="Gateways", notes=REPORTED)
def create_gateway(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = _state(ctx)
    name = params["name"]
    rules.check_name(name)
    token = params.get("clientToken")
    check_client_token(token, longest=64)
    configuration = rules.create_configuration(params.get("configuration"))
    tags = check_tags(params.get("tags"))
    gateway_arn = arn(ctx.region, f"gateway/{name}")
    existing = state.gateways.get(gateway_arn)
    if existing is not None:
        if token is not None and existing.client_token == f"{token}:{fingerprint(params)}":
            return _change(existing)
        raise errors.invalid_parameter(
            f"A gateway named {name} already exists: gateway names are unique in a Region."
        )
    now = ctx.engine.now()
    gateway = Gateway(
        name=name,
        arn=gateway_arn,
        infrastructure_role_arn=params["infrastructureRoleArn"],
        configuration=configuration,
        created_at=now,
        updated_at=now,
        deletion_protection=bool(params.get("deletionProtection", False)),
        propagate_tags=params.get("propagateTags") or "GATEWAY",
        tags=tags,
        client_token=f"{token}:{fingerprint(params)}" if token else None,
    )
    state.gateways[gateway_arn] = gateway
    return _change(gateway)


@operation(
    "UpdateGateway",
    area="Gateways",
    notes=f"UPDATE_IN_PROGRESS for {engine_gateways.UPDATE_SECONDS:.0f} virtual seconds, then "
    "UPDATE_COMPLETE (never UPDATE_FAILED).",
)
def update_gateway(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = _state(ctx)
    gateway = _gateway(ctx, state, params["gateway"])
    configuration = rules.update_configuration(gateway.configuration, params.get("configuration"))
    now = ctx.engine.now()
    gateway.configuration = configuration
    if params.get("infrastructureRoleArn"):
        gateway.infrastructure_role_arn = params["infrastructureRoleArn"]
    if params.get("deletionProtection") is not None:
        gateway.deletion_protection = params["deletionProtection"]
    gateway.propagate_tags = params.get("propagateTags") or gateway.propagate_tags
    gateway.status, gateway.updated_at = "UPDATE_IN_PROGRESS", now
    gateway.update_until = now + engine_gateways.UPDATE_SECONDS
    return _change(gateway)


@operation("DeleteGateway", area="Gateways")
def delete_gateway(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = _state(ctx)
    gateway = _gateway(ctx, state, params["gateway"])
    if gateway.deletion_protection:
        raise errors.client_error(
            f"The gateway {gateway.name} has deletion protection enabled: disable it with "
            "UpdateGateway(deletionProtection=False) first."
        )
    linked = engine_gateways.associations(state, gateway.arn)
    if linked:
        clusters = ", ".join(a.cluster_arn for a in linked)
        raise errors.client_error(
            f"The gateway {gateway.name} is still associated with clusters ({clusters}): "
            "disassociate them with DisassociateGatewayFromCluster first."
        )
    del state.gateways[gateway.arn]
    return _change(gateway, "DELETED")


@operation("DescribeGateway", area="Gateways")
def describe_gateway(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = _state(ctx)
    gateway = _gateway(ctx, state, params["gateway"])
    return {"gateway": _describe(gateway, 1 if _routes_of(state, gateway) else 0)}


@operation("ListGateways", area="Gateways")
def list_gateways(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = _state(ctx)
    names = params.get("names") or []
    if len(names) > rules.MAX_NAME_FILTERS:
        raise errors.invalid_parameter(
            f"names can list at most {rules.MAX_NAME_FILTERS} gateway names."
        )
    statuses = params.get("status") or []
    found = [
        g
        for g in state.gateways.values()
        if (not names or g.name in names) and (not statuses or g.status in statuses)
    ]
    chunk, token = page(found, params)
    summaries = [
        {"gatewayArn": g.arn, "name": g.name, "status": g.status, "createdAt": g.created_at}
        for g in chunk
    ]
    return with_token({"gateways": summaries}, token)


@operation("DescribeGatewayResources", area="Gateways", notes=REPORTED)
def describe_gateway_resources(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = _state(ctx)
    gateway = _gateway(ctx, state, params["gateway"])
    routed = _routes_of(state, gateway)
    groups = (
        [
            {
                **engine_gateways.load_balancer(state, gateway),
                "gatewayRouteArns": [r.arn for r in routed],
            }
        ]
        if routed
        else []
    )
    chunk, token = page(groups, params, limit=20, default=10)
    kind = next(iter(gateway.configuration))
    return with_token(
        {"gatewayResources": {"gatewayArn": gateway.arn, "resources": {kind: chunk}}}, token
    )


@operation("DescribeGatewayRoute", area="Gateways", notes=REPORTED)
def describe_gateway_route(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = _state(ctx)
    wanted = params["gatewayRouteArn"]
    route = next((r for r in engine_gateways.routes(state) if r.arn == wanted), None)
    if route is None:
        raise ECSError(
            "ResourceNotFoundException",
            f"The gateway route {wanted} wasn't found. List the routes with ListGatewayRoutes.",
        )
    kind = next(iter(route.gateway.configuration))
    return {
        "gatewayRoute": {
            "gatewayRouteArn": route.arn,
            "serviceArn": route.service.arn,
            "serviceContainerPortName": route.port_name,
            "status": route.status,
            "serviceUrl": engine_gateways.service_url(state, route),
            "resources": {kind: [engine_gateways.route_resources(state, route)]},
        }
    }


@operation(
    "ListGatewayRoutes",
    area="Gateways",
    notes="A route is each ACTIVE service with gatewayConnectors in an associated cluster.",
)
def list_gateway_routes(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = _state(ctx)
    found = engine_gateways.routes(state)
    if params.get("gateway"):
        gateway = _gateway(ctx, state, params["gateway"])
        found = [r for r in found if r.gateway is gateway]
    if params.get("cluster"):
        cluster_name = short_name(params["cluster"])
        found = [r for r in found if r.cluster_arn.rsplit("/", 1)[-1] == cluster_name]
    if params.get("service"):
        service = params["service"]
        found = [r for r in found if service in (r.service.arn, r.service.name)]
    if params.get("serviceContainerPortName"):
        found = [r for r in found if r.port_name == params["serviceContainerPortName"]]
    if params.get("status"):
        found = [r for r in found if r.status in params["status"]]
    chunk, token = page(found, params)
    summaries = [
        {
            "gatewayRouteArn": r.arn,
            "gatewayArn": r.gateway.arn,
            "clusterArn": r.cluster_arn,
            "serviceArn": r.service.arn,
            "serviceContainerPortName": r.port_name,
            "status": r.status,
        }
        for r in chunk
    ]
    return with_token({"gatewayRoutes": summaries}, token)


def _association_answer(association: GatewayAssociation) -> dict[str, Any]:
    return {
        "gatewayArn": association.gateway_arn,
        "clusterArn": association.cluster_arn,
        "status": association.status,
    }


@operation("AssociateGatewayWithCluster", area="Gateways")
def associate_gateway_with_cluster(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = _state(ctx)
    gateway = _gateway(ctx, state, params["gateway"])
    cluster = state.cluster(params["cluster"])
    key = engine_gateways.association_key(gateway.arn, cluster.arn)
    existing = state.gateway_associations.get(key)
    if existing is None:
        linked = [a for a in state.gateway_associations.values() if a.cluster_arn == cluster.arn]
        if len(linked) >= rules.MAX_GATEWAYS_PER_CLUSTER:
            raise errors.invalid_parameter(
                f"The cluster {cluster.name} is already associated with "
                f"{rules.MAX_GATEWAYS_PER_CLUSTER} gateways, the most a cluster can have."
            )
        existing = GatewayAssociation(gateway.arn, cluster.arn)
        state.gateway_associations[key] = existing
    existing.status = "ACTIVE"
    return _association_answer(existing)


@operation(
    "DisassociateGatewayFromCluster",
    area="Gateways",
    notes="DISASSOCIATING until no service of the cluster has a route, then forgotten.",
)
def disassociate_gateway_from_cluster(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = _state(ctx)
    gateway = _gateway(ctx, state, params["gateway"])
    cluster = state.cluster(params["cluster"])
    association = state.gateway_associations.get(
        engine_gateways.association_key(gateway.arn, cluster.arn)
    )
    if association is None:
        raise ECSError(
            "ResourceNotFoundException",
            f"The gateway {gateway.name} is not associated with the cluster {cluster.name}.",
        )
    association.status = "DISASSOCIATING"
    answer = _association_answer(association)
    engine_gateways.settle(state, ctx.engine.now())
    return answer


@operation("ListGatewayClusterAssociations", area="Gateways")
def list_gateway_cluster_associations(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = _state(ctx)
    found = list(state.gateway_associations.values())
    if params.get("gateway"):
        name = short_name(params["gateway"])
        found = [a for a in found if a.gateway_arn.rsplit("/", 1)[-1] == name]
    if params.get("cluster"):
        name = short_name(params["cluster"])
        found = [a for a in found if a.cluster_arn.rsplit("/", 1)[-1] == name]
    if params.get("status"):
        found = [a for a in found if a.status in params["status"]]
    chunk, token = page(found, params)
    return with_token(
        {"gatewayClusterAssociations": [_association_answer(a) for a in chunk]}, token
    )
