"""`harness run --changed`: the DAGs whose files, or the repository modules they import, changed.

A DAG author changing one DAG, or a module a few DAGs import, waits only for those
DAGs' cells. Changes are what git says differs between BASE (default: the merge base
with main) and the working tree, plus new untracked files. Imports are read from the
source (no code runs), followed transitively through the repository's own modules;
modules from outside the repository (Airflow, boto3) are not followed.
"""

from __future__ import annotations

import ast
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path


class GitError(RuntimeError):
    """git could not answer (not a repository, unknown BASE, no main branch)."""


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise GitError(f"git {' '.join(args)} failed in {repo}: {done.stderr.strip()}")
    return done.stdout


def toplevel(path: Path) -> Path:
    return Path(_git(path, "rev-parse", "--show-toplevel").strip()).resolve()


def default_base(repo: Path) -> str:
    """The merge base of HEAD with main (or origin/main when there is no local main)."""
    for branch in ("main", "origin/main"):
        try:
            return _git(repo, "merge-base", "HEAD", branch).strip()
        except GitError:
            continue
    raise GitError(f"no main or origin/main branch in {repo}: name a BASE, e.g. --changed HEAD~1")


def changed_files(repo: Path, base: str) -> set[Path]:
    """Files that differ between `base` and the working tree, and untracked new files."""
    names = _git(repo, "diff", "--name-only", base, "--").splitlines()
    names += _git(repo, "ls-files", "--others", "--exclude-standard").splitlines()
    return {(repo / name).resolve() for name in names if name}


def _module_files(name: str, roots: Iterable[Path]) -> list[Path]:
    """The files importing `name` runs: its packages' __init__ files and the module itself."""
    parts = name.split(".")
    for root in roots:
        found = []
        for depth in range(1, len(parts) + 1):
            base = root.joinpath(*parts[:depth])
            if (base / "__init__.py").is_file():
                found.append(base / "__init__.py")
            elif base.with_suffix(".py").is_file():
                found.append(base.with_suffix(".py"))
                break
            else:
                break
        if found:
            return found
    return []


def imported_names(path: Path) -> set[str]:
    """Absolute module names `path` imports (a `from a import b` names both a and a.b)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError, OSError):
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def repository_imports(path: Path, roots: Iterable[Path]) -> set[Path]:
    """Every repository file `path` imports, directly or through other repository modules."""
    roots = list(roots)
    seen: set[Path] = set()
    todo = [path.resolve()]
    while todo:
        current = todo.pop()
        for name in imported_names(current):
            for found in _module_files(name, roots):
                found = found.resolve()
                if found not in seen:
                    seen.add(found)
                    todo.append(found)
    return seen


def affected_dags(dag_files: Mapping[str, Path], dags_folder: Path, base: str | None) -> set[str]:
    """The ids of the DAGs whose file, or a repository module it imports, changed since `base`."""
    repo = toplevel(dags_folder)
    changed = changed_files(repo, base or default_base(repo))
    roots = [dags_folder.resolve(), repo]
    affected = set()
    for dag_id, file in dag_files.items():
        file = Path(file).resolve()
        if file in changed or repository_imports(file, roots) & changed:
            affected.add(dag_id)
    return affected
