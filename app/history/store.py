"""The history database: every link attempt, in ``history.sqlite3`` in the data folder.

Choices, and why:

* **WAL + ``synchronous=NORMAL``.** A commit is in the WAL (the OS's page cache) before
  :meth:`HistoryStore.record` returns, so a crash or ``kill -9`` of Linkdesk right after never
  loses the row (tests/integration proves it). Only a power cut or kernel crash can lose the
  last transactions, and even then the file stays consistent. ``FULL`` would add an fsync to
  every record on the UI thread, unbounded on a network home folder, to guard a row whose
  link dies with the machine anyway.
* **Two instances** share the file safely: WAL lets readers and a writer overlap, writers
  wait for each other (see "Busy timeout"), and nobody holds a transaction open between calls
  (every query is read to the end at once).
* **The URL is a bearer secret.** It is stored only while the link lives (never with
  ``store_urls=False``), then set to NULL. "Lives" is judged by ``local_expires_at``, this
  machine's wall clock at receipt plus Stripe's TTL (see ``app.history.entry``), so a local
  clock hours away from Stripe's neither keeps the URL for hours nor drops it at once; a clock
  set back after receipt is caught too. ``secure_delete`` zeroes the bytes that frees, and
  ``wal_checkpoint(TRUNCATE)`` writes the page home and empties the WAL, so the URL is gone from
  every file SQLite owns (the -wal would otherwise keep old copies of the page).
* **Versions.** A file from a newer Linkdesk is refused and not touched; an older one is
  copied aside (``history.sqlite3.bak-v<N>``) and migrated; a damaged one is moved aside
  (``history.sqlite3.corrupt-<time>``), a new one is started, and ``recovered_from`` says so.
* **Threads.** A store's connection is made with ``check_same_thread=False`` so that it can be
  *handed over*: the window opens it on the history worker thread (``app.history.worker``;
  quick_check, a migration's backup) and then uses it on the Qt thread only. It is never used by
  two threads at once: the thread that made it owns it until another calls :meth:`claim`, and any
  other thread touching it gets a :class:`HistoryError` (a bug, caught loudly). The worker's
  reads and slow writes go through a second connection of its own (:meth:`attach`).
* **Busy timeout.** On the Qt thread a wait for another instance's write lock is a frozen
  window, so the window's store waits at most ``UI_BUSY_TIMEOUT_MS`` (well under a frame; a
  write itself takes ~0.03 ms) and :func:`is_busy` tells the caller to retry on the worker,
  where the full ``BUSY_TIMEOUT_MS`` blocks nobody. The command line keeps the full timeout.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Iterable, Iterator

from app.clock import Clock
from app.history import files, storage
from app.history.entry import HistoryEntry, search_text
from app.history.errors import HistoryError, HistoryVersionError, storage_error
from app.history.attempts import AttemptWrites
from app.history.migrations import LATEST_VERSION, migrate
from app.history.storage import BUSY_TIMEOUT_MS, is_busy  # noqa: F401 - BUSY_TIMEOUT_MS re-exported
from app.history.query import Cursor, HistoryQuery, count_sql, page_sql
from app.paths import ensure_private_dir

DB_FILENAME = "history.sqlite3"
UI_BUSY_TIMEOUT_MS = 10  # the window's store: fail fast (see "Busy timeout" above)
DEFAULT_RETENTION_DAYS = 365
DEFAULT_PAGE_SIZE = 200

_FIELDS, _COLUMNS, _INSERT = storage.FIELDS, storage.COLUMNS, storage.INSERT


class HistoryStore(AttemptWrites):
    """Synchronous, single-thread access to the history database. Build it with :meth:`open`.
    Attempts written before their request is sent: :class:`app.history.attempts.AttemptWrites`."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, clock: Clock, store_urls: bool) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._owner = threading.get_ident()  # the one thread allowed to use the connection
        self._busy_timeout_ms = BUSY_TIMEOUT_MS
        self._clock = clock
        self._wal_needs_scrub = False
        self._urls_written: set[int] = set()  # rows whose URL this instance wrote
        self.path = path
        self.store_urls = store_urls
        self.recovered_from: Path | None = None  # where a damaged file was moved, if one was
        self.backup_path: Path | None = None  # the copy taken before migrating, if one was
        self.migrated_from: int | None = None  # the version found, when a migration ran

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        clock: Clock,
        store_urls: bool = True,
        retention_days: int | None = DEFAULT_RETENTION_DAYS,
        check: bool = True,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    ) -> "HistoryStore":
        """Open (creating, migrating or recovering) ``data_dir/history.sqlite3``.

        Purges rows older than ``retention_days`` (None keeps everything) and erases expired
        URLs. ``check`` runs SQLite's quick_check on an existing file (tens of ms at 100k rows).
        ``busy_timeout_ms`` applies once open (the opening itself waits the full 5 s).
        Raises :class:`HistoryVersionError` for a file from a newer Linkdesk, and
        :class:`HistoryStorageError` (naming the file or folder and what to do) when the folder
        cannot be made, the path is a folder or a dangling link, or the disk is read-only or
        full. Two instances opening at once take turns (``files.opening_lock``). Slow enough
        that the window calls it on the history worker thread, never on the Qt thread.
        """
        data_dir = Path(data_dir)
        path = data_dir / DB_FILENAME
        try:
            ensure_private_dir(data_dir)
            files.check_database_path(path)
            with files.opening_lock(path):
                return cls._open_locked(path, clock=clock, store_urls=store_urls, retention_days=retention_days,
                                        check=check, busy_timeout_ms=busy_timeout_ms)
        except Exception as exc:
            plain = storage_error(exc, path)
            if plain is None or plain is exc:
                raise
            raise plain from exc

    @classmethod
    def _open_locked(cls, path: Path, *, clock: Clock, store_urls: bool, retention_days: int | None,
                     check: bool, busy_timeout_ms: int) -> "HistoryStore":
        """:meth:`open`'s work, under the opening lock (no other instance is opening)."""
        version, recovered_from = 0, None
        if path.exists() and path.stat().st_size > 0:
            try:
                version, has_tables = files.probe(path, check=check)
                if version == 0 and has_tables:  # a database, but not one of ours
                    raise files.DamagedDatabase("unknown schema")
            except files.DamagedDatabase:
                recovered_from = files.move_aside(path, clock.time())
                version = 0
        if version > LATEST_VERSION:
            raise HistoryVersionError(path, version)
        backup = files.backup_before_migration(path, version) if 0 < version < LATEST_VERSION else None
        files.ensure_private_file(path)
        conn = storage.connect(path)
        try:
            storage.enable_wal(conn)
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA secure_delete = ON")
            found = migrate(conn)
            store = cls(conn, path, clock=clock, store_urls=store_urls)
            store.recovered_from = recovered_from
            store.backup_path = backup
            store.migrated_from = found if 0 < found < LATEST_VERSION else None
            if retention_days is not None:
                store.purge_older_than(retention_days)
            store.erase_expired_urls()
            store.set_busy_timeout(busy_timeout_ms)
        except BaseException:
            conn.close()
            raise
        return store

    @classmethod
    def attach(cls, path: Path, *, clock: Clock, store_urls: bool = True,
               busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> "HistoryStore":
        """A second connection to a database that :meth:`open` has already prepared (no
        checks, no migration): the history worker's own, used on its thread only."""
        conn = storage.connect(Path(path))
        try:
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA secure_delete = ON")  # per connection: its deletes zero too
            store = cls(conn, Path(path), clock=clock, store_urls=store_urls)
            store.set_busy_timeout(busy_timeout_ms)
        except BaseException:
            conn.close()
            raise
        return store

    # -- plumbing ---------------------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise HistoryError("The history store is closed.")
        if threading.get_ident() != self._owner:
            raise HistoryError("The history store was used from a thread that does not own it.")
        return self._conn

    def claim(self) -> None:
        """Make the calling thread the connection's only user (after a hand-over: the thread
        that opened the store must not touch it again)."""
        self._owner = threading.get_ident()

    def set_busy_timeout(self, ms: int) -> None:
        """How long a write waits for another instance's lock before failing (SQLITE_BUSY)."""
        self._busy_timeout_ms = int(ms)
        self.conn.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")

    @property
    def busy_timeout_ms(self) -> int:
        return self._busy_timeout_ms

    def _rows(self, sql: str, args: Iterable[object] = ()) -> list[tuple]:
        # fetchall() ends the statement at once: no read transaction stays open between
        # calls, which would block the other instance's checkpoints.
        return self.conn.execute(sql, tuple(args)).fetchall()

    def _scrub_wal(self) -> None:
        """Move every page home and empty the WAL.

        A TRUNCATE checkpoint waits for the other instance's readers and writer; on the UI
        thread it must not, so it runs without a busy timeout. If it cannot finish now,
        :meth:`next_erase_due` asks for another try in a moment.
        """
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            busy = self._rows("PRAGMA wal_checkpoint(TRUNCATE)")[0][0]
        except sqlite3.OperationalError:  # locked: same as busy
            busy = 1
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
        self._wal_needs_scrub = bool(busy)

    def close(self) -> None:
        """Erase expired URLs and close. Safe to call twice; never raises on the way out."""
        if self._conn is None:
            return
        try:
            self.erase_expired_urls()
        except (sqlite3.Error, HistoryError):
            pass  # e.g. another instance holds the lock: the next open erases them
        finally:
            self._conn.close()
            self._conn = None

    @property
    def recovery_notice(self) -> str | None:
        """What to tell the user when a damaged file was moved aside at open, else None."""
        if self.recovered_from is None:
            return None
        return (
            f"The history file was damaged. It was moved to {self.recovered_from} and a new "
            "history was started."
        )

    def now(self) -> float:
        """The injected clock's wall time (status and "time left" are relative to it)."""
        return self._clock.time()

    def check_writable(self) -> None:
        """Raise :class:`HistoryStorageError` (naming the file and what to do) if a record could
        not be written now: a read-only file or file system, a full disk, no write permission.
        Cheap (a statvfs and an empty write transaction): call it before sending a request, so
        that a link is never made that could not be recorded. Another instance holding the
        write lock is not a problem (the record waits for it)."""
        storage.check_writable(self.conn, self.path, self._busy_timeout_ms)

    def __enter__(self) -> "HistoryStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------------------
    def _values(self, entry: HistoryEntry) -> tuple:
        url = entry.url if self.store_urls and entry.can_reopen(self._clock.time()) else None
        stored = entry.with_changes(url=url)
        values = tuple(getattr(stored, name) for name in _FIELDS[1:])
        return values + (search_text(entry.account_id, entry.account_name, entry.account_email, entry.note),)

    @storage.plain_storage_errors
    def record(self, entry: HistoryEntry) -> HistoryEntry:
        """Write one attempt; it is committed when this returns. Returns it with its ``id``
        (and without its URL if the URL was not kept)."""
        values = self._values(entry)
        cursor = self.conn.execute(_INSERT, values)
        url = values[_FIELDS.index("url") - 1]
        saved = entry.with_changes(id=cursor.lastrowid, url=url)
        self.track_url(saved)
        return saved

    def track_url(self, saved: HistoryEntry) -> None:
        """Count ``saved``'s URL as written by this instance (see :meth:`erase_urls_written_here`);
        for a record that another connection of this process wrote (the worker's retry)."""
        if saved.url is not None and saved.id is not None:
            self._urls_written.add(saved.id)

    @storage.plain_storage_errors
    def record_many(self, entries: Iterable[HistoryEntry]) -> int:
        """Write many attempts in one transaction (imports, benchmarks)."""
        rows = [self._values(e) for e in entries]
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.executemany(_INSERT, rows)
            self.conn.execute("COMMIT")
        except BaseException:
            storage.rollback(self.conn)
            raise
        return len(rows)

    @storage.plain_storage_errors
    def set_note(self, entry_id: int, note: str | None) -> bool:
        """Set (or with None/blank, remove) the operator's note. False if no such entry."""
        note = (note or "").strip() or None
        rows = self._rows("SELECT account_id, account_name, account_email FROM attempts WHERE id = ?", (entry_id,))
        if not rows:
            return False
        cursor = self.conn.execute(
            "UPDATE attempts SET note = ?, search_text = ? WHERE id = ?",
            (note, search_text(*rows[0], note), entry_id),
        )
        return cursor.rowcount > 0

    @storage.plain_storage_errors
    def set_onboarding_outcome(self, entry_id: int, text: str | None) -> bool:
        """Record what the account directory's watch saw while the link was active ("details
        submitted at 10:42; …"), replacing an earlier one (None/blank removes it). The note is
        the operator's and is never touched. False if no such entry. One statement: safe to
        run again after a busy failure (``HistoryWorker.write``)."""
        text = " ".join((text or "").split())[:500] or None
        cursor = self.conn.execute("UPDATE attempts SET onboarding_outcome = ? WHERE id = ?", (text, entry_id))
        return cursor.rowcount > 0

    @storage.plain_storage_errors
    def delete(self, entry_id: int) -> bool:
        """Delete one entry. If it still held a URL, the WAL is emptied too (see erase)."""
        held_url = self._rows("SELECT url IS NOT NULL FROM attempts WHERE id = ?", (entry_id,))
        deleted = self.conn.execute("DELETE FROM attempts WHERE id = ?", (entry_id,)).rowcount > 0
        if deleted and held_url and held_url[0][0]:
            self._scrub_wal()
        return deleted

    @storage.plain_storage_errors
    def clear(self) -> int:
        """Delete every entry; returns how many there were."""
        deleted = self.conn.execute("DELETE FROM attempts").rowcount
        self._scrub_wal()
        return deleted

    def purge_older_than(self, days: float) -> int:
        """Retention: delete entries attempted more than ``days`` days ago."""
        cutoff = self._clock.time() - days * 86400.0
        return self.conn.execute("DELETE FROM attempts WHERE attempted_at < ?", (cutoff,)).rowcount

    def erase_expired_urls(self) -> int:
        """Forget the URL of every link that is no longer active; returns how many.

        Also erases a URL whose time left exceeds its whole TTL: that only happens when the
        wall clock was set back after the link arrived, and then its expiry cannot be trusted.
        """
        now = self._clock.time()
        erased = self.conn.execute(
            "UPDATE attempts SET url = NULL WHERE url IS NOT NULL AND (? OR"
            " outcome != 'created' OR local_expires_at IS NULL OR local_expires_at <= ?"
            " OR local_expires_at - ? > coalesce(expires_at - created, 0) + 1)",
            (not self.store_urls, now, now),  # URL keeping turned off: every URL goes
        ).rowcount
        if erased or self._wal_needs_scrub:
            self._scrub_wal()
        return erased

    def erase_urls_written_here(self) -> int:
        """Erase the URLs this instance wrote, live or not (at exit: once the process that made
        a link is gone, nothing would erase its URL at expiry). Other instances' are left."""
        ids, self._urls_written = sorted(self._urls_written), set()
        erased = 0
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            erased += self.conn.execute(
                f"UPDATE attempts SET url = NULL WHERE url IS NOT NULL AND id IN ({marks})", chunk
            ).rowcount
        if erased or self._wal_needs_scrub:
            self._scrub_wal()
        return erased

    def set_store_urls(self, enabled: bool) -> None:
        """Turn URL keeping on or off; off erases every stored URL now, WAL included.

        If another instance holds the lock, no new URL is written from now on and the erasure
        is left to the next :meth:`erase_expired_urls`, which :meth:`next_erase_due` asks for now.
        """
        self.store_urls = enabled
        if not enabled:
            try:
                self.erase_expired_urls()
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise

    def next_erase_due(self) -> float | None:
        """When :meth:`erase_expired_urls` next has work (wall clock), for a timer: the earliest
        expiry of a stored URL, or now if an earlier scrub of the WAL could not finish."""
        if self._wal_needs_scrub:
            return self._clock.time()
        due = self._rows("SELECT min(local_expires_at) FROM attempts WHERE url IS NOT NULL")[0][0]
        if due is not None and not self.store_urls:
            return self._clock.time()  # an erasure that found the file locked: again, now
        return due

    # -- reading ----------------------------------------------------------------------------
    def get(self, entry_id: int) -> HistoryEntry | None:
        rows = self._rows(f"SELECT {_COLUMNS} FROM attempts WHERE id = ?", (entry_id,))
        return _entry(rows[0]) if rows else None

    def query(
        self,
        query: HistoryQuery = HistoryQuery(),
        *,
        limit: int = DEFAULT_PAGE_SIZE,
        after: Cursor | None = None,
    ) -> list[HistoryEntry]:
        """One page of matching entries, newest first. For the next page pass
        ``after=(last.attempted_at, last.id)`` of the last entry returned."""
        sql, args = page_sql(_COLUMNS, query, self._clock.time(), limit, after)
        return [_entry(row) for row in self._rows(sql, args)]

    def count(self, query: HistoryQuery = HistoryQuery()) -> int:
        sql, args = count_sql(query, self._clock.time())
        return int(self._rows(sql, args)[0][0])

    def iter_entries(self, query: HistoryQuery = HistoryQuery(), *, page_size: int = 500) -> Iterator[HistoryEntry]:
        """Every matching entry, newest first, fetched page by page."""
        after: Cursor | None = None
        while True:
            page = self.query(query, limit=page_size, after=after)
            yield from page
            if len(page) < page_size:
                return
            after = (page[-1].attempted_at, page[-1].id or 0)

_entry = storage.entry_from_row
