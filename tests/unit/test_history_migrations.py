"""Schema versions: migration from every earlier version, refusal of newer ones, recovery."""

import sqlite3

import pytest

from app.clock import FakeClock
from app.history import DB_FILENAME, LATEST_VERSION, HistoryEntry, HistoryQuery, HistoryStore, HistoryVersionError
from app.history.migrations import MIGRATIONS, migrate

# The shipped v1 schema, frozen here on purpose: editing the migration code must not change
# what "a v1 database" means to this test.
V1_DDL = """
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY, attempted_at REAL NOT NULL, profile TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('test', 'live')), account_id TEXT NOT NULL,
    account_name TEXT, account_email TEXT, link_type TEXT NOT NULL, refresh_url TEXT NOT NULL,
    return_url TEXT NOT NULL, collection_fields TEXT, future_requirements TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('created', 'failed')), error_code TEXT,
    error_message TEXT, request_id TEXT, created INTEGER, expires_at INTEGER, url TEXT
);
CREATE INDEX attempts_time ON attempts (attempted_at);
PRAGMA user_version = 1;
"""
V2_DDL = """
ALTER TABLE attempts ADD COLUMN note TEXT;
ALTER TABLE attempts ADD COLUMN local_expires_at REAL;
PRAGMA user_version = 2;
"""
NOW = 1_767_225_600.0
LIVE_URL = "https://connect.stripe.com/setup/c/acct_1Old/StillLiveSecret"
V1_ROWS = [
    # attempted_at, profile, mode, account_id, name, email, type, created, expires_at, outcome, code, url
    (NOW - 86400, "default", "live", "acct_1Old", "Harbor Street Bakery", "ops@harbor.example",
     "account_onboarding", 1_700_000_000, 1_700_000_300, "created", None, None),
    (NOW - 3600, "sandbox", "test", "acct_1Fail", None, None, "account_update", None, None, "failed",
     "account_invalid", None),
    (NOW - 10, "default", "test", "acct_1Old", "Harbor Street Bakery", None, "account_onboarding",
     1_700_000_000, 1_700_000_300, "created", None, LIVE_URL),
]


def make_entry(clock: FakeClock, n: int) -> HistoryEntry:
    return HistoryEntry(
        account_id=f"acct_1Test{n:06d}", link_type="account_onboarding", mode="test",
        refresh_url="https://p.example/r", return_url="https://p.example/ok", attempted_at=clock.time(),
        account_name=f"Shop number {n}", account_email=f"owner{n}@shop.example",
    )


def build_v1(path) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.executescript(V1_DDL)
        conn.executemany(
            "INSERT INTO attempts (attempted_at, profile, mode, account_id, account_name, account_email,"
            " link_type, refresh_url, return_url, created, expires_at, outcome, error_code, url)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'https://p.example/r', 'https://p.example/ok', ?, ?, ?, ?, ?)",
            V1_ROWS,
        )
        conn.commit()
    finally:
        conn.close()


def build_v2(path) -> None:
    build_v1(path)
    conn = sqlite3.connect(path)
    try:
        conn.executescript(V2_DDL)
        conn.execute("UPDATE attempts SET local_expires_at = attempted_at + 300 WHERE outcome = 'created'")
        conn.execute("UPDATE attempts SET note = 'Asked Maria to retry' WHERE account_id = 'acct_1Fail'")
        conn.commit()
    finally:
        conn.close()


def build_v3(path) -> None:
    """v2 plus the shipped v3 step (shipped steps are never edited, so this is what v3 was)."""
    build_v2(path)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        migrate(conn, target=3)
    finally:
        conn.close()


def build_v4(path) -> None:
    """v3 plus the shipped v4 step: the schema Linkdesk had before issue 18."""
    build_v3(path)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        migrate(conn, target=4)
    finally:
        conn.close()


def build_v5(path) -> None:
    """v4 plus the shipped v5 step: the schema Linkdesk had before issue 19."""
    build_v4(path)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        migrate(conn, target=5)
    finally:
        conn.close()


def read(path, sql):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def schema(path) -> tuple[list[tuple], list[tuple]]:
    """Columns of the table (name, type, not null, default) and every index's definition."""
    columns = read(path, "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('attempts')")
    indexes = read(path, "SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name")
    return columns, indexes


def test_the_version_list_is_what_these_tests_cover():
    assert LATEST_VERSION == len(MIGRATIONS) == 6


@pytest.mark.parametrize("builder,version", [(build_v1, 1), (build_v2, 2), (build_v3, 3), (build_v4, 4),
                                                    (build_v5, 5)])
def test_migrates_each_earlier_version_keeping_data_and_a_backup(tmp_path, builder, version):
    folder = tmp_path / "data"
    folder.mkdir()
    builder(folder / DB_FILENAME)
    clock = FakeClock(wall=NOW)
    with HistoryStore.open(folder, clock=clock) as store:
        assert store.migrated_from == version
        assert store.backup_path == folder / f"{DB_FILENAME}.bak-v{version}"
        entries = store.query()
        assert [e.account_id for e in entries] == ["acct_1Old", "acct_1Fail", "acct_1Old"]
        newest, failed, oldest = entries
        assert newest.url == LIVE_URL and newest.status(clock.time()) == "active"
        assert newest.local_expires_at == pytest.approx(NOW - 10 + 300)
        assert (failed.outcome, failed.error_code, failed.profile) == ("failed", "account_invalid", "sandbox")
        assert oldest.account_email == "ops@harbor.example" and oldest.status(clock.time()) == "expired"
        # search works on migrated rows (search_text was back-filled)
        assert [e.id for e in store.query(HistoryQuery(text="harbor bakery"))] == [newest.id, oldest.id]
        # v4: every row made before the Accounts API was recorded was made through v1
        assert {(e.accounts_api, e.configurations, e.onboarding_outcome) for e in entries} == {("v1", None, None)}
        assert store.count(HistoryQuery(accounts_api="v1")) == 3 and store.count(HistoryQuery(accounts_api="v2")) == 0
        if version >= 2:
            assert failed.note == "Asked Maria to retry"
            assert [e.id for e in store.query(HistoryQuery(text="maria"))] == [failed.id]
        store.record(oldest.with_changes(id=None, attempted_at=NOW))
        v2 = store.record(oldest.with_changes(id=None, attempted_at=NOW + 1, accounts_api="v2",
                                              configurations="merchant,recipient"))
        assert store.set_onboarding_outcome(failed.id, "details submitted at 10:42")
        assert [e.id for e in store.query(HistoryQuery(accounts_api="v2"))] == [v2.id]
        assert store.get(v2.id).configurations == "merchant,recipient"
        assert store.get(failed.id).onboarding_outcome == "details submitted at 10:42"
        assert store.get(failed.id).note == ("Asked Maria to retry" if version >= 2 else None)
        # v5: rows keep their ids; an attempt can be written before its request, with its key
        assert [e.id for e in entries] == [3, 2, 1]
        assert {(e.idempotency_key, e.writer) for e in entries} == {(None, None)}
        open_row = store.record(oldest.with_changes(id=None, attempted_at=NOW + 2, outcome="unknown", url=None,
                                                    idempotency_key="linkdesk-k1", writer="host:1:2"))
        assert store.get(open_row.id).outcome == "unknown" and store.count(HistoryQuery(status="unknown")) == 1
        assert store.get(open_row.id).idempotency_key == "linkdesk-k1"
        assert store.count(HistoryQuery(status="failed")) == 1  # never counted as a failure
    assert read(folder / DB_FILENAME, "PRAGMA user_version") == [(LATEST_VERSION,)]
    backup = folder / f"{DB_FILENAME}.bak-v{version}"
    assert read(backup, "PRAGMA user_version") == [(version,)]
    assert read(backup, "SELECT count(*) FROM attempts") == [(3,)]
    assert LIVE_URL.encode() not in backup.read_bytes()  # a backup never keeps a link URL
    with pytest.raises(sqlite3.IntegrityError):  # the column refuses anything but v1 and v2
        conn = sqlite3.connect(folder / DB_FILENAME)
        try:
            conn.execute("UPDATE attempts SET accounts_api = 'v3'")
        finally:
            conn.close()
    # a migrated file has exactly the schema of a new one
    HistoryStore.open(tmp_path / "fresh", clock=clock).close()
    assert schema(folder / DB_FILENAME) == schema(tmp_path / "fresh" / DB_FILENAME)


def test_v6_says_which_link_replaced_a_row_and_older_rows_read_none(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    build_v5(folder / DB_FILENAME)
    clock = FakeClock(wall=NOW)
    with HistoryStore.open(folder, clock=clock) as store:
        assert [e.replaced_by for e in store.query()] == [None, None, None]
        old = store.record(make_entry(clock, 1))
        new = store.record(make_entry(clock, 2))
        assert store.set_replaced_by(old.id, new.id) is True
        assert store.get(old.id).replaced_by == new.id and store.get(new.id).replaced_by is None
        assert store.get(old.id).public_dict(clock.time())["replaced_by"] == new.id
        assert store.set_replaced_by(987654, new.id) is False


def test_a_new_or_empty_file_is_created_at_the_latest_version_without_backup(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / DB_FILENAME).write_bytes(b"")  # left by a crash before the first write
    with HistoryStore.open(folder, clock=FakeClock()) as store:
        assert store.migrated_from is None and store.backup_path is None and store.recovered_from is None
    assert read(folder / DB_FILENAME, "PRAGMA user_version") == [(LATEST_VERSION,)]
    assert sorted(p.name for p in folder.iterdir() if "bak" in p.name) == []


def test_migration_resumes_from_a_partial_run(tmp_path):
    conn = sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None)
    try:
        assert migrate(conn, target=1) == 0
        assert conn.execute("PRAGMA user_version").fetchall() == [(1,)]
        assert migrate(conn) == 1
        assert conn.execute("PRAGMA user_version").fetchall() == [(LATEST_VERSION,)]
        assert migrate(conn) == LATEST_VERSION  # nothing left to do
    finally:
        conn.close()


def test_a_failing_step_rolls_back_and_keeps_the_version(tmp_path, monkeypatch):
    import app.history.migrations as migrations

    conn = sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None)
    try:
        migrate(conn, target=1)

        def broken(c):
            c.execute("ALTER TABLE attempts ADD COLUMN note TEXT")
            raise RuntimeError("disk full")

        monkeypatch.setattr(migrations, "MIGRATIONS", (migrations.MIGRATIONS[0], broken))
        with pytest.raises(RuntimeError):
            migrations.migrate(conn, target=2)
        assert conn.execute("PRAGMA user_version").fetchall() == [(1,)]
        columns = [row[1] for row in conn.execute("PRAGMA table_info(attempts)").fetchall()]
        assert "note" not in columns
    finally:
        conn.close()


@pytest.mark.parametrize("wal", [False, True])
def test_a_newer_database_is_refused_and_left_byte_for_byte(tmp_path, wal):
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / DB_FILENAME
    conn = sqlite3.connect(path)
    try:
        if wal:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE attempts (id INTEGER PRIMARY KEY, shiny_new_column TEXT)")
        conn.execute("INSERT INTO attempts VALUES (1, 'from the future')")
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
        conn.commit()
    finally:
        conn.close()
    before = path.read_bytes()
    names = sorted(p.name for p in folder.iterdir())
    with pytest.raises(HistoryVersionError, match="Update Linkdesk") as caught:
        HistoryStore.open(folder, clock=FakeClock())
    assert caught.value.found == LATEST_VERSION + 1
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        n for n in names if not n.endswith(("-wal", "-shm"))
    ]


def test_garbage_file_is_moved_aside_and_a_new_history_starts(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    garbage = b"this is not a database at all \x00\xff" * 200
    (folder / DB_FILENAME).write_bytes(garbage)
    (folder / (DB_FILENAME + "-wal")).write_bytes(b"stale wal")
    clock = FakeClock()
    with HistoryStore.open(folder, clock=clock) as store:
        moved = store.recovered_from
        assert moved is not None and moved.name.startswith(f"{DB_FILENAME}.corrupt-")
        assert moved.read_bytes() == garbage
        assert moved.with_name(moved.name + "-wal").read_bytes() == b"stale wal"
        saved = store.record(make_entry(clock, 1))
        assert store.get(saved.id) == saved
    with HistoryStore.open(folder, clock=clock) as store:  # the new file is healthy
        assert store.recovered_from is None and store.count() == 1


def test_a_malformed_database_is_moved_aside(tmp_path):
    folder = tmp_path / "data"
    clock = FakeClock()
    with HistoryStore.open(folder, clock=clock) as store:
        store.record_many(make_entry(clock, n) for n in range(3000))
    path = folder / DB_FILENAME
    data = bytearray(path.read_bytes())
    assert len(data) > 16 * 4096
    data[8 * 4096 : 12 * 4096] = b"\xa5" * (4 * 4096)  # trash some table and index pages
    path.write_bytes(bytes(data))
    with HistoryStore.open(folder, clock=clock) as store:
        assert store.recovered_from is not None
        assert store.count() == 0


def test_a_foreign_sqlite_database_is_moved_aside_not_mangled(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    conn = sqlite3.connect(folder / DB_FILENAME)
    try:
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.commit()
    finally:
        conn.close()
    with HistoryStore.open(folder, clock=FakeClock()) as store:
        assert store.recovered_from is not None
        assert read(store.recovered_from, "SELECT name FROM sqlite_schema") == [("recipes",)]
