"""The history's storage plumbing: the columns an entry maps to, connections, "is the file
locked?", "can a record be written now?", and storage failures in plain words. Used by
``app.history.store``."""

from __future__ import annotations

import errno
import functools
import os
import sqlite3
import time
from pathlib import Path
from typing import Callable, TypeVar

from app.history.entry import HistoryEntry
from app.history.errors import storage_error

BUSY_TIMEOUT_MS = 5000

# check_writable() wants this much free space: a record appends a few 4 KiB pages to the WAL
# (and the -shm index grows by 32 KiB at times).
MIN_FREE_BYTES = 256 * 1024

F = TypeVar("F", bound=Callable)

# The columns a HistoryEntry is read from and written to, in order (``id`` first; the store adds
# ``search_text`` on insert). A new column needs a migration step and a HistoryEntry field.
FIELDS = (
    "id", "attempted_at", "profile", "mode", "account_id", "account_name", "account_email",
    "link_type", "refresh_url", "return_url", "collection_fields", "future_requirements",
    "outcome", "error_code", "error_message", "request_id", "created", "expires_at",
    "local_expires_at", "note", "accounts_api", "configurations", "onboarding_outcome",
    "idempotency_key", "writer", "replaced_by", "url",
)
COLUMNS = ", ".join(FIELDS)
INSERT = (
    f"INSERT INTO attempts ({', '.join(FIELDS[1:])}, search_text) "
    f"VALUES ({', '.join('?' * len(FIELDS[1:]))}, ?)"
)


def entry_from_row(row: tuple) -> HistoryEntry:
    return HistoryEntry(**dict(zip(FIELDS, row)))



def plain_storage_errors(method: F) -> F:
    """Turn a storage failure in a write (disk full, read-only...) into a
    :class:`HistoryStorageError` naming the file; "locked" and every other error pass as they
    are (callers retry a locked write, see ``is_busy``)."""

    @functools.wraps(method)
    def wrapper(self, *args: object, **kwargs: object) -> object:
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError) as exc:
            plain = storage_error(exc, self.path)
            if plain is None:
                raise
            raise plain from exc

    return wrapper  # type: ignore[return-value]

def check_writable(conn: sqlite3.Connection, path: Path, busy_timeout_ms: int) -> None:
    """See ``HistoryStore.check_writable``; ``conn`` is the store's connection to ``path``."""
    target = path.resolve()
    try:
        disk = os.statvfs(target.parent)
    except OSError as exc:
        raise storage_error(exc, path) from exc  # type: ignore[misc]
    if disk.f_flag & os.ST_RDONLY:
        problem: OSError | None = OSError(errno.EROFS, "read-only")
    elif disk.f_bavail * disk.f_frsize < MIN_FREE_BYTES:
        problem = OSError(errno.ENOSPC, "full")
    elif not (os.access(target, os.W_OK) and os.access(target.parent, os.W_OK)):
        problem = OSError(errno.EACCES, "permission denied")
    else:
        problem = None
    if problem is not None:
        raise storage_error(problem, path)  # type: ignore[misc]
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        rollback(conn)
        plain = storage_error(exc, path)
        if plain is not None:
            raise plain from exc
        if not is_busy(exc):
            raise
    finally:
        conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")


def is_busy(exc: BaseException) -> bool:
    """True for "database is locked" (SQLITE_BUSY / SQLITE_LOCKED): another connection holds
    the lock; the same statement can be retried later, or elsewhere with a longer timeout."""
    return isinstance(exc, sqlite3.OperationalError) and getattr(exc, "sqlite_errorcode", 0) & 0xFF in (5, 6)


def rollback(conn: sqlite3.Connection) -> None:
    """End a failed write transaction, if SQLite has not ended it already. A full disk or an
    I/O error rolls the transaction back by itself; a ROLLBACK then would fail with "cannot
    rollback - no transaction is active" and hide the real error."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the error being raised is the one that matters


def connect(path: Path) -> sqlite3.Connection:
    # check_same_thread=False: the connection may be handed over once (see "Threads" above);
    # HistoryStore.conn enforces that only its owner thread uses it.
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def enable_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL, retrying while another instance holds the lock.

    Changing the journal mode needs an exclusive lock, and SQLite answers "database is
    locked" at once, without the busy handler, when two new instances both hold a shared
    lock on a fresh file (waiting would deadlock). One of them wins; the other retries.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchall()
            return
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or time.monotonic() > deadline:
                raise  # not SQLITE_BUSY / SQLITE_LOCKED, or waited long enough
            time.sleep(0.01)
