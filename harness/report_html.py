"""A self-contained HTML report of a matrix run: one file, no network, no build step.

The matrix (scenarios x DAGs; a cell links to its run), the DAG check problems,
and per run what it was meant to show, what happened (tasks, tries, ECS launches),
a drawn timeline (`report_svg`) and every event. Runs that went wrong are open.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from harness import report_svg, report_text

if TYPE_CHECKING:
    from harness.outcome import Problem, Result

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #212121; }
h1 { margin: 0 0 4px; font-size: 22px; }
.summary { font-weight: 600; padding: 8px 12px; border-radius: 4px; display: inline-block; }
.summary.passed { background: #e8f5e9; color: #1b5e20; }
.summary.failed { background: #ffebee; color: #b71c1c; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
td.cell a { text-decoration: none; color: inherit; display: block; }
td.ok { background: #e8f5e9; } td.fail { background: #ffcdd2; font-weight: 600; }
td.na { color: #9e9e9e; text-align: center; }
details.run { border: 1px solid #ddd; border-radius: 4px; margin: 8px 0; padding: 4px 12px; }
details.run.fail { border-color: #e57373; }
details.run > summary { cursor: pointer; font-weight: 600; }
code { background: #f5f5f5; padding: 1px 4px; }
ul.problems li { color: #b71c1c; }
svg.timeline { display: block; margin: 8px 0; }
svg .tick { stroke: #eee; } svg .axis { font-size: 10px; fill: #757575; text-anchor: middle; }
svg .lane { font-size: 12px; fill: #424242; } svg .arn { font-size: 9px; fill: #616161; }
svg .death { font-size: 16px; fill: #b71c1c; font-weight: 700; }
.legend span { display: inline-block; margin-right: 12px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -2px; }
table.events td { font-family: ui-monospace, monospace; font-size: 12px; }
"""

# Opening a run from the matrix (or from a link someone shared) unfolds it.
SCRIPT = """
function openTarget() {
  const target = location.hash && document.getElementById(location.hash.slice(1));
  if (target && target.tagName === "DETAILS") { target.open = true; target.scrollIntoView(); }
}
window.addEventListener("hashchange", openTarget);
window.addEventListener("DOMContentLoaded", openTarget);
"""


def anchor(result: Result) -> str:
    return "run-" + re.sub(r"[^A-Za-z0-9_-]+", "-", f"{result.dag_id}--{result.scenario.name}")


def _matrix(results: Sequence[Result]) -> str:
    dags = sorted({r.dag_id for r in results})
    scenarios = list(dict.fromkeys(r.scenario.name for r in results))
    by_cell = {(r.scenario.name, r.dag_id): r for r in results}
    head = "".join(f"<th>{escape(d)}</th>" for d in dags)
    rows = []
    for name in scenarios:
        cells = []
        for dag in dags:
            r = by_cell.get((name, dag))
            if r is None:
                cells.append('<td class="na" title="does not apply">-</td>')
                continue
            text = f"{report_text.verdict(r)} · {r.run_state} · {r.launches} ECS · {r.seconds:.1f}s"
            cls = "ok" if r.ok else "fail"
            cells.append(
                f'<td class="cell {cls}" data-dag="{escape(dag)}" data-scenario="{escape(name)}">'
                f'<a href="#{anchor(r)}">{escape(text)}</a></td>'
            )
        rows.append(f"<tr><th>{escape(name)}</th>{''.join(cells)}</tr>")
    return f'<table class="matrix"><tr><th>scenario</th>{head}</tr>{"".join(rows)}</table>'


def _legend() -> str:
    items = [*report_svg.TRY_COLOURS.items(), *report_svg.ECS_COLOURS.items()]
    spans = "".join(f'<span><i style="background:{c}"></i>{escape(n)}</span>' for n, c in items)
    return f'<p class="legend">{spans}<span>✕ worker died</span><span>◆ ECS API fault</span></p>'


def _tasks(result: Result) -> str:
    rows = []
    for task_id in result.task_order:
        t = result.tasks.get(task_id)
        if t is None:
            continue
        rows.append(
            "<tr>"
            f"<td>{escape(task_id)}</td><td>{escape(t.state)}</td><td>{t.tries}</td>"
            f"<td>{len(t.launches)}</td><td>{len(t.succeeded)}</td>"
            f"<td>{escape(t.error or '')}</td></tr>"
        )
    return (
        '<table class="tasks"><tr><th>task</th><th>state</th><th>tries</th><th>ECS tasks started</th>'
        f"<th>ran to exit 0</th><th>last error</th></tr>{''.join(rows)}</table>"
    )


def _events(result: Result) -> str:
    rows = "".join(
        f"<tr><td>{e.virtual:.1f}</td><td>{escape(e.kind)}</td>"
        f"<td>{escape(e.task_id or '')}</td><td>{escape(e.text)}</td></tr>"
        for e in result.timeline.events
    )
    return (
        f"<details><summary>All {len(result.timeline.events)} events</summary>"
        '<table class="events"><tr><th>virtual s</th><th>kind</th><th>task</th><th>what</th></tr>'
        f"{rows}</table></details>"
    )


def _run(result: Result) -> str:
    cls = "ok" if result.ok else "fail"
    opened = "" if result.ok else " open"
    problems = "".join(f"<li>{escape(p)}</li>" for p in result.problems)
    deaths = ", ".join(d.describe() for d in result.scenario.deaths) or "none"
    return (
        f'<details class="run {cls}" id="{anchor(result)}"{opened}>'
        f"<summary>{escape(result.dag_id)} &times; {escape(result.scenario.name)}: "
        f"{report_text.verdict(result)} ({escape(result.run_state)})</summary>"
        f"<p>{escape(result.scenario.summary)}. Seed {result.seed}; worker deaths: "
        f"{escape(deaths)}; {result.launches} ECS task(s) launched; "
        f"{result.seconds:.2f} s wall, {result.virtual_seconds:.0f} s virtual.</p>"
        + (f'<ul class="problems">{problems}</ul>' if problems else "")
        + f"<p>Reproduce: <code>{escape(result.reproduce())}</code></p>"
        + _tasks(result)
        + report_svg.draw(result)
        + _events(result)
        + "</details>"
    )


def page(results: Sequence[Result], problems: Sequence[Problem], seconds: float) -> str:
    text = report_text.summary(results, problems, seconds)
    passed = text.startswith("PASSED")
    checks = ""
    if problems:
        items = "".join(f"<li>{escape(str(p))}</li>" for p in problems)
        checks = f'<section id="checks"><h2>DAG check problems</h2><ul class="problems">{items}</ul></section>'
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>test-dags: {escape(text)}</title><style>{STYLE}</style>"
        f"<script>{SCRIPT}</script></head><body>"
        f'<header><h1>make test-dags</h1><p class="summary {"passed" if passed else "failed"}">'
        f"{escape(text)}</p></header>{checks}"
        f'<section id="matrix"><h2>Matrix</h2>{_matrix(results)}'
        "<p>Each cell: verdict · DAG run state · ECS tasks launched · wall time. Click for the run.</p>"
        "</section>"
        f'<section id="runs"><h2>Runs</h2>{_legend()}{"".join(_run(r) for r in results)}</section>'
        "</body></html>\n"
    )


def write(
    path: Path, results: Sequence[Result], problems: Sequence[Problem], seconds: float
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page(results, problems, seconds), encoding="utf-8")
