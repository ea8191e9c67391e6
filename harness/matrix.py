"""The scenario matrix: which scenario runs on which DAG, and running them all.

`plan` picks the (DAG, scenario) pairs from the catalogue, refusing names that
do not exist with the names that do. `harness.matrix_plugin` makes each pair a
pytest item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.scenarios import BY_NAME, CATALOGUE, Scenario

if TYPE_CHECKING:  # the runner imports Airflow, which must be configured first
    from harness.runner import Session


class UnknownName(ValueError):
    """A scenario or DAG named on the command line that does not exist."""


@dataclass(frozen=True)
class Cell:
    dag_id: str
    scenario: Scenario

    @property
    def id(self) -> str:
        """`<dag_id>::<scenario>`: the cell's pytest node id, stable for CI's test history."""
        return f"{self.dag_id}::{self.scenario.name}"


def _pick_scenarios(names: Sequence[str]) -> list[Scenario]:
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise UnknownName(
            f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(BY_NAME)} "
            "(harness list shows them)"
        )
    return [BY_NAME[n] for n in names] if names else list(CATALOGUE)


def plan(
    session: Session,
    scenario_names: Sequence[str] = (),
    dag_ids: Sequence[str] = (),
    seed: int | None = None,
) -> list[Cell]:
    """Every named scenario (default: all) on every named DAG (default: all) it applies to."""
    known = sorted(session.loaded.dags)
    unknown = [d for d in dag_ids if d not in known]
    if unknown:
        raise UnknownName(
            f"unknown DAG(s) {', '.join(unknown)}; the DAGs folder has: {', '.join(known) or 'none'}"
        )
    scenarios = _pick_scenarios(scenario_names)
    dags = list(dag_ids) or known
    cells = [
        Cell(dag_id, scenario.with_seed(seed))
        for dag_id in dags
        for scenario in scenarios
        if session.applies(scenario, dag_id)
    ]
    if (scenario_names or dag_ids) and not cells:
        raise UnknownName(
            f"none of the scenarios {', '.join(s.name for s in scenarios)} applies to "
            f"{', '.join(dags)} (harness list shows what applies where)"
        )
    return cells
