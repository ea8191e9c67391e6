"""The DAG checks catch the mistakes that otherwise only show up in production."""

from __future__ import annotations

from typing import Any


def problems_of(session: Any, check: str) -> list[str]:
    return [str(p) for p in session.loaded.problems if p.check == check]


def test_the_real_workflows_pass_every_check(harness: Any) -> None:
    assert harness.loaded.problems == []
    assert set(harness.loaded.dags) == {
        "example_ecs",
        "geoweb_marc_load",
        "hoard_jpal_harvest",
        "timdex_aspace_harvest",
    }


def test_a_sensor_watching_a_task_that_does_not_exist_is_named(broken_harness: Any) -> None:
    (problem,) = problems_of(broken_harness, "sensor-target")
    assert problem == (
        "broken_sensor_target.done: [sensor-target] ecs_task_id='runn' is not a task of this DAG"
    )


def test_configuration_read_at_import_is_caught_both_ways(broken_harness: Any) -> None:
    found = problems_of(broken_harness, "config-at-import") + problems_of(broken_harness, "import")
    assert any(
        "config_at_import.py (broken_config_at_import)" in p and "reads ECS_CLUSTER" in p
        for p in found
    ), found
    assert any(
        "config_key_at_import.py" in p and "KeyError: 'ES_URL'" in p and "reads configuration" in p
        for p in found
    ), found


def test_an_xcom_key_that_is_never_pushed_fails_the_run_with_the_template_named(
    broken_harness: Any,
) -> None:
    result = broken_harness.run("broken_xcom_key", _all_succeed())
    run = result.tasks["run"]
    assert run.state == "failed" and run.tries == 1  # no retry: retrying cannot fix a template
    assert "xcom_pull(task_ids='make_path', key='output_path') and finds nothing" in run.error
    assert run.launches == []  # nothing was started with "None" as its input
    assert any("run: failed, expected success" in p for p in result.problems)


def _all_succeed() -> Any:
    from harness.scenarios import BY_NAME

    return BY_NAME["all-succeed"]
