"""Which cells run: a CI shard's slice, and the DAGs a change touched (`--changed`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.changes import GitError, affected_dags
from harness.selection import BadShard, parse_shard, shard


@given(weights=st.lists(st.integers(1, 9), max_size=80), total=st.integers(1, 6))
def test_shards_cover_every_cell_once_and_stay_balanced(weights: list[int], total: int) -> None:
    cells = list(enumerate(weights))
    slices = [shard(cells, i, total, weight=lambda c: c[1]) for i in range(1, total + 1)]
    assert sorted(c for s in slices for c in s) == cells  # every cell, once
    assert all(s == sorted(s) for s in slices)  # each in plan order
    loads = [sum(w for _, w in s) for s in slices]
    assert max(loads) - min(loads) <= max(weights, default=0)  # greedy: within one cell
    again = [shard(cells, i, total, weight=lambda c: c[1]) for i in range(1, total + 1)]
    assert again == slices  # every machine computes the same slices


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0", ""])
def test_a_bad_shard_says_what_a_good_one_looks_like(text: str) -> None:
    with pytest.raises(BadShard, match=r"give i/N with 1 <= i <= N, e.g. --shard 1/2"):
        parse_shard(text)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """workflows/ with three DAGs: one imports lib.shared (which imports lib.deep), one
    imports lib.other, one imports a sibling module of the DAGs folder."""
    files = {
        "lib/__init__.py": "",
        "lib/shared.py": "from lib import deep\n",
        "lib/deep.py": "X = 1\n",
        "lib/other.py": "Y = 2\n",
        "workflows/uses_shared.py": "from lib.shared import X\n",
        "workflows/uses_other.py": "import lib.other\nimport os\n",
        "workflows/uses_sibling.py": "from helpers import h\n",
        "workflows/helpers.py": "def h(): ...\n",
        "README.md": "a repository\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    git(tmp_path, "init", "-q", "-b", "main")
    commit(tmp_path, "start")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    return tmp_path


def dags(repo: Path) -> dict[str, Path]:
    names = ("uses_shared", "uses_other", "uses_sibling")
    return {name: repo / "workflows" / f"{name}.py" for name in names}


def test_a_change_deep_in_the_imports_selects_exactly_the_dags_that_import_it(repo: Path) -> None:
    (repo / "lib/deep.py").write_text("X = 3\n")
    commit(repo, "deep change")
    assert affected_dags(dags(repo), repo / "workflows", None) == {"uses_shared"}


def test_uncommitted_and_new_files_count_and_unrelated_ones_do_not(repo: Path) -> None:
    (repo / "README.md").write_text("changed\n")
    assert affected_dags(dags(repo), repo / "workflows", None) == set()
    (repo / "workflows/helpers.py").write_text("def h(): return 1\n")  # not committed
    (repo / "workflows/new_dag.py").write_text("import lib.other\n")  # untracked
    found = affected_dags(
        {**dags(repo), "new": repo / "workflows/new_dag.py"}, repo / "workflows", None
    )
    assert found == {"uses_sibling", "new"}


def test_base_names_any_commit_and_the_default_is_the_merge_base_with_main(repo: Path) -> None:
    (repo / "lib/other.py").write_text("Y = 3\n")
    first = commit(repo, "other")
    (repo / "workflows/uses_shared.py").write_text("from lib.shared import X  # edited\n")
    commit(repo, "dag edit")
    assert affected_dags(dags(repo), repo / "workflows", None) == {"uses_other", "uses_shared"}
    assert affected_dags(dags(repo), repo / "workflows", first) == {"uses_shared"}
    git(repo, "checkout", "-q", "main")
    (repo / "lib/deep.py").write_text("X = 9\n")
    commit(repo, "main moves on")  # not on the branch: the merge base stays where it was
    git(repo, "checkout", "-q", "feature")
    assert affected_dags(dags(repo), repo / "workflows", None) == {"uses_other", "uses_shared"}


def test_an_unknown_base_is_a_clear_error(repo: Path) -> None:
    with pytest.raises(GitError, match="no-such-ref"):
        affected_dags(dags(repo), repo / "workflows", "no-such-ref")
