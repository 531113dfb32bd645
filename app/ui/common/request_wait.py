"""What a slow request says while the operator waits, with Cancel beside it, at its own control.

A request that does not answer must not be silent: after :data:`STILL_WAITING_MS` the line says
"Still waiting for Stripe…", and each retry the client reports makes it "Still waiting for Stripe
(try 2 of 3)…". When the operator cancels (Esc or the button), the line says what was cancelled
and stays until the next request starts: a message wiped the moment the busy state ends is
feedback nobody sees.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from app.ui.common.widgets import muted

STILL_WAITING_MS = 2500
STILL_WAITING = "Still waiting for Stripe…"


class RequestWait(QWidget):
    """A line of text and a Cancel button; hidden while idle. ``cancelRequested`` on Cancel."""

    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None, *, name: str, cancel_name: str,
                 cancel_accessible: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.label = muted(QLabel(self, objectName=f"{name}Text", wordWrap=True,
                                  textFormat=Qt.TextFormat.PlainText))
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setMinimumWidth(80)
        self.cancel_button = QPushButton("Cancel", self, objectName=cancel_name)
        self.cancel_button.setAccessibleName(cancel_accessible)
        self.cancel_button.setToolTip("Cancel the request in flight (Esc)")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancelRequested)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.label, 1)
        row.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignTop)
        self._timer = QTimer(self, singleShot=True, interval=STILL_WAITING_MS)
        self._timer.timeout.connect(lambda: self._say(STILL_WAITING))
        self._busy = False
        self.hide()

    @property
    def busy(self) -> bool:
        return self._busy

    def text(self) -> str:
        return self.label.text() if self.isVisibleTo(self.parentWidget() or self) else ""

    def _say(self, text: str) -> None:
        self.label.setText(text)
        self.label.setAccessibleName(text)
        self.setAccessibleDescription(text)

    def start(self, text: str) -> None:
        """A request began: ``text`` (e.g. "Looking up acct_…"), Cancel beside it."""
        self._busy = True
        self._say(text)
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.show()
        self._timer.start()

    def retrying(self, attempt: int, attempts: int) -> None:
        """The client is sending try ``attempt`` of ``attempts``."""
        if self._busy:
            self._timer.stop()
            self._say(f"Still waiting for Stripe (try {attempt} of {attempts})…")

    def finish(self) -> None:
        """The request ended (answered or failed: the result speaks for itself)."""
        self._busy = False
        self._timer.stop()
        self.hide()

    def cancelled(self, text: str) -> None:
        """The operator cancelled: say what, and keep saying it until the next request."""
        self._busy = False
        self._timer.stop()
        self._say(text)
        self.cancel_button.hide()
        self.show()

    def clear(self) -> None:
        if not self._busy:
            self.hide()
