"""Words and looks of a link card that are not its layout: the primary button's style and what a
screen reader hears for the countdown."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QWidget

from app.countdown import LinkState
from app.ui.common.flow_layout import FlowLayout
from app.ui.common.widgets import plain_tooltip
from app.ui.links.card_parts import ShrinkingLabel, scale_font

# The primary action: the palette's accent, so it reads on light and dark themes alike.
PRIMARY_BUTTON_STYLE = (
    "QPushButton { background-color: palette(highlight); color: palette(highlighted-text); "
    "border: 1px solid palette(highlight); border-radius: 4px; padding: 4px 14px; font-weight: bold; }"
    "QPushButton:focus { border: 2px solid palette(window-text); }"
    "QPushButton:pressed { background-color: palette(dark); }"
)


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
