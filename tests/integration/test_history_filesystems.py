"""The history on real read-only and full file systems: a small tmpfs (size=...) filled to the
brim, and a read-only bind mount. Needs root and permission to mount; skips, saying why,
otherwise. Every mount is unmounted whatever happens."""

import errno
import sqlite3
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.clock import FakeClock
from app.history import DB_FILENAME, HistoryEntry, HistoryStore
from app.history.errors import HistoryStorageError

pytestmark = pytest.mark.slow


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=30)


class Mounts:
    """Mounts made by one test, unmounted (innermost first) at its end."""

    def __init__(self) -> None:
        self.points: list[Path] = []

    def mount(self, *args: str, point: Path) -> Path:
        point.mkdir(parents=True, exist_ok=True)
        done = _run("mount", *args, str(point))
        if done.returncode != 0:
            pytest.skip(f"cannot mount here ({done.stderr.strip() or done.returncode})")
        self.points.append(point)
        return point

    def tmpfs(self, point: Path, size: str) -> Path:
        return self.mount("-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", point=point)

    def read_only_bind(self, source: Path, point: Path) -> Path:
        self.mount("--bind", str(source), point=point)
        done = _run("mount", "-o", "remount,bind,ro", str(point))
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only here ({done.stderr.strip()})")
        return point

    def unmount_all(self) -> list[Path]:
        """Unmount everything; returns the points still mounted afterwards (none, surely)."""
        points, self.points = list(reversed(self.points)), []
        for point in points:
            if _run("umount", str(point)).returncode != 0:
                _run("umount", "-l", str(point))  # still busy: detach it now, freed when closed
        with open("/proc/self/mounts", encoding="utf-8") as table:
            mounted = {line.split()[1] for line in table}
        return [point for point in points if str(point) in mounted]


@pytest.fixture
def mounts():
    if not shutil.which("mount") or os.geteuid() != 0:
        pytest.skip("real read-only and full file systems need root and mount(8)")
    made = Mounts()
    try:
        yield made
    finally:
        left = made.unmount_all()
    assert left == [], "a test mount outlived its test"


def entry(clock, n: int = 1, **changes) -> HistoryEntry:
    return HistoryEntry(
        account_id=f"acct_1Disk{n:05d}", link_type="account_onboarding", mode="test",
        refresh_url="https://p.example/r", return_url="https://p.example/ok", attempted_at=clock.time(),
        account_name=f"Shop {n}",
    ).with_changes(**changes)


def make_v2(path: Path) -> None:
    """A history left by a version-2 Linkdesk (3 rows), which the next open must migrate."""
    from app.history.migrations import migrate

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        migrate(conn, target=2)
        conn.executemany(
            "INSERT INTO attempts (attempted_at, profile, mode, account_id, link_type, refresh_url, return_url,"
            " outcome) VALUES (?, 'default', 'test', ?, 'account_onboarding', 'https://p.example/r',"
            " 'https://p.example/ok', 'failed')",
            [(1_767_225_000.0 + n, f"acct_1Old{n}") for n in range(3)])
    finally:
        conn.close()


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill the file system holding ``folder`` until fewer than ``leave`` bytes are free."""
    filler = folder / "filler"
    with open(filler, "wb") as handle:
        chunk = b"\0" * 4096
        try:
            while True:
                stats = os.statvfs(folder)
                if stats.f_bavail * stats.f_frsize <= leave:
                    break
                handle.write(chunk)
                handle.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def test_a_full_disk_at_first_start_is_said_plainly_and_leaves_nothing_half_made(tmp_path, mounts):
    disk = mounts.tmpfs(tmp_path / "disk", "512k")
    fill(disk)
    data = disk / "data"
    with pytest.raises(HistoryStorageError) as caught:
        HistoryStore.open(data, clock=FakeClock())
    message = str(caught.value)
    assert "disk is full" in message and str(data / DB_FILENAME) in message
    assert "rollback" not in message.lower()
    assert not [p for p in data.iterdir() if p.name.endswith(".partial")]


def test_a_full_disk_during_a_migration_backup_leaves_no_partial_file_and_the_history_as_it_was(tmp_path, mounts):
    disk = mounts.tmpfs(tmp_path / "disk", "1m")
    data = disk / "data"
    data.mkdir()
    make_v2(data / DB_FILENAME)
    before = (data / DB_FILENAME).read_bytes()
    fill(disk)
    with pytest.raises(HistoryStorageError, match="disk is full"):
        HistoryStore.open(data, clock=FakeClock())
    assert sorted(p.name for p in data.iterdir()) == [DB_FILENAME]  # no .partial, no half backup
    assert (data / DB_FILENAME).read_bytes() == before
    (disk / "filler").unlink()  # space again: the same file migrates, nothing was lost
    with HistoryStore.open(data, clock=FakeClock(1_767_225_600.0), retention_days=None) as store:
        assert store.migrated_from == 2 and store.count() == 3


def test_a_disk_that_fills_while_open_fails_the_check_and_the_write_in_plain_words(tmp_path, mounts):
    disk = mounts.tmpfs(tmp_path / "disk", "1m")
    clock = FakeClock()
    store = HistoryStore.open(disk / "data", clock=clock)
    try:
        store.record(entry(clock, 0))
        store.check_writable()
        filler = fill(disk)
        with pytest.raises(HistoryStorageError, match="disk is full") as checked:
            store.check_writable()
        assert str(store.path) in str(checked.value)
        with pytest.raises(HistoryStorageError, match="disk is full"):
            for n in range(1, 200):  # the WAL's free frames run out
                store.record(entry(clock, n, note="x" * 4000))
        assert not store.conn.in_transaction
        filler.unlink()
        store.check_writable()
        assert store.record(entry(clock, 999)).id is not None
    finally:
        store.close()


def test_a_read_only_file_system_is_said_plainly_and_the_file_is_untouched(tmp_path, mounts):
    source = tmp_path / "source"
    clock = FakeClock()
    with HistoryStore.open(source, clock=clock) as store:
        store.record(entry(clock))
    before = {p.name: p.read_bytes() for p in source.iterdir()}
    seen = mounts.read_only_bind(source, tmp_path / "seen")
    with pytest.raises(HistoryStorageError) as caught:
        HistoryStore.open(seen, clock=clock)
    message = str(caught.value)
    assert "read-only" in message and str(seen / DB_FILENAME) in message and "--data-dir" in message
    assert {p.name: p.read_bytes() for p in source.iterdir()} == before


def test_a_data_folder_to_be_made_on_a_read_only_file_system(tmp_path, mounts):
    (tmp_path / "source").mkdir()
    seen = mounts.read_only_bind(tmp_path / "source", tmp_path / "seen")
    with pytest.raises(HistoryStorageError) as caught:
        HistoryStore.open(seen / "data", clock=FakeClock())
    assert "read-only" in str(caught.value) and str(seen / "data") in str(caught.value)

