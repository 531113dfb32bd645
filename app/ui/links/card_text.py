"""Words and looks of a link card that are not its layout: the primary button's style, what Copy
says once it copied, and what a screen reader hears for the countdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QWidget

from app.countdown import LinkState
from app.ui.common.flow_layout import FlowLayout
from app.ui.common.widgets import plain_tooltip
from app.ui.links.card_parts import ShrinkingLabel, scale_font

if TYPE_CHECKING:
    from app.clock import Clock

# The primary action: the palette's accent, so it reads on light and dark themes alike.
PRIMARY_BUTTON_STYLE = (
    "QPushButton { background-color: palette(highlight); color: palette(highlighted-text); "
    "border: 1px solid palette(highlight); border-radius: 4px; padding: 4px 14px; font-weight: bold; }"
    "QPushButton:focus { border: 2px solid palette(window-text); }"
    "QPushButton:pressed { background-color: palette(dark); }"
)


COPY_TEXT = "Copy link"
COPIED_TEXT = "Copied ✓"
COPIED_DESCRIPTION = "Copied: the link is on the clipboard"
COPIED_SECONDS = 2.0


class CopiedFeedback:
    """Copy's button says "Copied ✓" (and so does its accessible description) for
    :data:`COPIED_SECONDS` on the injected clock, then "Copy link" again (:meth:`check`, from the
    card's tick): the status bar, the only other sign, may be off-screen.

    The button's size is fixed, as wide as either text: its words change without moving the
    buttons beside it and, fixed, without laying the card out again (a new link is copied at
    once, in the frame that first paints its card)."""

    def __init__(self, button: QPushButton, clock: "Clock") -> None:
        self._button = button
        self._clock = clock
        self._until: float | None = None
        self.fit()

    def fit(self) -> None:
        """(Again when the font or style changes.)"""
        button = self._button
        shown, widths = button.text(), []
        for text in (COPY_TEXT, COPIED_TEXT):
            button.setText(text)
            widths.append(button.sizeHint().width())
        button.setText(shown)
        button.setFixedSize(max(widths), button.sizeHint().height())

    def show(self) -> None:
        self._until = self._clock.monotonic() + COPIED_SECONDS
        self._set(True)

    def check(self, *, expired: bool = False) -> None:
        if self._until is not None and (expired or self._clock.monotonic() >= self._until):
            self._until = None
            self._set(False)

    def _set(self, copied: bool) -> None:
        self._button.setText(COPIED_TEXT if copied else COPY_TEXT)
        self._button.setAccessibleDescription(COPIED_DESCRIPTION if copied else "")


def spoken_countdown(account_name: str, state: LinkState, minutes: int) -> str:
    """What a screen reader hears for the countdown; the card changes it (and so has it
    announced) once a minute and on each change of state, not every second."""
    if state is LinkState.EXPIRED:
        return f"The link for {account_name} has expired"
    if state is LinkState.WARNING:
        return f"The link for {account_name} expires within a minute"
    return f"About {minutes} minute{'s' if minutes != 1 else ''} left on the link for {account_name}"


def expired_row(name: str, account_id: str, type_label: str,
                new_link: QPushButton) -> tuple[QWidget, QLabel, QPushButton, list[QLabel]]:
    """An expired card's one line: whose, which type, "expired at …" (the returned label, text
    set by the card) and Create a new link. Separate pieces in a flow, so that a narrow card wraps
    them instead of growing wider than its pane. Returns (row, expired-at label, button, the
    secondary labels)."""
    row = QWidget(objectName="linkExpiredRow")
    flow = FlowLayout(row, spacing=10, line_spacing=2)
    new_link.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # expired cards are no Tab stops
    pieces = [QLabel(text, objectName=object_name, textFormat=Qt.TextFormat.PlainText) for text, object_name in (
        (account_id, "linkExpiredId"), (type_label, "linkExpiredType"), ("", "linkExpiredSummary"))]
    for widget in (*pieces, new_link):
        widget.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
    shown_name = ShrinkingLabel(name, min_chars=12)  # elided, whole in the tooltip
    shown_name.setObjectName("linkExpiredName")
    shown_name.setToolTip(plain_tooltip(name))  # the name came from the API
    scale_font(shown_name, 1.0, bold=True)
    for widget in (shown_name, *pieces, new_link):
        flow.addWidget(widget)
    return row, pieces[-1], new_link, pieces
