"""The sync against a list that misbehaves (issue 18, points 9-13): it ends, with a clear
message, keeping what was valid; odd accounts are kept or skipped one by one; 429 storms are
waited out visibly, for a bounded time. Served by tests/hostile_server.py through
``httpx.MockTransport``; time is a fake clock wherever it is asserted."""

from __future__ import annotations

import asyncio

import pytest

from app.clock import FakeClock
from app.directory.index import DirectoryIndex
from app.directory.sync import MAX_RATE_LIMITED_WAIT, DirectorySync, SyncRateLimited, SyncStopped, clock_time
from app.stripe import ApiKey, StripeClient
from app.stripe.ratelimit import RateLimiter
from hostile_server import LIST_NOW, AccountList, listed_account, mock_transport, odd_accounts

KEY = ApiKey("sk_test_" + "x1" * 12)
DAY = 86_400


def accounts(count: int, *, top: int = LIST_NOW, step: int = 1, first: int = 1) -> list[dict[str, object]]:
    return [listed_account(first + i, top - i * step) for i in range(count)]


class FakeTime:
    """The client's, its limiter's and the sync's clock; sleeping advances it."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.start = self.clock.monotonic()

    async def sleep(self, seconds: float) -> None:
        """To ``seconds`` after now, at once; tasks sleeping at the same time overlap, as
        they would (each moves the clock only as far as its own end)."""
        until = self.clock.monotonic() + seconds
        await asyncio.sleep(0)
        self.clock.advance(max(0.0, until - self.clock.monotonic()))

    @property
    def elapsed(self) -> float:
        return self.clock.monotonic() - self.start


async def run_sync(path, script, *, full=False, time: FakeTime | None = None, progress=None, limit=60.0):
    """One sync of the index at ``path`` from ``script``; the limiter is fast unless time is
    faked (then everything runs on the fake clock)."""
    options: dict = {}
    sync_options: dict = {}
    if time is None:
        options["rate_limiter"] = RateLimiter(10_000.0, share=1.0)
    else:
        options.update(clock=time.clock, sleep=time.sleep,
                       rate_limiter=RateLimiter.for_mode("test", clock=time.clock.monotonic, sleep=time.sleep))
        sync_options.update(clock=time.clock, sleep=time.sleep)
    with DirectoryIndex.open(path) as index:
        async with StripeClient(KEY, transport=mock_transport(script), **options) as client:
            async with asyncio.timeout(limit):  # a sync that never ends fails here
                return await DirectorySync(client, index, progress=progress, **sync_options).run(full=full)


def indexed(path) -> dict[str, tuple]:
    with DirectoryIndex.open(path) as index:
        rows = index.conn.execute(
            "SELECT id, business_name, currently_due, metadata, country, type, created FROM accounts").fetchall()
    return {row[0]: row[1:] for row in rows}


# -- 9: cursor cycles -----------------------------------------------------------------------------

async def test_a_cursor_cycle_stops_the_sync_with_a_message_keeping_what_is_valid(tmp_path):
    """Pages A, B, A, B...: 4,818 requests in 240 s before the fix."""
    server = AccountList(accounts(1000), mode="cycle")
    path = tmp_path / "accounts-x.sqlite3"
    with pytest.raises(SyncStopped) as stopped:
        await run_sync(path, server)
    text = stopped.value.explanation
    assert "Stripe's account list did not end as it should" in text and "went back to newer accounts" in text
    assert "accounts it fetched are kept" in text
    assert server.sent < 60  # (thousands before the fix)
    kept = indexed(path)
    assert len(kept) >= 200 and all(key.startswith("acct_1List") for key in kept)  # the valid pages stay


async def test_a_server_ignoring_starting_after_stops_the_sync(tmp_path):
    server = AccountList(accounts(1000), mode="ignore cursor")
    with pytest.raises(SyncStopped) as stopped:
        await run_sync(tmp_path / "accounts-x.sqlite3", server)
    assert "did not end as it should" in stopped.value.explanation
    assert server.sent < 60


async def test_ids_repeated_within_one_second_are_a_cycle_too(tmp_path):
    """All accounts created in the same second: only the ids can tell a page that came again."""
    server = AccountList(accounts(400, step=0), mode="cycle")
    with pytest.raises(SyncStopped) as stopped:
        await run_sync(tmp_path / "accounts-x.sqlite3", server)
    assert "a second time" in stopped.value.explanation and server.sent < 60


# -- 10: one odd account must not block the directory --------------------------------------------

async def test_odd_accounts_are_kept_clipped_and_only_those_without_an_id_skipped(tmp_path):
    server = AccountList(accounts(295) + odd_accounts(LIST_NOW - 150))
    path = tmp_path / "accounts-x.sqlite3"
    result = await run_sync(path, server)
    assert result.skipped == 1 and result.total == 300 and not result.cancelled
    rows = indexed(path)
    assert "cus_NotAnAccount" not in rows
    name, *_ = rows["acct_1List00000009001"]
    assert name == "N" * 200  # clipped, shown safely
    assert rows["acct_1List00000009002"][1] == 1001  # every entry counted
    assert rows["acct_1List00000009003"][2].count("value") == 50  # the first 50 values searchable
    assert rows["acct_1List00000009004"][3] is None  # not a country: left out, account kept
    assert rows["acct_1List00000009005"][4] == "custom"
    again = await run_sync(path, server, full=True)  # and every later run goes through too
    assert again.skipped == 1 and again.total == 300


# -- 11: accounts created at 0 ----------------------------------------------------------------------

@pytest.mark.parametrize("recent", [50, 150])
async def test_accounts_created_at_the_epoch_do_not_make_the_sync_fail(tmp_path, recent):
    zeros = [listed_account(5000 + i, 0) for i in range(250)]
    server = AccountList(accounts(recent) + zeros)
    path = tmp_path / "accounts-x.sqlite3"
    result = await run_sync(path, server)
    assert result.total == recent + 250 and not result.cancelled
    again = await run_sync(path, server)  # incremental, from the newest
    assert again.total == recent + 250


# -- 12: a list that never ends ---------------------------------------------------------------------

async def test_a_list_that_never_ends_stops_past_ten_times_what_the_first_page_suggested(tmp_path):
    """Fresh ids, a second lower each page, and ``has_more`` forever: the index grew by about
    0.7 MB/s without limit. (The floor of the bound is lowered here to keep the test short.)"""
    server = AccountList(accounts(101, step=30 * DAY), mode="endless", endless_step=1)  # suggests ~200
    path = tmp_path / "accounts-x.sqlite3"
    with DirectoryIndex.open(path) as index:
        async with StripeClient(KEY, transport=mock_transport(server),
                                rate_limiter=RateLimiter(10_000.0, share=1.0)) as client:
            sync = DirectorySync(client, index, bound_floor=1_000)
            with pytest.raises(SyncStopped) as stopped:
                async with asyncio.timeout(60):
                    await sync.run()
    assert "did not end" in stopped.value.explanation
    assert 1_500 <= int(stopped.value.explanation.split("more than ")[1].split(" ")[0].replace(",", "")) <= 3_000
    assert server.sent <= 60
    assert len(indexed(path)) <= 3_100


async def test_a_list_of_fresh_ids_in_one_second_without_end_stops(tmp_path):
    server = AccountList(accounts(101, step=30 * DAY), mode="endless", endless_step=0)
    path = tmp_path / "accounts-x.sqlite3"
    with pytest.raises(SyncStopped) as stopped:
        await run_sync(path, server)
    assert "more than 1,000 accounts created in the same second" in stopped.value.explanation
    assert server.sent <= 100 and len(indexed(path)) <= 8 * 1_000 + 200  # (each window in flight stops at 1,000)


# -- 13: 429 storms -----------------------------------------------------------------------------------

async def test_a_429_storm_is_shown_with_the_next_try_and_given_up_after_a_bounded_wait(tmp_path):
    """Retry-After: 29 forever: the sync was still running silently at 580 s."""
    time = FakeTime()
    seen = []
    with pytest.raises(SyncRateLimited) as stopped:
        await run_sync(tmp_path / "accounts-x.sqlite3", AccountList([], mode="429", retry_after="29"),
                       time=time, progress=seen.append)
    assert time.elapsed <= MAX_RATE_LIMITED_WAIT + 60  # bounded: the limit plus one call's own retries
    text = stopped.value.explanation
    assert text.startswith("Rate limited by Stripe") and "the next try is due at" in text
    assert "in time" not in text and "internet" not in text
    due = [p.retry_at for p in seen if p.retry_at is not None]
    assert due and all(when > time.clock.time() - MAX_RATE_LIMITED_WAIT - 60 for when in due)
    assert clock_time(due[0]) in [clock_time(time.clock.time() - x) for x in range(0, 400)]


async def test_a_retry_after_of_an_hour_says_rate_limited_and_when_at_once(tmp_path):
    """Retry-After: 3600 stopped at 31 s saying "Stripe did not answer in time"."""
    time = FakeTime()
    with pytest.raises(SyncRateLimited) as stopped:
        await run_sync(tmp_path / "accounts-x.sqlite3", AccountList([], mode="429", retry_after="3600"), time=time)
    text = stopped.value.explanation
    assert "Rate limited by Stripe: it asked to wait 60 minutes" in text
    assert f"the next try is due at {clock_time(time.clock.time() + 3600)}" in text
    assert time.elapsed < 1.0 and "in time" not in text


async def test_429s_without_retry_after_are_waited_out_with_a_growing_backoff(tmp_path):
    time = FakeTime()
    server = AccountList(accounts(250))
    limited = {"left": 4}

    def script(request_line, headers, body):
        if "/v1/accounts" in request_line and limited["left"] > 0:
            limited["left"] -= 1
            return AccountList([], mode="429")(request_line, headers, body)
        return server(request_line, headers, body)

    seen = []
    result = await run_sync(tmp_path / "accounts-x.sqlite3", script, time=time, progress=seen.append)
    assert result.total == 250 and limited["left"] == 0
    assert any(p.retry_at is not None for p in seen)
    assert time.elapsed < 30


# -- an incremental sync and the newest second -------------------------------------------------------

async def test_an_incremental_sync_finds_an_account_created_in_the_same_second_as_the_newest(tmp_path):
    listed = accounts(120)
    server = AccountList(listed)
    path = tmp_path / "accounts-x.sqlite3"
    assert (await run_sync(path, server)).total == 120
    listed.append(listed_account(777, LIST_NOW))  # the same second as the newest indexed
    result = await run_sync(path, server)
    assert not result.full and result.new == 1 and "acct_1List00000000777" in indexed(path)
