"""Python's cyclic garbage collector, run only on the thread that owns the Qt objects.

Why: the collector runs in whichever thread happens to allocate past its threshold. In the
window that can be the in-process sandbox's HTTP threads, the history worker, or any library
thread. If that collection frees a cycle holding a Qt object, the object's C++ destructor runs
on that thread: Qt says "QObject::~QObject: Timers cannot be stopped from another thread" and
the event loop may later crash on the half-destroyed object (seen as segfaults inside qasync's
``run_forever`` on Python 3.13, and as those warnings on every version).

So while the window runs, automatic collection is off and :class:`OwnedCollector` collects
from the owning (Qt) thread instead, on a timer, generation by generation, when the counts say
a collection is due, as the interpreter itself would. No Qt here: the timer is the event
loop's (``run_on(loop)``; qasync runs it on the Qt thread). The command line does not need it.
"""

from __future__ import annotations

import asyncio
import gc
import threading

TICK_S = 0.1  # how often the owner looks at the counts; a gen-0 collection costs ~0.1 ms


class OwnedCollector:
    """Turns automatic collection off and collects on the owner thread only. Use
    :meth:`start` (or ``with``) on the owner thread, then call :meth:`tick` there regularly,
    or let :meth:`run_on` schedule it on an event loop."""

    def __init__(self) -> None:
        self._owner: int | None = None
        self._was_enabled = False
        self._handle: asyncio.TimerHandle | None = None
        self.collections = [0, 0, 0]  # per generation, for tests and diagnostics

    @property
    def active(self) -> bool:
        return self._owner is not None

    def start(self) -> "OwnedCollector":
        if self._owner is None:
            self._owner = threading.get_ident()
            self._was_enabled = gc.isenabled()
            gc.disable()
        return self

    def tick(self) -> int | None:
        """Collect the oldest generation that is due, as the automatic collector would; returns
        it, or None when nothing is due. Does nothing off the owner thread."""
        if self._owner != threading.get_ident():
            return None
        counts, thresholds = gc.get_count(), gc.get_threshold()
        due = None
        for generation in range(3):
            if thresholds[generation] and counts[generation] > thresholds[generation]:
                due = generation
        if due is None:
            return None
        gc.collect(due)
        self.collections[due] += 1
        return due

    def run_on(self, loop: asyncio.AbstractEventLoop, interval: float = TICK_S) -> None:
        """Call :meth:`tick` every ``interval`` seconds on ``loop`` (its thread must be the
        owner) until :meth:`stop`."""

        def again() -> None:
            self.tick()
            if self._owner is not None and not loop.is_closed():
                self._handle = loop.call_later(interval, again)

        self._handle = loop.call_later(interval, again)

    def stop(self) -> None:
        """Stop ticking, collect everything once on this (owner) thread, and give collection
        back to the interpreter as it was. Safe to call twice."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._owner is None:
            return
        self._owner = None
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def __enter__(self) -> "OwnedCollector":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
