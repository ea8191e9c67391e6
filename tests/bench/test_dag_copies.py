"""The bench's repository of DAG copies: the workflows/ task graphs under new dag_ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import dag_copies
from harness.setup import WORKFLOWS


def test_copies_take_the_dags_round_robin_and_change_only_the_dag_id(tmp_path: Path) -> None:
    originals = sorted(p.stem for p in WORKFLOWS.glob("*.py"))
    made = dag_copies.write(tmp_path, len(originals) + 1)
    assert [dag_copies.origin_of(d) for d in made] == [*originals, originals[0]]
    assert sorted(p.stem for p in tmp_path.glob("*.py")) == sorted(made)
    for dag_id in made:
        origin = dag_copies.origin_of(dag_id)
        copy = (tmp_path / f"{dag_id}.py").read_text()
        source = (WORKFLOWS / f"{origin}.py").read_text()
        assert copy == source.replace(f'DAG(\n    "{origin}"', f'DAG(\n    "{dag_id}"')
        assert copy != source


def test_a_dag_not_named_after_its_file_is_refused_saying_what_to_do(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "nightly.py").write_text('with DAG("something_else", schedule=None):\n    pass\n')
    with pytest.raises(dag_copies.NotCopyable, match=r"nightly.py: expected one `DAG\('nightly'"):
        dag_copies.write(tmp_path / "out", 1, source)


def test_only_copies_have_an_origin() -> None:
    assert dag_copies.origin_of("example_ecs__copy007") == "example_ecs"
    assert dag_copies.origin_of("example_ecs") is None
    assert dag_copies.origin_of("example_ecs__copyx") is None
