"""CSV and JSON export of history, streamed (one page of rows in memory). Never with link URLs.

Rows come from :meth:`HistoryEntry.public_dict`, which has no ``url`` field at all, so no
switch can let a URL through. Text that a spreadsheet would run as a formula (a cell starting
with ``=``, ``+``, ``-``, ``@``, tab or CR; an account's business name is chosen by the account
holder, not by the operator) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, TextIO

from app.history.entry import HistoryEntry
from app.history.query import HistoryQuery

if TYPE_CHECKING:
    from app.history.store import HistoryStore

CSV_COLUMNS = (
    "id", "attempted_at", "status", "profile", "mode", "account_id", "account_name",
    "account_email", "link_type", "collection_fields", "future_requirements", "refresh_url",
    "return_url", "outcome", "error_code", "error_message", "request_id", "created",
    "expires_at", "local_expires_at", "note", "accounts_api", "configurations", "onboarding_outcome",
)
_TIMES = ("attempted_at", "local_expires_at", "created", "expires_at")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _iso_utc(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def csv_row(entry: HistoryEntry, now_wall: float) -> list[Any]:
    data = entry.public_dict(now_wall)
    for name in _TIMES:
        data[name] = _iso_utc(data[name])
    return [_cell(data[name]) for name in CSV_COLUMNS]


def write_csv_header(out: TextIO) -> None:
    csv.writer(out).writerow(CSV_COLUMNS)


def write_csv_rows(entries: Iterable[HistoryEntry], out: TextIO, *, now_wall: float) -> int:
    writer = csv.writer(out)
    count = 0
    for entry in entries:
        writer.writerow(csv_row(entry, now_wall))
        count += 1
    return count


def write_csv(entries: Iterable[HistoryEntry], out: TextIO, *, now_wall: float) -> int:
    """Header plus one row per entry (times in ISO 8601 UTC); returns the number of rows."""
    write_csv_header(out)
    return write_csv_rows(entries, out, now_wall=now_wall)


def write_json_array(entries: Iterable[HistoryEntry], out: TextIO, *, now_wall: float, indent: int = 2,
                     batch: int = 500) -> int:
    """The entries as one JSON array, written as they come (a batch of rows per write): the
    same text as ``json.dumps([...], indent=indent)`` plus a line break, with only one batch in
    memory however long the history. Returns the number of entries."""
    import json

    encoder = json.JSONEncoder(indent=indent, default=list)
    count = 0
    for rows in _batches(entries, batch):
        # A batch encoded as an array is "[\n" + its items + "\n]": the items, joined to the
        # previous batch's by ",\n", are exactly what the whole array would hold.
        text = encoder.encode([e.public_dict(now_wall) for e in rows])
        out.write(("[\n" if count == 0 else ",\n") + text[2:-2])
        count += len(rows)
    out.write("\n]\n" if count else "[]\n")
    return count


def _batches(entries: Iterable[HistoryEntry], size: int) -> Iterator[list[HistoryEntry]]:
    rows: list[HistoryEntry] = []
    for entry in entries:
        rows.append(entry)
        if len(rows) >= size:
            yield rows
            rows = []
    if rows:
        yield rows


def export_csv(store: "HistoryStore", path: Path, query: HistoryQuery | None = None) -> int:
    """Write every entry matching ``query`` (default: all) to ``path``; returns the count."""
    entries = store.iter_entries(query or HistoryQuery())
    with open(path, "w", newline="", encoding="utf-8") as out:
        return write_csv(entries, out, now_wall=store.now())


class CsvExport:
    """An export done a page at a time, so that a UI can run it as short jobs on a worker thread
    (``app.ui.history.panel``), with searches in between.

    Call :meth:`step` until it returns False. Rows go to ``<path>.partial``, which replaces
    ``path`` only once complete; :meth:`cancel` removes it.
    """

    def __init__(self, store: "HistoryStore", query: HistoryQuery, path: Path, *, page_size: int = 1000) -> None:
        self.path = Path(path)
        self.count = 0
        self._store = store
        self._query = query
        self._page_size = page_size
        self._after: tuple[float, int] | None = None
        self._partial = self.path.with_name(self.path.name + ".partial")
        self._out: TextIO | None = open(self._partial, "w", newline="", encoding="utf-8")
        self._now = store.now()  # one "now" for the whole file: statuses are consistent
        write_csv_header(self._out)

    @property
    def done(self) -> bool:
        return self._out is None

    def step(self) -> bool:
        """Write one page; returns True while there is more to write."""
        if self._out is None:
            return False
        page = self._store.query(self._query, limit=self._page_size, after=self._after)
        # The page is formatted in memory and written with one call: a write per row would
        # release and retake the GIL for each small write(), and a thread that does that keeps
        # the Qt thread from getting the GIL at all (CPython's convoy effect) while it runs.
        chunk = io.StringIO()
        self.count += write_csv_rows(page, chunk, now_wall=self._now)
        self._out.write(chunk.getvalue())
        if len(page) == self._page_size:
            self._after = (page[-1].attempted_at, page[-1].id or 0)
            return True
        self._out.close()
        self._out = None
        os.replace(self._partial, self.path)
        return False

    def cancel(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
            self._partial.unlink(missing_ok=True)
