"""Searching the account directory's index (app.directory.index): which rows to read, best
tier first, and how to rank them. Qt-free; plain ``sqlite3`` on the index's connection.

Best first: an exact match of the whole name, email or id; then matches in which every word
typed is a whole word; then word prefixes (:func:`_rank`). "Shop Number 286" comes before
"Shop Number 2860", "o286@shop286.example" before "o2860@shop2860.example", and "Old Harbor
Cafe" (the whole word) before "Harborview Inn" (a prefix).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Iterable

from app.directory.record import FIELDS, AccountSummary
from app.directory.text import fold, folded_words, words

_COLUMNS = ", ".join(FIELDS)


@dataclass(frozen=True, slots=True)
class Match:
    """One search result: the account, and how it matched (lower ``rank`` is better)."""

    account: AccountSummary
    rank: tuple[int, ...]  # see _rank
    field: str  # "id" | "name" | "email" | "metadata" | "several"


def search(conn: sqlite3.Connection, query: str, *, limit: int = 10) -> list[Match]:
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
        rows = _rows(conn, "SELECT rowid FROM accounts WHERE lower(id) >= ? AND lower(id) < ? "
                     "ORDER BY lower(id) LIMIT ?", (folded, folded + "\x7f", limit * 4))
        return _ranked(conn, [r[0] for r in rows], _Query(folded, [], True), limit)
    tokens = words(text)[:12]
    if not tokens:
        return []
    pool = max(50, limit * 5)
    phrase = " ".join(tokens)
    found: dict[int, None] = {}
    for column in ("name_key", "display_key"):
        found.update(dict.fromkeys(r[0] for r in _rows(
            conn, f"SELECT rowid FROM accounts WHERE {column} = ? LIMIT ?", (phrase, pool))))
    found.update(dict.fromkeys(_fts(conn, f'email : "{phrase}"', pool)))
    whole = " AND ".join(f'"{t}"' for t in tokens)
    found.update(dict.fromkeys(_fts(conn, f"name : ({whole})", pool)))
    for column in ("name_key", "display_key"):
        found.update(dict.fromkeys(r[0] for r in _rows(
            conn, f"SELECT rowid FROM accounts WHERE {column} >= ? AND {column} < ? ORDER BY {column} LIMIT ?",
            (phrase, phrase + "\uffff", pool))))
    if len(found) < pool:  # else names enough: whole words elsewhere rank after them
        found.update(dict.fromkeys(_fts(conn, whole, pool)))
    every = " AND ".join(f'"{t}"*' for t in tokens)
    if len(found) < limit:
        found.update(dict.fromkeys(_fts(conn, f"name : ({every})", pool)))
    if len(found) < limit:
        found.update(dict.fromkeys(_fts(conn, every, pool)))
    return _ranked(conn, list(found), _Query(folded, tokens, False), limit)


def _fts(conn: sqlite3.Connection, expression: str, limit: int) -> list[int]:
    return [r[0] for r in _rows(
        conn, "SELECT rowid FROM accounts_fts WHERE accounts_fts MATCH ? LIMIT ?", (expression, limit))]


def _ranked(conn: sqlite3.Connection, rowids: list[int], query: "_Query", limit: int) -> list[Match]:
    """The best ``limit`` of ``rowids``, ranked from the stored folded names (no re-folding);
    summaries are built for those only."""
    if not rowids:
        return []
    marks = ",".join("?" * len(rowids))
    rows = _rows(conn, f"SELECT {_COLUMNS}, name_key, display_key FROM accounts WHERE rowid IN ({marks})",
                 rowids)
    scored = []
    for row in rows:
        rank, field = _rank(row, query)
        name = row[_BUSINESS] or row[_DISPLAY] or row[_EMAIL] or row[_ID]
        scored.append((rank, name.casefold(), row[_ID], field, row))
    scored.sort(key=lambda s: s[:3])
    return [Match(summary_from_row(row[:len(FIELDS)]), rank, field) for rank, _, _, field, row in scored[:limit]]


def _rows(conn: sqlite3.Connection, sql: str, args: Iterable[object] = ()) -> list[tuple]:
    return conn.execute(sql, tuple(args)).fetchall()


def summary_from_row(row: tuple) -> AccountSummary:
    """An :class:`AccountSummary` from a row of ``FIELDS``, as the index stores it."""
    data = dict(zip(FIELDS, row))
    for name in ("charges_enabled", "payouts_enabled", "details_submitted"):
        data[name] = bool(data[name])
    data["metadata"] = tuple(data["metadata"].split("\n")) if data["metadata"] else ()
    return AccountSummary(**data)


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


# A field's folded words are held as one string, " word word ... " (spaces around): "a word
# starts with t" is then ``" " + t in text`` and "t is a word" ``" " + t + " " in text``,
# string searches in C instead of a loop over the words per token (ranking is most of a search).

def _covers(tokens: list[str], spaced: str) -> bool:
    """Every token is the start of a word of the field."""
    return all(f" {t}" in spaced for t in tokens)


def _whole(tokens: list[str], spaced: str) -> bool:
    """Every token is a whole word of the field."""
    return all(f" {t} " in spaced for t in tokens)


def _rank(row: tuple, query: _Query) -> tuple[tuple[int, ...], str]:
    """How well an account (a row of FIELDS, then its name_key and display_key) matches:
    ``(how, where, extra words, newest first)``, lower first, and the field that matched.

    How: 0 the whole name, email or id is the query; 1 every word typed is a whole word;
    2 word prefixes. Where: 0 id; 1 a name starting with the query; 2 a name holding every
    word; 3 the email; 4 several fields together; 5 metadata."""
    newest = -(row[_CREATED] or 0)
    if query.id_mode:
        return (0 if row[_ID].lower() == query.folded else 2, 0, 0, newest), "id"
    tokens, phrase = query.tokens, query.phrase
    best: tuple[int, int, int] = (9, 9, 0)
    field = "metadata"
    names = ""
    for key in row[-2:]:  # the names' folded words, as stored (name_key, display_key)
        if not key:
            continue
        spaced = f" {key} "
        names += spaced
        if key == phrase:
            candidate = (0, 1, 0)
        elif _covers(tokens, spaced):
            candidate = (1 if _whole(tokens, spaced) else 2, 1 if key.startswith(phrase) else 2,
                         max(0, key.count(" ") + 1 - len(tokens)))
        else:
            continue
        if candidate < best:
            best, field = candidate, "name"
    if best[0] == 0:
        return (*best, newest), field
    folded_email = fold(row[_EMAIL]) if row[_EMAIL] else ""
    email = f" {' '.join(folded_words(folded_email))} "
    if folded_email and folded_email == query.folded:
        candidate, where = (0, 3, 0), "email"
    elif _covers(tokens, email):
        candidate, where = (1 if _whole(tokens, email) else 2, 3, 0), "email"
    elif _covers(tokens, visible := email + names):
        candidate, where = (1 if _whole(tokens, visible) else 2, 4, 0), "several"
    else:
        candidate, where = best, field
    if candidate < best:
        best, field = candidate, where
    if best[0] >= 2 and row[_METADATA]:  # metadata can still do better: a whole word there
        candidate = (1 if _whole(tokens, f" {' '.join(words(row[_METADATA]))} ") else 2, 5, 0)
        if candidate < best:
            best, field = candidate, "metadata"
    return (*best, newest), field
