"""fakeecs: an offline Amazon ECS that speaks the real wire protocol.

`FakeECS` runs one in this process; `fakeecs serve` runs one as a server.
"""

from fakeecs.control import ControlClient, ControlError
from fakeecs.inprocess import FakeECS

__all__ = ["ControlClient", "ControlError", "FakeECS"]
