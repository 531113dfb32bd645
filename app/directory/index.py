"""The account directory's local index: one SQLite file per profile in the data folder.

Until profiles exist, a profile is identified by :func:`index_key` (the API base and a hash of
the key: the key itself is never written anywhere). The file holds account summaries
(:class:`AccountSummary`), a full-text index over their folded names, email, id and metadata
values, and the state of the sync in progress (its windows and cursors), so a sync cancelled or
killed resumes where it stopped. WAL, ``synchronous=NORMAL``, schema steps in
:mod:`app.directory.schema`; a file from a newer Linkdesk is refused untouched, a damaged one is
moved aside and rebuilt (it is only a cache of what the API has).

Searching it is :mod:`app.directory.search`'s (:meth:`DirectoryIndex.search`). Every method
runs to completion at once (no transaction stays open between calls), so the window can search
on its own thread while a sync writes pages through the same connection.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from app.directory.record import FIELDS, AccountSummary
from app.directory.schema import LATEST_VERSION, migrate, user_version
from app.directory.search import Match, search, summary_from_row
from app.directory.text import fold, words
from app.history import files
from app.paths import StorageError, describe_os_error, ensure_private_dir

BUSY_TIMEOUT_MS = 5000
DIRECTORY_FOLDER = "directory"

_COLUMNS = ", ".join(FIELDS)
_ROW_COLUMNS = [f for f in FIELDS]
_UPSERT = (
    f"INSERT INTO accounts ({_COLUMNS}, digest, seen_run, name_key, display_key) "
    f"VALUES ({', '.join('?' * (len(FIELDS) + 4))}) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{f} = excluded.{f}" for f in FIELDS[1:])
    + ", digest = excluded.digest, seen_run = max(seen_run, excluded.seen_run)"
    + ", name_key = excluded.name_key, display_key = excluded.display_key"
)


class DirectoryVersionError(Exception):
    """The index was written by a newer Linkdesk."""

    def __init__(self, path: Path, version: int) -> None:
        super().__init__(
            f"The account index {path.name} was written by a newer Linkdesk (schema {version}); "
            "it was left as it is. Update Linkdesk, or delete the file to sync again."
        )
        self.path, self.version = path, version


# SQLite's primary result codes that mean "the storage, not the data, is at fault".
_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN = 3, 8, 10, 13, 14


def storage_problem(exc: BaseException, path: Path) -> StorageError | None:
    """``exc``, met while opening or writing the index at ``path``, as a
    :class:`app.paths.StorageError` naming the file and what to do; None when it is no storage
    problem (locked, damaged, a bug). SQLite's own text ("unable to open database file") names
    neither the file nor the cause."""
    if isinstance(exc, StorageError):
        return exc
    what = "the account index"
    if isinstance(exc, OSError):
        return StorageError(path, describe_os_error(exc, path, what), exc.errno)
    if not isinstance(exc, sqlite3.Error):
        return None
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code not in (_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN):
        return None
    folder = Path(path).parent
    try:
        disk = os.statvfs(folder)
    except OSError:
        disk = None
    if disk is not None and disk.f_flag & os.ST_RDONLY:
        cause: int | None = errno.EROFS
    elif code == _SQLITE_FULL or (disk is not None and disk.f_bavail * disk.f_frsize < 64 * 1024):
        cause = errno.ENOSPC
    elif code in (_SQLITE_PERM, _SQLITE_READONLY) or not (
            os.access(folder, os.W_OK) and (not Path(path).exists() or os.access(path, os.W_OK))):
        cause = errno.EACCES
    else:
        cause = None
    if cause is not None:
        return StorageError(path, describe_os_error(OSError(cause, ""), path, what), cause)
    reason = str(exc).rstrip(".") or "input/output error"
    return StorageError(path, f"Cannot use {what} {path}: {reason}. Check that its folder exists, is "
                              "writable and has free space, then try again.", errno.EIO)


def index_key(api_base: str, api_key: Any) -> str:
    """Names one index: the API base plus a one-way hash of the key (``ApiKey`` or str), so the
    file name tells profiles apart without holding anything that could be used as a key."""
    secret = api_key.secret if hasattr(api_key, "secret") else str(api_key)
    digest = hashlib.blake2b(secret.encode(), digest_size=16, person=b"linkdesk-dir-v1")
    digest.update(b"\0" + api_base.rstrip("/").encode())
    return digest.hexdigest()[:24]


def index_path(data_dir: Path, key: str) -> Path:
    if not key or not key.replace("-", "").replace("_", "").isalnum():
        raise ValueError("an index key is letters, digits, '-' and '_'")
    return Path(data_dir) / DIRECTORY_FOLDER / f"accounts-{key}.sqlite3"


@dataclass(slots=True)
class Window:
    """A slice of the ``created`` range being paged, newest first (see app.directory.sync)."""

    id: int
    lo: int | None
    hi: int | None
    cursor: str | None = None
    done: bool = False
    fetched: int = 0
    last_created: int | None = None
    density: float | None = None


@dataclass(frozen=True, slots=True)
class PageResult:
    new: int
    updated: int


class DirectoryIndex:
    """Synchronous access to one index file. Build it with :meth:`open`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn: sqlite3.Connection | None = conn
        self.path = path
        self.recovered_from: Path | None = None

    # -- opening and closing --------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, *, wall: float | None = None, read_only: bool = False) -> "DirectoryIndex":
        """Open (creating, migrating or rebuilding if need be) the index at ``path``.

        ``read_only`` is for callers that only search: an up-to-date index is read without
        writing a byte, so it works in a read-only data folder; any other file is opened as
        usual. A folder or file that cannot be used raises :class:`app.paths.StorageError`,
        whose text names it and says what to do."""
        path = Path(path)
        if read_only:
            index = cls._open_read_only(path)
            if index is not None:
                return index
        try:
            return cls._open(path, wall)
        except (OSError, sqlite3.Error) as exc:
            problem = storage_problem(exc, path)
            if problem is None:
                raise
            raise problem from exc

    @classmethod
    def _open_read_only(cls, path: Path) -> "DirectoryIndex | None":
        """The index opened for reading only, or None when it is missing, damaged or from an
        older schema (the usual open then creates, rebuilds or migrates it)."""
        if not path.is_file():
            return None
        uri = path.resolve().as_uri()
        # A WAL file is read through its -shm index, which SQLite creates next to it; in a
        # folder nobody can write no -shm can exist, so nobody is writing: read it as it is.
        options = ["mode=ro"] if os.access(path.parent, os.W_OK) else ["mode=ro", "mode=ro&immutable=1"]
        for option in options:
            conn = sqlite3.connect(f"{uri}?{option}", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None, check_same_thread=False)
            try:
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                version = user_version(conn)
            except sqlite3.Error:
                conn.close()
                continue
            if version > LATEST_VERSION:
                conn.close()
                raise DirectoryVersionError(path, version)
            if version < LATEST_VERSION:
                conn.close()
                return None
            return cls(conn, path)
        return None

    @classmethod
    def _open(cls, path: Path, wall: float | None) -> "DirectoryIndex":
        ensure_private_dir(path.parent)
        recovered = None
        if path.exists() and path.stat().st_size > 0:
            try:
                version, has_tables = files.probe(path, check=False)
                if version == 0 and has_tables:
                    raise files.DamagedDatabase("unknown schema")
            except files.DamagedDatabase:
                recovered = files.move_aside(path, time.time() if wall is None else wall)
                version = 0
            if version > LATEST_VERSION:
                raise DirectoryVersionError(path, version)
        files.ensure_private_file(path)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL").fetchall()
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -8000")  # 8 MB: the whole 50k-account index stays warm
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        index = cls(conn, path)
        index.recovered_from = recovered
        return index

    @classmethod
    def open_for(cls, data_dir: Path, key: str) -> "DirectoryIndex":
        return cls.open(index_path(data_dir, key))

    def set_busy_timeout(self, ms: int) -> None:
        """How long a statement waits for another connection's lock (the window: briefly)."""
        self.conn.execute(f"PRAGMA busy_timeout = {int(ms)}")

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("the account index is closed")
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> "DirectoryIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _rows(self, sql: str, args: Iterable[object] = ()) -> list[tuple]:
        return self.conn.execute(sql, tuple(args)).fetchall()

    # -- accounts -------------------------------------------------------------------------------
    def count(self) -> int:
        return int(self._rows("SELECT count(*) FROM accounts")[0][0])

    def has_accounts(self) -> bool:
        """Whether the index holds at least one account (cheaper than :meth:`count`)."""
        return bool(self._rows("SELECT EXISTS (SELECT 1 FROM accounts)")[0][0])

    def get(self, account_id: str) -> AccountSummary | None:
        rows = self._rows(f"SELECT {_COLUMNS} FROM accounts WHERE id = ?", (account_id,))
        return summary_from_row(rows[0]) if rows else None

    def newest_created(self) -> int | None:
        return self._rows("SELECT max(created) FROM accounts")[0][0]

    def save_page(
        self, accounts: Iterable[AccountSummary], *, run: int = 0, window: Window | None = None
    ) -> PageResult:
        """Write one page of accounts (and, in the same transaction, where ``window`` got to):
        a crash leaves either both or neither."""
        page = {a.id: a for a in accounts}
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            new = updated = 0
            if page:
                ids = list(page)
                marks = ",".join("?" * len(ids))
                known = dict(conn.execute(f"SELECT id, digest FROM accounts WHERE id IN ({marks})", ids).fetchall())
                changed = []
                for account in page.values():
                    digest = account.digest()
                    if account.id not in known:
                        new += 1
                    elif known[account.id] != digest:
                        updated += 1
                    changed.append((account, digest))
                conn.executemany(_UPSERT, [_values(a) + (d, run, _key(a.business_name), _key(a.display_name))
                                            for a, d in changed])
                self._reindex(conn, [a for a, d in changed if known.get(a.id) != d], known)
            if window is not None:
                _save_window(conn, window)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return PageResult(new, updated)

    def upsert(self, account: AccountSummary, *, looked_up_at: float | None = None) -> PageResult:
        """Keep one account fresh (e.g. after the window retrieved it); ``looked_up_at`` marks
        it for refreshing by the next incremental sync."""
        result = self.save_page([account])
        if looked_up_at is not None:
            self.conn.execute("UPDATE accounts SET looked_up_at = ? WHERE id = ?", (looked_up_at, account.id))
        return result

    def looked_up(self, *, refreshed_before: float, limit: int = 50) -> list[str]:
        """Accounts the operator looked up (most recent first) whose data is older than
        ``refreshed_before``: an incremental sync refreshes these, not the whole list."""
        rows = self._rows(
            "SELECT id FROM accounts WHERE looked_up_at IS NOT NULL AND refreshed_at < ? "
            "ORDER BY looked_up_at DESC LIMIT ?", (refreshed_before, limit),
        )
        return [r[0] for r in rows]

    def delete_unseen(self, run: int, *, created_up_to: int) -> int:
        """After a completed full sync: accounts the list no longer has (disconnected)."""
        ids = [r[0] for r in self._rows(
            "SELECT rowid FROM accounts WHERE seen_run < ? AND created <= ?", (run, created_up_to))]
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("DELETE FROM accounts_fts WHERE rowid = ?", [(i,) for i in ids])
            conn.executemany("DELETE FROM accounts WHERE rowid = ?", [(i,) for i in ids])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return len(ids)

    @staticmethod
    def _reindex(conn: sqlite3.Connection, accounts: list[AccountSummary], known: dict[str, str]) -> None:
        if not accounts:
            return
        marks = ",".join("?" * len(accounts))
        rowids = dict(conn.execute(f"SELECT id, rowid FROM accounts WHERE id IN ({marks})",
                                   [a.id for a in accounts]).fetchall())
        conn.executemany("DELETE FROM accounts_fts WHERE rowid = ?", [(rowids[a.id],) for a in accounts if a.id in known])
        conn.executemany(
            "INSERT INTO accounts_fts (rowid, name, email, meta) VALUES (?, ?, ?, ?)",
            [(rowids[a.id], *_fts_values(a)) for a in accounts],
        )

    # -- search ---------------------------------------------------------------------------------
    def search(self, query: str, *, limit: int = 10) -> list[Match]:
        """Accounts matching ``query``, best first: see :func:`app.directory.search.search`."""
        return search(self.conn, query, limit=limit)

    # -- sync state -----------------------------------------------------------------------------
    def state(self, key: str, default: Any = None) -> Any:
        rows = self._rows("SELECT value FROM sync_state WHERE key = ?", (key,))
        return rows[0][0] if rows else default

    def set_state(self, **values: Any) -> None:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for key, value in values.items():
                if value is None:
                    conn.execute("DELETE FROM sync_state WHERE key = ?", (key,))
                else:
                    conn.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)", (key, value))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def windows(self, run: int) -> list[Window]:
        rows = self._rows(
            "SELECT id, lo, hi, cursor, done, fetched, last_created, density FROM sync_windows "
            "WHERE run = ? ORDER BY coalesce(hi, 9e18) DESC", (run,))
        return [Window(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7]) for r in rows]

    def add_window(self, run: int, lo: int | None, hi: int | None, cursor: str | None = None) -> Window:
        cur = self.conn.execute("INSERT INTO sync_windows (run, lo, hi, cursor) VALUES (?, ?, ?, ?)",
                                (run, lo, hi, cursor))
        return Window(int(cur.lastrowid or 0), lo, hi, cursor)

    def save_window(self, window: Window) -> None:
        _save_window(self.conn, window)

    def clear_windows(self) -> None:
        self.conn.execute("DELETE FROM sync_windows")


def _save_window(conn: sqlite3.Connection, w: Window) -> None:
    conn.execute(
        "UPDATE sync_windows SET lo = ?, hi = ?, cursor = ?, done = ?, fetched = ?, last_created = ?, "
        "density = ? WHERE id = ?",
        (w.lo, w.hi, w.cursor, int(w.done), w.fetched, w.last_created, w.density, w.id),
    )


def _values(a: AccountSummary) -> tuple:
    out = []
    for name in FIELDS:
        value = getattr(a, name)
        if name == "metadata":
            value = "\n".join(value)
        elif isinstance(value, bool):
            value = int(value)
        out.append(value)
    return tuple(out)


def _key(name: str | None) -> str:
    return " ".join(words(name)) if name else ""


def _fts_values(a: AccountSummary) -> tuple[str, str, str]:
    names = "\n".join(fold(n) for n in (a.business_name, a.display_name) if n)
    return names, fold(a.email or ""), fold("\n".join(a.metadata))
