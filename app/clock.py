"""Injectable time sources.

Two clocks matter to Linkdesk and they must never be mixed up:

* ``monotonic()`` measures elapsed time. The countdown of a link is counted on it, so a wrong
  or changing wall clock cannot shorten or lengthen a link's life on screen.
* ``time()`` is the wall clock (Unix seconds). It is used only to *display* times and to
  stamp history rows.

Production code takes a :class:`Clock`; tests pass a :class:`FakeClock` and advance it instead
of sleeping.
"""

from __future__ import annotations

import time as _time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def time(self) -> float: ...


class SystemClock:
    """The real clocks of this machine."""

    def monotonic(self) -> float:
        return _time.monotonic()

    def time(self) -> float:
        return _time.time()

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """A clock that moves only when told to.

    ``wall`` may be set to any value (hours wrong, in the past...) independently of
    ``mono``; :meth:`advance` moves both by the same amount, as real time would.
    """

    def __init__(self, wall: float = 1_767_225_600.0, mono: float = 1_000.0) -> None:
        self.wall = float(wall)
        self.mono = float(mono)

    def monotonic(self) -> float:
        return self.mono

    def time(self) -> float:
        return self.wall

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += seconds

    def set_wall(self, wall: float) -> None:
        """Jump the wall clock only (an NTP step, a user changing the time zone clock)."""
        self.wall = float(wall)

    def __repr__(self) -> str:
        return f"FakeClock(wall={self.wall!r}, mono={self.mono!r})"
