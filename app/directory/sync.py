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

**A list that misbehaves ends the sync, not the other way round (issue 18).** Each account of
a page is read on its own (:func:`app.directory.record.decode_page`): an odd one is clipped or
loses the odd field, one without a usable id is skipped and counted (``skipped``). A window's
pages must go down in ``created`` without repeating an id and stay within its bounds; a page
that does not (a cursor cycle, a server ignoring ``starting_after``) stops the sync with
:class:`SyncStopped`, as does a list that goes on past :data:`BOUND_FACTOR` times what its first
page suggested (at least :data:`BOUND_FLOOR`, at most :data:`MAX_ACCOUNTS`), or lists more than
:data:`MAX_PER_SECOND` accounts created in one second. What was fetched before stays in the index. 429s are
waited out (``Retry-After`` or a backoff), with the next try's time in the progress, for at
most :data:`MAX_RATE_LIMITED_WAIT` seconds in a row; then :class:`SyncRateLimited`.
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
from app.directory.record import AccountSummary, decode_page
from app.stripe.errors import (
    InvalidRequestError,
    PermissionDeniedError,
    RateLimitError,
    StripeError,
    UntrustedAnswerError,
)
from app.stripe.validation import list_params

PAGE = 100
DEFAULT_CONCURRENCY = 8
MAX_RATE_LIMITED_WAIT = 120.0  # seconds of 429s in a row (no page answered) before the sync gives up
MAX_ACCOUNTS = 1_000_000  # no sync fetches more than this: a list that goes on is not Stripe's
BOUND_FACTOR = 10  # ... nor more than this many times what its first page suggested,
BOUND_FLOOR = 100_000  # ... unless that is less than this (a first page can underestimate a lot)
MAX_PER_SECOND = 1_000  # accounts listed with one ``created`` second: Stripe creates far fewer
_BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)  # waits after 429s that name no Retry-After
_EARLIEST = 1_293_840_000  # 2011-01-01: no Connect account is older
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


class SyncCancelled(Exception):
    pass


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
        self._sleep = sleep
        self._max_wait = float(max_rate_limited_wait)
        self._skipped_items: set[str] = set()  # list items without a usable id, by fingerprint
        self._skipped_lookups = 0
        self._limited_since: float | None = None  # the first of the 429s in a row (monotonic)
        self._limited_count = 0
        self._retry_at: float | None = None
        self._max_accounts, self._bound_floor = int(max_accounts), int(bound_floor)
        self._bound = self._max_accounts
        self._tied: dict[int, set[str]] = {}  # per window: ids fetched at its last ``created``

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
        ticker = asyncio.ensure_future(self._show_rate_limit())
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
        """The most accounts this run may fetch: BOUND_FACTOR times what the first page
        suggested (or, before that is known, what the index holds), at least the floor and at
        most ``max_accounts``."""
        known = suggested if isinstance(suggested, int) else self._index.count()
        self._bound = min(self._max_accounts, max(self._bound_floor, BOUND_FACTOR * int(known)))

    # -- requests ---------------------------------------------------------------------------------
    async def _request(self, call: Callable[[], Any]) -> Any:
        """``call()`` (one client call, with the client's own retries), asked again after a
        429: after ``Retry-After`` when Stripe names one, else after a growing backoff, with
        the next try's time in the progress. 429s in a row for more than the sync waits (or a
        wait longer than that) end the sync with :class:`SyncRateLimited`."""
        while True:
            if self._cancel.is_set():
                raise SyncCancelled()
            if self._limiter is not None:
                await self._limiter.acquire()
            if self._cancel.is_set():
                raise SyncCancelled()
            self._requests += 1
            sent = self._clock.monotonic()
            try:
                result = await call()
            except RateLimitError as error:
                if self._limiter is not None:
                    self._limiter.on_rate_limited(error.retry_after)
                await self._wait_rate_limited(error, sent)
                continue
            self._limited_since, self._limited_count = None, 0
            return result

    async def _wait_rate_limited(self, error: RateLimitError, sent: float) -> None:
        now = self._clock.monotonic()
        if self._limited_since is None or self._limited_since > sent:
            self._limited_since = sent if self._limited_since is None else min(self._limited_since, sent)
        self._limited_count += 1
        retry_after = error.retry_after if error.retry_after is not None and error.retry_after > 0 else None
        wait = retry_after if retry_after is not None else _BACKOFF[min(self._limited_count, len(_BACKOFF)) - 1]
        waited = now - self._limited_since
        retry_at = self._clock.time() + wait
        if waited + wait > self._max_wait:
            if waited < 1.0:
                what = f"Rate limited by Stripe: it asked to wait {_duration(wait)} before the next request"
            else:
                what = f"Rate limited by Stripe: it has answered only “too many requests” for {_duration(waited)}"
            raise SyncRateLimited(f"{what}; the next try is due at {clock_time(retry_at)}.", retry_at=retry_at,
                                  request_id=error.request_id) from None
        self._retry_at = max(self._retry_at or 0.0, retry_at)
        self._report()
        try:
            await self._sleep(wait)
        finally:
            if self._retry_at is not None and self._retry_at <= self._clock.time():
                self._retry_at = None

    async def _show_rate_limit(self) -> None:
        """While the client waits out a Retry-After inside a call (its own retries), the
        progress shows when the next try is due, refreshed each second (real time: only shown)."""
        limiter = getattr(self._client, "rate_limiter", None)
        while True:
            await asyncio.sleep(1.0)
            blocked = getattr(limiter, "blocked_for", 0.0)
            if isinstance(blocked, (int, float)) and blocked > 0.5:
                self._retry_at = self._clock.time() + blocked
                self._report()
            elif self._retry_at is not None and self._retry_at <= self._clock.time():
                self._retry_at = None

    async def _list(self, *, lo: int | None, hi: int | None, cursor: str | None) -> tuple[list[AccountSummary], bool]:
        """One page of ``created`` in [lo, hi], each account decoded on its own; the items
        without a usable id are counted in ``skipped``. Bounds below 0 (accounts created at
        0, the epoch) are clamped: the list takes no negative time."""
        if hi is not None and hi < 0:
            return [], False
        lo = None if lo is None else max(0, lo)
        created = {k: v for k, v in (("gte", lo), ("lte", hi)) if v is not None}
        params = list_params(PAGE, cursor, None, created or None)
        answer = await self._request(lambda: self._client.request("GET", "/v1/accounts", params=params))
        try:
            accounts, has_more, skipped = decode_page(answer.data, refreshed_at=self._clock.time())
        except ValueError as problem:
            raise UntrustedAnswerError(f"The account list was not what Stripe sends: {problem}",
                                       problem=str(problem), http_status=answer.status,
                                       request_id=answer.request_id) from None
        self._skipped_items.update(skipped)
        return accounts, has_more

    def _in_order(self, accounts: list[AccountSummary], *, key: int, upper: int | None,
                  hi: int | None, where: str) -> tuple[list[AccountSummary], str | None]:
        """The accounts of a page that follow the ones before them (newest first: ``created``
        never goes up, never above ``hi``, and no id comes twice within one second), and what
        is wrong with the first one that does not (None when all do)."""
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

    def _stop(self, problem: str) -> SyncStopped:
        return SyncStopped(f"Stripe's account list did not end as it should: {problem}.", problem=problem)

    def _save(self, accounts: list[AccountSummary], window: Window | None = None) -> None:
        result = self._index.save_page(accounts, run=self._run, window=window)
        self._fetched += len(accounts)
        self._new += result.new
        self._updated += result.updated
        if self._fetched > self._bound:
            raise SyncStopped(
                f"Stripe's account list did not end: this sync has fetched {self._fetched:,} accounts, "
                f"more than {self._bound:,} (ten times what its first page suggested, at least "
                f"{self._bound_floor:,}, at most {self._max_accounts:,}), and the list still said there were more.",
                problem="the list did not end")
        self._report()

    def _report(self) -> None:
        if self._progress is not None:
            estimate = None if self._estimate is None else max(self._estimate, self._fetched)
            retry_at = self._retry_at if self._retry_at is not None and self._retry_at > self._clock.time() else None
            self._progress(SyncProgress(self._fetched, estimate, self._phase, retry_at))

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
        accounts, problem = self._in_order(accounts, key=0, upper=None, hi=None, where="the first page")
        self._save(accounts)
        if problem is not None:
            raise self._stop(problem)
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

    async def _platform_created(self) -> int:
        """Where to stop cutting windows: the platform's own creation (a restricted key may not
        read it; then 2011). Accounts older than that are still fetched, by the open window."""
        self._requests += 1
        try:  # (not asked again after a 429: the first page's own waits are the ones shown)
            platform = await self._client.retrieve_platform_account()
        except StripeError:  # a restricted key, a 429, ...
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
        accounts, problem = self._in_order(accounts, key=window.id, upper=upper, hi=window.hi, where="a page")
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
            raise self._stop(problem)
        self._estimate = self._fetched + int(sum(self._remaining(w) for w in self._windows))

    # -- tail: accounts newer than the snapshot, and incremental syncs -------------------------------
    async def _tail(self, since: int | None) -> None:
        """Page ``created[gte]`` ``since``. An account created while a round was paging sits
        above its cursor, so a round of several pages that brought new accounts is followed by
        another from the newest it saw; a one-page round has no "meanwhile" to miss."""
        rounds = 0
        while True:
            cursor, round_new, newest, pages = None, 0, since, 0
            self._tied.pop(-1, None)
            previous: int | None = None
            while True:
                accounts, has_more = await self._list(lo=since, hi=None, cursor=cursor)
                pages += 1
                accounts, problem = self._in_order(accounts, key=-1, upper=previous, hi=None,
                                                   where="the list of new accounts")
                older = next((i for i, a in enumerate(accounts)
                              if since is not None and a.created is not None and a.created < since), None)
                if older is not None:  # older than asked for: nothing newer follows
                    accounts, has_more = accounts[:older], False
                before = self._new
                self._save(accounts)
                round_new += self._new - before
                if problem is not None:
                    raise self._stop(problem)
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

    async def _refresh_looked_up(self, started: float) -> None:
        ids = self._index.looked_up(refreshed_before=started)
        for account_id in ids:
            try:
                account = await self._request(lambda: self._client.retrieve_account(account_id))
            except (PermissionDeniedError, InvalidRequestError):
                continue  # gone or disconnected; a full sync removes it
            except UntrustedAnswerError:
                self._skipped_lookups += 1  # an answer Stripe never sends: its row stays as it was
                continue
            self._save([AccountSummary.from_account(account, refreshed_at=self._clock.time())])


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"
