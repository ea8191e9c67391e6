"""One run drawn on its virtual-time axis, as inline SVG for the HTML report.

A lane per Airflow task: a bar per try (coloured by how it ended), under it a
row per ECS task it launched (coloured by ECS state), a cross where its worker
died; a lane on top for the fault rules that fired. Hovering shows the details.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.outcome import Result
    from harness.timeline import Event

LEFT, WIDTH, RIGHT = 190, 760, 20
TRY_HEIGHT, ECS_HEIGHT, GAP, AXIS = 18, 9, 10, 26
MIN_BAR = 3.0
TRY_COLOURS = {
    "success": "#2e7d32",
    "failed": "#c62828",
    "up_for_retry": "#ef6c00",
    "running": "#90a4ae",
}
ECS_COLOURS = {
    "PROVISIONING": "#b3e5fc",
    "PENDING": "#81d4fa",
    "ACTIVATING": "#4fc3f7",
    "RUNNING": "#0277bd",
    "DEACTIVATING": "#7e57c2",
    "STOPPING": "#9575cd",
    "DEPROVISIONING": "#b39ddb",
    "STOPPED": "#424242",
}


@dataclass
class Try:
    number: int
    start: float
    end: float | None = None
    state: str = "running"
    text: str = ""


@dataclass
class Lane:
    task_id: str
    tries: dict[int, Try] = field(default_factory=dict)
    ecs: dict[str, list[Event]] = field(default_factory=dict)  # arn -> its state events
    deaths: list[Event] = field(default_factory=list)

    @property
    def height(self) -> int:
        return TRY_HEIGHT + ECS_HEIGHT * len(self.ecs) + GAP


def lanes(result: Result) -> list[Lane]:
    by_task = {task_id: Lane(task_id) for task_id in result.task_order}
    for event in result.timeline.events:
        lane = by_task.get(event.task_id or "")
        if lane is None:
            continue
        number = event.data.get("try_number")
        if event.kind == "attempt" and number is not None:
            lane.tries.setdefault(number, Try(number, event.virtual))
        elif event.kind == "attempt-end" and number is not None:
            found = lane.tries.setdefault(number, Try(number, event.virtual))
            found.end, found.state, found.text = event.virtual, event.data["state"], event.text
        elif event.kind == "ecs-state":
            lane.ecs.setdefault(event.data["arn"], []).append(event)
        elif event.kind == "death":
            lane.deaths.append(event)
    return list(by_task.values())


def _span(result: Result) -> float:
    return max([1.0, *(e.virtual for e in result.timeline.events)])


def _ticks(span: float) -> list[float]:
    steps = [1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 3 * 3600, 6 * 3600, 86400]
    step = next((s for s in steps if span / s <= 8), steps[-1])
    return [i * step for i in range(int(span // step) + 1)]


def _label(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g}h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g}m"
    return f"{seconds:g}s"


def _rect(x: float, y: float, w: float, h: float, colour: str, title: str, cls: str) -> str:
    return (
        f'<rect class="{cls}" x="{x:.1f}" y="{y}" width="{max(w, MIN_BAR):.1f}" height="{h}" '
        f'fill="{colour}"><title>{escape(title)}</title></rect>'
    )


def draw(result: Result) -> str:
    span = _span(result)

    def x(t: float) -> float:
        return LEFT + WIDTH * t / span

    faults = result.timeline.of("fault")
    drawn = lanes(result)
    height = AXIS + (TRY_HEIGHT + GAP if faults else 0) + sum(lane.height for lane in drawn)
    out = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{LEFT + WIDTH + RIGHT}" '
        f'height="{height}" role="img" aria-label="timeline of {escape(result.dag_id)} under '
        f'{escape(result.scenario.name)}">'
    ]
    for tick in _ticks(span):
        out.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="14" y2="{height}" class="tick"/>'
            f'<text x="{x(tick):.1f}" y="11" class="axis">{_label(tick)}</text>'
        )
    y = AXIS
    if faults:
        out.append(f'<text x="4" y="{y + 13}" class="lane">ECS API faults</text>')
        for event in faults:
            cx, cy = x(event.virtual), y + TRY_HEIGHT / 2
            out.append(
                f'<path class="fault" d="M{cx:.1f},{cy - 7} l7,7 l-7,7 l-7,-7 z" fill="#f9a825">'
                f"<title>{escape(f'{_label(round(event.virtual, 1))}: {event.text}')}</title></path>"
            )
        y += TRY_HEIGHT + GAP
    for lane in drawn:
        out.append(f'<text x="4" y="{y + 13}" class="lane">{escape(lane.task_id)}</text>')
        for attempt in lane.tries.values():
            end = attempt.end if attempt.end is not None else span
            colour = TRY_COLOURS.get(attempt.state, "#90a4ae")
            title = attempt.text or f"try {attempt.number} {attempt.state}"
            out.append(
                _rect(
                    x(attempt.start), y, x(end) - x(attempt.start), TRY_HEIGHT, colour, title, "try"
                )
            )
        row = y + TRY_HEIGHT
        for arn, states in lane.ecs.items():
            for state, following in zip(states, [*states[1:], None], strict=True):
                end = following.virtual if following is not None else state.virtual
                colour = ECS_COLOURS.get(state.data["state"], "#999")
                out.append(
                    _rect(
                        x(state.virtual),
                        row + 1,
                        x(end) - x(state.virtual),
                        ECS_HEIGHT - 2,
                        colour,
                        state.text,
                        "ecs",
                    )
                )
            out.append(
                f'<text x="{x(states[-1].virtual) + 5:.1f}" y="{row + ECS_HEIGHT - 1}" '
                f'class="arn">{escape(arn.rsplit("/", 1)[-1][:8])}</text>'
            )
            row += ECS_HEIGHT
        for death in lane.deaths:
            out.append(
                f'<text class="death" x="{x(death.virtual) - 5:.1f}" y="{y + 14}">✕'
                f"<title>{escape(death.text)}</title></text>"
            )
        y += lane.height
    out.append("</svg>")
    return "".join(out)
