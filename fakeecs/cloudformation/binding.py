"""Which fakeecs engine moto's CloudFormation is working for, during one request.

moto's stack engine calls the resource classes without any way to pass our engine
along, so the server binds it for the request (a context variable: each request
thread sees its own). The lowest module of the package: resources read the binding,
stacks and the server set it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from fakeecs.engine import Engine

_engine: contextvars.ContextVar[Engine | None] = contextvars.ContextVar(
    "fakeecs_cloudformation_engine", default=None
)


def current_engine() -> Engine | None:
    return _engine.get()


@contextlib.contextmanager
def bound(engine: Engine) -> Iterator[None]:
    """While moto answers a request, its ECS resources are this engine's."""
    token = _engine.set(engine)
    try:
        yield
    finally:
        _engine.reset(token)
