"""AWS::ECS::Cluster, AWS::ECS::TaskDefinition and AWS::ECS::Service as fakeecs resources.

moto's stack engine calls these classes (they replace moto's own ECS models in its
type map while a fakeecs serves the request). Each change is an ECS API call on the
fakeecs engine, so what a stack declares is what the ECS API shows. Update rules
follow the resource reference: a new name (or cluster, launch type ...) replaces the
resource, a task definition is always replaced by a new revision, the rest updates
in place.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any, ClassVar

from fakeecs import moto_backend
from fakeecs.cloudformation.binding import current_engine
from fakeecs.cloudformation.calls import ResourceFailed, ecs, failure_reason
from fakeecs.cloudformation.properties import api_params
from fakeecs.engine import Engine
from fakeecs.errors import ECSError
from fakeecs.model import ACTIVE_STATES
from fakeecs.wire import service_model

_NAME_CHARS = string.ascii_letters + string.digits


def _bound_engine() -> Engine | None:
    return current_engine()


def _stack_name(stack_id: str) -> str:
    """`arn:aws:cloudformation:...:stack/NAME/uuid` -> NAME."""
    return stack_id.split(":stack/", 1)[-1].split("/", 1)[0]


class NotModelled:
    """What plain moto (no fakeecs serving the request) makes of an ECS type it does not model."""

    def __init__(self, logical_id: str) -> None:
        self.physical_resource_id = logical_id

    def is_created(self) -> bool:
        return True

    def delete(self, account_id: str, region_name: str) -> None:
        pass


class ECSStackResource:
    """One ECS resource of a stack: its logical id, physical id, and the params it was made with.

    Duck-typed to what moto's stack engine calls, not a CloudFormationModel subclass: those
    are all listed in moto's own type map, and these replace three entries in it.
    """

    #: The CloudFormation type, the name of moto's class for it, and the property holding its name.
    cfn_type: ClassVar[str]
    moto_model: ClassVar[str | None] = None
    name_property: ClassVar[str]
    #: Properties whose change replaces the resource instead of updating it.
    replace_on: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self, engine: Engine, region: str, stack: str, logical_id: str, params: dict[str, Any]
    ) -> None:
        self.engine = engine
        self.region = region
        self.stack = stack
        self.logical_id = logical_id
        self.params = params
        self.name = ""
        self.arn = ""
        #: The resource this one replaces, while an update replaces it.
        self.replaces: ECSStackResource | None = None

    # what moto's stack engine asks ------------------------------------------------

    @classmethod
    def moto_class(cls) -> Any:
        """moto's own model of this type, or None. Looked up when plain moto asks, not when
        this module is imported: moto's ECS models import its EC2 (about 1.5 s of a start)."""
        return None if cls.moto_model is None else moto_backend.ecs_model(cls.moto_model)

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.cfn_type

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.name_property

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    def is_created(self) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        engine = _bound_engine()
        if engine is None:  # moto used on its own: its own models, or none (as moto has none)
            moto_class = cls.moto_class()
            if moto_class is None:
                return NotModelled(kwargs.get("LogicalId", resource_name))
            return moto_class.create_from_cloudformation_json(
                resource_name, cloudformation_json, account_id, region_name, **kwargs
            )
        logical_id = kwargs.get("LogicalId", resource_name)
        resource = cls(
            engine,
            region_name,
            _stack_name(kwargs.get("StackId", "")),
            logical_id,
            cls.params_of(cloudformation_json),
        )
        resource._guarded(resource.create)
        return resource

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Any:
        if not isinstance(original_resource, ECSStackResource):
            moto_class = cls.moto_class()
            if moto_class is None:
                return original_resource
            return moto_class.update_from_cloudformation_json(
                original_resource, new_resource_name, cloudformation_json, account_id, region_name
            )
        new_params = cls.params_of(cloudformation_json)
        old = original_resource
        if old.replaced_by(new_params):
            fresh = cls(old.engine, old.region, old.stack, old.logical_id, new_params)
            fresh.replaces = old
            fresh._guarded(fresh.create)
            fresh.replaces = None
            old._guarded(old.delete_now)  # CloudFormation's clean-up of the old one
            return fresh
        old._guarded(lambda: old.update(new_params))
        old.params = new_params
        return old

    def delete(self, account_id: str, region_name: str) -> None:
        self._guarded(self.delete_now)

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region: str
    ) -> None:
        """Plain moto deleting a resource of its own model (ours delete through `delete`)."""
        delete = getattr(cls.moto_class(), "delete_from_cloudformation_json", None)
        if delete is not None and not hasattr(delete, "__isabstractmethod__"):
            delete(resource_name, cloudformation_json, account_id, region)

    # what each type does -----------------------------------------------------------

    @classmethod
    def params_of(cls, cloudformation_json: dict[str, Any]) -> dict[str, Any]:
        """The API params a resolved resource template gives (what updates are compared on)."""
        return api_params(cls.cfn_type, cloudformation_json.get("Properties") or {})

    def replaced_by(self, new_params: dict[str, Any]) -> bool:
        return any(self.params.get(k) != new_params.get(k) for k in self.replace_on)

    def generated_name(self) -> str:
        """A physical name as CloudFormation makes one: stack, logical id, random suffix."""
        suffix = "".join(self.engine.rng.choice(_NAME_CHARS) for _ in range(12))
        return f"{self.stack}-{self.logical_id}-{suffix}"

    def create(self) -> None:
        raise NotImplementedError

    def update(self, new_params: dict[str, Any]) -> None:
        raise NotImplementedError

    def delete_now(self) -> None:
        raise NotImplementedError

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        return ecs(self.engine, self.region, operation, params)

    def _guarded(self, work: Callable[[], Any]) -> None:
        """Run one ECS step; an ECS refusal fails this resource as CloudFormation shows it."""
        try:
            work()
        except ECSError as err:
            raise ResourceFailed(self.logical_id, failure_reason(err)) from None

    def sync_tags(self, old: list[dict[str, str]], new: list[dict[str, str]]) -> None:
        """Make the resource's tags what the template now says (TagResource, UntagResource)."""
        wanted = {t["key"]: t["value"] for t in new}
        gone = [t["key"] for t in old if t["key"] not in wanted]
        if gone:
            self.call("UntagResource", {"resourceArn": self.arn, "tagKeys": gone})
        if new and new != old:
            self.call("TagResource", {"resourceArn": self.arn, "tags": new})


class ClusterResource(ECSStackResource):
    cfn_type = "AWS::ECS::Cluster"
    moto_model = "Cluster"
    name_property = "ClusterName"
    replace_on = frozenset({"clusterName"})

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.arn

    @property
    def physical_resource_id(self) -> str:
        return self.name  # Ref of a cluster is its name

    def create(self) -> None:
        params = {"clusterName": self.generated_name(), **self.params}
        found = self.call("DescribeClusters", {"clusters": [params["clusterName"]]})["clusters"]
        if any(c["status"] == "ACTIVE" for c in found):
            raise ECSError(
                "AlreadyExistsException",
                f"Resource of type '{self.cfn_type}' with identifier "
                f"'{params['clusterName']}' already exists.",
            )
        cluster = self.call("CreateCluster", params)["cluster"]
        self.name, self.arn = cluster["clusterName"], cluster["clusterArn"]

    def update(self, new_params: dict[str, Any]) -> None:
        update = {
            k: new_params[k]
            for k in ("settings", "configuration", "serviceConnectDefaults")
            if k in new_params
        }
        if update:
            self.call("UpdateCluster", {"cluster": self.arn, **update})
        providers = ("capacityProviders", "defaultCapacityProviderStrategy")
        if any(self.params.get(k) != new_params.get(k) for k in providers):
            self.call(
                "PutClusterCapacityProviders",
                {
                    "cluster": self.arn,
                    "capacityProviders": new_params.get("capacityProviders", []),
                    "defaultCapacityProviderStrategy": new_params.get(
                        "defaultCapacityProviderStrategy", []
                    ),
                },
            )
        self.sync_tags(self.params.get("tags", []), new_params.get("tags", []))

    def delete_now(self) -> None:
        try:
            self.call("DeleteCluster", {"cluster": self.arn})
        except ECSError as err:
            if err.code != "ClusterContainsTasksException" or not self._only_draining():
                raise
            # The stack's services are being deleted: CloudFormation waits for their tasks to stop.
            state = self.engine.region(self.region)
            state.cluster(self.arn).delete_when_empty = True

    def _only_draining(self) -> bool:
        """Whether every task still active is on its way out (stopped, or of a deleted service)."""
        state = self.engine.region(self.region)
        cluster = state.cluster(self.arn)
        deleted = {
            name
            for (c, name), s in state.services.items()
            if c == cluster.arn and s.status != "ACTIVE"
        }
        return all(
            t.desired_status == "STOPPED" or t.service_name in deleted
            for t in state.cluster_tasks(cluster)
            if t.last_status in ACTIVE_STATES
        )


class TaskDefinitionResource(ECSStackResource):
    cfn_type = "AWS::ECS::TaskDefinition"
    moto_model = "TaskDefinition"
    name_property = ""

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "TaskDefinitionArn"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.arn

    def replaced_by(self, new_params: dict[str, Any]) -> bool:
        return True  # every change is a new revision

    def create(self) -> None:
        old = self.replaces  # a new revision keeps a generated family
        family = old.name if old is not None and "family" not in old.params else None
        family = family or self.generated_name()
        params = {"family": family, **self.params}
        td = self.call("RegisterTaskDefinition", params)["taskDefinition"]
        self.name, self.arn = td["family"], td["taskDefinitionArn"]

    def update(self, new_params: dict[str, Any]) -> None:
        raise AssertionError("a task definition is always replaced")

    def delete_now(self) -> None:
        self.call("DeregisterTaskDefinition", {"taskDefinition": self.arn})


def _update_service_members() -> frozenset[str]:
    shape = service_model().operation_model("UpdateService").input_shape
    return frozenset(shape.members) - {"cluster", "service"}


class ServiceResource(ECSStackResource):
    cfn_type = "AWS::ECS::Service"
    moto_model = "Service"
    name_property = "ServiceName"
    replace_on = frozenset(
        {
            "serviceName",
            "cluster",
            "launchType",
            "role",
            "schedulingStrategy",
            "deploymentController",
        }
    )

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Name", "ServiceArn")

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.name if attribute_name == "Name" else self.arn

    def create(self) -> None:
        params = {"serviceName": self.generated_name(), **self.params}
        if params.get("schedulingStrategy") != "DAEMON":
            # the resource reference: "For new services, if a desired count is not
            # specified, a default value of 1 is used."
            params.setdefault("desiredCount", 1)
        service = self.call("CreateService", params)["service"]
        self.name, self.arn = service["serviceName"], service["serviceArn"]

    def update(self, new_params: dict[str, Any]) -> None:
        """UpdateService with what changed. Without DesiredCount the service keeps the count
        it has now ("for existing services ... it is omitted from the operation"); with one,
        every update sets it again, as CloudFormation does (a count scaled since goes back)."""
        members = _update_service_members()
        changed = {k: v for k, v in new_params.items() if k in members and self.params.get(k) != v}
        if changed and "desiredCount" in new_params:
            changed["desiredCount"] = new_params["desiredCount"]
        if changed:
            cluster = self.params.get("cluster", "default")
            self.call("UpdateService", {"cluster": cluster, "service": self.arn, **changed})
        self.sync_tags(self.params.get("tags", []), new_params.get("tags", []))

    def delete_now(self) -> None:
        cluster = self.params.get("cluster", "default")
        self.call("DeleteService", {"cluster": cluster, "service": self.arn, "force": True})


class CapacityProviderResource(ECSStackResource):
    cfn_type = "AWS::ECS::CapacityProvider"
    name_property = "Name"
    replace_on = frozenset({"name"})

    @property
    def physical_resource_id(self) -> str:
        return self.name  # Ref of a capacity provider is its name

    def replaced_by(self, new_params: dict[str, Any]) -> bool:
        group = "autoScalingGroupArn"
        old_group = (self.params.get("autoScalingGroupProvider") or {}).get(group)
        new_group = (new_params.get("autoScalingGroupProvider") or {}).get(group)
        return super().replaced_by(new_params) or old_group != new_group

    def create(self) -> None:
        params = {"name": self.generated_name(), **self.params}
        provider = self.call("CreateCapacityProvider", params)["capacityProvider"]
        self.name, self.arn = provider["name"], provider["capacityProviderArn"]

    def update(self, new_params: dict[str, Any]) -> None:
        group = dict(new_params.get("autoScalingGroupProvider") or {})
        group.pop("autoScalingGroupArn", None)
        if group != {
            k: v
            for k, v in (self.params.get("autoScalingGroupProvider") or {}).items()
            if k != "autoScalingGroupArn"
        }:
            self.call(
                "UpdateCapacityProvider", {"name": self.name, "autoScalingGroupProvider": group}
            )
        self.sync_tags(self.params.get("tags", []), new_params.get("tags", []))

    def delete_now(self) -> None:
        answer = self.call("DeleteCapacityProvider", {"capacityProvider": self.name})
        provider = answer["capacityProvider"]
        if provider.get("updateStatus") == "DELETE_FAILED":  # still associated: moto tries again
            raise ECSError("ResourceInUseException", provider.get("updateStatusReason", ""))


class CapacityProviderAssociationsResource(ECSStackResource):
    """The providers of a cluster and its default strategy (PutClusterCapacityProviders)."""

    cfn_type = "AWS::ECS::ClusterCapacityProviderAssociations"
    name_property = ""
    replace_on = frozenset({"cluster"})

    @property
    def physical_resource_id(self) -> str:
        return self.name  # Ref is the cluster's name

    def create(self) -> None:
        cluster = self.call("PutClusterCapacityProviders", self._put(self.params))["cluster"]
        self.name, self.arn = cluster["clusterName"], cluster["clusterArn"]

    def update(self, new_params: dict[str, Any]) -> None:
        self.call("PutClusterCapacityProviders", self._put(new_params))

    def delete_now(self) -> None:
        try:
            self.call("PutClusterCapacityProviders", self._put({"cluster": self.arn}))
        except ECSError as err:
            if err.code != "ClusterNotFoundException":  # gone with its cluster already
                raise

    @staticmethod
    def _put(params: dict[str, Any]) -> dict[str, Any]:
        return {
            "cluster": params["cluster"],
            "capacityProviders": params.get("capacityProviders", []),
            "defaultCapacityProviderStrategy": params.get("defaultCapacityProviderStrategy", []),
        }


#: Errors that mean a task set went with its service already.
_GONE_WITH_SERVICE = frozenset(
    {"ServiceNotActiveException", "ServiceNotFoundException", "TaskSetNotFoundException"}
)


class TaskSetResource(ECSStackResource):
    cfn_type = "AWS::ECS::TaskSet"
    name_property = ""

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Id"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.name

    @property
    def physical_resource_id(self) -> str:
        return self.name  # Ref and GetAtt Id: the task set's ID

    def replaced_by(self, new_params: dict[str, Any]) -> bool:
        keys = (set(self.params) | set(new_params)) - {"scale", "tags"}
        return any(self.params.get(k) != new_params.get(k) for k in keys)

    def _where(self) -> dict[str, Any]:
        return {"cluster": self.params["cluster"], "service": self.params["service"]}

    def create(self) -> None:
        task_set = self.call("CreateTaskSet", self.params)["taskSet"]
        self.name, self.arn = task_set["id"], task_set["taskSetArn"]

    def update(self, new_params: dict[str, Any]) -> None:
        if new_params.get("scale") != self.params.get("scale"):
            scale = new_params.get("scale") or {"value": 100.0, "unit": "PERCENT"}
            self.call("UpdateTaskSet", {**self._where(), "taskSet": self.name, "scale": scale})
        self.sync_tags(self.params.get("tags", []), new_params.get("tags", []))

    def delete_now(self) -> None:
        try:
            self.call("DeleteTaskSet", {**self._where(), "taskSet": self.name, "force": True})
        except ECSError as err:
            if err.code not in _GONE_WITH_SERVICE:
                raise


class PrimaryTaskSetResource(ECSStackResource):
    """Which task set of an EXTERNAL service is PRIMARY; deleting it changes nothing (as in ECS)."""

    cfn_type = "AWS::ECS::PrimaryTaskSet"
    name_property = ""
    replace_on = frozenset({"cluster", "service"})

    def create(self) -> None:
        self.call("UpdateServicePrimaryTaskSet", self.params)
        self.name = self.arn = f"{self.params['cluster']}|{self.params['service']}"

    def update(self, new_params: dict[str, Any]) -> None:
        self.call("UpdateServicePrimaryTaskSet", new_params)

    def delete_now(self) -> None:
        pass


RESOURCE_TYPES: tuple[type[ECSStackResource], ...] = (
    ClusterResource,
    TaskDefinitionResource,
    ServiceResource,
    CapacityProviderResource,
    CapacityProviderAssociationsResource,
    TaskSetResource,
    PrimaryTaskSetResource,
)
