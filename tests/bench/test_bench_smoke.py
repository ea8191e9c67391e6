"""`make bench` measures what it says (tiny sizes here; the figures are not asserted)."""

from __future__ import annotations

from bench.run import bench_engine, bench_wire


def test_the_fakeecs_benchmarks_run_and_report_rates() -> None:
    figures = {**bench_wire(calls=20), **bench_engine(tasks=20)}
    assert set(figures) == {
        "runtask_per_second",
        "describe_tasks_per_second",
        "lifecycle_tasks_per_second",
    }
    assert all(value > 0 for value in figures.values())
