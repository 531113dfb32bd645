"""The directory sync against the sandbox over loopback: full, incremental, accounts created
while it runs, cancel and resume, a killed process resumed, and 429s."""

from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.directory.index import DirectoryIndex
from app.directory.record import AccountSummary
from app.directory.sync import PAGE, DirectorySync
from app.sandbox import DEMO_API_KEY
from app.sandbox.seed import DEMO_SPECS
from app.stripe import ApiKey, StripeClient
from app.stripe.ratelimit import RateLimiter

CHILD = Path(__file__).with_name("directory_sync_child.py")


@pytest.fixture
def index(tmp_path):
    ix = DirectoryIndex.open(tmp_path / "directory" / "accounts-test.sqlite3")
    yield ix
    ix.close()


def listed_ids(sandbox) -> list[str]:
    ids, _ = sandbox.store.page(limit=10**9)
    return sorted(a["id"] for a in ids)


def indexed_ids(index) -> list[str]:
    return sorted(r[0] for r in index.conn.execute("SELECT id FROM accounts").fetchall())


def list_requests(sandbox) -> int:
    return sum(1 for line in sandbox.lines if '"GET /v1/accounts?' in line)


def new_spec(n: int, created: int, name: str):
    return dataclasses.replace(DEMO_SPECS["express_ok"], id=f"acct_1Live{n:011d}", created=created, name=name)


@pytest.fixture
def logged(make_sandbox):
    def make(**options):
        lines: list[str] = []
        server = make_sandbox(log=lines.append, **options)
        server.lines = lines  # type: ignore[attr-defined]
        return server
    return make


@pytest.mark.slow
async def test_full_sync_indexes_every_account_once_in_about_one_request_per_page(logged, index):
    sandbox = logged(synthetic_accounts=2_000)
    seen = []
    async with StripeClient(ApiKey(DEMO_API_KEY), api_base=sandbox.url) as client:
        result = await DirectorySync(client, index, concurrency=4, progress=seen.append).run()
    assert indexed_ids(index) == listed_ids(sandbox)
    assert (result.full, result.fetched >= 2_014, result.new, result.total) == (True, True, 2_014, 2_014)
    pages = -(-2_014 // PAGE)
    assert pages <= list_requests(sandbox) <= pages + 12  # a partial last page per window, the tail
    fetched = [p.fetched for p in seen]
    assert fetched == sorted(fetched) and fetched[-1] == result.fetched
    assert any(p.estimate and p.phase == "windows" for p in seen)
    harbor = index.get("acct_1LdCustomDue0001")
    assert harbor is not None and harbor.currently_due == 3 and harbor.metadata == ("HSB-0042",)
    assert index.state("run_phase") is None and index.windows(index.state("run")) == []


async def test_incremental_sync_fetches_only_what_is_new_and_what_was_looked_up(logged, index, sandbox_clock):
    sandbox = logged(synthetic_accounts=500)
    async with StripeClient(ApiKey(DEMO_API_KEY), api_base=sandbox.url) as client:
        await DirectorySync(client, index).run()
        looked = await client.retrieve_account("acct_1LdExpressNew001")
        index.upsert(AccountSummary.from_account(looked, refreshed_at=sandbox_clock.time() - 3600),
                     looked_up_at=sandbox_clock.time() - 3600)
        now = int(sandbox_clock.time())
        for n in range(3):
            sandbox.add_account(new_spec(n, now + n, f"Brand New Café {n}"))
        sandbox.update_account("acct_1LdExpressNew001", name="Ortega Surf Co", details_submitted=True)
        before = list_requests(sandbox)
        result = await DirectorySync(client, index).run()
    assert (result.full, result.new, result.total) == (False, 3, 517)
    assert list_requests(sandbox) - before == 1  # one page of new accounts
    assert result.updated == 1 and index.get("acct_1LdExpressNew001").business_name == "Ortega Surf Co"
    assert [m.account.id for m in index.search("brand new cafe")] == [
        "acct_1Live00000000002", "acct_1Live00000000001", "acct_1Live00000000000"]
    assert indexed_ids(index) == listed_ids(sandbox)


@pytest.mark.slow
async def test_accounts_created_during_a_sync_are_neither_missed_nor_doubled(logged, index, sandbox_clock):
    sandbox = logged(synthetic_accounts=1_500, latency=0.01)
    added = []

    def create_some(progress):
        # New accounts arrive while windows are paged and again while the new ones are read.
        if progress.fetched >= 300 * (len(added) + 1) and len(added) < 5:
            n = len(added)
            sandbox.add_account(new_spec(n, int(sandbox_clock.time()) + n // 2, f"Arrived Mid-Sync {n}"))
            added.append(n)

    async with StripeClient(ApiKey(DEMO_API_KEY), api_base=sandbox.url) as client:
        result = await DirectorySync(client, index, concurrency=4, progress=create_some).run()
    assert len(added) == 5
    assert indexed_ids(index) == listed_ids(sandbox)
    assert result.total == 1_514 + 5
    assert index.conn.execute("SELECT count(DISTINCT id) = count(*) FROM accounts").fetchall() == [(1,)]


@pytest.mark.slow
async def test_a_cancelled_sync_resumes_without_fetching_pages_again(logged, index):
    sandbox = logged(synthetic_accounts=3_000, latency=0.005)
    async with StripeClient(ApiKey(DEMO_API_KEY), api_base=sandbox.url) as client:
        sync = DirectorySync(client, index, concurrency=3)
        sync_progress = []

        def stop_early(progress):
            sync_progress.append(progress)
            if progress.fetched >= 1_000:
                sync.cancel()

        sync._progress = stop_early
        first = await sync.run()
        assert first.cancelled and 1_000 <= first.total < 3_014
        assert index.state("run_phase") == "windows"
        requests_before = list_requests(sandbox)
        second = await DirectorySync(client, index, concurrency=3).run(full=True)
    assert second.resumed and not second.cancelled
    assert indexed_ids(index) == listed_ids(sandbox)
    pages = -(-3_014 // PAGE)
    # Pages written before the cancel were not asked for again.
    assert list_requests(sandbox) <= pages + 12
    assert list_requests(sandbox) - requests_before < pages - first.total // PAGE + 12


@pytest.mark.slow
async def test_a_killed_sync_resumes_where_its_last_written_page_left_off(logged, tmp_path):
    sandbox = logged(synthetic_accounts=3_000, latency=0.05)
    path = tmp_path / "directory" / "accounts-kill.sqlite3"
    DirectoryIndex.open(path).close()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    child = subprocess.Popen([sys.executable, str(CHILD), sandbox.url, str(path)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "started"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with sqlite3.connect(path) as conn:
                done = conn.execute("SELECT count(*) FROM accounts").fetchall()[0][0]
            conn.close()
            if done >= 800:
                break
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    killed_requests = list_requests(sandbox)
    with DirectoryIndex.open(path) as index:
        had = index.count()
        assert 800 <= had < 3_014 and index.state("run_phase") == "windows"
        async with StripeClient(ApiKey(DEMO_API_KEY), api_base=sandbox.url) as client:
            result = await DirectorySync(client, index, concurrency=2).run()
        assert result.resumed and indexed_ids(index) == listed_ids(sandbox)
    pages = -(-3_014 // PAGE)
    # The child's requests plus the resumed run's: each page once, give or take the pages that
    # were in flight at the kill and a partial last page per window.
    assert list_requests(sandbox) <= pages + 12
    assert list_requests(sandbox) - killed_requests <= pages - had // PAGE + 12


async def test_rate_limited_pages_slow_the_limiter_and_are_asked_again(logged, index):
    sandbox = logged(synthetic_accounts=400)
    sandbox.inject_fault("429", 3, path="/v1/accounts")
    limiter = RateLimiter(1000.0, share=1.0)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # the sync's own waits, recorded (no Retry-After: a backoff)
        waits.append(seconds)

    async with StripeClient(ApiKey(DEMO_API_KEY), api_base=sandbox.url, max_retries=0, rate_limiter=limiter) as client:
        result = await DirectorySync(client, index, concurrency=2, sleep=sleep).run()
    assert limiter.rate_limited_count == 3 and limiter.rate < limiter.limit and limiter.cuts >= 1
    assert len(waits) == 3 and all(0 < w <= 2.0 for w in waits)
    assert indexed_ids(index) == listed_ids(sandbox) and result.total == 414
    assert sum(1 for line in sandbox.lines if '"GET /v1/accounts?' in line and '" 429 ' in line) == 3


@pytest.mark.slow
async def test_the_clients_limiter_keeps_a_sync_under_the_servers_real_limit(logged, index):
    sandbox = logged(synthetic_accounts=1_000, rate_limit=10, clock=time.time)  # the bucket refills in real time
    limiter = RateLimiter(10.0)  # the default share: 8 requests/s
    async with StripeClient(ApiKey(DEMO_API_KEY), api_base=sandbox.url, max_retries=0, rate_limiter=limiter) as client:
        result = await DirectorySync(client, index, concurrency=6).run()
    assert result.total == 1_014 and limiter.rate_limited_count == 0
    assert not any('" 429 ' in line for line in sandbox.lines)


class CountingLimiter(RateLimiter):
    """A limiter that counts the tokens taken."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.taken = 0

    async def acquire(self) -> None:
        await super().acquire()
        self.taken += 1


async def test_the_clients_limiter_given_again_to_the_sync_is_not_paid_twice(logged, index):
    sandbox = logged(synthetic_accounts=300)
    limiter = CountingLimiter(1000.0, share=1.0)
    async with StripeClient(ApiKey(DEMO_API_KEY), api_base=sandbox.url, rate_limiter=limiter) as client:
        result = await DirectorySync(client, index, limiter=limiter, concurrency=2).run()
    assert result.total == 314 and result.requests > 1
    assert limiter.taken == result.requests  # one token per request, not two
