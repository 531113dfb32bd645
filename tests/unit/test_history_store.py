"""HistoryStore: durable records, URL erasure down to the file bytes, retention, search."""

import os
import sqlite3
import stat
import time

import pytest

from app.clock import FakeClock
from app.history import DB_FILENAME, HistoryEntry, HistoryError, HistoryQuery, HistoryStore

DAY = 86400.0


def make_entry(clock: FakeClock, n: int = 0, *, ttl: int = 300, url: str | None = None, **changes) -> HistoryEntry:
    now = clock.time()
    base = HistoryEntry(
        account_id=f"acct_1Test{n:06d}",
        link_type="account_onboarding",
        mode="test",
        refresh_url="https://platform.example/refresh",
        return_url="https://platform.example/return",
        attempted_at=now,
        account_name=f"Shop {n}",
        account_email=f"owner{n}@shop.example",
        created=1_700_000_000,
        expires_at=1_700_000_000 + ttl,
        local_expires_at=now + ttl,
        request_id=f"req_{n}",
        url=url,
    )
    return base.with_changes(**changes)


def secret_url(n: int = 0) -> str:
    return f"https://connect.stripe.com/setup/c/acct_1Test{n:06d}/S3cr3tT0ken{n:04d}X"


def file_bytes(folder) -> bytes:
    """Everything SQLite has on disk for the history database."""
    blob = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = folder / (DB_FILENAME + suffix)
        if path.exists():
            blob += path.read_bytes()
    return blob


def test_record_is_committed_before_it_returns(store, clock):
    saved = store.record(make_entry(clock, 1, url=secret_url(1)))
    assert saved.id is not None
    other = sqlite3.connect(store.path)  # a separate connection sees the row at once
    try:
        rows = other.execute("SELECT account_id, url FROM attempts WHERE id = ?", (saved.id,)).fetchall()
    finally:
        other.close()
    assert rows == [("acct_1Test000001", secret_url(1))]
    assert store.get(saved.id) == saved


def test_folders_and_files_are_private(tmp_path, clock):
    with HistoryStore.open(tmp_path / "a" / "b", clock=clock) as s:
        s.record(make_entry(clock))
        for folder in (tmp_path / "a", tmp_path / "a" / "b"):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        for name in (DB_FILENAME, DB_FILENAME + "-wal", DB_FILENAME + "-shm"):
            assert stat.S_IMODE((tmp_path / "a" / "b" / name).stat().st_mode) == 0o600
    before = stat.S_IMODE(tmp_path.stat().st_mode)
    HistoryStore.open(tmp_path, clock=clock).close()
    assert stat.S_IMODE(tmp_path.stat().st_mode) == before  # a folder that existed is not chmod-ed


def test_expired_url_is_erased_from_row_and_from_every_file(tmp_path, clock):
    folder = tmp_path / "data"
    with HistoryStore.open(folder, clock=clock) as s:
        first = s.record(make_entry(clock, 1, url=secret_url(1)))
        clock.advance(100)
        second = s.record(make_entry(clock, 2, url=secret_url(2)))
        s.set_note(first.id, "called the owner")  # another copy of the page in the WAL
        assert secret_url(1).encode() in file_bytes(folder)  # the check below can fail
        clock.advance(201)
        assert s.erase_expired_urls() == 1
        assert s.get(first.id).url is None
        assert s.get(second.id).url == secret_url(2)  # still active: still there
        blob = file_bytes(folder)
        assert secret_url(1).encode() not in blob
        assert secret_url(2).encode() in blob
        assert s.next_erase_due() == pytest.approx(second.local_expires_at)
        clock.advance(100)
        assert s.erase_expired_urls() == 1
        assert secret_url(2).encode() not in file_bytes(folder)
        assert s.next_erase_due() is None


def test_open_erases_urls_that_expired_while_closed(tmp_path, clock):
    folder = tmp_path / "data"
    with HistoryStore.open(folder, clock=clock) as s:
        saved = s.record(make_entry(clock, 1, url=secret_url(1)))
    clock.advance(301)
    with HistoryStore.open(folder, clock=clock) as s:
        assert s.get(saved.id).url is None
        assert secret_url(1).encode() not in file_bytes(folder)


def test_url_is_dropped_when_the_wall_clock_was_set_back(store, clock):
    saved = store.record(make_entry(clock, 1, url=secret_url(1)))
    clock.set_wall(clock.time() - 3600)  # an hour back: "time left" would read 65 minutes
    assert store.erase_expired_urls() == 1
    assert store.get(saved.id).url is None


def test_store_urls_false_never_writes_a_url(tmp_path, clock):
    folder = tmp_path / "data"
    with HistoryStore.open(folder, clock=clock, store_urls=False) as s:
        saved = s.record(make_entry(clock, 1, url=secret_url(1)))
        assert saved.url is None and s.get(saved.id).url is None
        assert saved.status(clock.time()) == "active"  # the attempt is still recorded as live
        assert secret_url(1).encode() not in file_bytes(folder)


def test_an_already_expired_link_is_recorded_without_its_url(store, clock):
    saved = store.record(make_entry(clock, 1, ttl=0, url=secret_url(1)))  # Stripe's fixture shape
    assert saved.url is None and store.get(saved.id).status(clock.time()) == "expired"


def test_retention_purges_old_rows_at_open(tmp_path, clock):
    folder = tmp_path / "data"
    with HistoryStore.open(folder, clock=clock) as s:
        old = s.record(make_entry(clock, 1, attempted_at=clock.time() - 400 * DAY))
        edge = s.record(make_entry(clock, 2, attempted_at=clock.time() - 364 * DAY))
        new = s.record(make_entry(clock, 3))
    with HistoryStore.open(folder, clock=clock, retention_days=None) as s:
        assert s.get(old.id) is not None  # None keeps everything
    with HistoryStore.open(folder, clock=clock) as s:  # default: 365 days
        assert s.get(old.id) is None
        assert [e.id for e in s.query()] == [new.id, edge.id]
    with HistoryStore.open(folder, clock=clock, retention_days=30) as s:
        assert [e.id for e in s.query()] == [new.id]


def test_search_matches_id_name_email_and_note_case_insensitively(store, clock):
    bakery = store.record(make_entry(clock, 1, account_name="Harbor Street Bakery", account_email="Ops@Harbor.example"))
    cafe = store.record(make_entry(clock, 2, account_name="Café Straße", account_id="acct_1ZZcafe"))
    other = store.record(make_entry(clock, 3, account_name="Percent 100% Shop_Co"))
    store.set_note(other.id, "Called Maria about the ID check")

    def ids(text: str) -> list[int]:
        return sorted(e.id for e in store.query(HistoryQuery(text=text)))

    assert ids("bakery") == [bakery.id]
    assert ids("HARBOR.EXAMPLE") == [bakery.id]
    assert ids("acct_1zzC") == [cafe.id]
    assert ids("CAFÉ strasse") == [cafe.id]  # every word must match; ß folds to ss
    assert ids("maria") == [other.id]
    assert ids("%") == [other.id] and ids("h_r") == []  # % and _ are plain characters, not LIKE's
    assert ids("shop_co") == [other.id]
    assert ids("bakery maria") == []
    assert ids("bakeryops") == []  # a word never spans two fields ("…bakery" + "ops@…")
    assert ids("bakery ops") == [bakery.id]  # but two words may match two fields
    assert ids("   ") == sorted([bakery.id, cafe.id, other.id])
    assert store.count(HistoryQuery(text="harbor")) == 1


def test_filters_mode_type_status_dates_and_account(store, clock):
    t0 = clock.time()
    a = store.record(make_entry(clock, 1, url=secret_url(1)))
    b = store.record(make_entry(clock, 2, mode="live", link_type="account_update", attempted_at=t0 - DAY))
    c = store.record(make_entry(clock, 3, outcome="failed", error_code="account_invalid", local_expires_at=None,
                                created=None, expires_at=None, attempted_at=t0 - 2 * DAY))
    d = store.record(make_entry(clock, 1, attempted_at=t0 - 3 * DAY, local_expires_at=t0 - 3 * DAY + 300))

    def ids(**kw) -> list[int]:
        query = HistoryQuery(**kw)
        found = [e.id for e in store.query(query)]
        assert store.count(query) == len(found)
        return found

    assert ids() == [a.id, b.id, c.id, d.id]  # newest first
    assert ids(mode="live") == [b.id]
    assert ids(link_type="account_update") == [b.id]
    assert ids(status="failed") == [c.id]
    assert ids(status="active") == [a.id, b.id]  # b was recorded with 300 s left at t0
    assert ids(status="expired") == [d.id]
    assert ids(since=t0 - 2 * DAY) == [a.id, b.id, c.id]
    assert ids(since=t0 - 2.5 * DAY, until=t0 - 0.5 * DAY) == [b.id, c.id]
    assert ids(account_id="acct_1Test000001") == [a.id, d.id]
    clock.advance(301)
    assert ids(status="active") == []
    assert ids(status="expired") == [a.id, b.id, d.id]
    with pytest.raises(ValueError):
        HistoryQuery(status="pending")


def test_keyset_pages_cover_everything_once_newest_first(store, clock):
    for n in range(53):
        if n % 10 == 0:
            clock.advance(1)  # runs of equal timestamps: ties are broken by id
        store.record(make_entry(clock, n, mode="live" if n % 3 else "test"))
    query = HistoryQuery(mode="live")
    seen, after = [], None
    while True:
        page = store.query(query, limit=7, after=after)
        seen.extend(page)
        if len(page) < 7:
            break
        after = (page[-1].attempted_at, page[-1].id)
    keys = [(e.attempted_at, e.id) for e in seen]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == len(keys)
    assert len(seen) == store.count(query) == sum(1 for n in range(53) if n % 3)
    assert [e.id for e in store.iter_entries(query, page_size=5)] == [e.id for e in seen]


def test_notes_delete_and_clear(store, clock):
    a = store.record(make_entry(clock, 1))
    b = store.record(make_entry(clock, 2))
    assert store.set_note(a.id, "  sent by phone  ")
    assert store.get(a.id).note == "sent by phone"
    assert store.set_note(a.id, "   ") and store.get(a.id).note is None
    assert not store.set_note(9999, "x")
    assert store.delete(a.id) and not store.delete(a.id)
    assert store.get(a.id) is None and store.get(b.id) is not None
    store.record(make_entry(clock, 3))
    assert store.clear() == 2
    assert store.count() == 0 and store.query() == []


def test_close_is_idempotent_and_a_closed_store_says_so(tmp_path, clock):
    s = HistoryStore.open(tmp_path, clock=clock)
    s.close()
    s.close()
    with pytest.raises(HistoryError, match="closed"):
        s.record(make_entry(clock))


def test_wal_mode_and_busy_timeout(store):
    assert store.conn.execute("PRAGMA journal_mode").fetchall() == [("wal",)]
    assert store.conn.execute("PRAGMA busy_timeout").fetchall() == [(5000,)]
    assert store.conn.execute("PRAGMA secure_delete").fetchall() == [(1,)]
    assert os.path.exists(str(store.path) + "-wal")


def test_deleting_or_clearing_an_active_row_scrubs_its_url_from_the_files(tmp_path, clock):
    folder = tmp_path / "data"
    with HistoryStore.open(folder, clock=clock) as s:
        first = s.record(make_entry(clock, 1, url=secret_url(1)))
        s.record(make_entry(clock, 2, url=secret_url(2)))
        assert secret_url(1).encode() in file_bytes(folder)
        assert s.delete(first.id)
        blob = file_bytes(folder)
        assert secret_url(1).encode() not in blob and secret_url(2).encode() in blob
        s.clear()
        assert secret_url(2).encode() not in file_bytes(folder)


def test_a_reader_in_another_instance_delays_the_wal_scrub_without_blocking(tmp_path, clock):
    folder = tmp_path / "data"
    with HistoryStore.open(folder, clock=clock) as s:
        s.record(make_entry(clock, 1, url=secret_url(1)))
        other = sqlite3.connect(s.path, isolation_level=None)
        try:
            other.execute("BEGIN")
            other.execute("SELECT count(*) FROM attempts").fetchall()  # holds a read snapshot
            clock.advance(301)
            started = time.monotonic()
            assert s.erase_expired_urls() == 1
            assert time.monotonic() - started < 1.0  # did not wait out the 5 s busy timeout
            assert s.get(1).url is None
            assert secret_url(1).encode() in file_bytes(folder)  # the WAL could not be emptied yet
            assert s.next_erase_due() == clock.time()  # "try again now"
            other.execute("COMMIT")
        finally:
            other.close()
        assert s.erase_expired_urls() == 0
        assert secret_url(1).encode() not in file_bytes(folder)
        assert s.next_erase_due() is None


def test_urls_written_here_are_erased_at_exit_and_other_instances_are_left(store, clock, tmp_path):
    from app.history.store import HistoryStore

    other = HistoryStore.open(tmp_path / "data", clock=clock)
    try:
        mine = store.record(make_entry(clock, 1, url=secret_url(1)))
        theirs = other.record(make_entry(clock, 2, url=secret_url(2)))
        assert store.erase_urls_written_here() == 1
        assert store.get(mine.id).url is None
        assert store.get(theirs.id).url == secret_url(2)
        assert secret_url(1).encode() not in file_bytes(tmp_path / "data")
        assert store.erase_urls_written_here() == 0  # nothing left to do
    finally:
        other.close()
