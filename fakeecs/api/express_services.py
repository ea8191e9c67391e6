"""Express services: CreateExpressGatewayService, UpdateExpressGatewayService,
DeleteExpressGatewayService, DescribeExpressGatewayService.

An Express service is an ordinary service underneath: these calls register a task definition
built from the primary container and go through CreateService, UpdateService and DeleteService,
so its tasks, deployments and events show through the ordinary calls. The load balancer, target
group, security groups and scaling policies ECS would manage are reported, not emulated.
"""

from __future__ import annotations

from typing import Any

from fakeecs import errors, moto_backend
from fakeecs.api import services as service_api
from fakeecs.api.registry import CallContext, operation
from fakeecs.api.task_definitions import register_task_definition
from fakeecs.engine import service_lookup
from fakeecs.engine.state import RegionState
from fakeecs.errors import ECSError
from fakeecs.ids import hex_id
from fakeecs.model import ExpressService, Service
from fakeecs.rules import express_services as rules
from fakeecs.rules import service_requests
from fakeecs.rules.tagging import check_tags


def _parse_arn(arn_: str) -> tuple[str, str]:
    """(cluster name, service name) of a service ARN."""
    resource = arn_.split(":", 5)[-1] if arn_.startswith("arn:") else ""
    kind, _, rest = resource.partition("/")
    cluster_name, _, name = rest.partition("/")
    if kind != "service" or not cluster_name or not name or "/" in name:
        raise errors.invalid_parameter(
            f"Invalid service ARN {arn_}: use arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME."
        )
    return cluster_name, name


def _find(state: RegionState, arn_: str) -> tuple[Service | None, ExpressService | None]:
    """The service and its Express record an ARN names (either may be missing)."""
    cluster_name, name = _parse_arn(arn_)
    service = service_lookup.lookup(state, state.cluster(cluster_name), name)
    express = state.express_services.get(service.arn) if service is not None else None
    if service is None or express is None or express.service_created_at != service.created_at:
        return service, None  # an ordinary service, or a later one of the same name
    return service, express


def _active(state: RegionState, arn_: str) -> tuple[Service, ExpressService]:
    """The ACTIVE Express service Update and Delete act on, or the errors ECS gives."""
    service, express = _find(state, arn_)
    if service is None or express is None:
        raise service_requests.not_found()
    if service.status != "ACTIVE":
        raise service_requests.not_active()
    return service, express


def _configuration(
    region: str, service: Service, config: dict[str, Any], revision_arn: str, created: float
) -> dict[str, Any]:
    out = {
        "serviceRevisionArn": revision_arn,
        **config,
        "taskDefinitionArn": config.get("taskDefinitionArn") or service.task_definition_arn,
        "ingressPaths": [
            {
                "accessType": "PUBLIC",
                "endpoint": rules.endpoint(service.arn, service.name, region),
            }
        ],
        "createdAt": created,
    }
    return out


def _describe(
    ctx: CallContext, state: RegionState, service: Service, express: ExpressService, tags: bool
) -> dict[str, Any]:
    live = [d.revision_arn for d in service.deployments if d.revision_arn in express.configurations]
    revisions = {r: state.service_revisions.get(r) for r in live}
    out: dict[str, Any] = {
        "cluster": service.cluster_arn,
        "serviceName": service.name,
        "serviceArn": service.arn,
        "infrastructureRoleArn": express.infrastructure_role_arn,
        "status": {"statusCode": service.status},
        "activeConfigurations": [
            _configuration(
                ctx.region,
                service,
                express.configurations[r],
                r,
                rev.created_at if rev else service.created_at,
            )
            for r, rev in revisions.items()
            if r is not None
        ],
        "createdAt": service.created_at,
        "updatedAt": service.deployments[0].updated_at
        if service.deployments
        else service.created_at,
    }
    if service.deployments and service.deployments[0].service_deployment_arn:
        out["currentDeployment"] = service.deployments[0].service_deployment_arn
    if tags:
        out["tags"] = list(service.tags)
    return out


def _default_vpc(region: str) -> dict[str, Any]:
    """The default VPC's subnets and security group, where ECS puts an Express service that
    names no subnets."""
    try:
        return moto_backend.default_network(region)["awsvpcConfiguration"]
    except LookupError as exc:
        raise errors.invalid_parameter(
            f"The Express service names no subnets, and {exc}."
        ) from None


def _task_definition_arn(
    ctx: CallContext, state: RegionState, family: str, config: dict[str, Any]
) -> str:
    """The task definition a configuration runs: the caller's (checked), or a new revision of
    the generated family."""
    if config.get("taskDefinitionArn"):
        td = service_lookup.active_task_definition(state, config["taskDefinitionArn"])
        rules.check_own_task_definition(td.body)
        return td.arn
    if "primaryContainer" not in config:
        raise errors.invalid_parameter(
            "This Express service runs a task definition of its own: give a taskDefinitionArn, "
            "or a primaryContainer to run instead."
        )
    body = rules.task_definition(family, config, ctx.region)
    return register_task_definition(ctx, body)["taskDefinition"]["taskDefinitionArn"]


@operation(
    "CreateExpressGatewayService",
    area="Express services",
    notes="An ordinary Fargate service underneath (desiredCount = minTaskCount); no load balancer "
    "or scaling policy is created.",
)
def create_express_gateway_service(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    name = params.get("serviceName") or f"express-{hex_id(ctx.engine.rng, 12)}"
    rules.check_name(name)
    rules.check_source(params)
    config = rules.configuration(params, None)
    if not rules.names_subnets(config):
        config = rules.with_default_network(config, _default_vpc(ctx.region))
    tags = check_tags(params.get("tags"))
    existing = service_lookup.lookup(state, cluster, name)
    if existing is not None and existing.status != "INACTIVE":
        raise errors.invalid_parameter(
            f"A service named {name} already exists in the cluster {cluster.name}."
        )
    family = f"express-{name}"
    td_arn = _task_definition_arn(ctx, state, family, config)
    answer = service_api.create_service(
        ctx,
        {
            "cluster": cluster.arn,
            "serviceName": name,
            "taskDefinition": td_arn,
            "desiredCount": config["scalingTarget"]["minTaskCount"],
            "launchType": "FARGATE",
            "networkConfiguration": rules.network(config),
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True}
            },
            "tags": tags,
            "propagateTags": "SERVICE",
            "enableECSManagedTags": True,
        },
    )
    service = service_lookup.lookup(state, cluster, answer["service"]["serviceName"])
    assert service is not None  # CreateService just made it
    express = ExpressService(
        service.arn, service.created_at, params["infrastructureRoleArn"], family
    )
    express.configurations[service.deployments[0].revision_arn or ""] = config
    state.express_services[service.arn] = express
    return {"service": _describe(ctx, state, service, express, tags=True)}


@operation(
    "UpdateExpressGatewayService",
    area="Express services",
    notes="Through UpdateService: a new task definition revision when the container, CPU, memory, "
    "architecture or roles change.",
)
def update_express_gateway_service(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    service, express = _active(state, params["serviceArn"])
    if params.get("taskDefinitionArn"):
        rules.check_source(params)
    current = express.configurations.get(service.deployments[0].revision_arn or "")
    config = rules.configuration(params, current)
    changes_task = any(params.get(f) is not None for f in rules.TASK_DEFINITION_FIELDS)
    update: dict[str, Any] = {
        "cluster": service.cluster_arn,
        "service": service.name,
        "desiredCount": config["scalingTarget"]["minTaskCount"],
        "networkConfiguration": rules.network(config),
    }
    if changes_task or params.get("taskDefinitionArn"):
        update["taskDefinition"] = _task_definition_arn(ctx, state, express.family, config)
    service_api.update_service(ctx, update)
    revision = service.deployments[0].revision_arn or ""
    express.configurations[revision] = config
    created = (
        state.service_revisions[revision].created_at
        if revision in state.service_revisions
        else ctx.engine.now()
    )
    return {
        "service": {
            "serviceArn": service.arn,
            "cluster": service.cluster_arn,
            "serviceName": service.name,
            "status": {"statusCode": service.status},
            "targetConfiguration": _configuration(ctx.region, service, config, revision, created),
            "createdAt": service.created_at,
            "updatedAt": ctx.engine.now(),
        }
    }


@operation(
    "DeleteExpressGatewayService",
    area="Express services",
    notes="DeleteService with force: DRAINING, then INACTIVE once its tasks stopped.",
)
def delete_express_gateway_service(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    service, express = _active(state, params["serviceArn"])
    service_api.delete_service(
        ctx, {"cluster": service.cluster_arn, "service": service.name, "force": True}
    )
    return {"service": _describe(ctx, state, service, express, tags=False)}


@operation(
    "DescribeExpressGatewayService",
    area="Express services",
    notes="The endpoint is reported; nothing answers on it.",
)
def describe_express_gateway_service(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    service, express = _find(state, params["serviceArn"])
    if service is None or express is None:
        raise ECSError(
            "ResourceNotFoundException",
            f"The Express service {params['serviceArn']} wasn't found.",
        )
    tags = "TAGS" in (params.get("include") or [])
    return {"service": _describe(ctx, state, service, express, tags)}
