"""The state of a fake ECS and how it moves with the clock (no HTTP, no JSON)."""

from fakeecs.engine.core import Engine

__all__ = ["Engine"]
