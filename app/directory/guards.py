"""What keeps a directory sync finite and plain-spoken when the account list misbehaves (issue 18).

* :class:`ListOrder`: a window's pages must go down in ``created``, stay within its bounds and
  never list an id twice within one second (nor more than :data:`MAX_PER_SECOND` ids in one):
  a cursor cycle or a server ignoring ``starting_after`` is caught on the page it comes back.
* :func:`bound`: how many accounts one run may fetch before the list is taken to have no end.
* :class:`RateLimitWaits`: 429s are waited out (``Retry-After``, else a growing backoff) with
  the next try's time in the progress, for at most ``max_wait`` seconds in a row.

Each ends the sync with :class:`SyncStopped` or :class:`SyncRateLimited`, whose ``explanation``
says what happened in words; the sync keeps what it fetched before.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Awaitable, Callable

from app.clock import Clock
from app.directory.record import AccountSummary
from app.stripe.errors import RateLimitError, UntrustedAnswerError

MAX_RATE_LIMITED_WAIT = 120.0  # seconds of 429s in a row (no page answered) before the sync gives up
MAX_ACCOUNTS = 1_000_000  # no sync fetches more than this: a list that goes on is not Stripe's
BOUND_FACTOR = 10  # ... nor more than this many times what its first page suggested,
BOUND_FLOOR = 100_000  # ... unless that is less than this (a first page can underestimate a lot)
MAX_PER_SECOND = 1_000  # accounts listed with one ``created`` second: Stripe creates far fewer
_BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)  # waits after 429s that name no Retry-After


class SyncStopped(UntrustedAnswerError):
    """The account list did what Stripe's never does (a cycle, no end): the sync stopped, and
    what it fetched before is kept. ``explanation`` says so in words."""

    def __init__(self, message: str, *, problem: str) -> None:
        super().__init__(message, problem=problem)
        self.explanation = message


class SyncRateLimited(RateLimitError):
    """Stripe kept answering 429 for longer than the sync waits (or asked for a longer wait):
    the sync stopped, resumable; ``retry_at`` is when Stripe would take the next try (wall clock)."""

    def __init__(self, message: str, *, retry_at: float, request_id: str | None = None) -> None:
        super().__init__(message, http_status=429, code="rate_limit", request_id=request_id)
        self.explanation = message
        self.retry_at = retry_at


def clock_time(when: float) -> str:
    """A wall-clock instant as the operator's local HH:MM:SS."""
    return time.strftime("%H:%M:%S", time.localtime(when))


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def out_of_order(problem: str) -> SyncStopped:
    return SyncStopped(f"Stripe's account list did not end as it should: {problem}.", problem=problem)


def bound(known: int, *, floor: int = BOUND_FLOOR, most: int = MAX_ACCOUNTS) -> int:
    """The most accounts one run may fetch, ``known`` being what the first page suggested (or
    what the index holds): BOUND_FACTOR times that, at least ``floor``, at most ``most``."""
    return min(most, max(floor, BOUND_FACTOR * int(known)))


def past_bound(fetched: int, limit: int, *, floor: int, most: int) -> SyncStopped:
    return SyncStopped(
        f"Stripe's account list did not end: this sync has fetched {fetched:,} accounts, more than "
        f"{limit:,} (ten times what its first page suggested, at least {floor:,}, at most {most:,}), "
        "and the list still said there were more.", problem="the list did not end")


class ListOrder:
    """The ids seen at the last ``created`` second of each window (by key), to tell a page
    that follows the ones before it from one that came again."""

    def __init__(self) -> None:
        self._tied: dict[int, set[str]] = {}

    def forget(self, key: int) -> None:
        self._tied.pop(key, None)

    def check(self, accounts: list[AccountSummary], *, key: int, upper: int | None, hi: int | None,
              where: str) -> tuple[list[AccountSummary], str | None]:
        """The accounts of a page that follow the ones before them (newest first: ``created``
        never goes up from ``upper``, never above ``hi``, and no id comes twice within one
        second), and what is wrong with the first one that does not (None when all do)."""
        tied = self._tied.setdefault(key, set())
        previous = upper
        for i, account in enumerate(accounts):
            created = account.created
            if created is None:
                continue
            problem = None
            if hi is not None and created > hi:
                problem = f"{where} sent an account created after the window it was asked for"
            elif previous is not None and created > previous:
                problem = f"{where} went back to newer accounts (a page came again)"
            elif created == previous and account.id in tied:
                problem = f"{where} sent {account.id} a second time"
            elif created == previous and len(tied) >= MAX_PER_SECOND:
                problem = f"{where} listed more than {MAX_PER_SECOND:,} accounts created in the same second"
            if problem is not None:
                return accounts[:i], problem
            if created != previous:
                tied.clear()
                previous = created
            tied.add(account.id)
        return accounts, None


class RateLimitWaits:
    """The sync's waits after 429s: ``retry_at`` (wall clock) is when the next try is due
    while one lasts; ``report()`` is called whenever it changes."""

    def __init__(self, clock: Clock, sleep: Callable[[float], Awaitable[object]], max_wait: float,
                 report: Callable[[], None]) -> None:
        self._clock, self._sleep, self._max_wait, self._report = clock, sleep, float(max_wait), report
        self._since: float | None = None  # the first of the 429s in a row (monotonic)
        self._count = 0
        self._retry_at: float | None = None

    @property
    def retry_at(self) -> float | None:
        due = self._retry_at
        return due if due is not None and due > self._clock.time() else None

    def answered(self) -> None:
        """A request was answered: the 429s in a row, if any, are over."""
        self._since, self._count = None, 0

    async def wait(self, error: RateLimitError, sent: float) -> None:
        """Wait out the 429 ``error`` of a call sent at ``sent`` (monotonic), or raise
        :class:`SyncRateLimited` when the 429s in a row would last more than ``max_wait``."""
        now = self._clock.monotonic()
        self._since = sent if self._since is None else min(self._since, sent)
        self._count += 1
        retry_after = error.retry_after if error.retry_after is not None and error.retry_after > 0 else None
        wait = retry_after if retry_after is not None else _BACKOFF[min(self._count, len(_BACKOFF)) - 1]
        waited = now - self._since
        retry_at = self._clock.time() + wait
        if waited + wait > self._max_wait:
            if waited < 1.0:
                what = f"Rate limited by Stripe: it asked to wait {duration(wait)} before the next request"
            else:
                what = f"Rate limited by Stripe: it has answered only “too many requests” for {duration(waited)}"
            raise SyncRateLimited(f"{what}; the next try is due at {clock_time(retry_at)}.", retry_at=retry_at,
                                  request_id=error.request_id) from None
        self._retry_at = max(self._retry_at or 0.0, retry_at)
        self._report()
        await self._sleep(wait)

    async def watch(self, limiter: Any) -> None:
        """While the client waits out a Retry-After inside a call (its own retries), show when
        the next try is due, refreshed each second (real time: it is only shown)."""
        while True:
            await asyncio.sleep(1.0)
            blocked = getattr(limiter, "blocked_for", 0.0)
            if isinstance(blocked, (int, float)) and blocked > 0.5:
                self._retry_at = self._clock.time() + blocked
                self._report()
