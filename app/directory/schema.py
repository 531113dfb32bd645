"""The directory index's schema, as numbered steps (``PRAGMA user_version`` = steps applied),
applied the way :mod:`app.history.migrations` does: one ``BEGIN IMMEDIATE`` per step together
with its version bump, re-checked inside the transaction so two instances migrate once.

* v1 — ``accounts`` (one summary row per account), ``accounts_fts`` (FTS5 over folded names, email
  and metadata values, with prefix indexes for as-you-type search), ``sync_state``
  (key/value) and ``sync_windows`` (the persisted cursors that make a sync resumable).
"""

from __future__ import annotations

import sqlite3
from typing import Callable

Step = Callable[[sqlite3.Connection], None]


def _v1(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE accounts (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            business_name TEXT,
            display_name TEXT,
            email TEXT,
            country TEXT,
            type TEXT,
            controller_type TEXT,
            requirement_collection TEXT,
            dashboard_type TEXT,
            charges_enabled INTEGER NOT NULL,
            payouts_enabled INTEGER NOT NULL,
            details_submitted INTEGER NOT NULL,
            disabled_reason TEXT,
            currently_due INTEGER NOT NULL,
            past_due INTEGER NOT NULL,
            eventually_due INTEGER NOT NULL,
            pending_verification INTEGER NOT NULL,
            errors INTEGER NOT NULL,
            deadline INTEGER,
            metadata TEXT NOT NULL,
            created INTEGER,
            refreshed_at REAL NOT NULL,
            digest TEXT NOT NULL,
            seen_run INTEGER NOT NULL DEFAULT 0,
            looked_up_at REAL,
            name_key TEXT NOT NULL DEFAULT '',    -- folded words of business_name, for "starts with"
            display_key TEXT NOT NULL DEFAULT ''  -- the same for display_name
        )
        """
    )
    conn.execute("CREATE INDEX accounts_created ON accounts (created)")
    conn.execute("CREATE INDEX accounts_id_folded ON accounts (lower(id))")  # id prefix, any case
    conn.execute("CREATE INDEX accounts_name_key ON accounts (name_key)")
    conn.execute("CREATE INDEX accounts_display_key ON accounts (display_key)")
    conn.execute("CREATE INDEX accounts_looked_up ON accounts (looked_up_at) WHERE looked_up_at IS NOT NULL")
    # Folded text (app.directory.text.fold) so that SQLite's tokenizer only has to split words;
    # prefix indexes make "h", "ha", "har" as cheap as whole words.
    conn.execute(
        "CREATE VIRTUAL TABLE accounts_fts USING fts5("
        "name, email, meta, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3')"
    )
    conn.execute("CREATE TABLE sync_state (key TEXT PRIMARY KEY, value) WITHOUT ROWID")
    conn.execute(
        """
        CREATE TABLE sync_windows (
            id INTEGER PRIMARY KEY,
            run INTEGER NOT NULL,
            lo INTEGER,          -- created >= lo (NULL: no lower bound)
            hi INTEGER,          -- created <= hi (NULL: no upper bound)
            cursor TEXT,         -- starting_after for the next page (NULL: from the top)
            done INTEGER NOT NULL DEFAULT 0,
            fetched INTEGER NOT NULL DEFAULT 0,
            last_created INTEGER, -- created of the last account fetched in this window
            density REAL          -- accounts per second seen in this window's pages
        )
        """
    )


MIGRATIONS: tuple[Step, ...] = (_v1,)
LATEST_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchall()[0][0])


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the missing steps; return the version found. ``conn`` must be in autocommit mode."""
    found = user_version(conn)
    for number in range(found, LATEST_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if user_version(conn) == number:
                MIGRATIONS[number](conn)
                conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return found
