"""Search and filters, turned into SQL.

Filtering happens in SQLite, never in Python, so it costs the same at 100 rows or 100k. Text
search folds the query the way ``search_text`` was folded and looks each word up with
``instr()``: a plain substring test that needs no ``LIKE`` escaping (``%`` and ``_`` in a
search are just characters) and every word must appear somewhere in id, name, email or note.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.history.entry import STATUSES, fold

# (attempted_at, id) of the last row of a page: the next page starts strictly after it.
Cursor = tuple[float, int]


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """What to show. Every field is optional; the default matches everything."""

    text: str = ""
    mode: str | None = None  # "test" | "live"
    link_type: str | None = None
    status: str | None = None  # "active" | "expired" | "failed" | "unknown" (needs "now")
    since: float | None = None  # attempted_at >= since (wall clock, unix seconds)
    until: float | None = None  # attempted_at < until
    account_id: str | None = None  # exact id
    profile: str | None = None
    accounts_api: str | None = None  # "v1" | "v2"

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")

    def terms(self) -> list[str]:
        return fold(self.text).split()

    def where(self, now_wall: float) -> tuple[str, list[Any]]:
        """The SQL condition (never empty) and its parameters."""
        clauses: list[str] = []
        args: list[Any] = []
        for term in self.terms():
            clauses.append("instr(search_text, ?) > 0")
            args.append(term)
        for column, value in (
            ("mode", self.mode),
            ("link_type", self.link_type),
            ("account_id", self.account_id),
            ("profile", self.profile),
            ("accounts_api", self.accounts_api),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        if self.status == "failed":
            clauses.append("outcome = 'failed'")
        elif self.status == "unknown":  # written before its request; no answer recorded
            clauses.append("outcome = 'unknown'")
        elif self.status == "active":
            clauses.append("outcome = 'created' AND local_expires_at > ?")
            args.append(now_wall)
        elif self.status == "expired":
            clauses.append("outcome = 'created' AND (local_expires_at IS NULL OR local_expires_at <= ?)")
            args.append(now_wall)
        if self.since is not None:
            clauses.append("attempted_at >= ?")
            args.append(self.since)
        if self.until is not None:
            clauses.append("attempted_at < ?")
            args.append(self.until)
        return (" AND ".join(f"({c})" for c in clauses) or "1"), args


def page_sql(columns: str, query: HistoryQuery, now_wall: float, limit: int, after: Cursor | None) -> tuple[str, list[Any]]:
    """One page, newest first, by keyset: page 500 costs what page 1 costs (no OFFSET scan).

    The inner select touches only the covering index ``attempts_scan``; whole rows are read
    for the ``limit`` ids that survive.
    """
    where, args = query.where(now_wall)
    if after is not None:
        where += " AND (attempted_at, id) < (?, ?)"
        args.extend(after)
    order = "ORDER BY attempted_at DESC, id DESC"
    sql = (
        f"SELECT {columns} FROM attempts WHERE id IN "
        f"(SELECT id FROM attempts WHERE {where} {order} LIMIT ?) {order}"
    )
    return sql, [*args, int(limit)]


def count_sql(query: HistoryQuery, now_wall: float) -> tuple[str, list[Any]]:
    where, args = query.where(now_wall)
    return f"SELECT count(*) FROM attempts WHERE {where}", args
