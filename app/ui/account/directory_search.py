"""As-you-type suggestions under the account field (the ``accountSearch`` list).

Each edit of the field searches the local directory on the Qt thread (a few milliseconds over
50,000 accounts, see bench/directory_scale.py) and shows the best matches with their status at
a glance. Up/Down move through them, Enter or a click picks the highlighted one, Esc closes the
list. Text from the network is shown as plain item text (never rich text).

Enter always does what the highlight shows: for a name the best match is highlighted and Enter
picks it; for what looks like an id (``acct_…``) nothing is highlighted until Up/Down, so Enter
looks up exactly what was typed (a mistyped id gets "not found", never another account). With
no index yet the list only says so and points to the Sync accounts button beside the field: it
takes neither Enter nor a click, and syncing is never started from the keyboard by accident.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QListWidget, QListWidgetItem, QWidget

if TYPE_CHECKING:
    from app.directory.index import DirectoryIndex, Match

ROLE_ID = Qt.ItemDataRole.UserRole
HINT_ITEM = "__hint__"
MAX_SHOWN = 8
NO_INDEX = "No account index yet: use Sync accounts to search by name or email. Enter looks up an id."


def describe(match: "Match") -> str:
    """One suggestion: name, country and the status at a glance, then the email (the part that
    may be cut off at the right edge); led by the id when the id is what matched."""
    a = match.account
    status = "charges on" if a.charges_enabled else "charges off"
    due = "nothing due"
    if a.items_due:
        due = f"{a.items_due} due" + (f" by {datetime.fromtimestamp(a.deadline):%d %b}" if a.deadline else "")
    parts = [a.id if match.field == "id" else None, a.name, a.country, status, due,
             a.email if a.email and a.email != a.name else None]
    return "  ·  ".join(p for p in parts if p)


class AccountSuggestions(QListWidget):
    """The floating list under the field (a child of the window, raised above its neighbours:
    no top-level popup window, so the field keeps the keyboard focus)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("accountSearch")
        self.setAccessibleName("Matching accounts")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.hide()


class DirectorySearch(QObject):
    """Wires the field to the index. ``picked(account_id)`` when a suggestion is chosen."""

    picked = Signal(str)

    def __init__(self, field: QLineEdit, overlay_parent: QWidget, index: Callable[[], "DirectoryIndex | None"],
                 *, has_index: Callable[[], bool]) -> None:
        super().__init__(field)
        self.field = field
        self.list = AccountSuggestions(overlay_parent)
        self._index = index
        self._has_index = has_index
        self.last_search_ms = 0.0  # the latest keystroke's search and fill time
        self._matches = 0  # accounts listed (0 while the list only holds the "no index" note)
        field.textEdited.connect(self.update_for)
        field.installEventFilter(self)
        self.list.itemClicked.connect(self._choose)

    # -- showing ---------------------------------------------------------------------------------
    def update_for(self, text: str) -> None:
        started = time.perf_counter()
        query = text.strip()
        if not query or (query.startswith("acct_") and len(query) >= 21) or "://" in query:
            self.hide()  # empty, a whole id or a pasted address: nothing to suggest
            return
        id_like = query.casefold().startswith("acct_")
        if id_like and self._recent_offers(query):
            self.hide()  # the field's own list of recent accounts is showing: one list at a time
            return
        index = self._index() if self._has_index() else None
        self.list.clear()
        self._matches = 0
        if index is None:
            item = QListWidgetItem(NO_INDEX)
            item.setData(ROLE_ID, HINT_ITEM)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a note, not a choice: never highlighted or picked
            self.list.addItem(item)
        else:
            for match in index.search(query, limit=MAX_SHOWN):
                item = QListWidgetItem(describe(match))
                item.setData(ROLE_ID, match.account.id)
                item.setToolTip(match.account.id)
                self.list.addItem(item)
            self._matches = self.list.count()
            if self._matches == 0:
                self.hide()
                self.last_search_ms = (time.perf_counter() - started) * 1000
                return
            # A name: the best match is what Enter takes. An id: Enter looks up what was typed,
            # unless the operator moves to a suggestion first.
            self.list.setCurrentRow(-1 if id_like else 0)
        self._place()
        self.last_search_ms = (time.perf_counter() - started) * 1000

    def _recent_offers(self, query: str) -> bool:
        """Whether the field's completer (the profile's recent accounts) has an id starting
        with ``query``: Qt shows it in a popup of its own, which would cover this list."""
        completer = self.field.completer()
        model = completer.model() if completer is not None else None
        if model is None:
            return False
        wanted = query.casefold()
        return any(str(model.index(row, 0).data() or "").casefold().startswith(wanted)
                   for row in range(min(model.rowCount(), 200)))

    def _place(self) -> None:
        parent = self.list.parentWidget()
        assert parent is not None
        below = self.field.mapTo(parent, QPoint(0, self.field.height()))
        rows = min(self.list.count(), MAX_SHOWN)
        row = self.list.sizeHintForRow(0)
        height = rows * (row if row > 0 else 18) + 2 * self.list.frameWidth()
        wanted = self.list.sizeHintForColumn(0) + 2 * self.list.frameWidth() + 8
        width = min(max(self.field.width(), wanted), parent.width() - below.x() - 8)
        self.list.setGeometry(below.x(), below.y(), width, height)
        self.list.show()
        self.list.raise_()

    def hide(self) -> None:
        self.list.hide()

    @property
    def shown(self) -> bool:
        return self.list.isVisible()

    # -- choosing --------------------------------------------------------------------------------
    def _choose(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        value = item.data(ROLE_ID)
        if value == HINT_ITEM:
            return
        self.hide()
        self.field.setText(str(value))
        self.picked.emit(str(value))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress and self.shown:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self._matches:
                row = self.list.currentRow()
                if row < 0:
                    row = 0 if key == Qt.Key.Key_Down else self._matches - 1
                else:
                    row = (row + (1 if key == Qt.Key.Key_Down else -1)) % self._matches
                self.list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.list.currentItem() if self._matches and self.list.currentRow() >= 0 else None
                if item is not None:
                    self._choose(item)
                    return True
                self.hide()  # nothing highlighted: the field's own Enter looks up what was typed
            if key == Qt.Key.Key_Escape:
                self.hide()
                return True
        if watched is self.field and event.type() == QEvent.Type.FocusOut:
            self.hide()
        return False
