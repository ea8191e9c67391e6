"""Which cells of the matrix this process runs: a CI shard, or the DAGs a change touched.

`shard` cuts the planned cells into N deterministic, balanced slices: every machine of
a CI matrix plans the same cells, so each runs its own slice and none runs a cell twice.
Cells are weighed by the size of their DAG (a two-container DAG costs about twice a
one-container one) and dealt heaviest first to the lightest slice, ties by position.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


class BadShard(ValueError):
    """A --shard that is not `i/N` with 1 <= i <= N."""


def parse_shard(text: str) -> tuple[int, int]:
    """`"2/4"` -> (2, 4); a clear error for anything else."""
    index, slash, total = text.partition("/")
    try:
        i, n = int(index), int(total)
    except ValueError:
        i = n = 0
    if not slash or not 1 <= i <= n:
        raise BadShard(f"--shard {text!r}: give i/N with 1 <= i <= N, e.g. --shard 1/2")
    return i, n


def shard(cells: Sequence[T], index: int, total: int, weight: Callable[[T], float]) -> list[T]:
    """The cells of slice `index` (1-based) of `total`, in their planned order."""
    order = sorted(range(len(cells)), key=lambda k: (-weight(cells[k]), k))
    loads = [(0.0, s) for s in range(total)]  # (load, slice): the lightest slice first
    mine: list[int] = []
    for k in order:
        load, s = heapq.heappop(loads)
        if s == index - 1:
            mine.append(k)
        heapq.heappush(loads, (load + weight(cells[k]), s))
    return [cells[k] for k in sorted(mine)]
