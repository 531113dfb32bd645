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
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Any, Callable

from app.clock import Clock, SystemClock
from app.directory.index import DirectoryIndex, Window
from app.stripe.ratelimit import RateLimiter
from app.directory.record import AccountSummary
from app.stripe.errors import InvalidRequestError, PermissionDeniedError, RateLimitError, StripeError

PAGE = 100
DEFAULT_CONCURRENCY = 8
MAX_RATE_LIMITED = 20  # 429s in a row on one page before the sync gives up
_EARLIEST = 1_293_840_000  # 2011-01-01: no Connect account is older
_SPLIT_MIN_PAGES = 2.5
_MAX_TAIL_ROUNDS = 10  # accounts created faster than they can be paged: stop, the next sync goes on  # a window is split only when this many pages are left in it

Progress = Callable[["SyncProgress"], None]


@dataclass(frozen=True, slots=True)
class SyncProgress:
    fetched: int  # accounts fetched in this run so far (resumed runs count what they had)
    estimate: int | None  # accounts this run is expected to fetch in all, when known
    phase: str  # "first page" | "windows" | "new accounts" | "looked up"


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


class SyncCancelled(Exception):
    pass


class DirectorySync:
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
                                run_started=self._clock.time())
                pending = index.state("run_phase")
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
                            run_floor=None, run_first=None, last_complete=self._clock.time())
            cancelled = False
        except SyncCancelled:
            index.set_state(run_fetched=self._fetched)
            cancelled = True
        return SyncResult(full, self._fetched, self._new, self._updated, removed, self._requests,
                          time.perf_counter() - started, resumed, cancelled, index.count())

    # -- requests -------------------------------------------------------------------------------
    async def _request(self, call: Callable[[], Any]) -> Any:
        rate_limited = 0
        while True:
            if self._cancel.is_set():
                raise SyncCancelled()
            if self._limiter is not None:
                await self._limiter.acquire()
            if self._cancel.is_set():
                raise SyncCancelled()
            self._requests += 1
            try:
                return await call()
            except RateLimitError as error:
                rate_limited += 1
                if self._limiter is not None:
                    self._limiter.on_rate_limited(error.retry_after)
                if rate_limited >= MAX_RATE_LIMITED:
                    raise
                if self._limiter is None:
                    await asyncio.sleep(min(5.0, 0.5 * rate_limited))

    async def _list(self, *, lo: int | None, hi: int | None, cursor: str | None) -> tuple[list[AccountSummary], bool]:
        created = {k: v for k, v in (("gte", lo), ("lte", hi)) if v is not None}
        page = await self._request(lambda: self._client.list_accounts(
            limit=PAGE, starting_after=cursor, created=created or None))
        now = self._clock.time()
        accounts = [AccountSummary.from_account(a, refreshed_at=now) for a in page.data if a.id.startswith("acct_")]
        return accounts, page.has_more

    def _save(self, accounts: list[AccountSummary], window: Window | None = None) -> None:
        result = self._index.save_page(accounts, run=self._run, window=window)
        self._fetched += len(accounts)
        self._new += result.new
        self._updated += result.updated
        self._report()

    def _report(self) -> None:
        if self._progress is not None:
            estimate = None if self._estimate is None else max(self._estimate, self._fetched)
            self._progress(SyncProgress(self._fetched, estimate, self._phase))

    # -- full sync: first page and windows ----------------------------------------------------------
    async def _first_page(self) -> None:
        platform = asyncio.ensure_future(self._platform_created())
        started = time.perf_counter()
        try:
            accounts, has_more = await self._list(lo=None, hi=None, cursor=None)
        finally:
            floor = await platform
        self._workers = self._workers_for(time.perf_counter() - started)
        self._save(accounts)
        index = self._index
        if not accounts:
            index.set_state(run_phase="tail", run_top=None, run_fetched=self._fetched)
            return
        top, last = accounts[0].created or 0, accounts[-1].created or 0
        if not has_more:
            index.set_state(run_phase="tail", run_top=top, run_fetched=self._fetched)
            return
        self._density = len(accounts) / max(1, top - last + 1)
        self._floor = min(floor, last)
        windows = self._plan(last, accounts[-1].id)
        index.set_state(run_phase="windows", run_top=top, run_fetched=self._fetched, run_first=self._fetched,
                        run_density=self._density, run_floor=self._floor)
        self._windows = windows

    async def _platform_created(self) -> int:
        """Where to stop cutting windows: the platform's own creation (a restricted key may not
        read it; then 2011). Accounts older than that are still fetched, by the open window."""
        try:
            platform = await self._request(self._client.retrieve_platform_account)
        except (PermissionDeniedError, InvalidRequestError, SyncCancelled):
            return _EARLIEST
        except StripeError:
            return _EARLIEST
        return max(_EARLIEST, platform.created or _EARLIEST)

    def _plan(self, hi: int, cursor: str) -> list[Window]:
        """Windows over [floor, hi] (the first continuing the first page's cursor) and one
        open-ended window below the floor. As many as the workers, in equal slices of time:
        the splitting in :meth:`_next_window` evens out what the estimate gets wrong."""
        index, floor = self._index, self._floor
        span = max(1, hi - floor)
        workers = getattr(self, "_workers", self._concurrency)
        count = max(1, min(workers, math.ceil(self._density * span / PAGE)))
        bounds = [hi - (span * i) // count for i in range(count + 1)]  # descending, last == floor
        windows = [index.add_window(self._run, bounds[1], hi, cursor)]
        for upper, lower in zip(bounds[1:-1], bounds[2:]):
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
        return max(2, min(self._concurrency, math.ceil(rate * latency * 1.3)))

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
        if accounts and accounts[-1].id == window.cursor:
            has_more = False  # a server that does not move past the cursor would loop forever
        window.fetched += len(accounts)
        if accounts:
            first, last = accounts[0].created or 0, accounts[-1].created or 0
            if len(accounts) >= PAGE // 2:
                window.density = len(accounts) / max(1, first - last + 1)
            window.cursor = accounts[-1].id
            window.last_created = last
        # Split while this page was in flight: the part below the new ``lo`` is another window's.
        below = window.lo is not None and window.last_created is not None and window.last_created < window.lo
        window.done = not has_more or below
        self._save(accounts, window)
        self._estimate = self._fetched + int(sum(self._remaining(w) for w in self._windows))

    # -- tail: accounts newer than the snapshot, and incremental syncs -------------------------------
    async def _tail(self, since: int | None) -> None:
        """Page ``created[gte]`` ``since``. An account created while a round was paging sits
        above its cursor, so a round of several pages that brought new accounts is followed by
        another from the newest it saw; a one-page round has no "meanwhile" to miss."""
        rounds = 0
        while True:
            cursor, round_new, newest, pages = None, 0, since, 0
            while True:
                accounts, has_more = await self._list(lo=since, hi=None, cursor=cursor)
                pages += 1
                before = self._new
                self._save(accounts)
                round_new += self._new - before
                if not accounts or accounts[-1].id == cursor:  # (a server stuck on its cursor)
                    break
                newest = max(newest or 0, accounts[0].created or 0)
                cursor = accounts[-1].id
                if not has_more:
                    break
            rounds += 1
            if pages == 1 or round_new == 0 or since is None or newest == since or rounds >= _MAX_TAIL_ROUNDS:
                return
            since = newest
            self._index.set_state(run_top=since)

    async def _refresh_looked_up(self, started: float) -> None:
        ids = self._index.looked_up(refreshed_before=started)
        for account_id in ids:
            try:
                account = await self._request(lambda: self._client.retrieve_account(account_id))
            except (PermissionDeniedError, InvalidRequestError):
                continue  # gone or disconnected; a full sync removes it
            self._save([AccountSummary.from_account(account, refreshed_at=self._clock.time())])
