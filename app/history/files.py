"""File-system chores around the database: private folders and files, probing an existing file
without changing it, moving a damaged one aside, and the copy kept before a migration."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import stat
import time
from pathlib import Path
from typing import Iterator

from app.history.errors import HistoryError, HistoryStorageError
from app.paths import CHOOSE_ANOTHER

SIDECARS = ("-wal", "-shm")
OPENING_LOCK_TIMEOUT_S = 30.0  # a migration's backup of a large history takes seconds
# Primary result codes that mean "this file is damaged", as opposed to locked, read-only...
_DAMAGED = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


class DamagedDatabase(Exception):
    """The file is not a database, or fails SQLite's quick_check."""


def ensure_private_file(path: Path) -> None:
    """Create ``path`` with mode 0600 if missing, and tighten it if it exists. SQLite gives
    the -wal and -shm files the database file's mode, so they are private too. A symbolic
    link is never followed here (:func:`check_database_path` has vetted an existing one)."""
    flags = os.O_RDWR | os.O_CREAT | (0 if os.path.islink(path) else os.O_NOFOLLOW)
    fd = os.open(path, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def check_database_path(path: Path) -> None:
    """Refuse, in plain words, a history path that is not a regular file or nothing.

    A symbolic link to an existing regular file is used (someone put the history elsewhere on
    purpose); a dangling one is refused rather than followed, since following it would create
    the database wherever the link points. A folder, a device or a pipe is refused too.
    """
    try:
        link = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise HistoryStorageError(path, f"Cannot use the history file {path}: {exc.strerror}. "
                                        f"Check its folder or {CHOOSE_ANOTHER}.") from None
    if stat.S_ISLNK(link.st_mode):
        target = os.readlink(path)
        try:
            final = os.stat(path)
        except OSError:
            raise HistoryStorageError(path, (
                f"The history file {path} is a symbolic link to {target}, which does not exist. "
                f"Linkdesk does not follow such a link: remove it (or restore its target) or {CHOOSE_ANOTHER}."
            )) from None
        if not stat.S_ISREG(final.st_mode):
            raise HistoryStorageError(path, (
                f"The history file {path} is a symbolic link to {target}, which is not a file. "
                f"Remove the link or {CHOOSE_ANOTHER}."))
        return
    if stat.S_ISDIR(link.st_mode):
        raise HistoryStorageError(path, f"The history file {path} is a folder, not a file. Move that folder "
                                        f"away or {CHOOSE_ANOTHER}.")
    if not stat.S_ISREG(link.st_mode):
        raise HistoryStorageError(path, f"The history file {path} is not a regular file. Move it away or "
                                        f"{CHOOSE_ANOTHER}.")


@contextlib.contextmanager
def opening_lock(path: Path, *, timeout: float = OPENING_LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold an exclusive lock while the database at ``path`` is probed, recovered, created and
    migrated, so that two instances starting at once do these one after the other: the second
    sees the first's finished work, never its half-done work.

    An advisory ``flock`` on the data folder itself: no lock file to litter the folder, it
    works on a read-only file system, and the kernel releases it if the process dies. A file
    system that cannot lock (some network shares) is used without it: the probe's single read
    transaction still keeps a healthy file from being judged damaged.
    """
    import fcntl

    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise HistoryError(
                        f"Another Linkdesk has been opening the history file {path} for {timeout:.0f} s. "
                        "Wait for it to finish (or close it), then try again.") from None
                time.sleep(0.005)
            except OSError as exc:
                if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
                    break  # no locking here: go on without it (see above)
                raise
        yield
    finally:
        os.close(fd)  # releases the lock


def probe(path: Path, *, check: bool = True) -> tuple[int, bool]:
    """``(user_version, has_tables)`` of an existing file, read without changing a byte of it.

    A read-only connection neither converts the journal mode nor checkpoints on close, so a
    file this version must refuse stays byte-for-byte what it was. Raises
    :class:`DamagedDatabase` for a file that is not a database or fails ``quick_check``; any
    other error (locked, unreadable) propagates, since moving such a file aside would be wrong.
    """
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0, isolation_level=None)
    try:
        # One read transaction: the version and the tables come from the same snapshot. Read
        # apart, another instance's migration could commit in between (version 0, but tables)
        # and a healthy history would be judged foreign and moved aside.
        conn.execute("BEGIN")
        version = int(conn.execute("PRAGMA user_version").fetchall()[0][0])
        tables = int(conn.execute("SELECT count(*) FROM sqlite_schema").fetchall()[0][0])
        if check:
            verdict = conn.execute("PRAGMA quick_check(1)").fetchall()
            if verdict != [("ok",)]:
                raise DamagedDatabase(f"quick_check: {verdict[0][0]}")
        conn.execute("COMMIT")
        return version, tables > 0
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF in _DAMAGED:
            raise DamagedDatabase(str(exc)) from exc
        raise
    finally:
        conn.close()


def _free_name(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def move_aside(path: Path, wall: float) -> Path:
    """Rename a damaged database (and its -wal) to ``<name>.corrupt-<timestamp>``, so that
    nothing is lost and a fresh database can take its name; the -shm index is removed."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(wall))
    target = _free_name(path.with_name(f"{path.name}.corrupt-{stamp}"))
    os.replace(path, target)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        os.replace(wal, target.with_name(target.name + "-wal"))
    path.with_name(path.name + "-shm").unlink(missing_ok=True)
    return target


def backup_before_migration(path: Path, version: int) -> Path:
    """Copy the database to ``<name>.bak-v<version>`` before it is migrated.

    SQLite's backup API takes a consistent copy even with a live WAL (a plain file copy could
    miss the WAL's pages). The copy keeps every row but no link URL: URLs are bearer secrets
    that die within minutes, and a backup is kept indefinitely.
    """
    target = _free_name(path.with_name(f"{path.name}.bak-v{version}"))
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    ensure_private_file(partial)
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    try:
        copy = sqlite3.connect(partial, isolation_level=None)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
            copy.execute("PRAGMA secure_delete = ON")
            copy.execute("UPDATE attempts SET url = NULL WHERE url IS NOT NULL")
            copy.execute("VACUUM")
        finally:
            copy.close()
            source.close()
        os.replace(partial, target)
    except BaseException:
        # A full disk (or anything else) mid-copy: no half-written copy is left behind, and the
        # database itself has not been touched yet.
        for leftover in (partial, *(partial.with_name(partial.name + s) for s in ("-journal", *SIDECARS))):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
        raise
    return target
