"""Input validation driven by botocore's own ECS model: types, required members, enums, lengths.

Type errors answer SerializationException (the request cannot be read as the
model says); missing members, unknown enum values and bad lengths answer
InvalidParameterException, naming the member by its path.
"""

from __future__ import annotations

from typing import Any

from botocore.model import Shape

from fakeecs.errors import ECSError

_NUMBER_TYPES = {"integer", "long", "double", "float"}


def _serialization(path: str, expected: str, value: Any) -> ECSError:
    return ECSError(
        "SerializationException",
        f"Cannot read '{path}': expected {expected}, got {type(value).__name__} {_short(value)}.",
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def validate(shape: Shape, value: Any, path: str = "") -> None:
    kind = shape.type_name
    where = path or "request"
    if kind == "structure":
        if not isinstance(value, dict):
            raise _serialization(where, "an object", value)
        for name in shape.required_members:
            if value.get(name) is None:
                member = f"{path}.{name}" if path else name
                raise ECSError("InvalidParameterException", f"{member} can not be blank.")
        for name, member_shape in shape.members.items():
            if name in value and value[name] is not None:
                validate(member_shape, value[name], f"{path}.{name}" if path else name)
    elif kind == "list":
        if not isinstance(value, list):
            raise _serialization(where, "a list", value)
        _check_length(shape, len(value), where, "items")
        for i, item in enumerate(value):
            validate(shape.member, item, f"{where}[{i}]")
    elif kind == "map":
        if not isinstance(value, dict):
            raise _serialization(where, "an object (map)", value)
        for key, item in value.items():
            validate(shape.value, item, f"{where}.{key}")
    elif kind == "string":
        if not isinstance(value, str):
            raise _serialization(where, "a string", value)
        _check_length(shape, len(value), where, "characters")
        if shape.enum and value not in shape.enum:
            raise ECSError(
                "InvalidParameterException",
                f"{where} must be one of [{', '.join(shape.enum)}], got {_short(value)}.",
            )
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise _serialization(where, "a boolean", value)
    elif kind in _NUMBER_TYPES:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _serialization(where, "a number", value)
        if kind in ("integer", "long") and not float(value).is_integer():
            raise _serialization(where, "an integer", value)
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ECSError(
                "InvalidParameterException", f"{where} must be between {low} and {high}."
            )
    elif kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _serialization(where, "a timestamp", value)
    elif kind == "blob" and not isinstance(value, str):
        raise _serialization(where, "base64 text", value)


def _check_length(shape: Shape, length: int, where: str, unit: str) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and length < low:
        raise ECSError("InvalidParameterException", f"{where} must have at least {low} {unit}.")
    if high is not None and length > high:
        raise ECSError("InvalidParameterException", f"{where} must have at most {high} {unit}.")
