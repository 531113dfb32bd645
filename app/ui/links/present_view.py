"""How present mode looks: the seller's texts, the code, the operator's bars, and their sizes.

:class:`PresentView` builds the widgets and lays them out for the window's size (from
:func:`app.ui.links.present_parts.present_metrics`); :class:`app.ui.links.present.PresentWindow`
adds the behaviour (countdown, refresh, closing). Subclasses provide ``refresh_now``,
``_auto_toggled`` and ``_show_message``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.ui.links.present_parts import PresentMetrics, clean_name, page_host, present_metrics
from app.ui.links.qr import QrWidget

if TYPE_CHECKING:
    from app.ui.links.clipboard import ClipboardGuard

INSTRUCTION = "Scan with your phone's camera"
EXPIRED_INSTRUCTION = "This code has expired. Please ask for a new one."
REFRESHING_INSTRUCTION = "Getting a new code…"
ASKS = "asks you to complete the Stripe account of"
ASKS_NO_PLATFORM = "Complete the Stripe account of"
ASKS_YOURS = "asks you to complete your Stripe account"  # no name was ever known: no bare id shown
ASKS_YOURS_NO_PLATFORM = "Complete your Stripe account"
HOST_TEXT = "The page opens on {host}"
# The countdown is the time to *open* the link; once open, the seller is in no hurry.
AFTER_OPEN = "Once the page is open, you can take your time."
NEW_CODE_HINT = "Press N for a new code"

def _label(name: str, text: str = "") -> QLabel:
    label = QLabel(text, objectName=name, textFormat=Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


class PresentView(QWidget):
    """The present window's widgets and layout (no behaviour of its own)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint)
        self._metrics: PresentMetrics | None = None

    def _build(self, account_name: str, url: str, *, deadline: float | None, can_refresh: bool,
               max_refreshes: int, clipboard_guard: "ClipboardGuard | None") -> None:
        # -- what the seller reads --
        self._platform = _label("presentPlatform")
        self._platform.setAccessibleName("Asked by")
        self._asks = _label("presentRequest")
        self._name = _label("presentAccountName", account_name)
        self._name.setAccessibleName("Account")

        self._qr = QrWidget(url, clipboard_guard=clipboard_guard, deadline_monotonic=deadline)
        self._qr.setObjectName("presentQr")
        self._qr.setAccessibleName("QR code of the link")
        self._qr.statusMessage.connect(self._show_message)  # type: ignore[attr-defined]

        self._instruction = _label("presentInstruction", INSTRUCTION)
        self._countdown_label = _label("presentCountdown")
        self._countdown_label.setAccessibleName("Time left")
        self._countdown_label.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # reachable, and read out
        self._countdown_label.setProperty("noFocusRing", True)  # no frame on the seller's screen
        self._after_open = _label("presentAfterOpen", AFTER_OPEN)
        host = page_host(url)
        self._host = _label("presentHost", HOST_TEXT.format(host=host) if host else "")
        self._message = _label("presentMessage")
        self._message.setAccessibleName("Status")

        text = self._text = QWidget(self, objectName="presentText")
        column = self._column = QVBoxLayout(text)
        column.setContentsMargins(0, 0, 0, 0)
        column.addStretch(1)
        for label in (self._platform, self._asks, self._name):
            column.addWidget(label)
        column.addSpacing(24)
        self._gap = column.itemAt(column.count() - 1)
        for label in (self._instruction, self._countdown_label, self._after_open, self._host, self._message):
            column.addWidget(label)
        column.addStretch(1)

        self._body = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        # The window takes the whole screen; it needs no size constraints from its layout.
        self._body.setSizeConstraint(QBoxLayout.SizeConstraint.SetNoConstraint)
        self._body.addWidget(self._qr, 0, Qt.AlignmentFlag.AlignCenter)
        self._body.addWidget(text, 1)

        # -- the operator's controls, over the window, hidden until used --
        self._top_bar = QWidget(self, objectName="presentTopBar")
        self._close_button = QPushButton("Close", objectName="presentCloseButton")
        self._close_button.setAccessibleName("Close present mode")
        self._close_button.setToolTip("Close (Esc)")
        self._close_button.setAutoDefault(False)
        self._close_button.clicked.connect(self.close)
        top = QHBoxLayout(self._top_bar)
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self._close_button)

        self._bottom_bar = QWidget(self, objectName="presentBottomBar")
        self._auto = QCheckBox("Refresh automatically", objectName="autoRefreshCheck")
        self._auto.setAccessibleName("Refresh the link automatically when it expires")
        self._auto.setToolTip(f"When the code expires, creates a new link with the same settings "
                              f"(up to {max_refreshes} times).")
        self._auto.setEnabled(can_refresh)
        self._auto.toggled.connect(self._auto_toggled)  # type: ignore[attr-defined]
        # Once the code has expired the operator can show a new one without leaving present mode.
        self._new_button = QPushButton("Show a new code", objectName="presentNewLinkButton")
        self._new_button.setAccessibleName("Create a new link and show its code")
        self._new_button.setToolTip("Creates a new link with the same settings and shows its QR code (N)")
        self._new_button.setAutoDefault(False)
        self._new_button.clicked.connect(self.refresh_now)  # type: ignore[attr-defined]
        self._new_button.hide()
        bottom = self._bottom_layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self._bottom_bar)
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self._auto)
        bottom.addStretch(1)
        bottom.addWidget(self._new_button)
        for bar in (self._top_bar, self._bottom_bar):
            bar.setAutoFillBackground(True)  # legible over the text it covers for a moment
        # For the operator, once the code has expired: not in a bar (those hide when idle), small,
        # in the bottom corner under the text, where the bars are.
        self._new_hint = QLabel(NEW_CODE_HINT, self, objectName="presentNewCodeHint",
                                textFormat=Qt.TextFormat.PlainText)
        self._new_hint.setAccessibleName("Key for a new code")
        self._new_hint.hide()

    # -- size: everything follows the window's (the screen's) size --------------------------------
    def _arrange(self) -> None:
        m = present_metrics(self.width(), self.height())
        if m != self._metrics:
            self._metrics = m
            self._apply_metrics(m)
            # Now, not on the next event-loop turn: the first frame shown is already right.
            self._column.activate()
            self._body.activate()
        self._place_bars(m)

    def _apply_metrics(self, m: PresentMetrics) -> None:
        wide = m.wide
        self._body.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)
        self._body.setContentsMargins(m.margin, m.margin, m.margin, m.margin)
        self._body.setSpacing(m.spacing * 2 if wide else m.spacing)
        self._column.setSpacing(max(4, m.spacing // 2))
        self._gap.changeSize(0, m.spacing, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self._qr.setFixedSize(m.qr_side, m.qr_side)
        align = (Qt.AlignmentFlag.AlignLeft if wide else Qt.AlignmentFlag.AlignHCenter) | Qt.AlignmentFlag.AlignVCenter
        sizes = ((self._platform, m.title_px, True), (self._asks, m.text_px, False), (self._name, m.title_px, True),
                 (self._instruction, round(m.text_px * 1.25), True), (self._countdown_label, m.countdown_px, True),
                 (self._after_open, m.text_px, False), (self._host, m.text_px, False),
                 (self._message, m.text_px, False))
        for label, px, bold in sizes:
            font = QFont(self.font())
            font.setPixelSize(px)
            font.setBold(bold)
            label.setFont(font)
            label.setAlignment(align)
        # Room for two lines, always: a message appearing must not move the code or the text.
        self._message.setMinimumHeight(self._message.fontMetrics().lineSpacing() * 2)
        control = QFont(self.font())
        control.setPixelSize(m.control_px)
        for widget in (self._close_button, self._auto, self._new_button, self._new_hint):
            widget.setFont(control)
            widget.setMinimumHeight(m.control_height)
        for button in (self._close_button, self._new_button):
            button.setMinimumWidth(m.control_height * 2)
        self._auto.setStyleSheet(f"QCheckBox::indicator {{ width: {m.control_px}px; height: {m.control_px}px; }}")

    def _place_bars(self, m: PresentMetrics | None = None) -> None:
        """Close at the top right; the rest at the bottom, under the text (never over the code),
        in a row, or stacked where the row does not fit. Again when a control shows or hides."""
        m = m or self._metrics
        if m is None:
            return
        pad = max(8, m.margin // 2)
        hint = self._top_bar.sizeHint()
        self._top_bar.setGeometry(self.width() - pad - hint.width(), pad, hint.width(), hint.height())
        # (From the sizes, not the text's geometry: the layout may not have run yet.)
        left = m.margin + m.qr_side + 2 * m.spacing if m.wide else pad
        width = max(0, self.width() - pad - left)
        self._bottom_layout.setDirection(QBoxLayout.Direction.LeftToRight)
        if self._bottom_bar.sizeHint().width() > width:
            self._bottom_layout.setDirection(QBoxLayout.Direction.TopToBottom)
        height = self._bottom_bar.sizeHint().height()
        self._bottom_bar.setGeometry(left, self.height() - pad - height, width, height)
        # The hint above the bar when the bar shows, in its place when it does not.
        hint = self._new_hint.sizeHint()
        bottom = self.height() - pad - (height + pad if self._bottom_bar.isVisible() else 0)
        self._new_hint.setGeometry(max(left, self.width() - pad - hint.width()), bottom - hint.height(),
                                   min(width, hint.width()), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def set_platform_name(self, name: str | None) -> None:
        """Who is asking ("Sandbox", the platform's name); None or "" leaves the line out."""
        shown = clean_name(name)
        self._platform.setText(shown)
        self._platform.setVisible(bool(shown))
        named = bool(self._name.text())
        self._name.setVisible(named)
        if named:
            self._asks.setText(ASKS if shown else ASKS_NO_PLATFORM)
        else:
            self._asks.setText(ASKS_YOURS if shown else ASKS_YOURS_NO_PLATFORM)

    @property
    def platform_name(self) -> str:
        return self._platform.text()
