"""Table model over the history, fetched page by page on the history worker thread.

Search and filters run in SQL (:class:`app.history.HistoryQuery`) on the worker
(:class:`app.history.worker.HistoryWorker`), never on the Qt thread: at 100k rows a search costs
15-30 ms, more than a frame. :meth:`HistoryModel.set_query` returns at once; the first page
arrives later and is applied in one model reset on the Qt thread, and the total (a count, as
costly as the page) follows it, so that rows show without waiting for it. Every query gets a
generation number: a result whose generation is no longer the newest (an older search finishing
after a newer one) is dropped, and a job still queued when it is superseded never runs.

The model holds only the pages the view has asked for (``canFetchMore``/``fetchMore``, also
fetched on the worker), so 100k rows cost what the first 200 cost; rows are formatted on the
worker. The status column is computed from the injected clock on every paint; the panel's timer
calls :meth:`HistoryModel.refresh_status` once a second to repaint "time left".

Tasks are started through ``spawn`` (the window's task tracker, so that shutdown cancels them);
without one the model keeps its own and :meth:`HistoryModel.aclose` cancels them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Coroutine

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.clock import Clock
from app.countdown import format_mmss
from app.history import HistoryEntry, HistoryError, HistoryQuery
from app.history.entry import account_label, unknown_text
from app.history.worker import HistoryWorker, Superseded
from app.ui.common.tasks import TaskTracker
from app.ui.common.theme import error_color
from app.ui.common.widgets import plain_tooltip

_Index = QModelIndex | QPersistentModelIndex
_STALE = object()  # a read whose result must not be shown (superseded, failed)
_LINK_TYPES = {"account_onboarding": "Onboarding", "account_update": "Update"}
_MODES = {"test": "Test", "live": "Live"}
CANCELLED_CODE = "cancelled"  # app.ui.links.flow.CancelledByOperator.code
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
ENTRY_ROLE = int(Qt.ItemDataRole.UserRole) + 1
_ROLES = frozenset({_DISPLAY, _TOOLTIP, _FOREGROUND, ENTRY_ROLE})
Spawn = Callable[[Coroutine[Any, Any, Any], str], "asyncio.Task[Any] | None"]


def tracked_spawn(tracker: TaskTracker) -> Spawn:
    """A ``spawn`` that keeps its tasks in ``tracker``; with no event loop running (nothing
    could ever run the task) it starts nothing and returns None, like the window's."""

    def spawn(coro: Coroutine[Any, Any, Any], name: str) -> "asyncio.Task[Any] | None":
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            coro.close()
            return None
        if tracker.closed:
            coro.close()
            return None
        return tracker.spawn(coro, name=name)

    return spawn


def status_label(entry: HistoryEntry, now_wall: float) -> str:
    """``Active 4:59``, ``Expired``, ``Failed``, ``Cancelled``, ``Unknown`` (no answer was
    recorded: the link may exist; the Reason column says so and until when) or ``Waiting``
    (another Linkdesk is waiting for that answer now): words, not error codes (those are in the
    tooltip, for support). As narrow as ``Active 4:59``: the column fits an 800 px window."""
    status = entry.status(now_wall)
    if status == "unknown":
        return "Waiting" if still_waiting(entry, now_wall) else "Unknown"
    if status == "active":
        return f"Active {format_mmss(entry.remaining(now_wall))}"
    if status == "failed":
        return "Cancelled" if entry.error_code == CANCELLED_CODE else "Failed"
    return status.capitalize()


def still_waiting(entry: HistoryEntry, now_wall: float) -> bool:
    """Whether the process that wrote this open attempt may still record its answer."""
    from app.history.writers import may_still_finish

    return may_still_finish(entry.writer, entry.attempted_at, now_wall)


def mode_label(entry: HistoryEntry) -> str:
    """``Test``, ``Live``, or ``Sandbox`` for the built-in sandbox (test mode, nothing real)."""
    return "Sandbox" if entry.profile == "sandbox" else _MODES.get(entry.mode, entry.mode)


class _Generation:
    """The newest query's number, read by the worker thread to skip superseded jobs."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value


@dataclass(frozen=True, slots=True)
class _Row:
    entry: HistoryEntry
    time_text: str  # formatted once per fetch, not once per paint
    account_text: str
    type_text: str
    note_text: str  # the note and, for a failed attempt, why it failed
    outcome_text: str


def time_text(attempted_at: float, today: dt.date | None = None) -> str:
    """Today's attempts by their time only (``14:02:11``); older ones with their date too."""
    when = dt.datetime.fromtimestamp(attempted_at)
    if when.date() == (today or dt.date.today()):
        return when.strftime("%H:%M:%S")
    return when.strftime("%Y-%m-%d %H:%M")


def reason_text(entry: HistoryEntry) -> str:
    """Why an attempt failed, on one line (Stripe's words; the code and request id are in the
    tooltip); for an attempt without a recorded answer, ``outcome unknown: the link may exist;
    it expires by 14:05``; for a link replaced while live by a newer one for the same account,
    ``Replaced by #42``; else empty for a link that was made."""
    if entry.outcome == "unknown":
        return unknown_text(entry)
    if entry.outcome != "failed":
        return f"Replaced by #{entry.replaced_by}" if entry.replaced_by is not None else ""
    return " ".join((entry.error_message or entry.error_code or "").split())


def _type_text(entry: HistoryEntry) -> str:
    """``Onboarding``, ``Update``; ``Onboarding (v2)`` for a link made through Accounts v2."""
    words = _LINK_TYPES.get(entry.link_type, entry.link_type)
    return f"{words} (v2)" if entry.accounts_api == "v2" else words


def _row(entry: HistoryEntry) -> _Row:
    return _Row(
        entry=entry,
        time_text=time_text(entry.attempted_at),
        account_text=account_label(entry),
        type_text=_type_text(entry),
        note_text=" — ".join(x for x in (reason_text(entry), " ".join((entry.note or "").split())) if x),
        outcome_text=" ".join((entry.onboarding_outcome or "").split()),
    )


class HistoryModel(QAbstractTableModel):
    """Columns: time (local), account, type (with "(v2)" for Accounts v2 links), status, mode,
    the note with, for a failed attempt, why it failed (visible, not only in a tooltip), and what
    the account directory saw the seller do while the link was active. Newest first."""

    TIME, ACCOUNT, TYPE, STATUS, MODE, NOTE, ONBOARDING = range(7)
    HEADERS = ("Time", "Account", "Type", "Status", "Mode", "Reason / note", "Onboarding seen")
    EntryRole = ENTRY_ROLE  # the row's HistoryEntry

    totalChanged = Signal(int)  # number of entries matching the query (not just fetched)
    loaded = Signal()  # the newest query's first page is in the model (its total follows)
    loadFailed = Signal(str)  # the database could not be read, in words

    def __init__(self, worker: HistoryWorker, clock: Clock, *, page_size: int = 200,
                 spawn: Spawn | None = None, parent=None) -> None:
        super().__init__(parent)
        self._worker = worker
        self._clock = clock
        self._page_size = page_size
        self._own_tasks = TaskTracker() if spawn is None else None
        self._spawn = spawn or tracked_spawn(self._own_tasks)  # type: ignore[arg-type]
        self._query = HistoryQuery()  # the newest query asked for
        self._shown_query: HistoryQuery | None = None  # the query the rows belong to
        self._rows: list[_Row] = []
        self._total = 0
        self._exhausted = True
        self._generation = _Generation()
        self._load_task: asyncio.Task[Any] | None = None
        self._fetch_task: asyncio.Task[Any] | None = None

    # -- loading ---------------------------------------------------------------------------
    @property
    def query(self) -> HistoryQuery:
        """The newest query asked for (its rows may still be on their way)."""
        return self._query

    @property
    def shown_query(self) -> HistoryQuery | None:
        """The query whose rows the model holds (None before the first page arrives)."""
        return self._shown_query

    @property
    def total(self) -> int:
        return self._total

    @property
    def loading(self) -> bool:
        """True while the newest query's first page is on its way."""
        return self._load_task is not None and not self._load_task.done()

    def set_query(self, query: HistoryQuery) -> "asyncio.Task[Any] | None":
        """Show the entries matching ``query``: returns at once; the first page replaces the
        rows (one reset) when the worker has it. Returns the task (tests may await it)."""
        self._query = query
        return self.reload()

    def reload(self) -> "asyncio.Task[Any] | None":
        """Read the first page of the current query again (after a record, delete, clear...).
        Earlier loads and page fetches still running are superseded."""
        generation = self._generation.next()
        if self._fetch_task is not None:
            self._fetch_task.cancel()
            self._fetch_task = None
        self._load_task = self._spawn(self._load(generation, self._query), "history search")
        return self._load_task

    def _wanted(self, generation: int) -> Callable[[], bool]:
        current = self._generation  # a plain object: the worker thread never touches a QObject
        return lambda: generation == current.value

    async def _read(self, generation: int, pending: Awaitable[Any]) -> Any:
        """What the worker read for query ``generation``, or :data:`_STALE` when a newer query
        was asked for meanwhile (its result wins) or the read failed (said for the current
        query only)."""
        try:
            result = await pending
        except Superseded:
            return _STALE
        except (sqlite3.Error, HistoryError) as exc:
            if generation == self._generation.value:
                self.loadFailed.emit(f"The history could not be read: {exc}")
            return _STALE
        return result if generation == self._generation.value else _STALE

    async def _load(self, generation: int, query: HistoryQuery) -> None:
        """The first page, shown as soon as it is read; then, if the page is full, the count
        (at 100k rows the count costs as much as the page, and nobody waits for it to see rows)."""
        wanted = self._wanted(generation)
        page = self._worker.page(query, limit=self._page_size, wanted=wanted, convert=_row)
        rows = await self._read(generation, page)
        if rows is _STALE:
            return
        self.beginResetModel()
        self._rows, self._shown_query = rows, query
        self._exhausted = len(rows) < self._page_size
        self.endResetModel()
        self.loaded.emit()
        if self._exhausted:
            total = len(rows)
        else:
            total = await self._read(generation, self._worker.count(query, wanted=wanted))
        if total is _STALE:
            return
        self._total = total
        self.totalChanged.emit(total)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:
        """Ask the worker for the next page; the rows are inserted when it arrives (a view
        asking again meanwhile does not start a second fetch)."""
        if parent.isValid() or self._exhausted or not self._rows:
            return
        if self._fetch_task is not None and not self._fetch_task.done():
            return
        last = self._rows[-1].entry
        after = (last.attempted_at, last.id or 0)
        self._fetch_task = self._spawn(self._fetch(self._generation.value, self._query, after), "history page")

    async def _fetch(self, generation: int, query: HistoryQuery, after: tuple[float, int]) -> None:
        rows = await self._read(generation, self._worker.page(
            query, limit=self._page_size, after=after, wanted=self._wanted(generation), convert=_row))
        if rows is _STALE:
            return
        self._exhausted = len(rows) < self._page_size
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()

    async def settled(self) -> None:
        """Wait until no load or page fetch is running (for tests and the benchmark)."""
        while True:
            pending = [t for t in (self._load_task, self._fetch_task) if t is not None and not t.done()]
            if not pending:
                return
            await asyncio.wait(pending)

    async def aclose(self) -> None:
        """Supersede everything and cancel the tasks this model started itself."""
        self._generation.next()
        if self._own_tasks is not None:
            await self._own_tasks.cancel_all(close=True)

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

    def has_onboarding_seen(self) -> bool:
        """Whether a fetched row has an onboarding outcome (the panel shows that column then)."""
        return any(row.outcome_text for row in self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        # A repaint asks for ~8 roles per cell and this model answers 4: the others are turned
        # away first, with plain ints (a reset + repaint of the page is on the Qt thread).
        if role not in _ROLES or not index.isValid():
            return None
        row_number = index.row()
        if not 0 <= row_number < len(self._rows):
            return None
        row = self._rows[row_number]
        column = index.column()
        if role == _DISPLAY:
            return self._display(row, column)
        if role == _TOOLTIP:
            return self._tooltip(row, column)
        if role == _FOREGROUND and column == self.STATUS:
            failed = row.entry.outcome == "failed" and row.entry.error_code != CANCELLED_CODE
            return error_color() if failed else None  # the application palette's AA red
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
        if column == self.ONBOARDING:
            return row.outcome_text
        return None

    def _tooltip(self, row: _Row, column: int) -> str | None:
        """The cell's tooltip; text from the API or the operator shows literally (plain_tooltip)."""
        text = self._tooltip_text(row, column)
        return plain_tooltip(text) if text else text

    def _tooltip_text(self, row: _Row, column: int) -> str | None:
        entry = row.entry
        if column == self.ACCOUNT:
            return "\n".join(p for p in (entry.account_name, entry.account_id, entry.account_email) if p)
        if column == self.TIME:
            return dt.datetime.fromtimestamp(entry.attempted_at).strftime("%Y-%m-%d %H:%M:%S")
        if column == self.TYPE and entry.accounts_api == "v2":
            covers = ", ".join(entry.configurations.split(",")) if entry.configurations else None
            return "Made through Stripe's Accounts v2 API" + (f"; covers: {covers}" if covers else "")
        if column in (self.STATUS, self.NOTE) and entry.outcome == "unknown":
            return (f"{unknown_text(entry).capitalize()}.\nNo answer from Stripe was recorded: Linkdesk stopped (or is "
                    "still waiting) after sending the request. Retry (right-click) sends it again with the same "
                    "Idempotency-Key, so Stripe answers with the link it made, if it made one.")
        if column in (self.STATUS, self.NOTE) and entry.outcome == "failed":
            code = entry.error_code if entry.error_code != CANCELLED_CODE else None
            return "\n".join(p for p in (entry.error_message, code and f"Code: {code}",
                                          entry.request_id and f"Request id: {entry.request_id}") if p)
        if column in (self.STATUS, self.NOTE) and entry.replaced_by is not None:
            return (f"Replaced by a newer link for the same account (history #{entry.replaced_by}) while this one "
                    "was live: that one is the link to send.")
        if column in (self.STATUS, self.ONBOARDING) and entry.onboarding_outcome:
            return f"Seen while the link was active: {entry.onboarding_outcome}"
        if column == self.MODE and entry.profile == "sandbox":
            return "Built-in sandbox (test mode): demo accounts, nothing real"
        if column == self.NOTE and entry.note:
            return entry.note
        return None
