"""A share of Stripe's rate limit for background work such as the directory sync.

:class:`Pacer` implements the interface of the client-wide limiter being built in
:mod:`app.stripe` (``async acquire()``, ``on_rate_limited(retry_after)``), so the sync takes
either. It hands out evenly spaced slots (no burst: a burst is what trips the server's bucket),
at ``share`` of the mode's limit so that the platform's own traffic is never starved, and halves
its pace after a 429 (waiting out ``Retry-After``), recovering gradually.

NOTE for the lead: this is a deliberately small second limiter. Once the client-wide bucket
lands, the sync should take a *child* of it (the bucket's rate times ``share``) instead, so
there is one token bucket; only :func:`sync_limiter` needs to change.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable, Protocol

from app.clock import Clock, SystemClock

RATE_LIMITS = {"test": 25.0, "live": 100.0}  # requests per second (stripe-facts.md)
DEFAULT_SHARE = 0.8
DEFAULT_PAUSE = 1.0  # after a 429 without Retry-After
_MAX_SLOWDOWN = 8.0
_RECOVERY = 0.97  # each slot after a slowdown brings the pace back towards the full share


class RateLimiter(Protocol):
    async def acquire(self) -> None: ...

    def on_rate_limited(self, retry_after: float | None) -> None: ...


class Pacer:
    def __init__(
        self,
        rate: float,
        *,
        clock: Clock | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        default_pause: float = DEFAULT_PAUSE,
    ) -> None:
        if not rate > 0:
            raise ValueError("rate must be positive")
        self.rate = float(rate)
        self._clock = clock or SystemClock()
        self._sleep = sleep
        self._default_pause = default_pause
        self._next = 0.0  # monotonic instant of the next free slot
        self._paused_until = 0.0
        self.slowdown = 1.0
        self.rate_limited = 0  # 429s reported

    async def acquire(self) -> None:
        now = self._clock.monotonic()
        slot = max(now, self._next, self._paused_until)
        self._next = slot + self.slowdown / self.rate
        self.slowdown = max(1.0, self.slowdown * _RECOVERY)
        if slot > now:
            await self._sleep(slot - now)

    def on_rate_limited(self, retry_after: float | None) -> None:
        self.rate_limited += 1
        pause = retry_after if retry_after is not None and retry_after >= 0 else self._default_pause
        self._paused_until = max(self._paused_until, self._clock.monotonic() + min(pause, 60.0))
        self.slowdown = min(_MAX_SLOWDOWN, self.slowdown * 2)


def sync_limiter(mode: str, *, share: float = DEFAULT_SHARE, clock: Clock | None = None) -> Pacer:
    """The limiter a directory sync uses: ``share`` of the mode's limit (20/s test, 80/s live)."""
    if not 0 < share <= 1:
        raise ValueError("share must be in (0, 1]")
    return Pacer(RATE_LIMITS.get(mode, RATE_LIMITS["test"]) * share, clock=clock)
