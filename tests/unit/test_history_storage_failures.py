"""Storage that cannot be used: each case ends in a HistoryStorageError naming the file or folder
and saying what to do, and nothing is created where it should not be. Real files, no mocks.
(Read-only and full file systems: tests/integration/test_history_filesystems.py.)"""

import os
import sqlite3
from pathlib import Path

import pytest

from app.history import DB_FILENAME, HistoryEntry, HistoryError, HistoryStore
from app.history.errors import HistoryStorageError, storage_error
from app.history.files import opening_lock
from app.paths import StorageError, ensure_private_dir


def entry(clock, n: int = 1) -> HistoryEntry:
    return HistoryEntry(
        account_id=f"acct_1Storage{n:04d}", link_type="account_onboarding", mode="test",
        refresh_url="https://p.example/r", return_url="https://p.example/ok", attempted_at=clock.time(),
    )


def open_fails(folder: Path, clock) -> HistoryStorageError:
    with pytest.raises(HistoryStorageError) as caught:
        HistoryStore.open(folder, clock=clock)
    message = str(caught.value)
    assert "Traceback" not in message and "\n" not in message
    return caught.value


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_data_folder_that_cannot_be_created_is_named_with_what_to_do(clock):
    error = open_fails(Path("/proc/linkdesk-test/data"), clock)
    assert "/proc/linkdesk-test/data" in str(error) and "--data-dir" in str(error)
    assert not Path("/proc/linkdesk-test").exists()


def test_a_file_where_the_data_folder_should_be(tmp_path, clock):
    squatter = tmp_path / "data"
    squatter.write_text("not a folder")
    error = open_fails(squatter, clock)
    assert f"The data folder {squatter} is a file" in str(error) and "--data-dir" in str(error)
    assert squatter.read_text() == "not a folder"


def test_a_file_where_a_parent_folder_should_be(tmp_path, clock):
    squatter = tmp_path / "parent"
    squatter.write_text("x")
    error = open_fails(squatter / "data", clock)
    assert str(squatter / "data") in str(error) and f"{squatter} is a file" in str(error)


def test_the_database_path_being_a_folder(tmp_path, clock):
    (tmp_path / DB_FILENAME).mkdir()
    error = open_fails(tmp_path, clock)
    assert f"The history file {tmp_path / DB_FILENAME} is a folder" in str(error)
    assert error.path == tmp_path / DB_FILENAME


def test_a_dangling_symlink_for_the_database_is_refused_not_followed(tmp_path, clock):
    elsewhere = tmp_path / "elsewhere" / "stolen.sqlite3"
    elsewhere.parent.mkdir()
    data = tmp_path / "data"
    data.mkdir()
    (data / DB_FILENAME).symlink_to(elsewhere)
    error = open_fails(data, clock)
    assert "symbolic link" in str(error) and str(elsewhere) in str(error) and "does not exist" in str(error)
    assert not elsewhere.exists()  # nothing was created at the link's target
    assert sorted(p.name for p in data.iterdir()) == [DB_FILENAME]


def test_a_symlink_to_a_folder_is_refused(tmp_path, clock):
    (tmp_path / "folder").mkdir()
    data = tmp_path / "data"
    data.mkdir()
    (data / DB_FILENAME).symlink_to(tmp_path / "folder")
    assert "not a file" in str(open_fails(data, clock))


def test_a_symlink_to_an_existing_history_is_used(tmp_path, clock):
    real = tmp_path / "disk2"
    with HistoryStore.open(real, clock=clock) as store:
        store.record(entry(clock))
    data = tmp_path / "data"
    data.mkdir()
    (data / DB_FILENAME).symlink_to(real / DB_FILENAME)
    with HistoryStore.open(data, clock=clock) as store:
        assert store.count() == 1
        store.record(entry(clock, 2))
    with HistoryStore.open(real, clock=clock) as store:
        assert store.count() == 2


def test_a_failed_write_is_said_in_plain_words_and_the_store_keeps_working(tmp_path, clock):
    store = HistoryStore.open(tmp_path, clock=clock)
    try:
        store.conn.execute("PRAGMA max_page_count = 1")  # SQLite's own "disk full" (SQLITE_FULL)
        many = [entry(clock, n).with_changes(note="x" * 2000) for n in range(50)]
        with pytest.raises(HistoryStorageError, match="disk is full") as caught:
            store.record_many(many)
        assert str(tmp_path / DB_FILENAME) in str(caught.value)
        assert not store.conn.in_transaction and store.count() == 0
        store.conn.execute("PRAGMA max_page_count = 1073741823")
        assert store.record(entry(clock)).id is not None
    finally:
        store.close()


def test_a_locked_write_is_left_as_it_is_for_the_retry(tmp_path, clock):
    store = HistoryStore.open(tmp_path, clock=clock, busy_timeout_ms=10)
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError) as caught:
            store.record(entry(clock))
        assert storage_error(caught.value, store.path) is None  # "locked" is not a storage fault
        store.check_writable()  # another writer is no reason to refuse a request
    finally:
        other.execute("ROLLBACK")
        other.close()
        store.close()


def test_check_writable_passes_on_a_healthy_store(store):
    store.check_writable()
    assert store.conn.execute("PRAGMA busy_timeout").fetchall() == [(store.busy_timeout_ms,)]
    assert not store.conn.in_transaction


def test_storage_errors_of_the_data_folder_are_storage_errors(tmp_path):
    squatter = tmp_path / "f"
    squatter.write_text("")
    with pytest.raises(StorageError) as caught:
        ensure_private_dir(squatter)
    assert caught.value.path == squatter
    translated = storage_error(caught.value, squatter / DB_FILENAME)
    assert isinstance(translated, HistoryStorageError) and isinstance(translated, HistoryError)
    assert str(translated) == str(caught.value)


def test_opening_waits_for_another_instance_that_is_opening(tmp_path, clock):
    import threading

    folder = tmp_path / "data"
    folder.mkdir()
    opened = threading.Event()

    def open_it() -> None:
        HistoryStore.open(folder, clock=clock).close()
        opened.set()

    with opening_lock(folder / DB_FILENAME):
        thread = threading.Thread(target=open_it)
        thread.start()
        assert not opened.wait(0.2)  # it waits while the lock is held...
        assert not (folder / DB_FILENAME).exists()
    assert opened.wait(10)  # ...and opens once it is free
    thread.join(10)


def test_opening_gives_up_with_a_message_when_the_lock_is_never_freed(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    with opening_lock(folder / DB_FILENAME):
        with pytest.raises(HistoryError, match="Another Linkdesk has been opening"):
            with opening_lock(folder / DB_FILENAME, timeout=0.05):
                pass


def test_files_are_never_left_group_or_world_readable(tmp_path, clock):
    old = os.umask(0)
    try:
        with HistoryStore.open(tmp_path / "data", clock=clock) as store:
            store.record(entry(clock))
            modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "data").iterdir()}
    finally:
        os.umask(old)
    assert set(modes) == {DB_FILENAME, DB_FILENAME + "-wal", DB_FILENAME + "-shm"}
    assert set(modes.values()) == {0o600}, modes
