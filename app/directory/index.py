"""The account directory's local index: one SQLite file per profile in the data folder.

Until profiles exist, a profile is identified by :func:`index_key` (the API base and a hash of
the key: the key itself is never written anywhere). The file holds account summaries
(:class:`AccountSummary`), a full-text index over their folded names, email, id and metadata
values, and the state of the sync in progress (its windows and cursors), so a sync cancelled or
killed resumes where it stopped. WAL, ``synchronous=NORMAL``, schema steps in
:mod:`app.directory.schema`; a file from a newer Linkdesk is refused untouched, a damaged one is
moved aside and rebuilt (it is only a cache of what the API has).

Every method runs to completion at once (no transaction stays open between calls), so the
window can search on its own thread while a sync writes pages through the same connection.
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
from app.directory.text import fold, folded_words, words
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


@dataclass(frozen=True, slots=True)
class Match:
    """One search result: the account, and how it matched (lower ``rank`` is better)."""

    account: AccountSummary
    rank: tuple[int, ...]  # see _rank
    field: str  # "id" | "name" | "email" | "metadata" | "several"


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
        return _summary(rows[0]) if rows else None

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
        """Accounts matching every word of ``query`` as a word prefix (in any of business name,
        display name, email, metadata values), case- and accent-insensitively, best first. A
        query starting with ``acct_`` matches ids by prefix (``acct_`` alone: any id), a whole
        pasted id first.

        Best first (:func:`_rank`): an exact match of the whole name, email or id; then matches
        in which every word typed is a whole word; then word prefixes. Each step reads a bounded
        number of rows, best tier first, so that many weaker matches never crowd out a better
        one: exact names (an index lookup) and emails (an FTS5 phrase); whole words in names,
        then in any field (FTS5 without prefixes); names starting with the query (a B-tree
        range); and, only while fewer than ``limit`` were found, word prefixes in names, then in
        any field. The FTS5 queries stream unranked instead of scoring every match: a one-letter
        query over 50,000 accounts stays a few milliseconds.
        """
        text = query.strip()
        folded = fold(text)
        if folded.startswith("acct_"):
            if len(text.split()) != 1:
                return []  # an id has no spaces
            rows = self._rows("SELECT rowid FROM accounts WHERE lower(id) >= ? AND lower(id) < ? "
                              "ORDER BY lower(id) LIMIT ?", (folded, folded + "\x7f", limit * 4))
            return self._ranked([r[0] for r in rows], _Query(folded, [], True), limit)
        tokens = words(text)[:12]
        if not tokens:
            return []
        pool = max(50, limit * 5)
        phrase = " ".join(tokens)
        found: dict[int, None] = {}
        for column in ("name_key", "display_key"):
            found.update(dict.fromkeys(r[0] for r in self._rows(
                f"SELECT rowid FROM accounts WHERE {column} = ? LIMIT ?", (phrase, pool))))
        found.update(dict.fromkeys(self._fts(f'email : "{phrase}"', pool)))
        whole = " AND ".join(f'"{t}"' for t in tokens)
        found.update(dict.fromkeys(self._fts(f"name : ({whole})", pool)))
        for column in ("name_key", "display_key"):
            found.update(dict.fromkeys(r[0] for r in self._rows(
                f"SELECT rowid FROM accounts WHERE {column} >= ? AND {column} < ? ORDER BY {column} LIMIT ?",
                (phrase, phrase + "\uffff", pool))))
        if len(found) < pool:  # else names enough: whole words elsewhere rank after them
            found.update(dict.fromkeys(self._fts(whole, pool)))
        every = " AND ".join(f'"{t}"*' for t in tokens)
        if len(found) < limit:
            found.update(dict.fromkeys(self._fts(f"name : ({every})", pool)))
        if len(found) < limit:
            found.update(dict.fromkeys(self._fts(every, pool)))
        return self._ranked(list(found), _Query(folded, tokens, False), limit)

    def _fts(self, expression: str, limit: int) -> list[int]:
        return [r[0] for r in self._rows(
            "SELECT rowid FROM accounts_fts WHERE accounts_fts MATCH ? LIMIT ?", (expression, limit))]

    def _ranked(self, rowids: list[int], query: "_Query", limit: int) -> list[Match]:
        """The best ``limit`` of ``rowids``, ranked from the stored folded names (no re-folding);
        summaries are built for those only."""
        if not rowids:
            return []
        marks = ",".join("?" * len(rowids))
        rows = self._rows(f"SELECT {_COLUMNS}, name_key, display_key FROM accounts WHERE rowid IN ({marks})", rowids)
        scored = []
        for row in rows:
            rank, field = _rank(row, query)
            name = row[_BUSINESS] or row[_DISPLAY] or row[_EMAIL] or row[_ID]
            scored.append((rank, name.casefold(), row[_ID], field, row))
        scored.sort(key=lambda s: s[:3])
        return [Match(_summary(row[:len(FIELDS)]), rank, field) for rank, _, _, field, row in scored[:limit]]

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


def _summary(row: tuple) -> AccountSummary:
    data = dict(zip(FIELDS, row))
    for name in ("charges_enabled", "payouts_enabled", "details_submitted"):
        data[name] = bool(data[name])
    data["metadata"] = tuple(data["metadata"].split("\n")) if data["metadata"] else ()
    return AccountSummary(**data)


def _key(name: str | None) -> str:
    return " ".join(words(name)) if name else ""


def _fts_values(a: AccountSummary) -> tuple[str, str, str]:
    names = "\n".join(fold(n) for n in (a.business_name, a.display_name) if n)
    return names, fold(a.email or ""), fold("\n".join(a.metadata))


_ID, _BUSINESS, _DISPLAY, _EMAIL, _METADATA, _CREATED = (
    FIELDS.index(f) for f in ("id", "business_name", "display_name", "email", "metadata", "created"))


@dataclass(frozen=True, slots=True)
class _Query:
    folded: str  # the whole query, folded (compared with a whole email or id)
    tokens: list[str]  # its folded words
    id_mode: bool

    @property
    def phrase(self) -> str:
        return " ".join(self.tokens)


def _covers(tokens: list[str], field_words: list[str]) -> bool:
    """Every token is the start of a word of the field."""
    return all(any(w.startswith(t) for w in field_words) for t in tokens)


def _whole(tokens: list[str], field_words: list[str]) -> bool:
    """Every token is a whole word of the field."""
    present = set(field_words)
    return all(t in present for t in tokens)


def _rank(row: tuple, query: _Query) -> tuple[tuple[int, ...], str]:
    """How well an account (a row of FIELDS, then its name_key and display_key) matches:
    ``(how, where, extra words, newest first)``, lower first, and the field that matched.

    How: 0 the whole name, email or id is the query; 1 every word typed is a whole word;
    2 word prefixes. Where: 0 id; 1 a name starting with the query; 2 a name holding every
    word; 3 the email; 4 several fields together; 5 metadata. So "Shop Number 286" comes
    before "Shop Number 2860", "o286@shop286.example" before "o2860@shop2860.example", and
    "Old Harbor Cafe" (the whole word) before "Harborview Inn" (a prefix)."""
    newest = -(row[_CREATED] or 0)
    if query.id_mode:
        return (0 if row[_ID].lower() == query.folded else 2, 0, 0, newest), "id"
    tokens, phrase = query.tokens, query.phrase
    best: tuple[int, int, int] = (9, 9, 0)
    field = "metadata"
    name_words: list[str] = []
    for key in row[-2:]:  # the names' folded words, as stored
        if not key:
            continue
        key_words = key.split(" ")
        name_words += key_words
        if key == phrase:
            candidate = (0, 1, 0)
        elif _covers(tokens, key_words):
            candidate = (1 if _whole(tokens, key_words) else 2, 1 if key.startswith(phrase) else 2,
                         max(0, len(key_words) - len(tokens)))
        else:
            continue
        if candidate < best:
            best, field = candidate, "name"
    if best[0] == 0:
        return (*best, newest), field
    folded_email = fold(row[_EMAIL]) if row[_EMAIL] else ""
    email_words = folded_words(folded_email)
    if folded_email and folded_email == query.folded:
        candidate, where = (0, 3, 0), "email"
    elif _covers(tokens, email_words):
        candidate, where = (1 if _whole(tokens, email_words) else 2, 3, 0), "email"
    elif _covers(tokens, visible := email_words + name_words):
        candidate, where = (1 if _whole(tokens, visible) else 2, 4, 0), "several"
    else:
        candidate, where = best, field
    if candidate < best:
        best, field = candidate, where
    if best[0] >= 2 and row[_METADATA]:  # metadata can still do better: a whole word there
        meta_words = words(row[_METADATA])
        candidate = (1 if _whole(tokens, meta_words) else 2, 5, 0)
        if candidate < best:
            best, field = candidate, "metadata"
    return (*best, newest), field
