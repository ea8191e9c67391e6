"""Hypothesis strategies generated from botocore's ECS service model.

`valid_params(op)` builds inputs that satisfy the model (types, required members,
enums, list and string limits); `invalid_params(op)` breaks exactly one rule of
a valid input, so the wire layer must answer with a well-formed AWS error.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape
from hypothesis import strategies as st

MAX_DEPTH = 4
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=12
)


@cache
def ecs_model():
    return botocore.session.get_session().get_service_model("ecs")


def operation(name: str) -> OperationModel:
    return ecs_model().operation_model(name)


def _string(shape: Shape) -> st.SearchStrategy[str]:
    if shape.enum:
        return st.sampled_from(list(shape.enum))
    lo = shape.metadata.get("min", 0)
    hi = shape.metadata.get("max", max(lo, 12))
    return st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
        min_size=lo,
        max_size=min(hi, lo + 12),
    )


def value_for(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    """A value of `shape` that botocore's own validator would accept."""
    kind = shape.type_name
    if kind == "string":
        return _string(shape)
    if kind == "integer" or kind == "long":
        lo = shape.metadata.get("min", -(2**31))
        hi = shape.metadata.get("max", 2**31 - 1)
        return st.integers(min_value=lo, max_value=hi)
    if kind == "boolean":
        return st.booleans()
    if kind in ("double", "float"):
        return st.floats(allow_nan=False, allow_infinity=False, width=32)
    if kind == "timestamp":
        return st.integers(min_value=0, max_value=4_000_000_000)
    if kind == "blob":
        return st.text(alphabet="ABCDEFGHIJ", max_size=8)
    if isinstance(shape, ListShape):
        if depth + 1 >= MAX_DEPTH and not _is_scalar(shape.member):
            return st.just([])
        lo = shape.metadata.get("min", 0)
        hi = min(shape.metadata.get("max", 3), lo + 3)
        return st.lists(value_for(shape.member, depth + 1), min_size=lo, max_size=hi)
    if isinstance(shape, MapShape):
        if depth + 1 >= MAX_DEPTH and not _is_scalar(shape.value):
            return st.just({})
        return st.dictionaries(_string(shape.key), value_for(shape.value, depth + 1), max_size=2)
    if isinstance(shape, StructureShape):
        if depth >= MAX_DEPTH:
            return st.just({})
        return structure_for(shape, depth)
    return st.nothing()


def _is_scalar(shape: Shape) -> bool:
    return not isinstance(shape, ListShape | MapShape | StructureShape)


def structure_for(shape: StructureShape, depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    required = {name: value_for(shape.members[name], depth + 1) for name in shape.required_members}
    optional = {
        name: value_for(member, depth + 1)
        for name, member in shape.members.items()
        if name not in shape.required_members and depth + 1 < MAX_DEPTH
    }
    return st.fixed_dictionaries(required, optional=optional)


def valid_params(op_name: str) -> st.SearchStrategy[dict[str, Any]]:
    shape = operation(op_name).input_shape
    if shape is None:
        return st.just({})
    return structure_for(shape)


_WRONG_TYPE = {
    "string": st.one_of(st.integers(), st.booleans(), st.lists(st.integers(), max_size=2)),
    "integer": st.one_of(
        TEXT.filter(lambda s: not s.strip().lstrip("-").isdigit()),
        st.lists(st.integers(), max_size=1),
    ),
    "long": st.one_of(TEXT, st.lists(st.integers(), max_size=1)),
    "boolean": st.one_of(
        st.text(min_size=1, max_size=5).filter(lambda s: s.lower() not in ("true", "false")),
        st.lists(st.booleans(), max_size=1),
    ),
    "list": st.one_of(st.integers(), TEXT, st.dictionaries(TEXT, st.integers(), max_size=1)),
    "map": st.one_of(st.integers(), TEXT, st.lists(st.integers(), max_size=1)),
    "structure": st.one_of(st.integers(), TEXT, st.lists(st.integers(), max_size=1)),
    "timestamp": st.one_of(
        st.lists(st.integers(), max_size=1), st.dictionaries(TEXT, st.integers(), max_size=1)
    ),
}


@st.composite
def invalid_params(draw: st.DrawFn, op_name: str) -> tuple[str, dict[str, Any]]:
    """A valid input with one rule broken; returns (what was broken, params)."""
    shape = operation(op_name).input_shape
    params = draw(valid_params(op_name)) if shape is not None else {}
    choices: list[str] = []
    if shape is not None and shape.required_members:
        choices.append("missing-required")
    if shape is not None and shape.members:
        choices.append("wrong-type")
        if any(m.enum for m in shape.members.values() if m.type_name == "string"):
            choices.append("bad-enum")
    if not choices:
        return ("none", params)
    broken = draw(st.sampled_from(choices))
    assert shape is not None
    if broken == "missing-required":
        params.pop(draw(st.sampled_from(sorted(shape.required_members))), None)
    elif broken == "wrong-type":
        name = draw(st.sampled_from(sorted(shape.members)))
        kind = shape.members[name].type_name
        params[name] = draw(_WRONG_TYPE.get(kind, st.just([object.__name__])))
    else:
        enum_names = sorted(
            n for n, m in shape.members.items() if m.type_name == "string" and m.enum
        )
        name = draw(st.sampled_from(enum_names))
        params[name] = draw(TEXT.filter(lambda s, n=name: s not in shape.members[n].enum))
    return (broken, params)
