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

import hashlib
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from app.directory.record import FIELDS, AccountSummary
from app.directory.schema import LATEST_VERSION, migrate
from app.directory.text import fold, words
from app.history import files
from app.paths import ensure_private_dir

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
    rank: tuple[int, int, int]
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
    def open(cls, path: Path, *, wall: float | None = None) -> "DirectoryIndex":
        path = Path(path)
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
        """Accounts matching every word of ``query`` as a word prefix (in any of id, business
        name, display name, email, metadata values), case- and accent-insensitively, best first.
        A query starting with ``acct_`` matches ids by prefix only.

        Each step reads a bounded number of rows, best tiers first, and stops once it has
        enough: names starting with the query (a B-tree range), then names holding every word,
        then any field (FTS5 prefix queries without ranking, which stream instead of scoring
        every match: a one-letter query over 50,000 accounts stays a few milliseconds).
        """
        folded = fold(query.strip())
        tokens = words(query)[:12]
        if folded.startswith("acct_") or folded == "acct":
            tokens = tokens[1:]
            if len(tokens) != 1:
                return []
            prefix = folded.rstrip()
            return self._ranked([r[0] for r in self._rows(
                "SELECT rowid FROM accounts WHERE lower(id) >= ? AND lower(id) < ? ORDER BY lower(id) LIMIT ?",
                (prefix, prefix + "\x7f", limit * 4))], tokens, True, limit)
        if not tokens:
            return []
        pool = max(50, limit * 5)
        found: dict[int, None] = {}
        phrase = " ".join(tokens)
        for column in ("name_key", "display_key"):
            found.update(dict.fromkeys(r[0] for r in self._rows(
                f"SELECT rowid FROM accounts WHERE {column} >= ? AND {column} < ? ORDER BY {column} LIMIT ?",
                (phrase, phrase + "\uffff", pool))))
        every = " AND ".join(f'"{t}"*' for t in tokens)
        if len(found) < limit:
            found.update(dict.fromkeys(self._fts(f"name : ({every})", pool)))
        if len(found) < limit:
            found.update(dict.fromkeys(self._fts(every, pool)))
        return self._ranked(list(found), tokens, False, limit)

    def _fts(self, expression: str, limit: int) -> list[int]:
        return [r[0] for r in self._rows(
            "SELECT rowid FROM accounts_fts WHERE accounts_fts MATCH ? LIMIT ?", (expression, limit))]

    def _ranked(self, rowids: list[int], tokens: list[str], id_mode: bool, limit: int) -> list[Match]:
        if not rowids:
            return []
        marks = ",".join("?" * len(rowids))
        rows = self._rows(f"SELECT {_COLUMNS} FROM accounts WHERE rowid IN ({marks})", rowids)
        matches = [_rank(_summary(row), tokens, id_mode) for row in rows]
        matches.sort(key=lambda m: (m.rank, m.account.name.casefold(), m.account.id))
        return matches[:limit]

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


def _covers(tokens: list[str], field_words: list[str]) -> bool:
    return all(any(w.startswith(t) for w in field_words) for t in tokens)


def _rank(account: AccountSummary, tokens: list[str], id_mode: bool) -> Match:
    """Tiers, best first: id prefix; a name that starts with the query; a name holding every
    word; the email; several fields together; metadata. Within a tier, names with fewer extra
    words come first, then newer accounts."""
    newest = -(account.created or 0)
    if id_mode:
        return Match(account, (0, 0, newest), "id")
    phrase = " ".join(tokens)
    best: tuple[int, int] | None = None
    for name in (account.business_name, account.display_name):
        if not name:
            continue
        name_words = words(name)
        extra = max(0, len(name_words) - len(tokens))
        if " ".join(name_words).startswith(phrase):
            candidate = (1, extra)
        elif _covers(tokens, name_words):
            candidate = (2, extra)
        else:
            continue
        best = candidate if best is None or candidate < best else best
    if best is not None:
        return Match(account, (best[0], best[1], newest), "name")
    email_words = words(account.email or "")
    if _covers(tokens, email_words):
        return Match(account, (3, 0, newest), "email")
    visible = email_words + words(account.business_name or "") + words(account.display_name or "")
    if _covers(tokens, visible):
        return Match(account, (4, 0, newest), "several")
    return Match(account, (5, 0, newest), "metadata")
