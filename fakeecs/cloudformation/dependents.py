"""After a stack update: update the ECS resources whose references now resolve to something new.

moto's stack engine updates a resource only when its own template text (or a parameter it
uses) changed. CloudFormation also updates a resource whose `Ref` or `Fn::GetAtt` now
gives a new value: the usual deploy changes only a task definition's image, the task
definition is replaced by a new revision, and the service that refers to it is updated to
that revision (ECS starts a deployment). So once moto's update is done, each ECS resource
is resolved again in dependency order and, where its properties now differ from what it
was made or last updated with, updated through the same path as any other update (which
replaces it where a changed property requires that).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fakeecs import moto_backend
from fakeecs.cloudformation.resources import ECSStackResource

_SUB_NAME = re.compile(r"\$\{([^!}][^}]*)\}")


def references(node: Any) -> Iterator[str]:
    """The logical ids (or parameters) a piece of template refers to: Ref, Fn::GetAtt, Fn::Sub."""
    if isinstance(node, list):
        for item in node:
            yield from references(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) else str(value).split(".", 1)[0]
                yield str(target)
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                if isinstance(text, str):
                    yield from (m.split(".", 1)[0] for m in _SUB_NAME.findall(text))
                yield from references(value[1:] if isinstance(value, list) else [])
            else:
                yield from references(value)


def _needs(resource: dict[str, Any], known: dict[str, Any]) -> list[str]:
    depends = resource.get("DependsOn") or []
    named = [depends] if isinstance(depends, str) else list(depends)
    found = named + list(references(resource.get("Properties") or {}))
    return [name for name in dict.fromkeys(found) if name in known]


def dependency_order(resources: dict[str, dict[str, Any]]) -> list[str]:
    """Logical ids with each after the resources it refers to or depends on (template order
    otherwise). A template cannot have a cycle; were there one, it is cut where it closes."""
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered or name in visiting:
            return
        visiting.add(name)
        for needed in _needs(resources[name], resources):
            visit(needed)
        visiting.discard(name)
        ordered.append(name)

    for name in resources:
        visit(name)
    return ordered


def update_dependents(resource_map: Any) -> None:
    """Update each ECS resource whose resolved properties changed under it, dependencies first."""
    templates = moto_backend.stack_resource_templates(resource_map)
    for logical_id in dependency_order(templates):
        resource = moto_backend.stack_resource(resource_map, logical_id)
        if not isinstance(resource, ECSStackResource):
            continue
        resolved = moto_backend.resolved_resource(resource_map, logical_id)
        if type(resource).params_of(resolved) != resource.params:
            moto_backend.update_stack_resource(resource_map, logical_id)
