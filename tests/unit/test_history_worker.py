"""The history worker thread, the store's hand-over between threads, and the short UI busy
timeout with its retry off the UI thread."""

import sqlite3
import threading

import pytest

from app.clock import FakeClock
from app.history import HistoryEntry, HistoryError, HistoryQuery, HistoryStore
from app.history.store import BUSY_TIMEOUT_MS, UI_BUSY_TIMEOUT_MS, is_busy
from app.history.worker import HistoryWorker, Superseded

URL = "https://connect.stripe.com/setup/c/acct_1Worker/WorkerSecret1"


def make_entry(clock: FakeClock, n: int = 0, **changes) -> HistoryEntry:
    now = clock.time()
    return HistoryEntry(
        account_id=f"acct_1Worker{n:04d}", link_type="account_onboarding", mode="test",
        refresh_url="https://p.example/r", return_url="https://p.example/ok", attempted_at=now - n,
        account_name=f"Shop {n}", created=1_700_000_000, expires_at=1_700_000_300, local_expires_at=now - n + 300,
    ).with_changes(**changes)


@pytest.fixture
async def worker(store, clock):
    w = HistoryWorker.for_store(store, clock)
    yield w
    await w.aclose()


class Locker:
    """Another instance holding the write lock (BEGIN IMMEDIATE) until released."""

    def __init__(self, path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        if self.conn is not None:
            self.conn.execute("COMMIT")
            self.conn.close()
            self.conn = None


async def test_jobs_run_on_one_thread_with_the_workers_own_connection(worker, store, clock):
    store.record_many(make_entry(clock, n) for n in range(5))
    seen = await worker.run(lambda s: (threading.current_thread().name, s is store, s.count()))
    again = await worker.run(lambda s: threading.current_thread().name)
    assert seen[0].startswith("linkdesk-history") and again == seen[0]
    assert seen[1:] == (False, 5)
    page = await worker.page(HistoryQuery(), limit=2, convert=lambda e: e.account_id)
    assert page == ["acct_1Worker0000", "acct_1Worker0001"] and await worker.count(HistoryQuery()) == 5
    rest = await worker.page(HistoryQuery(), limit=10, after=(clock.time() - 1, 2))
    assert [e.account_id for e in rest] == ["acct_1Worker0002", "acct_1Worker0003", "acct_1Worker0004"]


async def test_a_job_no_longer_wanted_is_skipped(worker):
    ran = []
    gate = threading.Event()
    worker.submit(gate.wait, 10)
    wanted = [True]
    pending = worker.run(lambda s: ran.append(1), wanted=lambda: wanted[0])
    wanted[0] = False
    gate.set()
    with pytest.raises(Superseded):
        await pending
    assert ran == []


async def test_a_store_is_used_by_the_thread_that_owns_it_only(tmp_path, clock):
    opener = HistoryWorker(tmp_path / "d" / "history.sqlite3", clock=clock)
    try:
        store = opener.submit(HistoryStore.open, tmp_path / "d", clock=clock).result(10)
        with pytest.raises(HistoryError, match="thread"):
            store.count()  # still the opener's: using it here would be two threads at once
        store.claim()  # handed over: this thread owns it now, the worker never touches it
        assert store.count() == 0
        with pytest.raises(HistoryError, match="thread"):
            opener.submit(store.count).result(10)
        store.close()
    finally:
        await opener.aclose()


async def test_the_ui_store_fails_fast_on_a_lock_and_the_worker_retries_the_record(tmp_path, clock):
    store = HistoryStore.open(tmp_path, clock=clock, busy_timeout_ms=UI_BUSY_TIMEOUT_MS)
    worker = HistoryWorker.for_store(store, clock)
    locker = Locker(store.path)
    try:
        assert store.busy_timeout_ms == UI_BUSY_TIMEOUT_MS
        with pytest.raises(sqlite3.OperationalError) as info:
            store.record(make_entry(clock, 1))
        assert is_busy(info.value)
        # The retry waits on the worker (full timeout) until the other instance lets go.
        threading.Timer(0.05, locker.release).start()
        saved = await worker.record(store, make_entry(clock, 2, url=URL))
        assert saved.id is not None and store.get(saved.id).url == URL
        assert store.erase_urls_written_here() == 1  # the worker's write counts as this instance's
        assert store.get(saved.id).url is None
    finally:
        locker.release()
        await worker.aclose()
        store.close()


async def test_a_write_on_a_free_file_stays_on_the_calling_thread(worker, store, clock):
    entry = store.record(make_entry(clock, 1))
    threads = []

    def job(s: HistoryStore) -> bool:
        threads.append(threading.current_thread())
        return s.set_note(entry.id, "called")

    assert await worker.write(store, job) is True
    assert threads == [threading.current_thread()]
    assert store.get(entry.id).note == "called"


async def test_turning_url_keeping_off_on_a_locked_file_erases_later(tmp_path, clock):
    store = HistoryStore.open(tmp_path, clock=clock, busy_timeout_ms=UI_BUSY_TIMEOUT_MS)
    saved = store.record(make_entry(clock, 1, url=URL))
    locker = Locker(store.path)
    try:
        store.set_store_urls(False)  # the lock is held: no error, no URL written from now on
        assert store.next_erase_due() == clock.time()  # "erase again now"
    finally:
        locker.release()
    assert store.record(make_entry(clock, 3, url=URL)).url is None
    assert store.erase_expired_urls() == 1
    assert store.get(saved.id).url is None and store.next_erase_due() is None
    store.close()


def test_open_keeps_the_full_busy_timeout_unless_asked(tmp_path, clock):
    with HistoryStore.open(tmp_path / "a", clock=clock) as cli:
        assert cli.conn.execute("PRAGMA busy_timeout").fetchall() == [(BUSY_TIMEOUT_MS,)]
    with HistoryStore.open(tmp_path / "b", clock=clock, busy_timeout_ms=UI_BUSY_TIMEOUT_MS) as ui:
        assert ui.conn.execute("PRAGMA busy_timeout").fetchall() == [(UI_BUSY_TIMEOUT_MS,)]
        ui.record(make_entry(clock, 1, url=URL))
        clock.advance(301)
        ui.erase_expired_urls()  # its WAL scrub restores the short timeout, not the full one
        assert ui.conn.execute("PRAGMA busy_timeout").fetchall() == [(UI_BUSY_TIMEOUT_MS,)]


async def test_a_closed_worker_refuses_work_and_closing_twice_is_safe(store, clock):
    w = HistoryWorker.for_store(store, clock)
    assert await w.run(lambda s: s.count()) == 0
    await w.aclose()
    await w.aclose()
    assert w.closed
    with pytest.raises(HistoryError, match="closed"):
        w.submit(lambda: None)
    blocking = HistoryWorker.for_store(store, clock)
    blocking.submit(lambda: None).result(10)
    blocking.close()
    blocking.close()


async def test_the_collector_is_paused_while_a_job_runs_on_the_worker(worker):
    import asyncio
    import gc

    assert gc.isenabled()
    inside = await worker.run(lambda s: gc.isenabled())
    assert inside is False  # a collection there could free Qt objects off the Qt thread
    # The result arrives first; the worker reports the job's end as its very last act for it
    # (after the result went out), and the loop then ends the pause: a few loop turns later.
    for _ in range(500):
        if gc.isenabled():
            break
        await asyncio.sleep(0.002)
    assert gc.isenabled()
    worker.submit(lambda: None).result(10)
    worker.reap()  # a blocking caller reaps itself
    assert gc.isenabled()


def test_a_job_that_ends_after_its_event_loop_closed_does_not_leave_the_collector_off(store, clock):
    """The end of a job is reported on the loop that submitted it; when that loop closes first
    (a test ending, the app quitting), the report is lost. The next worker call on any
    non-worker thread must count the job, or the collector stays off for the whole process."""
    import asyncio
    import gc

    from app.history.worker import _GC_PAUSE

    gate = threading.Event()
    first = HistoryWorker.for_store(store, clock)

    async def submit_and_leave() -> "object":
        return first.submit(gate.wait, 10)

    loop = asyncio.new_event_loop()
    try:
        future = loop.run_until_complete(submit_and_leave())
    finally:
        loop.close()
    assert not gc.isenabled() and _GC_PAUSE.jobs == 1
    gate.set()
    future.result(10)  # ended on the worker; its report to the closed loop went nowhere
    try:
        second = HistoryWorker.for_store(store, clock)  # any later call from this thread counts it
        assert gc.isenabled() and _GC_PAUSE.jobs == 0
        second.close()
    finally:
        first.close()
    assert gc.isenabled() and _GC_PAUSE.jobs == 0


def test_jobs_of_two_workers_share_one_pause(store, clock):
    import gc

    gates = [threading.Event(), threading.Event()]
    workers = [HistoryWorker.for_store(store, clock) for _ in gates]
    try:
        futures = [w.submit(g.wait, 10) for w, g in zip(workers, gates)]
        assert not gc.isenabled()
        gates[0].set()
        futures[0].result(10)
        workers[0].reap()
        assert not gc.isenabled()  # the other worker's job still runs
        gates[1].set()
        futures[1].result(10)
        workers[0].reap()  # any worker's reap counts every worker's ended jobs
        assert gc.isenabled()
    finally:
        for g in gates:
            g.set()
        for w in workers:
            w.close()


def test_the_pause_outlasts_the_callbacks_that_deliver_a_result(store, clock):
    """A future is done before its callbacks have run, and they run on the worker thread
    (asyncio's wrap_future and qasync's signal allocate there). A caller that reaps as soon as
    the result is there must not turn the collector back on under them."""
    import gc
    import time

    worker = HistoryWorker.for_store(store, clock)
    gate, reaped, seen = threading.Event(), threading.Event(), []

    def deliver(_future) -> None:
        reaped.wait(10)  # stays here until the caller has reaped
        seen.append((threading.current_thread().name, gc.isenabled()))

    try:
        future = worker.submit(gate.wait, 10)
        future.add_done_callback(deliver)
        gate.set()
        deadline = time.monotonic() + 10
        while not future.done() and time.monotonic() < deadline:
            time.sleep(0.001)
        worker.reap()  # the result is there; its delivery still runs on the worker
        reaped.set()
        while not seen and time.monotonic() < deadline:
            time.sleep(0.001)
        assert seen == [("linkdesk-history", False)]
    finally:
        reaped.set()
        worker.close()
    assert gc.isenabled()
