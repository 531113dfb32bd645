"""The History panel: search, filters, the table, and what can be done with a row.

Every keystroke or filter change re-runs the query in SQL (about 25 ms at 100k rows, see
bench/history_scale.py), so there is no debounce timer. Three timers run:

* ``_tick`` (1 s, only while the panel is visible) repaints the "time left" column;
* ``_erase_timer`` (single shot, always) fires when the next stored URL expires and erases it,
  so a URL leaves the disk within about a second of its link's death, shown or not;
* ``_export_timer`` (0 ms, during a CSV export) writes one page per event-loop turn.

Dialogs are module-level helpers (``_confirm_clear``, ``_ask_note``, ``_ask_export_path``,
``_show_error``) so tests can replace them; all are called from plain slots, never from a
coroutine.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView, QCalendarWidget, QComboBox, QDateEdit, QFileDialog, QHBoxLayout, QHeaderView, QInputDialog,
    QLabel, QLineEdit, QMenu, QMessageBox, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from app.clock import Clock
from app.history import CsvExport, HistoryEntry, HistoryQuery, HistoryStore
from app.ui.history_model import HistoryModel
from app.ui.widgets import muted

ANY_DATE = QDate(2000, 1, 1)  # shown as "Any": QDateEdit has no empty state
ERASE_CHECK_MAX_MS = 60_000  # re-check at least this often (the wall clock may jump)
ACCOUNT_MIN_WIDTH = 200  # "Harbor Street Bakery (acct…": narrower, the table scrolls sideways


def _confirm_clear(parent: QWidget, count: int) -> bool:
    answer = QMessageBox.question(
        parent, "Clear history",
        f"Delete all {count} history entries? This cannot be undone.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


def _ask_note(parent: QWidget, current: str) -> str | None:
    text, ok = QInputDialog.getText(parent, "Note", "Note for this entry:", QLineEdit.EchoMode.Normal, current)
    return text if ok else None


def _show_error(parent: QWidget, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def _ask_export_path(parent: QWidget) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, "Export history", "linkdesk-history.csv", "CSV files (*.csv)")
    return path or None


def _combo(name: str, items: list[tuple[str, str | None]]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for label, value in items:
        combo.addItem(label, value)
    return combo


class _OpenOnToday(QObject):
    """While a date filter reads "Any", its calendar opens on this month, not on Jan 2000."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QCalendarWidget):
            if watched.selectedDate() == ANY_DATE:
                today = QDate.currentDate()
                watched.setCurrentPage(today.year(), today.month())
        return False


def _date_edit(name: str, tooltip: str, opener: _OpenOnToday) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(ANY_DATE)
    edit.setSpecialValueText("Any")
    edit.setDate(ANY_DATE)
    edit.setToolTip(tooltip)
    edit.calendarWidget().installEventFilter(opener)
    return edit


def _local_midnight(date: QDate) -> float:
    return dt.datetime(date.year(), date.month(), date.day()).timestamp()


class HistoryPanel(QWidget):
    """Everything Linkdesk remembers about link attempts. ``refresh()`` after each record."""

    reopenRequested = Signal(object)  # HistoryEntry: still active, URL still stored
    createAgainRequested = Signal(object)  # HistoryEntry: expired, failed, or URL not kept
    exportFinished = Signal(str, int)  # path, rows written
    exportFailed = Signal(str)  # what went wrong, in words

    def __init__(self, store: HistoryStore, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self._store = store
        self._clock = clock
        self._export: CsvExport | None = None
        self._export_timer = QTimer(self, interval=0)
        self.model = HistoryModel(store, clock, parent=self)

        self.search = QLineEdit(objectName="historySearch", placeholderText="Search account, email or note")
        self.search.setToolTip("Matches the account id, name and email, and the note")
        self.search.setAccessibleName("Search history")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(160)
        self.mode_filter = _combo("historyModeFilter", [("All modes", None), ("Test", "test"), ("Live", "live")])
        self.type_filter = _combo(
            "historyTypeFilter",
            [("All types", None), ("Onboarding", "account_onboarding"), ("Update", "account_update")],
        )
        self.status_filter = _combo(
            "historyStatusFilter",
            [("Any status", None), ("Active", "active"), ("Expired", "expired"), ("Failed", "failed")],
        )
        for combo, name in ((self.mode_filter, "Mode"), (self.type_filter, "Link type"),
                            (self.status_filter, "Status")):
            combo.setAccessibleName(f"Show entries by {name.lower()}")
        opener = _OpenOnToday(self)
        self.from_date = _date_edit("historyFromDate", "Attempts on or after this day", opener)
        self.to_date = _date_edit("historyToDate", "Attempts on or before this day", opener)

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
        for column, sample in ((HistoryModel.TIME, "0000-00-00 00:00:00"), (HistoryModel.TYPE, "Onboarding"),
                               (HistoryModel.STATUS, "Active 00:00"), (HistoryModel.MODE, "Sandbox"),
                               (HistoryModel.NOTE, "A short note")):
            self.view.setColumnWidth(column, fm.horizontalAdvance(sample) + 24)

        # Said in the table itself when it is empty: nothing recorded yet, or nothing matches.
        self.empty_label = muted(QLabel(self.view.viewport(), objectName="historyEmpty", wordWrap=True))
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.hide()
        self.view.viewport().installEventFilter(self)

        self.notice = QLabel(objectName="historyNotice", wordWrap=True)
        self.notice.setVisible(store.recovered_from is not None)
        if store.recovered_from is not None:
            self.notice.setText(
                f"The history file was damaged. It was moved to {store.recovered_from} and a new "
                "history was started."
            )
        self.count_label = QLabel(objectName="historyCount")
        self.export_button = QPushButton("Export CSV…", objectName="historyExportButton")
        self.clear_button = QPushButton("Clear history…", objectName="historyClearButton")

        from_label = QLabel("From", buddy=self.from_date)
        to_label = QLabel("to", buddy=self.to_date)
        self.from_date.setAccessibleName("From date")
        self.to_date.setAccessibleName("To date")
        self.dates = QWidget(objectName="historyDates")
        dates = QHBoxLayout(self.dates)
        dates.setContentsMargins(0, 0, 0, 0)
        for widget in (from_label, self.from_date, to_label, self.to_date):
            dates.addWidget(widget)
        self.filters = QHBoxLayout()
        self.filters.addWidget(self.search, 3)
        for widget in (self.mode_filter, self.type_filter, self.status_filter):
            self.filters.addWidget(widget)
        self.filters.addWidget(self.dates)
        # In a narrow panel the dates go to a second row instead of squeezing everything.
        self.second_row = QHBoxLayout()
        self.second_row.addStretch(1)
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
        self._export_timer.timeout.connect(self._export_step)

        self.model.totalChanged.connect(self._show_total)
        self.search.textChanged.connect(self._apply_filters)
        for combo in (self.mode_filter, self.type_filter, self.status_filter):
            combo.currentIndexChanged.connect(self._apply_filters)
        for edit in (self.from_date, self.to_date):
            edit.dateChanged.connect(self._apply_filters)
        self.view.doubleClicked.connect(self._activate)
        self.view.customContextMenuRequested.connect(self._show_context_menu)
        self.clear_button.clicked.connect(self.clear_history)
        self.export_button.clicked.connect(self.export_csv)

        self._apply_filters()
        self._schedule_erase()

    # -- filters ---------------------------------------------------------------------------
    def current_query(self) -> HistoryQuery:
        since = until = None
        if self.from_date.date() != ANY_DATE:
            since = _local_midnight(self.from_date.date())
        if self.to_date.date() != ANY_DATE:
            until = _local_midnight(self.to_date.date().addDays(1))
        return HistoryQuery(
            text=self.search.text(),
            mode=self.mode_filter.currentData(),
            link_type=self.type_filter.currentData(),
            status=self.status_filter.currentData(),
            since=since,
            until=until,
        )

    def _apply_filters(self) -> None:
        self.model.set_query(self.current_query())

    def _show_total(self, total: int) -> None:
        filtered = self.current_query() != HistoryQuery()
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
                header.resizeSection(HistoryModel.ACCOUNT, ACCOUNT_MIN_WIDTH)

    def is_two_rows(self) -> bool:
        """True when the date filters sit on a second row (a narrow panel)."""
        return self.second_row.indexOf(self.dates) >= 0

    def resizeEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        self._arrange_filters(event.size().width())
        super().resizeEvent(event)

    def _arrange_filters(self, width: int) -> None:
        one_row = (self.search.minimumWidth() + self.dates.sizeHint().width()
                   + sum(w.sizeHint().width() for w in (self.mode_filter, self.type_filter, self.status_filter))
                   + 5 * max(self.filters.spacing(), 6))
        margins = self.layout().contentsMargins()
        two_rows = width - margins.left() - margins.right() < one_row
        if two_rows == self.is_two_rows():
            return
        if two_rows:
            self.filters.removeWidget(self.dates)
            self.second_row.insertWidget(0, self.dates)
        else:
            self.second_row.removeWidget(self.dates)
            self.filters.addWidget(self.dates)

    def refresh(self) -> None:
        """Re-read the store (call after recording an attempt) and re-arm URL erasure."""
        self.model.reload()
        self._schedule_erase()

    # -- URL erasure and time left ------------------------------------------------------------
    def erase_expired_urls(self) -> int:
        erased = self._store.erase_expired_urls()
        self._schedule_erase()
        return erased

    def _schedule_erase(self) -> None:
        next_expiry = self._store.next_erase_due()
        if next_expiry is None:
            self._erase_timer.stop()
            return
        delay_ms = int((next_expiry - self._clock.time()) * 1000) + 250
        self._erase_timer.start(max(250, min(delay_ms, ERASE_CHECK_MAX_MS)))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.model.refresh_status()
        self._tick.start()

    def hideEvent(self, event) -> None:
        self._tick.stop()
        super().hideEvent(event)

    # -- row actions --------------------------------------------------------------------------
    # Actions hold the entry, not the row: a menu or dialog runs an event loop, during which a
    # refresh may reorder the rows.
    def _activate(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_entry(self.model.entry(index.row()))

    def open_entry(self, entry: HistoryEntry) -> None:
        """Reopen the link if it is still active and stored, else offer to create it again.
        The entry is re-read first: its URL may have been erased since it was fetched."""
        fresh = self._store.get(entry.id) if entry.id is not None else entry
        if fresh is None:  # deleted meanwhile (by another instance)
            self.refresh()
        elif fresh.can_reopen(self._clock.time()):
            self.reopenRequested.emit(fresh)
        else:
            self.create_again(fresh)

    def create_again(self, entry: HistoryEntry) -> None:
        self.createAgainRequested.emit(entry.with_changes(url=None))  # a new link is wanted

    def build_context_menu(self, index: QModelIndex) -> QMenu | None:
        """The row's menu (tests trigger its actions without showing it)."""
        if not index.isValid():
            return None
        entry = self.model.entry(index.row())
        menu = QMenu(self)
        actions = [
            ("historyCopyAccountAction", "Copy account id", self.copy_account_id),
            ("historyCreateAgainAction", "Create again", self.create_again),
            ("historyEditNoteAction", "Edit note…", self.edit_note),
            ("historyDeleteAction", "Delete entry", self.delete_entry),
        ]
        if entry.can_reopen(self._clock.time()):
            actions.insert(0, ("historyReopenAction", "Show link again", self.open_entry))
        for name, text, slot in actions:
            action = QAction(text, menu)
            action.setObjectName(name)
            action.triggered.connect(lambda _checked=False, slot=slot: slot(entry))
            menu.addAction(action)
        return menu

    def _show_context_menu(self, pos: QPoint) -> None:
        menu = self.build_context_menu(self.view.indexAt(pos))
        if menu is not None:
            menu.exec(self.view.viewport().mapToGlobal(pos))
            menu.deleteLater()

    def copy_account_id(self, entry: HistoryEntry) -> None:
        QGuiApplication.clipboard().setText(entry.account_id)

    def edit_note(self, entry: HistoryEntry) -> None:
        current = self._store.get(entry.id) if entry.id is not None else None
        if current is None:
            return
        text = _ask_note(self, current.note or "")
        if text is not None:
            self._store.set_note(current.id, text)
            self.model.reload()

    def delete_entry(self, entry: HistoryEntry) -> None:
        if entry.id is not None:
            self._store.delete(entry.id)
            self.refresh()

    def clear_history(self) -> None:
        total = self._store.count()
        if total and _confirm_clear(self, total):
            self._store.clear()
            self.refresh()

    # -- export -------------------------------------------------------------------------------
    def export_csv(self) -> None:
        path = _ask_export_path(self)
        if path:
            self.start_export(Path(path))

    def start_export(self, path: Path) -> CsvExport | None:
        """Write the entries matching the current filters to ``path``, one page per event-loop
        turn so the window stays responsive; ``exportFinished`` or ``exportFailed`` follows."""
        self.cancel_export()
        try:
            self._export = CsvExport(self._store, self.current_query(), path)
        except OSError as exc:
            self._export_failed(path, exc)
            return None
        self._export_timer.start()
        return self._export

    def cancel_export(self) -> None:
        if self._export is not None:
            self._export_timer.stop()
            self._export.cancel()
            self._export = None

    def _export_step(self) -> None:
        job = self._export
        if job is None:
            return
        try:
            if job.step():
                return
        except OSError as exc:
            self.cancel_export()
            self._export_failed(job.path, exc)
            return
        self._export_timer.stop()
        self._export = None
        self.exportFinished.emit(str(job.path), job.count)

    def _export_failed(self, path: Path, exc: OSError) -> None:
        message = f"Could not write {path}: {exc.strerror or exc}"
        self.exportFailed.emit(message)
        _show_error(self, "Export failed", message)
