"""The History panel: search, filters and the table (what can be done with a row, clearing and
export are in :mod:`app.ui.history.actions`).

Nothing here waits for the database on the Qt thread for more than a moment:

* searches, filters and pages run on the history worker thread (see ``app.ui.history.model``);
  typing is debounced (``SEARCH_DEBOUNCE_MS``), so a burst of keystrokes costs one query;
* counting and clearing everything, and the CSV export (one page per worker job, so a search
  can run between two pages), run on the worker too;
* a note, a delete and URL erasure are single small writes (~0.03 ms) done here, on the Qt
  thread, with the store's short busy timeout; one that meets another instance's lock is
  retried on the worker (``HistoryWorker.write``);
* dialogs are opened with ``open()`` and answered through callbacks (``app.ui.history.dialogs``),
  never with a nested event loop; the row menu uses ``popup()``.

Three timers run: ``_tick`` (1 s, only while visible) repaints "time left"; ``_erase_timer``
(single shot, always) fires when the next stored URL expires and erases it, so a URL leaves the
disk within about a second of its link's death, shown or not; ``_search_delay`` is the debounce.
"""

from __future__ import annotations

import asyncio
from typing import Any, Coroutine

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.clock import Clock
from app.history import HistoryQuery, HistoryStore
from app.history.worker import HistoryWorker
from app.ui.common.flow_layout import FlowLayout
from app.ui.common.tasks import TaskTracker
from app.ui.common.widgets import muted
from app.ui.history.actions import STORAGE_ERRORS as _STORAGE_ERRORS
from app.ui.history.actions import HistoryRowActions
from app.ui.history.filters import HistoryFilters
from app.ui.history.delegates import AccountDelegate
from app.ui.history.model import HistoryModel, Spawn, tracked_spawn

ERASE_CHECK_MAX_MS = 60_000  # re-check at least this often (the wall clock may jump)
ERASE_RETRY_MS = 1000  # after a locked file: try erasing again this soon
ACCOUNT_MIN_WIDTH = 200  # "Harbor Street Bakery (acct…": narrower, the table scrolls sideways
SEARCH_DEBOUNCE_MS = 120  # typing: one query per pause, not one per keystroke


class HistoryPanel(HistoryRowActions, QWidget):
    """Everything Linkdesk remembers about link attempts. ``refresh()`` after each record."""

    reopenRequested = Signal(object)  # HistoryEntry: still active, URL still stored
    createAgainRequested = Signal(object)  # HistoryEntry: expired, failed, or URL not kept
    retryRequested = Signal(object)  # HistoryEntry: outcome unknown, to send again with its key
    exportFinished = Signal(str, int)  # path, rows written
    exportFailed = Signal(str)  # what went wrong, in words

    def __init__(self, store: HistoryStore, clock: Clock, parent: QWidget | None = None, *,
                 worker: HistoryWorker | None = None, spawn: Spawn | None = None) -> None:
        """``store`` is used on this (the Qt) thread only; ``worker`` does the slow work (one is
        made, and closed by :meth:`aclose`, when none is given); ``spawn`` starts tasks (the
        window's tracker; without one the panel keeps its own, cancelled by :meth:`aclose`)."""
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self._store = store
        self._clock = clock
        self._own_worker = worker is None
        self.worker = worker or HistoryWorker.for_store(store, clock)
        self._own_tasks = TaskTracker() if spawn is None else None
        self._spawn_fn: Spawn = spawn or tracked_spawn(self._own_tasks)  # type: ignore[arg-type]
        self._ops: set[asyncio.Task[Any]] = set()  # this panel's own operations (tests await them)
        self._export_task: asyncio.Task[Any] | None = None
        self.model = HistoryModel(self.worker, clock, spawn=self._spawn_fn, parent=self)

        self.filter_widgets = HistoryFilters(self)
        self.search = self.filter_widgets.search
        self.mode_filter, self.type_filter, self.status_filter = self.filter_widgets.combos
        self.profile_filter = self.filter_widgets.profile
        self.api_filter = self.filter_widgets.api
        self.from_date, self.to_date = self.filter_widgets.from_date, self.filter_widgets.to_date
        self.dates = self.filter_widgets.dates

        self.view = QTableView(objectName="historyView")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 10)
        self.view.setWordWrap(False)  # one line per attempt; the full account is in the tooltip
        self.view.setAccessibleName("History of link attempts")
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(HistoryModel.ACCOUNT, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        fm = self.view.fontMetrics()
        for column, sample in ((HistoryModel.TIME, "0000-00-00 00:00"), (HistoryModel.TYPE, "Onboarding (v2)"),
                               (HistoryModel.STATUS, "Active 00:00"), (HistoryModel.MODE, "Sandbox"),
                               (HistoryModel.NOTE, "A short note"),
                               (HistoryModel.ONBOARDING, "Onboarding seen")):
            self.view.setColumnWidth(column, fm.horizontalAdvance(sample) + 24)
        # Read left to right: when, who, how it went and why; then the rest (scrolls sideways).
        for visual, column in enumerate((HistoryModel.TIME, HistoryModel.ACCOUNT, HistoryModel.STATUS,
                                         HistoryModel.NOTE, HistoryModel.TYPE, HistoryModel.MODE)):
            header.moveSection(header.visualIndex(column), visual)
        # The account's name gives way in a narrow column; its id is never cut.
        self.view.setItemDelegateForColumn(HistoryModel.ACCOUNT, AccountDelegate(HistoryModel.EntryRole, self.view))

        # Said in the table itself when it is empty: nothing recorded yet, or nothing matches.
        self.empty_label = muted(QLabel(self.view.viewport(), objectName="historyEmpty", wordWrap=True))
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.hide()
        self.view.viewport().installEventFilter(self)

        # A damaged file moved aside at open, or a read that failed: said above the table.
        self.notice = QLabel(objectName="historyNotice", wordWrap=True)
        self.notice.setText(store.recovery_notice or "")
        self.notice.setVisible(store.recovery_notice is not None)
        self.count_label = QLabel("Loading…", objectName="historyCount")
        self.export_button = QPushButton("Export CSV…", objectName="historyExportButton")
        self.export_button.setAccessibleName("Export the entries shown to a CSV file")
        self.clear_button = QPushButton("Clear history…", objectName="historyClearButton")
        self.clear_button.setAccessibleName("Delete every history entry")

        self.filters = QHBoxLayout()
        self.filters.addWidget(self.search, 3)
        for widget in (self.mode_filter, self.type_filter, self.api_filter, self.status_filter, self.profile_filter):
            self.filters.addWidget(widget)
        self.filters.addWidget(self.dates)
        # In a narrow panel the dates (and, narrower still, the filters) go to a second row
        # that wraps, instead of squeezing everything.
        self.second_row = FlowLayout(spacing=6)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addLayout(self.filters)
        layout.addLayout(self.second_row)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self.model.refresh_status)
        self._erase_timer = QTimer(self, singleShot=True)
        self._erase_timer.timeout.connect(self.erase_expired_urls)
        self._search_delay = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._search_delay.timeout.connect(self._apply_filters)

        self.model.totalChanged.connect(self._show_total)
        # "Onboarding seen" only when a row has one: a 780 px panel then keeps all else in view.
        self.view.setColumnHidden(HistoryModel.ONBOARDING, True)
        for signal in (self.model.modelReset, self.model.rowsInserted):
            signal.connect(lambda *_: self.view.setColumnHidden(HistoryModel.ONBOARDING,
                                                                not self.model.has_onboarding_seen()))
        self.model.loadFailed.connect(self._say_problem)
        self.search.textChanged.connect(self._search_delay.start)
        for combo in (self.mode_filter, self.type_filter, self.api_filter, self.status_filter, self.profile_filter):
            combo.currentIndexChanged.connect(self._apply_filters)
        for edit in (self.from_date, self.to_date):
            edit.dateChanged.connect(self._apply_filters)
        self.view.doubleClicked.connect(self._activate)
        self.view.customContextMenuRequested.connect(self._show_context_menu)
        self.clear_button.clicked.connect(self.clear_history)
        self.export_button.clicked.connect(self.export_csv)

        self._apply_filters()
        self._schedule_erase()

    # -- tasks ---------------------------------------------------------------------------------
    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> "asyncio.Task[Any] | None":
        task = self._spawn_fn(coro, name)
        if task is not None:
            self._ops.add(task)
            task.add_done_callback(self._ops.discard)
        return task

    async def settled(self) -> None:
        """Run a pending debounced search now, then wait until every operation and load this
        panel started has finished (tests and the benchmark await this)."""
        if self._search_delay.isActive():
            self._apply_filters()
        while True:
            pending = [t for t in self._ops if not t.done()]
            if pending:
                await asyncio.wait(pending)
                continue
            await self.model.settled()
            if not any(not t.done() for t in self._ops):
                return

    async def aclose(self) -> None:
        """Stop the timers, cancel what this panel started itself and close the worker it made.
        (In the window, the window's shutdown cancels the tasks and the services close the
        worker.)"""
        for timer in (self._tick, self._erase_timer, self._search_delay):
            timer.stop()
        await self.model.aclose()
        if self._own_tasks is not None:
            await self._own_tasks.cancel_all(close=True)
        if self._own_worker:
            await self.worker.aclose()

    # -- filters ---------------------------------------------------------------------------
    def current_query(self) -> HistoryQuery:
        return self.filter_widgets.query()

    def _apply_filters(self) -> None:
        self._search_delay.stop()
        self.model.set_query(self.current_query())

    def _show_total(self, total: int) -> None:
        filtered = self.model.shown_query not in (None, HistoryQuery())
        if total == 1:
            self.count_label.setText("1 matching entry" if filtered else "1 entry")
        else:
            self.count_label.setText(f"{total:,} matching entries" if filtered else f"{total:,} entries")
        if total == 0:
            self.empty_label.setText("No entries match the search and filters." if filtered else
                                     "No link attempts yet. Every link you create, or try to, is listed here.")
            self._place_empty_label()
        self.empty_label.setVisible(total == 0)

    def _place_empty_label(self) -> None:
        self.empty_label.setGeometry(self.view.viewport().rect().adjusted(24, 24, -24, -24))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.view.viewport():
            self._place_empty_label()
            self._fit_account_column(event.size().width())
        return False

    def _fit_account_column(self, viewport_width: int) -> None:
        """The account takes the room the other columns leave; in a narrow panel it keeps a
        readable width and the table scrolls sideways instead of squeezing it to "Har…"."""
        header = self.view.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(header.count()) if c != HistoryModel.ACCOUNT)
        roomy = viewport_width - others >= ACCOUNT_MIN_WIDTH
        mode = QHeaderView.ResizeMode.Stretch if roomy else QHeaderView.ResizeMode.Interactive
        if header.sectionResizeMode(HistoryModel.ACCOUNT) != mode:
            header.setSectionResizeMode(HistoryModel.ACCOUNT, mode)
        if not roomy:
            # Time and Status stay in view (at 800 px too): the account takes what is between
            # them, down to its id (the name gives way first), and the rest scrolls sideways.
            between = viewport_width - header.sectionSize(HistoryModel.TIME) - header.sectionSize(HistoryModel.STATUS)
            narrowest = self.view.fontMetrics().horizontalAdvance("acct_0000000000000000") + 16
            header.resizeSection(HistoryModel.ACCOUNT, max(narrowest, min(ACCOUNT_MIN_WIDTH, between)))

    def is_two_rows(self) -> bool:
        """True when the date filters sit on a second row (a narrow panel)."""
        return self.second_row.indexOf(self.dates) >= 0

    def resizeEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        self._arrange_filters(event.size().width())
        super().resizeEvent(event)

    def _arrange_filters(self, width: int) -> None:
        combos = tuple(w for w in (self.mode_filter, self.type_filter, self.api_filter, self.status_filter,
                                self.profile_filter)
                       if not w.isHidden())
        gap = max(self.filters.spacing(), 6)
        beside = self.search.minimumWidth() + sum(w.sizeHint().width() for w in combos) + (len(combos) + 1) * gap
        one_row = beside + self.dates.sizeHint().width() + gap
        margins = self.layout().contentsMargins()
        room = width - margins.left() - margins.right()
        below = [] if room >= one_row else [self.dates] if room >= beside else [*combos, self.dates]
        if below == [w for w in (*combos, self.dates) if self.second_row.indexOf(w) >= 0]:
            return
        for widget in (*combos, self.dates):  # back on the first row, in order, then move
            self.second_row.removeWidget(widget)
            self.filters.removeWidget(widget)
            self.filters.addWidget(widget)
        for widget in below:
            self.filters.removeWidget(widget)
            self.second_row.addWidget(widget)
            widget.show()

    def refresh(self) -> "asyncio.Task[Any] | None":
        """Re-read the store (call after recording an attempt) and re-arm URL erasure. Returns
        at once; the rows follow from the worker (the returned task, for tests). While the
        panel is hidden the re-read waits until it is shown: a query on the worker would only
        compete with painting the new link's card."""
        self._schedule_erase()
        if not self.isVisible():
            self._stale = True
            return None
        self._stale = False
        return self.model.reload()

    def _say_problem(self, message: str) -> None:
        self.notice.setText(message)
        self.notice.show()

    # -- URL erasure and time left ------------------------------------------------------------
    def erase_expired_urls(self) -> int:
        """Erase the URLs of links that have expired (a small write, here on the Qt thread with
        the short busy timeout); if the file is locked, try again in a moment."""
        try:
            erased = self._store.erase_expired_urls()
        except _STORAGE_ERRORS:
            self._erase_timer.start(ERASE_RETRY_MS)
            return 0
        self._schedule_erase()
        return erased

    def _schedule_erase(self) -> None:
        try:
            next_expiry = self._store.next_erase_due()
        except _STORAGE_ERRORS:
            self._erase_timer.start(ERASE_RETRY_MS)
            return
        if next_expiry is None:
            self._erase_timer.stop()
            return
        delay_ms = int((next_expiry - self._clock.time()) * 1000) + 250
        self._erase_timer.start(max(250, min(delay_ms, ERASE_CHECK_MAX_MS)))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if getattr(self, "_stale", False):
            self.refresh()
        self.model.refresh_status()
        self._tick.start()

    def hideEvent(self, event) -> None:
        self._tick.stop()
        super().hideEvent(event)
