"""Gateways on the clock, and the routes and infrastructure they report.

A gateway's update completes UPDATE_SECONDS after UpdateGateway (looked at whenever the gateway
is read, so no queued event is needed). Routes are not stored: a route exists for each ACTIVE
service with a gateway connector in a cluster the gateway is associated with, so creating,
updating or deleting the service is what adds or removes it, as in ECS. A DISASSOCIATING
association is forgotten once no route of its cluster is left.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fakeecs.ids import ACCOUNT_ID, arn
from fakeecs.model import Gateway, GatewayAssociation, Service
from fakeecs.rules import gateways as rules

if TYPE_CHECKING:
    from fakeecs.engine.state import RegionState

#: Virtual seconds an UpdateGateway takes to reach every load balancer.
UPDATE_SECONDS = 30.0


@dataclass(frozen=True)
class Route:
    """A service reached through a gateway (what ListGatewayRoutes lists)."""

    arn: str
    gateway: Gateway
    cluster_arn: str
    service: Service
    port_name: str
    status: str = "ACTIVE"


def association_key(gateway_arn: str, cluster_arn: str) -> str:
    return f"{gateway_arn}|{cluster_arn}"


def _digest(*parts: str, length: int = 16) -> str:
    """A stable hex ID for a resource fakeecs only reports (same inputs, same ID)."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def settle(state: RegionState, now: float) -> None:
    """Finish updates whose time has come and forget disassociated clusters without routes."""
    for gateway in state.gateways.values():
        if gateway.status == "UPDATE_IN_PROGRESS" and now >= (gateway.update_until or 0.0):
            gateway.status, gateway.update_until = "UPDATE_COMPLETE", None
    routed = {(r.gateway.arn, r.cluster_arn) for r in routes(state)}
    for key, association in list(state.gateway_associations.items()):
        pair = (association.gateway_arn, association.cluster_arn)
        if association.status == "DISASSOCIATING" and pair not in routed:
            del state.gateway_associations[key]


def associations(state: RegionState, gateway_arn: str | None = None) -> list[GatewayAssociation]:
    return [
        a
        for a in state.gateway_associations.values()
        if gateway_arn is None or a.gateway_arn == gateway_arn
    ]


def routes(state: RegionState) -> list[Route]:
    """Every route there is now, in association then service order."""
    found = []
    for association in state.gateway_associations.values():
        gateway = state.gateways.get(association.gateway_arn)
        if gateway is None:
            continue
        access = rules.access_type(gateway.configuration)
        cluster_name = association.cluster_arn.rsplit("/", 1)[-1]
        for (cluster_arn, name), service in state.services.items():
            if cluster_arn != association.cluster_arn or service.status != "ACTIVE":
                continue
            for connector in service.echoed.get("gatewayConnectors") or []:
                if rules.connector_serves(connector, access):
                    route_arn = arn(
                        state.name, f"gateway-route/{gateway.name}/{cluster_name}/{name}"
                    )
                    found.append(
                        Route(route_arn, gateway, cluster_arn, service, connector["portName"])
                    )
    return found


def load_balancer(state: RegionState, gateway: Gateway) -> dict[str, str]:
    """The shared load balancer, listener and security group a gateway reports for its routes."""
    lb_id = _digest(gateway.arn)
    elb = f"arn:aws:elasticloadbalancing:{state.name}:{ACCOUNT_ID}"
    lb_name = f"ecs-gw-{gateway.name}"[:32]
    configured = next(iter(gateway.configuration.values())).get("networkConfiguration", {})
    return {
        "loadBalancerArn": f"{elb}:loadbalancer/app/{lb_name}/{lb_id}",
        "listenerArn": f"{elb}:listener/app/{lb_name}/{lb_id}/{_digest(gateway.arn, 'listener')}",
        "securityGroup": configured.get("inboundSecurityGroup")
        or f"sg-{_digest(gateway.arn, 'sg', length=17)}",
    }


def route_resources(state: RegionState, route: Route) -> dict[str, Any]:
    """The service-specific infrastructure a gateway reports for one route."""
    shared = load_balancer(state, route.gateway)
    elb = f"arn:aws:elasticloadbalancing:{state.name}:{ACCOUNT_ID}"
    ec2 = f"arn:aws:ec2:{state.name}:{ACCOUNT_ID}"
    rule_id = _digest(route.arn, "rule")
    listener = shared["listenerArn"].split(":listener/", 1)[1]
    return {
        "acmCertificateArn": f"arn:aws:acm:{state.name}:{ACCOUNT_ID}:certificate/"
        f"{_digest(route.gateway.arn, 'cert', length=32)}",
        "loadBalancerArn": shared["loadBalancerArn"],
        "listenerArn": shared["listenerArn"],
        "listenerRuleArn": f"{elb}:listener-rule/{listener}/{rule_id}",
        "testListenerRuleArns": [f"{elb}:listener-rule/{listener}/{_digest(route.arn, 'test')}"],
        "loadBalancerSecurityGroups": [
            {
                "arn": f"{ec2}:security-group/{shared['securityGroup']}",
                "ruleArns": [
                    f"{ec2}:security-group-rule/sgr-{_digest(route.arn, 'in', length=17)}"
                ],
            }
        ],
        "serviceSecurityGroupArn": f"{ec2}:security-group/sg-{_digest(route.arn, 'svc', length=17)}",
    }


def service_url(state: RegionState, route: Route) -> str:
    """The host name a host-based shared ALB gateway gives the route's service."""
    return f"https://{route.service.name}-{_digest(route.arn, length=8)}.ecs.{state.name}.on.aws"
