"""What the configured DAGs folder shows while one cell runs: the folder, without its other DAG files.

Airflow 3's `dag.test()` parses every DAG file of the configured DAGs folder and writes
every DAG it finds to the metadata DB, on every call (a `BundleDagBag` over the bundle,
then `sync_bag_to_db`). Pointed at the DAGs folder itself, each cell would pay for every
DAG of the repository, and a cell would get dearer as the repository grows. So the
harness's DAG files are not in the configured folder: for the length of one run a stage
there holds links to the entries of the DAGs folder (same names, same relative paths, so
Airflow's relative file location stays the same from cell to cell) except the DAG files
the run does not need. Files that are not DAG files (SQL, YAML, templates) stay, so a DAG
file that reads a neighbour at import still finds it; sibling modules are imported from
the DAGs folder itself, which loading it put on `sys.path` (Airflow's `BundleDagBag`).
"""

from __future__ import annotations

import shutil
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path


def stage_path(root: Path, folder: Path, taken: Collection[Path]) -> Path | None:
    """Where `folder`'s stage goes inside the configured DAGs folder `root`.

    None when `folder` is `root` or inside it: `dag.test()` sees it (and all of `root`)
    already, and the harness never adds to or removes from someone else's DAGs folder.
    """
    if folder == root or root in folder.parents:
        return None
    for n in range(100):
        stage = root / f"harness-{folder.name}{'' if n == 0 else f'-{n}'}"
        if stage not in taken and not stage.exists() and not stage.is_symlink():
            return stage
    raise RuntimeError(f"cannot stage {folder} in {root}: too many harness-* entries there")


@contextmanager
def staged(
    stage: Path, folder: Path, show: Collection[Path], dag_files: Collection[Path]
) -> Iterator[None]:
    """While the block runs, `stage` shows `folder` without the DAG files not in `show`.

    `dag_files` are every file Airflow parses as a DAG file in `folder` (`Loaded.dag_files`);
    `show` are the ones the run needs. Afterwards the stage is gone (or, when it is the
    configured folder itself, empty again), so no other run or DagBag parses these files.
    """
    hidden = {Path(f) for f in dag_files} - {Path(f) for f in show}
    made = not stage.exists()
    stage.mkdir(parents=True, exist_ok=True)
    entries: list[Path] = []
    try:
        _mirror(folder, stage, hidden, {d for f in hidden for d in f.parents}, entries)
        yield
    finally:
        if made:
            shutil.rmtree(stage, ignore_errors=True)
        else:
            for entry in entries:
                if entry.is_symlink():
                    entry.unlink()
                else:
                    shutil.rmtree(entry, ignore_errors=True)


def _mirror(
    source: Path, target: Path, hidden: set[Path], holding: set[Path], entries: list[Path]
) -> None:
    """Link each entry of `source` into `target`, except the `hidden` files; a folder `holding`
    one of them is made (never linked: a link would show them) and mirrored the same way."""
    for entry in sorted(source.iterdir()):
        if entry in hidden:
            continue
        there = target / entry.name
        if entry in holding and entry.is_dir():
            there.mkdir()
            entries.append(there)
            _mirror(entry, there, hidden, holding, [])
        else:
            there.symlink_to(entry, target_is_directory=entry.is_dir())
            entries.append(there)
