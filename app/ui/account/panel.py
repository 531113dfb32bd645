"""The account box: the id input, Look up, the demo/recent picker, and the account's summary.

The summary answers the questions asked on an onboarding call: who is this, what to do about
them, and what Stripe still needs (see :mod:`app.ui.account.summary`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.account.summary import AccountSummary, SummaryScroll
from app.ui.common.request_wait import RequestWait
from app.ui.common.widgets import FieldError, muted
from app.ui.shell.error_banner import ErrorBanner

if TYPE_CHECKING:  # imported on the first look-up, after the window is shown
    from app.stripe.errors import StripeError
    from app.stripe.models import Account

RECENT_DELAY_MS = 1500
ACCOUNT_UNKNOWN = "Stripe does not know this account for your platform."
ACCOUNT_REFUSED = "Stripe refused this account. The message at the top says why."


ID_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 16  # after "acct_"


class AccountInput(QLineEdit):
    """The account id box: never narrower than a whole id, ``acct_`` and 16 of the font's
    widest id characters (a narrow column showed "al000001" of it)."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        metrics = self.fontMetrics()
        widest = max(metrics.horizontalAdvance(c) for c in ID_CHARACTERS)
        text = metrics.horizontalAdvance("acct_") + ID_LENGTH * widest
        # Qt's size hint is 17 "x" wide plus the frame, margins and the clear button: the same
        # with the id's width instead.
        width = self.sizeHint().width() - 17 * metrics.horizontalAdvance("x") + text
        return QSize(max(hint.width(), width), hint.height())


class AccountPanel(QGroupBox):
    """The account id input, the Look up button and the summary. Emits ``lookupRequested``."""

    lookupRequested = Signal()
    recentWanted = Signal()  # the recent accounts may have changed: read them (later, coalesced)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Connected account", parent)
        self.setObjectName("accountPanel")
        self.input = AccountInput(self, objectName="accountInput")
        self.input.setPlaceholderText("acct_… or a Stripe Dashboard address")
        self.input.setAccessibleName("Connected account id or Dashboard address")
        self.input.setClearButtonEnabled(True)
        self.input.returnPressed.connect(self._enter)  # Enter on an empty box does nothing
        self.button = QPushButton("Look up", self, objectName="lookupButton")
        self.button.setAccessibleName("Look up the account")
        self.button.setToolTip("Look the account up (Enter)")
        self.button.setAutoDefault(False)
        self.button.clicked.connect(self.lookupRequested)
        self.error = FieldError(self, objectName="accountError")
        # A look-up that failed for another reason than the id (the network, Stripe's side):
        # said here, under the field, with Retry and the request id; gone once the id is edited.
        self.error_box = ErrorBanner(self, prefix="lookup", compact=True)
        self.error_box.setAccessibleName("Look-up error")
        self.input.textEdited.connect(lambda _text: self.error_box.clear())
        self.wait = RequestWait(self, name="lookupWait", cancel_name="lookupCancelButton",
                                cancel_accessible="Cancel the look-up")
        # The sandbox's demo accounts, and the accounts of recent links, one click away.
        self.picker = QComboBox(self, objectName="accountPicker")
        self.picker.setAccessibleName("Demo and recent accounts")
        self.picker.setToolTip("Pick an account to look it up")
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.setMinimumContentsLength(12)
        self.picker.activated.connect(self._picked)
        self.picker.hide()
        # A new link changes the recent accounts; they are re-read a moment later, not while the
        # new card is being painted (and once for a burst of links).
        self._recent_timer = QTimer(self, singleShot=True, interval=RECENT_DELAY_MS)
        self._recent_timer.timeout.connect(self.recentWanted)
        self._demo: list[tuple[str, str]] = []
        self._recent: list[tuple[str, str]] = []
        self.stale_note = muted(QLabel(self, objectName="accountStaleNote", wordWrap=True,
                                       textFormat=Qt.TextFormat.PlainText))
        self.stale_note.hide()
        self.summary = AccountSummary(self)
        self.summary_box = SummaryScroll(self.summary, self)  # scrolls a long summary
        self.summary_box.hide()
        self.placeholder = muted(QLabel(
            "Enter a connected account id (or paste its Dashboard address) and press Enter to see "
            "who it is and what Stripe still needs from them.", self, wordWrap=True, objectName="accountPlaceholder"))

        row = self.input_row = QHBoxLayout()  # others may add a button beside Look up
        row.setSpacing(6)
        row.addWidget(self.button)
        row.setAlignment(Qt.AlignmentFlag.AlignRight)  # (under the input in a narrow column)
        # The input and its buttons on one line, or the buttons under it when the column is too
        # narrow for both and a whole id (see _arrange).
        line = self.input_line = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        line.setSpacing(6)
        line.addWidget(self.input, 1)
        line.addLayout(row)
        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        layout.addLayout(line)
        layout.addWidget(self.picker)
        layout.addWidget(self.wait)
        layout.addWidget(self.error)
        layout.addWidget(self.error_box)  # (the summary's box gives it the height: nothing moves)
        layout.addWidget(self.stale_note)
        # The summary's box takes the height the panel is given (the form below stays put);
        # before a look-up the placeholder does, its text at the top.
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.placeholder, 1)
        layout.addWidget(self.summary_box, 1)
        layout.addStretch(0)  # the height, when neither shows (see make_room)
        self._room = False
        self.account: Account | None = None
        self.last_failure: "tuple[str, StripeError] | None" = None  # the last look-up's refusal
        self.input.textChanged.connect(self._update_stale)

    def make_room(self, room: bool) -> None:
        """While an error box shows in the column (the look-up's here, the create's in the form),
        the summary may give all its height to it, and the placeholder's hint makes way: in a
        window the column just fits (800×600), the box would otherwise push the form down under
        the pointer."""
        self._room = room
        # Its hint is its minimum (SummaryScroll.MIN_LINES lines), and the column's scroll area
        # lays the column out at its hint: no lines while a box needs the room.
        self.summary_box.MIN_LINES = 0 if room else SummaryScroll.MIN_LINES
        self.summary_box.updateGeometry()
        self.placeholder.setVisible(self.account is None and not room)

    # -- one line or two ------------------------------------------------------------------------
    def _one_line_width(self) -> int:
        margins = self.layout().contentsMargins()
        return (self.input.minimumSizeHint().width() + self.input_line.spacing()
                + self.input_row.minimumSize().width() + margins.left() + margins.right())

    def _arrange(self, width: int) -> None:
        wide = width >= self._one_line_width()
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.input_line.direction() != direction:
            self.input_line.setDirection(direction)

    def minimumSizeHint(self) -> QSize:
        """As narrow as the input or its buttons, whichever is wider (they then take two lines),
        or the panel's other contents."""
        hint = super().minimumSizeHint()
        layout = self.layout()
        margins = layout.contentsMargins()
        others = [layout.itemAt(i).minimumSize().width() for i in range(layout.count())
                  if layout.itemAt(i) is not self.input_line]
        narrow = max(self.input.minimumSizeHint().width(), self.input_row.minimumSize().width(), *others)
        return QSize(narrow + margins.left() + margins.right(), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(event.size().width())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # a button added beside Look up, a font
            self._arrange(self.width())
        return super().event(event)

    def account_text(self) -> str:
        return self.input.text()

    def set_account_text(self, text: str) -> None:
        self.input.setText(text)

    def _enter(self) -> None:
        if self.input.text().strip():
            self.lookupRequested.emit()

    # -- the picker ----------------------------------------------------------------------------
    def set_demo_accounts(self, accounts: list[tuple[str, str]]) -> None:
        """(name, id) of the sandbox's demo accounts; empty outside the sandbox."""
        self._demo = list(accounts)
        self._fill_picker()

    def set_recent_accounts(self, accounts: list[tuple[str, str]]) -> None:
        """(name, id) of the accounts of recent links, newest first."""
        self._recent = list(accounts)
        self._fill_picker()

    def recent_stale(self) -> None:
        self._recent_timer.start()

    def _fill_picker(self) -> None:
        self.picker.clear()
        self.picker.addItem("Pick a recent or demo account…", None)
        for title, accounts in (("Recent", self._recent), ("Sandbox demo accounts", self._demo)):
            if not accounts:
                continue
            self.picker.insertSeparator(self.picker.count())
            self.picker.addItem(title, None)
            self.picker.model().item(self.picker.count() - 1).setEnabled(False)
            for name, account_id in accounts:
                self.picker.addItem(f"{name} — {account_id}", account_id)
        self.picker.setVisible(bool(self._demo or self._recent))

    def _picked(self, index: int) -> None:
        account_id = self.picker.itemData(index)
        self.picker.setCurrentIndex(0)
        if account_id:
            self.set_account_text(str(account_id))
            self.lookupRequested.emit()

    def set_busy(self, busy: bool, *, looking_up: bool = True, text: str = "") -> None:
        """While any request runs Look up is disabled; it reads "Looking up…" (with the wait
        line and Cancel beside it) only while the look-up runs."""
        self.button.setEnabled(not busy)
        self.picker.setEnabled(not busy)
        self.button.setText("Looking up…" if busy and looking_up else "Look up")
        if busy and looking_up:
            self.wait.start(text or "Looking the account up…")
        elif not busy and self.wait.busy:
            self.wait.finish()

    def show_account(self, account: Account, *, now_wall: float) -> None:
        self.account = account
        self.error.clear_error(self.input)
        self.placeholder.hide()
        self.summary.show_account(account, now_wall=now_wall)
        self.summary_box.show()
        self._update_stale()

    def clear_account(self) -> None:
        self.account = None
        self.summary_box.hide()
        self.placeholder.setVisible(not self._room)
        self._update_stale()

    def is_stale(self) -> bool:
        """True while the box names another account than the summary shows (not looked up yet)."""
        text = self.input.text().strip()
        return self.account is not None and bool(text) and self.account.id not in text

    def _update_stale(self) -> None:
        stale = self.is_stale()
        self.summary.setEnabled(not stale)  # greyed: it is about the previous account
        if stale:
            assert self.account is not None
            self.stale_note.setText(f"Press Enter to look this account up. The summary below is still "
                                    f"for {self.account.display_name}.")
        self.stale_note.setVisible(stale)
