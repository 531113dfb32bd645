"""How a link card fits its width: the QR code beside the text, or under it when narrow.

A mixin for :class:`app.ui.links.card.LinkCard`, kept apart from what the card shows. It works
on the card's layouts: ``_outer`` (text and QR code), ``_header`` and ``_buttons`` (rows that
wrap), and the widgets whose minimum widths count (``_times``, ``_countdown_label``, ``_qr``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

if TYPE_CHECKING:
    from app.ui.common.wrap_rows import WrapRows

STACK_HYSTERESIS = 32  # px: more than a scroll bar's width


class FitsWidth:
    """The narrow-card behaviour: stack the QR code under the text, wrap the header and buttons."""

    _outer: QHBoxLayout
    _header: "WrapRows"
    _buttons: "WrapRows"
    _times: QLabel
    _countdown_label: QLabel
    _qr: QWidget
    _widths: tuple[int, int] | None  # (stacked, side by side), measured on first use

    def _measure(self) -> tuple[int, int]:
        """The narrowest the card can be with the QR code below the text, and beside it.

        Measured when first needed, once the layout has sized its items anyway (measuring
        while building would size them twice), and again after a font or style change.
        """
        if self._widths is None:
            margins = self._outer.contentsMargins()
            sides = margins.left() + margins.right()
            text = max(self._header.narrowest(), self._buttons.narrowest(),
                       self._times.minimumSizeHint().width(), self._countdown_label.minimumSizeHint().width())
            # Beside the QR code the text wants its buttons on one line; below it, it wraps.
            beside = max(text, self._buttons.one_line_width())
            self._widths = (max(text, self._qr.width()) + sides,
                            beside + self._outer.spacing() + self._qr.width() + sides)
        return self._widths

    def narrowest_width(self) -> int:
        """The card's real minimum width: its QR code goes below the text when it is narrow.
        (Not an overridden ``minimumSizeHint``: the list asks for that on every layout pass.)"""
        return self._measure()[0]

    def is_stacked(self) -> bool:
        """True when the card is too narrow for the QR code beside the text (it is below)."""
        return self._outer.direction() == QHBoxLayout.Direction.TopToBottom

    def _arrange(self, width: int) -> None:
        # A margin against see-sawing (stacked, taller, the list's scroll bar shows, narrower...).
        beside = self._measure()[1]
        stacked = width < beside if not self.is_stacked() else width < beside + STACK_HYSTERESIS
        if stacked == self.is_stacked():
            return
        self._outer.setDirection(QHBoxLayout.Direction.TopToBottom if stacked
                                 else QHBoxLayout.Direction.LeftToRight)
        self._outer.setAlignment(self._qr, Qt.AlignmentFlag.AlignHCenter if stacked
                                 else Qt.AlignmentFlag.AlignVCenter)

    def _rewrap(self, width: int) -> None:
        """Header and buttons wrap to the width the text has (beside or above the QR code)."""
        margins = self._outer.contentsMargins()
        text = width - margins.left() - margins.right()
        if not self.is_stacked():
            text -= self._outer.spacing() + self._qr.width()
        self._header.rewrap(text)
        self._buttons.rewrap(text)

    def resizeEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        self._arrange(event.size().width())
        self._rewrap(event.size().width())
        super().resizeEvent(event)  # type: ignore[misc] - QFrame's, through the card's MRO
