"""get_test_run: the examples expose `test_run`; here it is a plain call of dag.test()."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def get_test_run(dag: Any) -> Callable[[], Any]:
    def test_run() -> Any:
        return dag.test()

    return test_run
