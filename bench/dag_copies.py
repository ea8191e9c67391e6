"""A repository of many DAGs for the harness scale part: copies of the DAGs in workflows/.

Copy k of N takes the k-th DAG of workflows/ round-robin (sorted by file name) and
changes only its dag_id, to `<origin>__copy<k>` in a file of the same name, so the
folder holds the same task graphs, operators and templates as the real repository in
the same proportions. The harness finds a DAG's world (configuration, S3 inputs) by
dag_id; `origin_of` gives a copy's origin so `bench.copies_plugin` can hand each copy
the world of the DAG it copies.
"""

from __future__ import annotations

import re
from pathlib import Path

from harness.setup import WORKFLOWS

SEPARATOR = "__copy"


class NotCopyable(ValueError):
    """A DAG file whose dag_id cannot be found to change (a new style of DAG file)."""


def copy_id(origin: str, k: int) -> str:
    return f"{origin}{SEPARATOR}{k:03d}"


def origin_of(dag_id: str) -> str | None:
    """The dag_id a copy was made from; None for a DAG that is not a copy."""
    origin, separator, number = dag_id.rpartition(SEPARATOR)
    return origin if separator and number.isdigit() else None


def _renamed(source: str, origin: str, new_id: str, path: Path) -> str:
    """`source` with its `DAG("<origin>", ...)` now `DAG("<new_id>", ...)`."""
    pattern = re.compile(r"""(\bDAG\(\s*)(["'])""" + re.escape(origin) + r"\2")
    renamed, found = pattern.subn(lambda m: f"{m.group(1)}{m.group(2)}{new_id}{m.group(2)}", source)
    if found != 1:
        raise NotCopyable(
            f"{path}: expected one `DAG({origin!r}, ...)` whose id is the file's name, found "
            f"{found}; name the DAG after its file, or leave the file out of the bench"
        )
    return renamed


def write(folder: Path, count: int, source: Path = WORKFLOWS) -> list[str]:
    """Write `count` copies of the DAG files of `source` into `folder`; returns their dag_ids."""
    originals = sorted(p for p in source.glob("*.py") if not p.name.startswith("_"))
    if not originals:
        raise NotCopyable(f"no DAG files in {source}")
    folder.mkdir(parents=True, exist_ok=True)
    texts = {p: p.read_text(encoding="utf-8") for p in originals}
    made = []
    for k in range(count):
        path = originals[k % len(originals)]
        new_id = copy_id(path.stem, k)
        (folder / f"{new_id}.py").write_text(
            _renamed(texts[path], path.stem, new_id, path), encoding="utf-8"
        )
        made.append(new_id)
    return made
