"""One function per ECS operation, registered in `registry.OPERATIONS`.

Importing this package imports every module in it, so a new operation module
is picked up by being there: nothing lists the modules by hand.
"""

import importlib
import pkgutil

from fakeecs.api.registry import OPERATIONS, SPECS, CallContext, operation


def _import_all() -> None:
    for module in pkgutil.iter_modules(__path__, prefix=f"{__name__}."):
        importlib.import_module(module.name)


_import_all()

__all__ = ["OPERATIONS", "SPECS", "CallContext", "operation"]
