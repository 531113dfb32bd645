"""Keeping the directory in step with ``GET /v1/accounts``: fast, polite, resumable.

**Full sync.** The list is newest first and has one filter, ``created``. The first page (the 100
newest) shows how densely accounts were created lately. The rest of the ``created`` range, down
to the platform's own creation (plus one open-ended window below it, for accounts that joined
through OAuth and are older than the platform), is cut into windows paged in parallel, each
with ``created[gte]``/``created[lte]`` and its own ``starting_after`` cursor. Whenever a worker
runs out of windows it splits the window with the most left to do, at a point its pages say is
safely below the page in flight: a platform that grew over the years (most accounts recent) and
one that did not are both covered in about as many requests as pages of 100.

**Pace.** Every request waits for the client's rate limiter (:mod:`app.stripe.ratelimit`, one
per key, a share of the mode's limit), which a 429 slows down; the sync asks such a page again.
An extra ``limiter`` (same interface) may hold the sync to less than the client's share. The
number of windows in flight follows the limiter's rate and the first page's latency.

**Resumable.** Each page is written together with its window's new cursor in one transaction,
so after a cancel, a crash or a kill the next run continues every window from where it stood,
and no page that was written is fetched again.

**Nothing missed, nothing doubled.** Rows are keyed by id (a page seen twice updates, never
duplicates). Accounts created while the sync runs are newer than the first page's newest; once
the windows are done, a "tail" pages ``created[gte]`` that instant, and repeats from the newest
it found for as long as a round brings new accounts. Every account created before the sync's
last request is therefore in the index.

**Later syncs** page only the tail (``created[gte]`` the newest account indexed: ``gte``, not
``gt``, because a second can hold several accounts) and re-read the accounts the operator looked
up (their requirements change). ``full=True`` redoes everything and drops accounts the list no
longer has.

**A list that misbehaves ends the sync, not the other way round (issue 18).** Accounts are read
one by one (odd ones clipped, those without an id skipped and counted); cycles, a list without
end and long 429 storms stop it with a message, keeping what was fetched: see
:mod:`app.directory.guards` and :mod:`app.directory.fetch`.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from app.clock import Clock, SystemClock
from app.directory.index import DirectoryIndex, Window
from app.stripe.ratelimit import RateLimiter
from app.directory.record import AccountSummary
from app.directory.fetch import _EARLIEST, PAGE, PageFetcher, SyncCancelled
from app.directory.guards import (
    BOUND_FLOOR,
    MAX_ACCOUNTS,
    MAX_RATE_LIMITED_WAIT,
    ListOrder,
    RateLimitWaits,
    SyncRateLimited,
    SyncStopped,
    bound,
    clock_time,
    out_of_order,
    past_bound,
)

__all__ = ["DirectorySync", "SyncCancelled", "SyncProgress", "SyncRateLimited", "SyncResult", "SyncStopped",
           "clock_time"]

DEFAULT_CONCURRENCY = 8
_SPLIT_MIN_PAGES = 2.5
_MAX_TAIL_ROUNDS = 10  # accounts created faster than they can be paged: stop, the next sync goes on  # a window is split only when this many pages are left in it

Progress = Callable[["SyncProgress"], None]


@dataclass(frozen=True, slots=True)
class SyncProgress:
    fetched: int  # accounts fetched in this run so far (resumed runs count what they had)
    estimate: int | None  # accounts this run is expected to fetch in all, when known
    phase: str  # "first page" | "windows" | "new accounts" | "looked up"
    retry_at: float | None = None  # rate limited by Stripe: the next try is due then (wall clock)


@dataclass(frozen=True, slots=True)
class SyncResult:
    full: bool
    fetched: int
    new: int
    updated: int
    removed: int
    requests: int
    seconds: float
    resumed: bool
    cancelled: bool
    total: int  # accounts in the index afterwards
    skipped: int = 0  # list items left out: no usable account id




class DirectorySync(PageFetcher):
    """One sync of ``index`` from ``client`` (an :class:`app.stripe.StripeClient`)."""

    def __init__(
        self,
        client: Any,
        index: DirectoryIndex,
        *,
        limiter: RateLimiter | None = None,
        clock: Clock | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: Progress | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        max_rate_limited_wait: float = MAX_RATE_LIMITED_WAIT,
        max_accounts: int = MAX_ACCOUNTS,
        bound_floor: int = BOUND_FLOOR,
    ) -> None:
        self._client = client
        self._index = index
        # The client's own limiter already paces every request; given again here, each page
        # would take two tokens and the sync would run at half the pace it is allowed.
        self._limiter = None if limiter is getattr(client, "rate_limiter", None) else limiter
        self._clock = clock or SystemClock()
        self._concurrency = max(1, int(concurrency))
        self._progress = progress
        self._cancel = asyncio.Event()
        self._busy: set[int] = set()
        self._windows: list[Window] = []
        self._run = 0
        self._fetched = self._new = self._updated = self._requests = 0
        self._estimate: int | None = None
        self._density = 0.0  # accounts per second near the top of the list
        self._floor = _EARLIEST
        self._phase = "first page"
        self._waits = RateLimitWaits(self._clock, sleep, max_rate_limited_wait, self._report)
        self._order = ListOrder()
        self._skipped_items: set[str] = set()  # list items without a usable id, by fingerprint
        self._skipped_lookups = 0
        self._max_accounts, self._bound_floor = int(max_accounts), int(bound_floor)
        self._bound = self._max_accounts

    def cancel(self) -> None:
        """Stop after the requests in flight; what was fetched stays, and the next run resumes."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    # -- the run --------------------------------------------------------------------------------
    async def run(self, *, full: bool = False) -> SyncResult:
        started = time.perf_counter()
        index = self._index
        pending = index.state("run_phase")
        resumed = pending is not None and not (full and index.state("run_kind") != "full")
        removed = 0
        ticker = asyncio.ensure_future(self._waits.watch(getattr(self._client, "rate_limiter", None)))
        try:
            if resumed:
                self._run = int(index.state("run"))
                full = index.state("run_kind") == "full"
                self._fetched = int(index.state("run_fetched", 0))
                self._density = float(index.state("run_density", 0.0))
                self._floor = int(index.state("run_floor", _EARLIEST))
            else:
                full = full or index.state("last_complete") is None
                self._run = int(index.state("run", 0)) + 1
                index.clear_windows()
                index.set_state(run=self._run, run_kind="full" if full else "incremental",
                                run_phase="first page" if full else "tail", run_fetched=0,
                                run_started=self._clock.time(), run_bound=None)
                pending = index.state("run_phase")
            self._set_bound(index.state("run_bound"))
            if pending == "first page":
                await self._first_page()
                pending = index.state("run_phase")
            if pending == "windows":
                self._phase = "windows"
                self._windows = [w for w in index.windows(self._run)]
                if resumed:  # what the windows hold is committed with them; run_fetched may lag
                    self._fetched = int(index.state("run_first", 0)) + sum(w.fetched for w in self._windows)
                await self._work()
                index.set_state(run_phase="tail", run_fetched=self._fetched)
            top = index.state("run_top")
            self._phase = "new accounts"
            await self._tail(int(top) if top is not None else index.newest_created())
            if not full:
                self._phase = "looked up"
                await self._refresh_looked_up(float(index.state("run_started", self._clock.time())))
            elif top is not None:
                removed = index.delete_unseen(self._run, created_up_to=int(top))
            index.clear_windows()
            index.set_state(run_phase=None, run_top=None, run_kind=None, run_fetched=None, run_density=None,
                            run_floor=None, run_first=None, run_bound=None, last_complete=self._clock.time())
            cancelled = False
        except SyncCancelled:
            index.set_state(run_fetched=self._fetched)
            cancelled = True
        except (SyncStopped, SyncRateLimited) as stop:
            # What was fetched stays (each page was committed with its cursor); say so.
            index.set_state(run_fetched=self._fetched)
            stop.explanation = f"{stop.explanation} {self._kept()}"
            raise
        finally:
            ticker.cancel()
        return SyncResult(full, self._fetched, self._new, self._updated, removed, self._requests,
                          time.perf_counter() - started, resumed, cancelled, index.count(),
                          len(self._skipped_items) + self._skipped_lookups)

    def _kept(self) -> str:
        total = self._index.count()
        return (f"The sync stopped; the {self._fetched:,} accounts it fetched are kept "
                f"(the index holds {total:,}), and the next sync continues from where it stopped.")

    def _set_bound(self, suggested: object) -> None:
        known = suggested if isinstance(suggested, int) else self._index.count()
        self._bound = bound(known, floor=self._bound_floor, most=self._max_accounts)

    def _save(self, accounts: list[AccountSummary], window: Window | None = None) -> None:
        result = self._index.save_page(accounts, run=self._run, window=window)
        self._fetched += len(accounts)
        self._new += result.new
        self._updated += result.updated
        if self._fetched > self._bound:
            raise past_bound(self._fetched, self._bound, floor=self._bound_floor, most=self._max_accounts)
        self._report()

    def _report(self) -> None:
        if self._progress is not None:
            estimate = None if self._estimate is None else max(self._estimate, self._fetched)
            self._progress(SyncProgress(self._fetched, estimate, self._phase, self._waits.retry_at))

    # -- full sync: first page and windows ----------------------------------------------------------
    async def _first_page(self) -> None:
        platform = asyncio.ensure_future(self._platform_created())
        started = time.perf_counter()
        try:
            accounts, has_more = await self._list(lo=None, hi=None, cursor=None)
        except BaseException:
            platform.cancel()
            await asyncio.gather(platform, return_exceptions=True)
            raise
        floor = await platform
        self._workers = self._workers_for(time.perf_counter() - started)
        accounts, problem = self._order.check(accounts, key=0, upper=None, hi=None, where="the first page")
        self._save(accounts)
        if problem is not None:
            raise out_of_order(problem)
        index = self._index
        dated = [a.created for a in accounts if a.created is not None]
        if not dated:
            index.set_state(run_phase="tail", run_top=None, run_fetched=self._fetched)
            return
        top, last = dated[0], dated[-1]
        if not has_more:
            index.set_state(run_phase="tail", run_top=top, run_fetched=self._fetched)
            return
        self._density = len(accounts) / max(1, top - last + 1)
        self._floor = max(0, min(floor, last))  # (accounts created at 0 exist: no window below it)
        windows = self._plan(last, accounts[-1].id)
        self._set_bound(self._estimate)
        index.set_state(run_phase="windows", run_top=top, run_fetched=self._fetched, run_first=self._fetched,
                        run_density=self._density, run_floor=self._floor, run_bound=self._estimate)
        self._windows = windows

    def _plan(self, hi: int, cursor: str) -> list[Window]:
        """Windows over [floor, hi] (the first continuing the first page's cursor) and one
        open-ended window below the floor. As many as the workers, in equal slices of time:
        the splitting in :meth:`_next_window` evens out what the estimate gets wrong."""
        index, floor = self._index, self._floor
        span = max(1, hi - floor)
        workers = getattr(self, "_workers", self._concurrency)
        count = max(1, min(workers, math.ceil(self._density * span / PAGE)))
        bounds = [max(0, hi - (span * i) // count) for i in range(count + 1)]  # descending, last == floor
        windows = [index.add_window(self._run, bounds[1], hi, cursor)]
        for upper, lower in zip(bounds[1:-1], bounds[2:]):
            if upper - 1 >= lower:
                windows.append(index.add_window(self._run, lower, upper - 1))
        if floor > 0:
            windows.append(index.add_window(self._run, None, floor - 1))
        self._estimate = self._fetched + int(self._density * span)
        return windows

    def _workers_for(self, latency: float) -> int:
        """Enough requests in flight to keep the limiter's pace through this latency, and no
        more: each extra window ends in a partial page, an extra request."""
        rate = getattr(self._limiter or getattr(self._client, "rate_limiter", None), "rate", None)
        if not isinstance(rate, (int, float)) or rate <= 0:
            return self._concurrency
        return max(2, min(self._concurrency, math.ceil(rate * latency * 2)))

    async def _work(self) -> None:
        count = getattr(self, "_workers", self._concurrency)
        workers = [asyncio.ensure_future(self._worker()) for _ in range(count)]
        try:
            await asyncio.gather(*workers)
        except BaseException:
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            raise

    async def _worker(self) -> None:
        while (window := self._next_window()) is not None:
            self._busy.add(window.id)
            try:
                await self._page(window)
            finally:
                self._busy.discard(window.id)

    def _next_window(self) -> Window | None:
        for window in self._windows:
            if not window.done and window.id not in self._busy:
                return window
        return self._split()

    def _remaining(self, w: Window) -> float:
        if w.done:
            return 0.0
        upper = w.last_created if w.last_created is not None else w.hi
        lower = w.lo if w.lo is not None else _EARLIEST
        if upper is None:
            return 0.0
        return max(0.0, (w.density or self._density) * (upper - lower))

    def _split(self) -> Window | None:
        """Cut the busiest window in two; the new lower half is returned for an idle worker."""
        candidates = [w for w in self._windows if not w.done and w.last_created is not None]
        if not candidates:
            return None
        window = max(candidates, key=self._remaining)
        if window.last_created is None or self._remaining(window) < _SPLIT_MIN_PAGES * PAGE:
            return None
        density = window.density or self._density
        lower = window.lo if window.lo is not None else _EARLIEST  # the open window keeps its open end
        safe = window.last_created - int(1.5 * PAGE / density) - 1  # below the page in flight
        point = min(lower + (window.last_created - lower) // 2, safe)
        if point <= lower:
            return None
        new = self._index.add_window(self._run, window.lo, point - 1)
        new.density = density
        window.lo = point
        self._index.save_window(window)
        self._windows.append(new)
        return new

    async def _page(self, window: Window) -> None:
        accounts, has_more = await self._list(lo=window.lo, hi=window.hi, cursor=window.cursor)
        upper = window.last_created if window.last_created is not None else window.hi
        accounts, problem = self._order.check(accounts, key=window.id, upper=upper, hi=window.hi, where="a page")
        if accounts and accounts[-1].id == window.cursor:
            has_more = False  # a server that does not move past the cursor would loop forever
        window.fetched += len(accounts)
        dated = [a.created for a in accounts if a.created is not None]
        if accounts:
            if dated and len(accounts) >= PAGE // 2:
                window.density = len(accounts) / max(1, dated[0] - dated[-1] + 1)
            window.cursor = accounts[-1].id
            if dated:
                window.last_created = dated[-1]
        # Split while this page was in flight: the part below the new ``lo`` is another window's.
        below = window.lo is not None and window.last_created is not None and window.last_created < window.lo
        window.done = not has_more or below
        self._save(accounts, window)  # (what came before a problem is kept, with its cursor)
        if problem is not None:
            raise out_of_order(problem)
        self._estimate = self._fetched + int(sum(self._remaining(w) for w in self._windows))

    # -- tail: accounts newer than the snapshot, and incremental syncs -------------------------------
    async def _tail(self, since: int | None) -> None:
        """Page ``created[gte]`` ``since``. An account created while a round was paging sits
        above its cursor, so a round of several pages that brought new accounts is followed by
        another from the newest it saw; a one-page round has no "meanwhile" to miss."""
        rounds = 0
        while True:
            cursor, round_new, newest, pages = None, 0, since, 0
            self._order.forget(-1)
            previous: int | None = None
            while True:
                accounts, has_more = await self._list(lo=since, hi=None, cursor=cursor)
                pages += 1
                accounts, problem = self._order.check(accounts, key=-1, upper=previous, hi=None,
                                                   where="the list of new accounts")
                older = next((i for i, a in enumerate(accounts)
                              if since is not None and a.created is not None and a.created < since), None)
                if older is not None:  # older than asked for: nothing newer follows
                    accounts, has_more = accounts[:older], False
                before = self._new
                self._save(accounts)
                round_new += self._new - before
                if problem is not None:
                    raise out_of_order(problem)
                if not accounts or accounts[-1].id == cursor:  # (a server stuck on its cursor)
                    break
                dated = [a.created for a in accounts if a.created is not None]
                if dated:
                    newest = max(newest or 0, dated[0])
                    previous = dated[-1]
                cursor = accounts[-1].id
                if not has_more:
                    break
            rounds += 1
            if pages == 1 or round_new == 0 or since is None or newest == since or rounds >= _MAX_TAIL_ROUNDS:
                return
            since = newest
            self._index.set_state(run_top=since)
