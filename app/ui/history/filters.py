"""The History panel's filter widgets (search, mode, type, Accounts API, status, profile, dates) and the query they
describe. The panel lays them out and decides when to run the query (debounced typing)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QEvent, QObject
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from app.history import HistoryQuery

SANDBOX = "sandbox"  # the Mode filter's value for the built-in sandbox (its profile)
ANY_DATE = QDate(2000, 1, 1)  # shown as "Any": QDateEdit has no empty state


def _combo(name: str, accessible: str, items: list[tuple[str, str | None]]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName(accessible)
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


def _date_edit(name: str, accessible: str, tooltip: str, opener: _OpenOnToday) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
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


class HistoryFilters:
    """The filter widgets, unparented until the panel lays them out; ``dates`` is the
    "From … to …" group, which moves to a second row in a narrow panel."""

    def __init__(self, owner: QObject) -> None:
        self.search = QLineEdit(objectName="historySearch", placeholderText="Search account, email or note")
        self.search.setToolTip("Matches the account id, name and email, and the note")
        self.search.setAccessibleName("Search history")
        self.search.setAccessibleDescription("Matches the account id, name and email, and the note")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(160)
        self.mode = _combo("historyModeFilter", "Show entries by mode",
                           [("All modes", None), ("Sandbox", SANDBOX), ("Test", "test"), ("Live", "live")])
        self.type = _combo("historyTypeFilter", "Show entries by link type",
                           [("All types", None), ("Onboarding", "account_onboarding"), ("Update", "account_update")])
        self.api = _combo("historyApiFilter", "Show entries by the Stripe Accounts API that made them",
                          [("v1 and v2", None), ("Accounts v1", "v1"), ("Accounts v2", "v2")])
        self.api.setToolTip("Which Stripe Accounts API made the link")
        self.status = _combo("historyStatusFilter", "Show entries by status",
                             [("Any status", None), ("Active", "active"), ("Expired", "expired"), ("Failed", "failed"),
                              ("Outcome unknown", "unknown")])
        # Filled by the window with its profiles (issue 9); hidden while there is only one.
        self.profile = _combo("historyProfileFilter", "Show entries by profile", [("All profiles", None)])
        self.profile.setVisible(False)
        opener = _OpenOnToday(owner)
        self.from_date = _date_edit("historyFromDate", "Show entries from this date",
                                    "Attempts on or after this day", opener)
        self.to_date = _date_edit("historyToDate", "Show entries up to this date",
                                  "Attempts on or before this day", opener)
        self.dates = QWidget(objectName="historyDates")
        row = QHBoxLayout(self.dates)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (QLabel("From", buddy=self.from_date), self.from_date,
                       QLabel("to", buddy=self.to_date), self.to_date):
            row.addWidget(widget)

    def set_profiles(self, profiles: list[tuple[str, str]]) -> None:
        """(label, value recorded in history) per profile; keeps the current choice if it is
        still there."""
        current = self.profile.currentData()
        self.profile.blockSignals(True)
        self.profile.clear()
        self.profile.addItem("All profiles", None)
        for label, value in profiles:
            self.profile.addItem(label, value)
        index = self.profile.findData(current) if current is not None else 0
        self.profile.setCurrentIndex(max(index, 0))
        self.profile.blockSignals(False)
        self.profile.setVisible(len(profiles) > 1)
        if index < 0:  # the chosen profile is gone: show all again
            self.profile.currentIndexChanged.emit(0)

    @property
    def combos(self) -> tuple[QComboBox, QComboBox, QComboBox]:
        return self.mode, self.type, self.status

    def query(self) -> HistoryQuery:
        """What the widgets ask for; dates are whole local days, the "to" day included."""
        since = until = None
        if self.from_date.date() != ANY_DATE:
            since = _local_midnight(self.from_date.date())
        if self.to_date.date() != ANY_DATE:
            until = _local_midnight(self.to_date.date().addDays(1))
        mode = self.mode.currentData()
        return HistoryQuery(
            text=self.search.text(),
            mode=None if mode == SANDBOX else mode,
            # "Sandbox" in the Mode filter is the Sandbox profile's attempts (they are test mode).
            profile=SANDBOX if mode == SANDBOX else self.profile.currentData(),
            link_type=self.type.currentData(),
            status=self.status.currentData(),
            accounts_api=self.api.currentData(),
            since=since,
            until=until,
        )
