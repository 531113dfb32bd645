"""Live onboarding progress: while a link for an account is active, read the account every few
seconds and say what changed (details submitted, items ticked off, charges or payouts enabled).

Qt-free. :class:`AccountWatcher` runs as one coroutine: it waits ``interval`` seconds (5-10;
through the injected ``sleep``, so tests advance a fake clock instead of sleeping), takes a slot
from the rate limiter, retrieves the account and reports the differences. It stops when the link
expires (on the monotonic clock, like the countdown), or when :meth:`AccountWatcher.stop` is
called (the operator switched account, the window closed). :meth:`outcome` is the line for the
history entry: "details submitted at 10:42; charges enabled at 10:44".
"""

from __future__ import annotations

import asyncio
import time as _time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from app.clock import Clock
from app.stripe.ratelimit import RateLimiter
from app.stripe.errors import RateLimitError, StripeError
from app.stripe.models import Account

DEFAULT_INTERVAL = 7.0
MIN_INTERVAL, MAX_INTERVAL = 5.0, 10.0
_SHOWN_ITEMS = 3


@dataclass(frozen=True, slots=True)
class WatchChange:
    at: float  # wall clock
    kind: str  # details_submitted | charges_enabled | charges_disabled | payouts_enabled |
    #           payouts_disabled | items_done | items_added | disabled | enabled
    text: str  # plain words for the window
    milestone: bool  # goes into the history outcome


def _hhmm(wall: float) -> str:
    return _time.strftime("%H:%M", _time.localtime(wall))


def _items(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN_ITEMS])
    return shown + (f" and {len(names) - _SHOWN_ITEMS} more" if len(names) > _SHOWN_ITEMS else "")


def diff(before: Account, after: Account, at: float) -> list[WatchChange]:
    """What changed between two reads of the same account, in the order an operator cares."""
    out: list[WatchChange] = []
    if after.details_submitted and not before.details_submitted:
        out.append(WatchChange(at, "details_submitted", "Details submitted", True))
    due_before, due_after = set(before.requirements.currently_due), set(after.requirements.currently_due)
    done, added = sorted(due_before - due_after), sorted(due_after - due_before)
    if done:
        left = len(due_after)
        out.append(WatchChange(at, "items_done", f"{len(done)} item{'s' if len(done) != 1 else ''} ticked off "
                               f"({_items(done)}); {left} left", False))
    if added:
        out.append(WatchChange(at, "items_added", f"{len(added)} new item{'s' if len(added) != 1 else ''} due: "
                               f"{_items(added)}", False))
    for name, label in (("charges_enabled", "Charges"), ("payouts_enabled", "Payouts")):
        was, now = getattr(before, name), getattr(after, name)
        if now != was:
            word = "enabled" if now else "disabled"
            out.append(WatchChange(at, f"{name.split('_')[0]}_{word}", f"{label} {word}", True))
    reason_before, reason_after = before.requirements.disabled_reason, after.requirements.disabled_reason
    if reason_after != reason_before:
        if reason_after:
            out.append(WatchChange(at, "disabled", f"Disabled: {reason_after}", False))
        else:
            out.append(WatchChange(at, "enabled", "No longer disabled", False))
    return out


class AccountWatcher:
    def __init__(
        self,
        client: Any,
        account_id: str,
        *,
        until: float,
        clock: Clock,
        limiter: RateLimiter | None = None,
        interval: float = DEFAULT_INTERVAL,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        on_change: Callable[[WatchChange], None] | None = None,
        on_account: Callable[[Account], None] | None = None,
        baseline: Account | None = None,
        time_format: Callable[[float], str] = _hhmm,
    ) -> None:
        """``until`` is the link's expiry on ``clock.monotonic()`` (the countdown's end).
        ``on_account`` gets every fresh read (e.g. to update the summary and the index).
        The client's own rate limiter paces the reads; ``limiter`` is an extra one, if any."""
        self._client = client
        self.account_id = account_id
        self._until = until
        self._clock = clock
        self._limiter = limiter
        self.interval = min(MAX_INTERVAL, max(MIN_INTERVAL, float(interval)))
        self._sleep = sleep
        self._on_change = on_change
        self._on_account = on_account
        self._last = baseline
        self._format = time_format
        self._stop = asyncio.Event()
        self.stop_reason: str | None = None
        self.changes: list[WatchChange] = []
        self.reads = 0
        self.errors = 0

    def stop(self, reason: str = "closed") -> None:
        """End the watch (account switched, window closed); safe to call more than once."""
        if self.stop_reason is None:
            self.stop_reason = reason
        self._stop.set()

    @property
    def running(self) -> bool:
        return not self._stop.is_set()

    async def run(self, *, read_first: bool = False) -> str:
        """Watch until the link expires or :meth:`stop`; returns the reason it stopped.
        ``read_first``: read at once (the caller already waited the first interval)."""
        try:
            # Without a baseline, the first read (one interval in) becomes it: nothing is asked
            # the moment a link is made, when the account was just read anyway.
            if read_first and self._clock.monotonic() < self._until:
                await self._read()
            while not self._stop.is_set():
                left = self._until - self._clock.monotonic()
                if left <= 0:
                    self.stop("expired")
                    break
                if not await self._wait(min(self.interval, left)):
                    break
                if self._clock.monotonic() >= self._until:
                    self.stop("expired")
                    break
                await self._read()
        finally:
            self.stop(self.stop_reason or "closed")
        return self.stop_reason or "closed"

    async def _wait(self, seconds: float) -> bool:
        """Sleep ``seconds``; False if stopped meanwhile."""
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        stopper = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, stopper):
                task.cancel()
            await asyncio.gather(sleeper, stopper, return_exceptions=True)
        return not self._stop.is_set()

    async def _read(self) -> bool:
        if self._limiter is not None:
            await self._limiter.acquire()
        if self._stop.is_set():
            return False
        try:
            account = await self._client.retrieve_account(self.account_id)
        except RateLimitError as error:
            self.errors += 1
            if self._limiter is not None:
                self._limiter.on_rate_limited(error.retry_after)
            return False
        except StripeError:
            self.errors += 1  # a failed read is tried again at the next interval
            return False
        self.reads += 1
        if self._stop.is_set():
            return False  # switched away while the request was in flight: not this account's news
        if self._on_account is not None:
            self._on_account(account)
        if self._last is not None:
            for change in diff(self._last, account, self._clock.time()):
                self.changes.append(change)
                if self._on_change is not None:
                    self._on_change(change)
        self._last = account
        return True

    def outcome(self) -> str:
        """One line for the history entry: the milestones seen and when, else the progress on
        the checklist, else that nothing changed."""
        milestones = [c for c in self.changes if c.milestone]
        if milestones:
            return "; ".join(f"{c.text[0].lower()}{c.text[1:]} at {self._format(c.at)}" for c in milestones)
        done = [c for c in self.changes if c.kind == "items_done"]
        if done:
            return f"{done[-1].text} by {self._format(done[-1].at)}"
        return "no onboarding progress seen while the link was active"
