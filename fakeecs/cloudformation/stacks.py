"""The seam between moto's CloudFormation and the fakeecs engine serving the request.

`bound(engine)` (binding.py) marks the engine for the duration of one request that moto
answers; `install()` puts fakeecs's ECS resource classes into moto's type map and makes a
resource failure end the stack as CloudFormation does (CREATE_FAILED then
ROLLBACK_COMPLETE, UPDATE_ROLLBACK_COMPLETE, DELETE_FAILED) instead of a server error.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from fakeecs import moto_backend
from fakeecs.cloudformation.binding import bound
from fakeecs.cloudformation.calls import ResourceFailed
from fakeecs.cloudformation.dependents import dependency_order, update_dependents
from fakeecs.cloudformation.resources import RESOURCE_TYPES

__all__ = ["bound", "install"]

_install_lock = threading.Lock()
_installed = False


def _resource_event(stack: Any, logical_id: str, status: str, reason: str) -> None:
    resource = stack.resource_map._resource_json_map.get(logical_id, {})
    stack.events.append(
        moto_backend.stack_event(stack, logical_id, resource.get("Type", ""), status, reason)
    )


def _forget_resources(stack: Any) -> None:
    """Drop the resources a rollback or deletion removed, and the outputs.

    moto's resource map creates a resource whenever it is read (an output naming it,
    DescribeStackResources), which would bring deleted ECS resources back.
    """
    resources = stack.resource_map
    resources._resource_json_map = {
        k: v for k, v in resources._resource_json_map.items() if k in resources._parsed_resources
    }
    stack.output_map._output_json_map = {}
    stack.output_map._parsed_outputs = {}


def _failed(stack: Any, failure: ResourceFailed, verb: str) -> None:
    _resource_event(stack, failure.logical_id, f"{verb}_FAILED", failure.reason)


def _stack_failed(
    stack: Any, failure: ResourceFailed, verb: str, stack_status: str, more: str = ""
) -> None:
    """The failing resource's event, then the stack's, naming it as CloudFormation does."""
    _failed(stack, failure, verb)
    stack._add_stack_event(
        stack_status,
        resource_status_reason=f"The following resource(s) failed to {verb.lower()}: "
        f"[{failure.logical_id}].{more}",
    )


def _create(original: Callable[..., None], stack: Any) -> None:
    try:
        original(stack)
    except ResourceFailed as failure:
        _stack_failed(
            stack, failure, "CREATE", "ROLLBACK_IN_PROGRESS", " Rollback requested by user."
        )
        try:
            stack.resource_map.delete()
        except ResourceFailed as again:
            _failed(stack, again, "DELETE")
            stack.status = "ROLLBACK_FAILED"
        else:
            stack.status = "ROLLBACK_COMPLETE"
            _forget_resources(stack)
        stack._add_stack_event(stack.status)


def _update(original: Callable[..., None], stack: Any, *args: Any, **kwargs: Any) -> None:
    resources = stack.resource_map
    before = (
        stack.template,
        stack.template_dict,
        resources._template,
        resources._resource_json_map,
    )
    try:
        original(stack, *args, **kwargs)
    except ResourceFailed as failure:
        _stack_failed(stack, failure, "UPDATE", "UPDATE_ROLLBACK_IN_PROGRESS")
        stack.template, stack.template_dict = before[0], before[1]
        resources._template, resources._resource_json_map = before[2], before[3]
        stack.status = "UPDATE_ROLLBACK_COMPLETE"
        stack._add_stack_event(stack.status)


def _update_resources(original: Callable[..., None], resources: Any, *args: Any, **kw: Any) -> None:
    """moto's update of the changed resources, then of those whose references changed under them."""
    original(resources, *args, **kw)
    update_dependents(resources)


def _resource_diff(
    original: Callable[..., dict[str, Any]], resources: Any, template: dict[str, Any], *args: Any
) -> dict[str, Any]:
    """moto's diff, its modified resources in dependency order (moto takes template order), so a
    service listed before its task definition is updated once, to the new revision."""
    diff = original(resources, template, *args)
    order = dependency_order(template.get("Resources") or {})
    diff["Modify"] = sorted(diff["Modify"], key=order.index)
    return diff


def _delete(original: Callable[..., None], stack: Any) -> None:
    try:
        original(stack)
        _forget_resources(stack)
    except ResourceFailed as failure:
        _forget_resources(stack)
        stack.status = "DELETE_FAILED"
        _stack_failed(stack, failure, "DELETE", stack.status)
        raise


def _delete_stack(original: Callable[..., None], backend: Any, name_or_id: str) -> None:
    """A stack whose deletion failed stays listed (DELETE_FAILED), so it can be deleted again."""
    stacks = dict(backend.stacks)
    try:
        original(backend, name_or_id)
    except ResourceFailed:
        failed = {k: s for k, s in stacks.items() if s.status == "DELETE_FAILED"}
        backend.stacks.update(failed)
        for stack_id in failed:
            backend.deleted_stacks.pop(stack_id, None)


def install() -> None:
    """Once per process: fakeecs's ECS types in moto's CloudFormation, failures as stack states."""
    global _installed
    with _install_lock:
        if _installed:
            return
        moto_backend.install_cloudformation(
            RESOURCE_TYPES,
            {
                "create_resources": _create,
                "update": _update,
                "update_resources": _update_resources,
                "resource_diff": _resource_diff,
                "delete": _delete,
                "delete_stack": _delete_stack,
            },
        )
        _installed = True
