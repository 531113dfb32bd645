"""One client-side rate limiter per API key, so bursts are spread instead of failing.

Stripe limits each key (100 requests/s in live mode, 25/s in test mode) over any one-second
window; a burst above that comes back as 429s, and retries alone lose the race (issue 8: 41 %
of 200 concurrent creates failed). :class:`RateLimiter` paces every request of a
:class:`~app.stripe.client.StripeClient`; waiters are served first come, first served.

* **No burst above the key's limit.** Requests go out evenly at ``rate * share`` per second,
  and the bucket holds only 1 + half the headroom the share leaves (3.5 requests for a
  test key at the default share, 11 for a live key): no one-second window ever holds more than
  the key's limit, even right after an idle spell. (A full bucket of one second's worth sent
  40 requests in the first second of a sync; against a strict one-second window the 429s that
  followed cost the sync 3.6x its time, issue 18.)
* **One cut per congestion event.** A 429 halves the rate at once (and honours ``Retry-After``),
  but the 429s of requests that were already on their way when the rate was cut are the same
  congestion, not a new one: they do not halve it again. The client's own requests are known by
  the instant :meth:`RateLimiter.acquire` let them go; for a 429 reported without it (another
  loop's limiter, an extra limiter), 429s within :data:`SAME_EVENT_SECONDS` of a cut count as one.
* **Quick recovery.** After a cut the rate climbs back to the configured one over
  :data:`RECOVERY_SECONDS`.

Build one per key at start-up (:class:`RateLimiterPool`) and pass it to every client and
service that uses that key. Time is injected: ``clock`` (monotonic seconds) and ``sleep``.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Awaitable, Callable

LIVE_RATE = 100.0  # requests per second Stripe allows a live key
TEST_RATE = 25.0  # ... and a test-mode key (sandbox)
DEFAULT_SHARE = 0.8  # leave a fifth of the key's limit to the platform's other users of it
RECOVERY_SECONDS = 4.0  # after a 429, back to the full rate in this long
SAME_EVENT_SECONDS = 1.0  # 429s reported without their send instant: one event within this
MIN_RATE = 0.5  # never slower than one request every two seconds
MAX_RETRY_AFTER = 60.0  # a longer Retry-After is capped (the request deadline ends it anyway)
_EPSILON = 1e-9

# The instant the current task's last request was let go, per limiter: a 429 for it is reported
# from the same task (the client awaits acquire() then the answer), so it needs no ticket.
_SENT: contextvars.ContextVar[tuple[int, float] | None] = contextvars.ContextVar("ratelimit_sent", default=None)


class RateLimiter:
    """A token bucket: ``rate * share`` requests per second, holding ``burst`` requests
    (by default ``1 + rate * (1 - share) / 2``: one second of it stays under ``rate``).

    ``acquire()`` waits until a request may go; ``on_rate_limited()`` is called on each 429.
    """

    def __init__(
        self,
        rate: float,
        *,
        share: float = DEFAULT_SHARE,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if not rate > 0:
            raise ValueError("rate must be positive")
        if not 0 < share <= 1:
            raise ValueError("share must be above 0 and at most 1")
        self.limit = float(rate) * float(share)
        headroom = float(rate) - self.limit
        self.burst = max(1.0, float(burst) if burst is not None else 1.0 + headroom / 2)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._last = clock()
        self._reduced = self.limit  # the rate right after the last cut
        self._limited_at: float | None = None
        self._cut_at = float("-inf")  # when the rate was last cut
        self._blocked_until = self._last
        self._lock = asyncio.Lock()
        self.rate_limited_count = 0  # 429s reported
        self.cuts = 0  # congestion events: times the rate was halved

    @classmethod
    def for_mode(cls, mode: str, **options: object) -> "RateLimiter":
        """The limiter for a key of ``mode`` ("live" or "test") at Stripe's default limits."""
        return cls(LIVE_RATE if mode == "live" else TEST_RATE, **options)  # type: ignore[arg-type]

    @property
    def rate(self) -> float:
        """Requests per second allowed now (below :attr:`limit` for a while after a 429)."""
        if self._limited_at is None:
            return self.limit
        progress = min(1.0, max(0.0, self._clock() - self._limited_at) / RECOVERY_SECONDS)
        if progress >= 1.0:
            self._limited_at = None
        return self._reduced + (self.limit - self._reduced) * progress

    @property
    def blocked_for(self) -> float:
        """Seconds until a ``Retry-After`` the server sent has passed (0 when none holds)."""
        return max(0.0, self._blocked_until - self._clock())

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._last)
        self._last = now
        self._tokens = min(self.burst, self._tokens + elapsed * self.rate)

    async def acquire(self) -> float:
        """Wait until one more request may be sent, then take its token; returns the instant
        (on ``clock``) it was let go. Waiters are served in the order they came; cancelling a
        waiter takes nothing."""
        async with self._lock:
            while True:
                now = self._clock()
                self._refill(now)
                short = 1.0 - self._tokens
                wait = max(self._blocked_until - now, short / self.rate if short > _EPSILON else 0.0)
                if wait <= _EPSILON:  # rounding must not leave a waiter spinning on 1e-17 s
                    self._tokens = max(0.0, self._tokens - 1.0)
                    _SENT.set((id(self), now))
                    return now
                await self._sleep(wait)

    def on_rate_limited(self, retry_after: float | None, sent: float | None = None) -> None:
        """Stripe answered 429 to a request let go at ``sent`` (by default: the calling task's
        last request through this limiter). Unless that request left before the rate was last
        cut (the same congestion), halve the rate and empty the bucket; when the server said how
        long to wait (``Retry-After`` seconds), send nothing before then."""
        now = self._clock()
        self._refill(now)
        self.rate_limited_count += 1
        if sent is None:
            mine = _SENT.get()
            sent = mine[1] if mine is not None and mine[0] == id(self) else None
        same_event = sent < self._cut_at if sent is not None else now - self._cut_at < SAME_EVENT_SECONDS
        if not same_event:
            self.cuts += 1
            self._reduced = max(MIN_RATE, min(self.rate, self.limit) / 2)
            self._limited_at = self._cut_at = now
            self._tokens = min(self._tokens, 0.0)
        if retry_after is not None and retry_after > 0:
            self._blocked_until = max(self._blocked_until, now + min(retry_after, MAX_RETRY_AFTER))

    def __repr__(self) -> str:
        return f"RateLimiter(limit={self.limit:g}/s, rate={self.rate:g}/s)"


class RateLimiterPool:
    """One :class:`RateLimiter` per API key, built on first use; share one pool app-wide so
    every client and service using a key shares its budget."""

    def __init__(self, *, share: float = DEFAULT_SHARE, **options: object) -> None:
        self._share = share
        self._options = options
        self._limiters: dict[object, RateLimiter] = {}

    def __contains__(self, api_key: object) -> bool:
        """Whether ``api_key`` has a limiter yet (some request of this process used the key)."""
        return api_key in self._limiters

    def for_key(self, api_key: object) -> RateLimiter:
        """The limiter of ``api_key`` (an :class:`app.stripe.keys.ApiKey`)."""
        limiter = self._limiters.get(api_key)
        if limiter is None:
            mode = getattr(api_key, "mode", "test")
            limiter = RateLimiter.for_mode(mode, share=self._share, **self._options)
            self._limiters[api_key] = limiter
        return limiter
