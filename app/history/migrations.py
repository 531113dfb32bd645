"""The history schema, as a list of numbered steps.

``PRAGMA user_version`` is the number of steps applied. ``MIGRATIONS[i]`` takes a database from
version ``i`` to ``i + 1``; each step runs in its own ``BEGIN IMMEDIATE`` transaction together
with the ``user_version`` bump, so a crash mid-migration leaves the file at a whole version and
the next start resumes from there. A new database goes through the very same steps, so a fresh
file and a migrated one cannot differ. Never edit a shipped step: append a new one.

* v1 — the ``attempts`` table.
* v2 — ``note`` and ``local_expires_at`` (the wall-clock expiry used to erase URLs; see
  ``app.history.entry``), back-filled from ``attempted_at + (expires_at - created)``.
* v3 — ``search_text`` (folded account id, name, email and note) and the indexes that keep
  search, filters and URL erasure fast at 100k rows.
* v4 — ``accounts_api`` (which Accounts API made the link: every older row was v1),
  ``configurations`` (the Accounts v2 configurations a link covers, from Stripe's answer; NULL
  for v1) and ``onboarding_outcome`` (what the account directory's watch saw while the link
  was active, issue 10; not ``outcome``, which is created/failed since v1). The covering index
  takes ``accounts_api`` so that filtering by it stays an index scan.
* v5 — attempts written before their request is sent (issue 18): ``outcome`` may be
  ``unknown`` (no answer recorded: the process is waiting, or died waiting), and two columns,
  ``idempotency_key`` (the key sent, so that a retry gets the same link) and ``writer`` (the
  process that is waiting, ``app.history.writers``). SQLite cannot widen a CHECK in place, so the
  table is rebuilt (SQLite's documented procedure: new table, copy, drop, rename) with its rows,
  ids and indexes; every column keeps its name.
* v6 — ``replaced_by`` (issue 19): the id of the row whose link replaced this one (a new link
  for the same account and profile made while this one was still live); NULL otherwise. A
  nullable column with no default: ADD COLUMN rewrites no row.
"""

from __future__ import annotations

import sqlite3
from typing import Callable

from app.history.entry import search_text

Step = Callable[[sqlite3.Connection], None]


def _v1(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            attempted_at REAL NOT NULL,
            profile TEXT NOT NULL,
            mode TEXT NOT NULL CHECK (mode IN ('test', 'live')),
            account_id TEXT NOT NULL,
            account_name TEXT,
            account_email TEXT,
            link_type TEXT NOT NULL,
            refresh_url TEXT NOT NULL,
            return_url TEXT NOT NULL,
            collection_fields TEXT,
            future_requirements TEXT,
            outcome TEXT NOT NULL CHECK (outcome IN ('created', 'failed')),
            error_code TEXT,
            error_message TEXT,
            request_id TEXT,
            created INTEGER,
            expires_at INTEGER,
            url TEXT
        )
        """
    )
    conn.execute("CREATE INDEX attempts_time ON attempts (attempted_at)")


def _v2(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE attempts ADD COLUMN note TEXT")
    conn.execute("ALTER TABLE attempts ADD COLUMN local_expires_at REAL")
    conn.execute(
        "UPDATE attempts SET local_expires_at = attempted_at + max(0, expires_at - created) "
        "WHERE outcome = 'created' AND expires_at IS NOT NULL AND created IS NOT NULL"
    )


def _v3(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE attempts ADD COLUMN search_text TEXT NOT NULL DEFAULT ''")
    # Folded in Python: SQLite's lower() knows ASCII only.
    rows = conn.execute("SELECT id, account_id, account_name, account_email, note FROM attempts").fetchall()
    conn.executemany(
        "UPDATE attempts SET search_text = ? WHERE id = ?",
        [(search_text(acct, name, email, note), row_id) for row_id, acct, name, email, note in rows],
    )
    # One covering index serves "newest first" plus every filter and the search scan, so a
    # search reads the narrow index rather than the whole table (see bench/history_scale.py).
    conn.execute("DROP INDEX attempts_time")
    conn.execute(
        "CREATE INDEX attempts_scan ON attempts "
        "(attempted_at, mode, link_type, outcome, local_expires_at, profile, search_text)"
    )
    conn.execute("CREATE INDEX attempts_account ON attempts (account_id, attempted_at)")
    # Only the few rows that still hold a URL: erasure never scans the table.
    conn.execute("CREATE INDEX attempts_with_url ON attempts (local_expires_at) WHERE url IS NOT NULL")


def _v4(conn: sqlite3.Connection) -> None:
    # ADD COLUMN with a constant default rewrites no row: old rows read as 'v1' at once.
    conn.execute(
        "ALTER TABLE attempts ADD COLUMN accounts_api TEXT NOT NULL DEFAULT 'v1' "
        "CHECK (accounts_api IN ('v1', 'v2'))"
    )
    conn.execute("ALTER TABLE attempts ADD COLUMN configurations TEXT")
    conn.execute("ALTER TABLE attempts ADD COLUMN onboarding_outcome TEXT")
    conn.execute("DROP INDEX attempts_scan")
    conn.execute(
        "CREATE INDEX attempts_scan ON attempts "
        "(attempted_at, mode, link_type, outcome, local_expires_at, profile, accounts_api, search_text)"
    )


_V5_COLUMNS = (
    "id, attempted_at, profile, mode, account_id, account_name, account_email, link_type, refresh_url, "
    "return_url, collection_fields, future_requirements, outcome, error_code, error_message, request_id, "
    "created, expires_at, url, note, local_expires_at, search_text, accounts_api, configurations, "
    "onboarding_outcome"
)


def _v5(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE attempts_v5 (
            id INTEGER PRIMARY KEY,
            attempted_at REAL NOT NULL,
            profile TEXT NOT NULL,
            mode TEXT NOT NULL CHECK (mode IN ('test', 'live')),
            account_id TEXT NOT NULL,
            account_name TEXT,
            account_email TEXT,
            link_type TEXT NOT NULL,
            refresh_url TEXT NOT NULL,
            return_url TEXT NOT NULL,
            collection_fields TEXT,
            future_requirements TEXT,
            outcome TEXT NOT NULL CHECK (outcome IN ('created', 'failed', 'unknown')),
            error_code TEXT,
            error_message TEXT,
            request_id TEXT,
            created INTEGER,
            expires_at INTEGER,
            url TEXT,
            note TEXT,
            local_expires_at REAL,
            search_text TEXT NOT NULL DEFAULT '',
            accounts_api TEXT NOT NULL DEFAULT 'v1' CHECK (accounts_api IN ('v1', 'v2')),
            configurations TEXT,
            onboarding_outcome TEXT,
            idempotency_key TEXT,
            writer TEXT
        )
        """
    )
    conn.execute(f"INSERT INTO attempts_v5 ({_V5_COLUMNS}) SELECT {_V5_COLUMNS} FROM attempts")
    conn.execute("DROP TABLE attempts")  # its indexes go with it
    conn.execute("ALTER TABLE attempts_v5 RENAME TO attempts")
    conn.execute(
        "CREATE INDEX attempts_scan ON attempts "
        "(attempted_at, mode, link_type, outcome, local_expires_at, profile, accounts_api, search_text)"
    )
    conn.execute("CREATE INDEX attempts_account ON attempts (account_id, attempted_at)")
    conn.execute("CREATE INDEX attempts_with_url ON attempts (local_expires_at) WHERE url IS NOT NULL")
    conn.execute("CREATE INDEX attempts_key ON attempts (idempotency_key) WHERE idempotency_key IS NOT NULL")


def _v6(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE attempts ADD COLUMN replaced_by INTEGER")


MIGRATIONS: tuple[Step, ...] = (_v1, _v2, _v3, _v4, _v5, _v6)
LATEST_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchall()[0][0])


def migrate(conn: sqlite3.Connection, *, target: int = LATEST_VERSION) -> int:
    """Apply the missing steps up to ``target``; return the version found before.

    ``conn`` must be in autocommit mode (``isolation_level=None``). Each step re-reads the
    version inside its write transaction, so two instances starting at once migrate once.
    """
    found = user_version(conn)
    for number in range(found, target):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if user_version(conn) == number:  # another instance may have got here first
                MIGRATIONS[number](conn)
                conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            # A full disk rolls back by itself: a second ROLLBACK would fail ("cannot rollback -
            # no transaction is active") and hide the real error.
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise
    return found
