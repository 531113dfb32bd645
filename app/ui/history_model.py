"""Table model over the history store, fetched lazily page by page.

Search and filters run in SQL (:class:`app.history.HistoryQuery`); the model holds only the
pages the view has asked for (``canFetchMore``/``fetchMore``), so 100k rows cost what the first
200 cost. The status column is computed from the injected clock on every paint; the panel's
timer calls :meth:`HistoryModel.refresh_status` once a second to repaint "time left".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from app.clock import Clock
from app.countdown import format_mmss
from app.history import HistoryEntry, HistoryQuery, HistoryStore
from app.history.entry import account_label
from app.ui.widgets import ERROR_RED

_Index = QModelIndex | QPersistentModelIndex
_LINK_TYPES = {"account_onboarding": "Onboarding", "account_update": "Update"}
_MODES = {"test": "Test", "live": "Live"}
CANCELLED_CODE = "cancelled"  # app.ui.link_flow.CancelledByOperator.code


def status_label(entry: HistoryEntry, now_wall: float) -> str:
    """``Active 4:59``, ``Expired``, ``Failed`` or ``Cancelled``: words, not error codes (those
    are in the tooltip, for support)."""
    status = entry.status(now_wall)
    if status == "active":
        return f"Active {format_mmss(entry.remaining(now_wall))}"
    if status == "failed":
        return "Cancelled" if entry.error_code == CANCELLED_CODE else "Failed"
    return status.capitalize()


def mode_label(entry: HistoryEntry) -> str:
    """``Test``, ``Live``, or ``Sandbox`` for the built-in sandbox (test mode, nothing real)."""
    return "Sandbox" if entry.profile == "sandbox" else _MODES.get(entry.mode, entry.mode)


@dataclass(frozen=True, slots=True)
class _Row:
    entry: HistoryEntry
    time_text: str  # formatted once per fetch, not once per paint
    account_text: str
    type_text: str
    note_text: str


def _row(entry: HistoryEntry) -> _Row:
    return _Row(
        entry=entry,
        time_text=dt.datetime.fromtimestamp(entry.attempted_at).strftime("%Y-%m-%d %H:%M:%S"),
        account_text=account_label(entry),
        type_text=_LINK_TYPES.get(entry.link_type, entry.link_type),
        note_text=" ".join((entry.note or "").split()),
    )


class HistoryModel(QAbstractTableModel):
    """Columns: time (local), account, type, status, mode, note. Newest first."""

    TIME, ACCOUNT, TYPE, STATUS, MODE, NOTE = range(6)
    HEADERS = ("Time", "Account", "Type", "Status", "Mode", "Note")
    EntryRole = int(Qt.ItemDataRole.UserRole) + 1  # the row's HistoryEntry

    totalChanged = Signal(int)  # number of entries matching the query (not just fetched)

    def __init__(self, store: HistoryStore, clock: Clock, *, page_size: int = 200, parent=None) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock
        self._page_size = page_size
        self._query = HistoryQuery()
        self._rows: list[_Row] = []
        self._total = 0
        self._exhausted = True

    # -- loading ---------------------------------------------------------------------------
    @property
    def query(self) -> HistoryQuery:
        return self._query

    @property
    def total(self) -> int:
        return self._total

    def set_query(self, query: HistoryQuery) -> None:
        """Show the entries matching ``query``: a reset with the first page loaded."""
        self._query = query
        self.reload()

    def reload(self) -> None:
        """Reset to the first page of the current query (after a record, delete, clear...)."""
        # Query first: if the database fails, the model stays as it was, not half reset.
        page = self._store.query(self._query, limit=self._page_size)
        exhausted = len(page) < self._page_size
        total = len(page) if exhausted else self._store.count(self._query)
        rows = [_row(e) for e in page]
        self.beginResetModel()
        self._rows, self._exhausted, self._total = rows, exhausted, total
        self.endResetModel()
        self.totalChanged.emit(self._total)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:
        if parent.isValid() or self._exhausted or not self._rows:
            return
        last = self._rows[-1].entry
        page = self._store.query(self._query, limit=self._page_size, after=(last.attempted_at, last.id or 0))
        self._exhausted = len(page) < self._page_size
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(_row(e) for e in page)
            self.endInsertRows()

    def refresh_status(self) -> None:
        """Repaint the status column (time left) of the loaded rows."""
        if self._rows:
            self.dataChanged.emit(
                self.index(0, self.STATUS),
                self.index(len(self._rows) - 1, self.STATUS),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole],
            )

    def entry(self, row: int) -> HistoryEntry:
        return self._rows[row].entry

    def row_of(self, entry_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.entry.id == entry_id), None)

    # -- QAbstractTableModel ----------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(self.HEADERS):
                return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.STATUS:
            failed = row.entry.outcome == "failed" and row.entry.error_code != CANCELLED_CODE
            return QColor(ERROR_RED) if failed else None
        if role == self.EntryRole:
            return row.entry
        return None

    def _display(self, row: _Row, column: int) -> str | None:
        if column == self.TIME:
            return row.time_text
        if column == self.ACCOUNT:
            return row.account_text
        if column == self.TYPE:
            return row.type_text
        if column == self.STATUS:
            return status_label(row.entry, self._clock.time())
        if column == self.MODE:
            return mode_label(row.entry)
        if column == self.NOTE:
            return row.note_text
        return None

    def _tooltip(self, row: _Row, column: int) -> str | None:
        entry = row.entry
        if column == self.ACCOUNT:
            return "\n".join(p for p in (entry.account_name, entry.account_id, entry.account_email) if p)
        if column == self.STATUS and entry.outcome == "failed":
            code = entry.error_code if entry.error_code != CANCELLED_CODE else None
            return "\n".join(p for p in (entry.error_message, code and f"Code: {code}",
                                          entry.request_id and f"Request id: {entry.request_id}") if p)
        if column == self.MODE and entry.profile == "sandbox":
            return "Built-in sandbox (test mode): demo accounts, nothing real"
        if column == self.NOTE and entry.note:
            return entry.note
        return None
