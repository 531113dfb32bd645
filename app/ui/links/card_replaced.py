"""A link card whose link a newer one replaced (issue 19: one live link per seller), as a mixin of
:class:`app.ui.links.card.LinkCard`, kept apart from the card's live states: it says so and
loses what would hand its link out; its countdown stops for good."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

if TYPE_CHECKING:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

    from app.ui.links.card_parts import CountdownLabel, ElidedLabel
    from app.ui.links.qr import QrWidget


class Replaceable:
    """``mark_replaced`` and ``is_replaced`` for a LinkCard (its widgets, built by the card)."""

    _replaced_note: QLabel | None
    if TYPE_CHECKING:
        _timer: QTimer
        _info: QVBoxLayout
        _url: ElidedLabel
        _countdown_label: CountdownLabel
        _copy: QPushButton
        _open: QPushButton
        _present: QPushButton
        _regenerate: QPushButton
        _qr: QrWidget
        _secondary: list[QWidget]

        def focusWidget(self) -> QWidget | None: ...
        def setAccessibleDescription(self, text: str) -> None: ...
        def update(self) -> None: ...
        def _apply_secondary_colours(self) -> None: ...

    @property
    def is_replaced(self) -> bool:
        return self._replaced_note is not None

    def mark_replaced(self, at_wall: float) -> None:
        """A newer link for the same account replaced this one at ``at_wall`` (wall clock): the
        card says so and loses what would hand its link out (QR, URL, Copy, Open, Present,
        Regenerate). Its height stays as it was where the QR code sets it, so the cards below
        it do not move (nor repaint)."""
        if self._replaced_note is not None:
            return
        self._timer.stop()
        focused = self.focusWidget()
        if focused is not None and focused.hasFocus():
            focused.clearFocus()  # hidden with focus, it would pass it on and scroll the list to it
        note = self._replaced_note = QLabel(f"Replaced at {time.strftime('%H:%M', time.localtime(at_wall))} "
                                            "by a new link", objectName="linkReplacedNote",
                                            textFormat=Qt.TextFormat.PlainText, wordWrap=True)
        note.setAccessibleName("Replaced")
        self._info.insertWidget(self._info.indexOf(self._url), note)
        for widget in (self._url, self._countdown_label, self._copy, self._open, self._present, self._regenerate):
            widget.setVisible(False)
            widget.setEnabled(False)
        self._countdown_label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._qr.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._url.set_full_text("")  # the old URL, still a bearer secret, leaves the card
        self._url.setToolTip("")
        self._qr.setText("")
        self._qr.setExpired(True, "Replaced")
        self._secondary.append(note)
        self._apply_secondary_colours()
        self.setAccessibleDescription(note.text())
        self.update()
