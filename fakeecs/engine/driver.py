"""Runs the engine's events when they are due, with nobody calling.

With scripted containers, state may wait for the next call to catch up (the
result is the same). Real containers cannot wait: a task's containers must start
when its RUNNING step is due, whether or not a client polls. The driver sleeps
until the next event (or until one is queued) and catches the engine up.
"""

from __future__ import annotations

import threading

from fakeecs.clock import wait_for
from fakeecs.engine.core import Engine


class Driver:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, daemon=True, name="fakeecs-driver")
        engine.wakers.append(self._wake.set)

    def start(self) -> Driver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stopping:
            with self.engine.transaction():
                due = self.engine.queue.next_time()
                wait = None if due is None else max(0.0, due - self.engine.clock.now())
            wait_for(self._wake, wait)
            self._wake.clear()
