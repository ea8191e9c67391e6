"""The benchmark figures as a table a person reads, and the targets they are held to.

Targets are reported, never asserted: a benchmark that misses one prints `missed` and
the figure, so a slower commit is visible without making a test flaky.
"""

from __future__ import annotations

from typing import Any

WIRE_OPERATIONS = ("RunTask", "DescribeTasks", "ListTasks")


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(
        c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [_row(header, widths), _row(["-" * w for w in widths], widths)] + [
        _row(r, widths) for r in rows
    ]


def _pair(rows: list[dict[str, Any]], clients: int) -> tuple[dict[str, Any], dict[str, Any]]:
    by = {r["server"]: r for r in rows if r["clients"] == clients}
    return by["fakeecs"], by["moto"]


def wire_ratios(rows: list[dict[str, Any]]) -> dict[str, float]:
    """fakeecs's throughput over moto's, per operation and number of clients."""
    ratios = {}
    for clients in sorted({r["clients"] for r in rows}):
        fake, moto = _pair(rows, clients)
        for op in WIRE_OPERATIONS:
            theirs = moto[op]["ops_per_second"]
            ratios[f"{op}@{clients}"] = fake[op]["ops_per_second"] / theirs if theirs else 0.0
        ratios[f"memory@{clients}"] = moto["rss_holding_tasks_mib"] / fake["rss_holding_tasks_mib"]
    return ratios


def scale_targets(scale: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """The harness scale part: cost linear in cells, a cell's cost flat, 2 workers on 2 cores."""
    found: list[tuple[str, bool, str]] = []
    sizes = scale["sizes"]
    if len(sizes) > 1:
        span = f"{sizes[0]['dags']} -> {sizes[-1]['dags']} DAGs"
        r2 = scale["fit"]["r_squared"]
        found.append(
            (f"harness CPU cost linear in cells, R^2 >= 0.99 ({span})", r2 >= 0.99, f"{r2:.4f}")
        )
        small, large = sizes[0]["cell_median_seconds"], sizes[-1]["cell_median_seconds"]
        growth = large / small if small else 0.0
        found.append((f"harness cell cost flat ({span})", growth <= 1.25, f"x{growth:.2f}"))
    by = {r["workers"]: r for r in scale["workers"]}
    if 1 in by and 2 in by and scale["cores"] >= 2:
        speed_up = by[2]["speed_up"]
        cells = by[2]["cells"]
        found.append(
            (
                f"harness 2 workers >= 1.6x one ({cells} cells, {scale['cores']} cores)",
                speed_up >= 1.6,
                f"{speed_up:.2f}x",
            )
        )
    return found


def targets(figures: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """(target, met, the figure it was judged on) for every target the figures allow judging."""
    found: list[tuple[str, bool, str]] = []
    if "wire" in figures:
        ratios = wire_ratios(figures["wire"])
        for key, ratio in ratios.items():
            op, clients = key.split("@")
            if op in ("RunTask", "DescribeTasks"):
                found.append(
                    (f"{op} >= 2x moto ({clients} clients)", ratio >= 2.0, f"{ratio:.1f}x")
                )
            if op == "memory":
                found.append(
                    (f"less memory than moto ({clients} clients)", ratio > 1.0, f"{ratio:.2f}x")
                )
    if "scaling" in figures and len(figures["scaling"]) > 1:
        small, large = figures["scaling"][0], figures["scaling"][-1]
        for key, label in (
            ("describe_tasks_100_ms", "DescribeTasks cost flat"),
            ("advance_idle_ms", "idle clock advance flat"),
            ("advance_100_changing_ms", "advance costs what changes"),
        ):
            growth = large[key] / small[key] if small[key] else 0.0
            span = f"{small['tasks']:,} -> {large['tasks']:,} tasks"
            found.append((f"{label} ({span})", growth <= 1.5, f"x{growth:.2f}"))
    if "placement" in figures and len(figures["placement"]) > 1:
        small, large = figures["placement"][0], figures["placement"][-1]
        key = "us_per_instance_per_task"
        growth = large[key] / small[key] if small[key] else 0.0
        span = f"{small['instances']:,} -> {large['instances']:,} instances"
        found.append(
            (f"placement cost per instance flat ({span})", growth <= 1.5, f"x{growth:.2f}")
        )
    if "harness_scale" in figures:
        found += scale_targets(figures["harness_scale"])
    if "harness" in figures:
        for dag in figures["harness"]["dags"]:
            pct = dag["overhead_pct"]
            found.append((f"harness overhead < 20% ({dag['dag_id']})", pct < 20.0, f"{pct:+.0f}%"))
    return found


def render_scale(scale: dict[str, Any]) -> list[str]:
    """The harness scale part's tables: by repository size, then by worker count."""
    lines = [
        f"harness run on copies of the workflows/ DAGs, scenarios {', '.join(scale['scenarios'])}, "
        f"{scale['cores']} cores:"
    ]
    header = ["DAGs", "workers", "cells", "wall s", "CPU s", "cells/s/core", "cell median s"]
    header += ["speed-up", "load 1-min", "unexpected"]
    rows = []
    for r in [*scale["sizes"], *(w for w in scale["workers"] if w not in scale["sizes"])]:
        speed_up = r.get("speed_up")
        rows.append(
            [
                str(r["dags"]),
                str(r["workers"]),
                str(r["cells"]),
                f"{r['wall_seconds']:.1f}",
                f"{r['cpu_seconds']:.1f}",
                f"{r['cells_per_second_per_core']:.3f}",
                f"{r['cell_median_seconds']:.2f}",
                f"{speed_up:.2f}x" if speed_up is not None else "",
                " -> ".join(f"{v:.1f}" for v in r["load_average_1min"]),
                str(len(r["cells_not_as_expected"])),
            ]
        )
    lines += _table(header, rows)
    for key, what in (("fit", "CPU"), ("wall_fit", "wall")):
        f = scale[key]
        lines.append(
            f"fit at {scale['fit_workers']} worker(s): {what} s = {f['fixed_seconds']:.1f} + "
            f"{f['seconds_per_cell']:.3f} x cells, R^2 {f['r_squared']:.4f}"
        )
    return [*lines, ""]


def render(figures: dict[str, Any]) -> str:
    lines: list[str] = [f"# {figures['date']} on {figures['machine']}"]
    load = figures.get("load_average")
    if load:
        during = ", ".join(
            f"{when} {' '.join(f'{v:.2f}' for v in load[when])}"
            for when in ("start", "end")
            if when in load
        )
        lines.append(f"# load average (1, 5, 15 min): {during}")
    lines.append("")
    if "wire" in figures:
        tasks = figures["wire"][0]["tasks"]
        lines.append(f"boto3 over HTTP, {tasks:,} tasks (RunTask count 10, FARGATE awsvpc):")
        rows = []
        for r in figures["wire"]:
            for op in WIRE_OPERATIONS:
                s = r[op]
                rows.append(
                    [
                        r["server"],
                        str(r["clients"]),
                        op,
                        f"{s['calls']:,}",
                        f"{s['ops_per_second']:.1f}",
                        f"{s['p50_ms']:.1f}",
                        f"{s['p99_ms']:.1f}",
                        f"{r['rss_holding_tasks_mib']:.0f}",
                    ]
                )
        header = ["server", "clients", "operation", "calls", "ops/s", "p50 ms", "p99 ms", "RSS MiB"]
        lines += _table(header, rows)
        ratios = wire_ratios(figures["wire"])
        lines.append("fakeecs / moto: " + ", ".join(f"{k} {v:.1f}x" for k, v in ratios.items()))
        lines.append("")
    if "scaling" in figures:
        lines.append("fakeecs engine, no HTTP, by tasks held:")
        header = ["tasks", "RunTask ms", "Describe 100 ms", "idle advance ms", "advance 100 ms"]
        header.append("KiB/task")
        rows = [
            [
                f"{r['tasks']:,}",
                f"{r['run_task_ms_per_call']:.2f}",
                f"{r['describe_tasks_100_ms']:.2f}",
                f"{r['advance_idle_ms']:.4f}",
                f"{r['advance_100_changing_ms']:.2f}",
                f"{r['memory_kib_per_task']:.1f}",
            ]
            for r in figures["scaling"]
        ]
        lines += _table(header, rows)
        lines.append("")
    if "placement" in figures:
        lines.append("EC2 placement, engine, no HTTP, by container instances (4 tasks on each):")
        header = [
            "instances",
            "RunTask x10 ms",
            "binpack x10 ms",
            "List filtered ms",
            "us/instance",
        ]
        rows = [
            [
                f"{r['instances']:,}",
                f"{r['run_task_10_random_ms']:.2f}",
                f"{r['run_task_10_binpack_ms']:.2f}",
                f"{r['list_filtered_ms']:.2f}",
                f"{r['us_per_instance_per_task']:.1f}",
            ]
            for r in figures["placement"]
        ]
        lines += _table(header, rows)
        lines.append("")
    if "harness" in figures:
        h = figures["harness"]
        lines.append(
            f"harness: start-up {h['start_up_seconds']:.1f} s, first run {h['first_run_seconds']:.1f} s, "
            f"{h['cells']} cells in {h['matrix_seconds']:.1f} s; "
            f"make test-dags about {h['make_test_dags_seconds']:.0f} s"
        )
        rows = [[name, f"{s:.2f}"] for name, s in h["per_scenario_median_seconds"].items()]
        lines += _table(["scenario", "median s"], rows)
        header = ["DAG", "harness s", "bare dag.test() s", "overhead", "describes h/b"]
        rows = [
            [
                d["dag_id"],
                f"{d['harness_seconds']:.2f}",
                f"{d['bare_dag_test_seconds']:.2f}",
                f"{d['overhead_pct']:+.0f}%",
                f"{d['harness_describe_tasks']}/{d['bare_describe_tasks']}",
            ]
            for d in h["dags"]
        ]
        lines += ["", *_table(header, rows), ""]
    if "harness_scale" in figures:
        lines += render_scale(figures["harness_scale"])
    checks = targets(figures)
    if checks:
        lines.append("targets:")
        lines += [f"  {'met   ' if ok else 'MISSED'} {name}: {value}" for name, ok, value in checks]
    return "\n".join(lines)
