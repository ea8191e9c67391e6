"""ECS-style pagination: opaque nextToken, maxResults bounds."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any, TypeVar

from fakeecs import errors

T = TypeVar("T")


def page(
    items: Sequence[T], params: dict[str, Any], limit: int = 100, default: int = 100
) -> tuple[list[T], str | None]:
    """One page of `items` and the token for the next one (None at the end)."""
    size = params.get("maxResults", default)
    if not 1 <= size <= limit:
        raise errors.invalid_parameter(f"maxResults must be between 1 and {limit}.")
    start = 0
    token = params.get("nextToken")
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("o:"))
        except (ValueError, UnicodeDecodeError):
            raise errors.invalid_parameter("Invalid token: nextToken is not valid") from None
    chunk = list(items[start : start + size])
    more = start + size < len(items)
    nxt = base64.urlsafe_b64encode(f"o:{start + size}".encode()).decode() if more else None
    return chunk, nxt


def with_token(result: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token:
        result["nextToken"] = token
    return result
