"""Attempts written before their request is sent (issue 18), as methods of
:class:`app.history.store.HistoryStore`.

``linkdesk link`` and the window write an attempt (``outcome = "unknown"``, its Idempotency-Key,
the process waiting for it: :mod:`app.history.writers`) before the request goes out, and
complete that same row when the answer comes. A process killed while waiting leaves the row
open: the History then says the link may exist and until when, and a retry with its key gets
the link Stripe made (Stripe replays a key's result for 24 hours).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.history import storage
from app.history.entry import HistoryEntry, search_text

if TYPE_CHECKING:
    import sqlite3

_FIELDS, _COLUMNS = storage.FIELDS, storage.COLUMNS


class AttemptWrites:
    """Open, complete, claim and find attempts, and say which link replaced which; mixed into HistoryStore (its connection, its
    ``record``, ``get`` and ``_values``)."""

    conn: "sqlite3.Connection"
    path: object

    if TYPE_CHECKING:  # HistoryStore's own
        def record(self, entry: HistoryEntry) -> HistoryEntry: ...
        def get(self, entry_id: int) -> HistoryEntry | None: ...
        def track_url(self, saved: HistoryEntry) -> None: ...
        def _values(self, entry: HistoryEntry) -> tuple: ...
        def _rows(self, sql: str, args: tuple = ()) -> list[tuple]: ...

    @storage.plain_storage_errors
    def set_replaced_by(self, entry_id: int, new_id: int) -> bool:
        """Say that row ``new_id``'s link replaced row ``entry_id``'s (a new link for the same
        account and profile while the older one was live). False if no such entry."""
        cursor = self.conn.execute("UPDATE attempts SET replaced_by = ? WHERE id = ?", (int(new_id), int(entry_id)))
        return cursor.rowcount > 0

    @storage.plain_storage_errors
    def open_attempt(self, entry: HistoryEntry) -> HistoryEntry:
        """Write an attempt before its request is sent (``outcome = "unknown"``, its
        Idempotency-Key, the process waiting for it), committed when this returns; complete it
        with :meth:`complete`. If the process dies first, the row stays: the History shows
        "outcome unknown: the link may exist", and a retry with its key gets the same link."""
        if entry.outcome != "unknown" or not entry.idempotency_key:
            raise ValueError("an open attempt has the outcome 'unknown' and an Idempotency-Key")
        return self.record(entry)

    @storage.plain_storage_errors
    def complete(self, entry_id: int | None, entry: HistoryEntry) -> HistoryEntry:
        """Replace open attempt ``entry_id`` with its outcome ``entry`` (a created or failed
        one), in one statement, committed when this returns; its time, note and onboarding
        outcome stay. The writer is cleared. If the row is gone (deleted or cleared meanwhile),
        or ``entry_id`` is None, ``entry`` is recorded as a new row: an answer is never lost."""
        if entry_id is None:
            return self.record(entry)
        values = dict(zip(_FIELDS[1:], self._values(entry.with_changes(writer=None))))  # (search_text: below)
        kept = ("attempted_at", "note", "onboarding_outcome")
        if not entry.idempotency_key:  # the key the attempt was sent with stays on its row
            kept += ("idempotency_key",)
        columns = [name for name in _FIELDS[1:] if name not in kept]
        row = self._rows("SELECT note, account_name, account_email FROM attempts WHERE id = ?", (entry_id,))
        if not row:
            return self.record(entry)
        note, name, email = row[0]
        stored_name = values["account_name"] if values["account_name"] is not None else name
        stored_email = values["account_email"] if values["account_email"] is not None else email
        values["account_name"], values["account_email"] = stored_name, stored_email
        assignments = ", ".join(f"{name} = ?" for name in columns)
        self.conn.execute(
            f"UPDATE attempts SET {assignments}, search_text = ? WHERE id = ?",
            [*(values[name] for name in columns), search_text(entry.account_id, stored_name, stored_email, note),
             entry_id],
        )
        saved = self.get(entry_id)
        assert saved is not None
        self.track_url(saved)
        return saved

    @storage.plain_storage_errors
    def claim_attempt(self, entry_id: int, writer: str) -> HistoryEntry | None:
        """Name ``writer`` as the process now waiting for open attempt ``entry_id`` (a retry
        with its key); None if there is no such open attempt."""
        self.conn.execute("UPDATE attempts SET writer = ? WHERE id = ? AND outcome = 'unknown'", (writer, entry_id))
        entry = self.get(entry_id)
        return entry if entry is not None and entry.outcome == "unknown" else None

    def attempt_by_key(self, idempotency_key: str) -> HistoryEntry | None:
        """The attempt sent with ``idempotency_key`` (what the history holds of it: open,
        created or failed), or None when none was written."""
        rows = self._rows(f"SELECT {_COLUMNS} FROM attempts WHERE idempotency_key = ? ORDER BY id DESC LIMIT 1",
                          (idempotency_key,))
        return storage.entry_from_row(rows[0]) if rows else None
