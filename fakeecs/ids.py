"""ARNs and identifiers as ECS writes them."""

from __future__ import annotations

import random

ACCOUNT_ID = "123456789012"


def arn(region: str, resource: str) -> str:
    return f"arn:aws:ecs:{region}:{ACCOUNT_ID}:{resource}"


def hex_id(rng: random.Random, length: int = 32) -> str:
    return f"{rng.getrandbits(length * 4):0{length}x}"


def uuid_like(rng: random.Random) -> str:
    h = hex_id(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def short_name(name_or_arn: str) -> str:
    """`arn:...:cluster/foo` or `foo` -> `foo` (ECS accepts either almost everywhere)."""
    if name_or_arn.startswith("arn:"):
        return name_or_arn.split("/", 1)[-1] if "/" in name_or_arn else name_or_arn
    return name_or_arn
