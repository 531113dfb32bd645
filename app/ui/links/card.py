"""One created Account Link: URL, times, live countdown, QR code and what to do with it.

The countdown comes only from :class:`app.countdown.Countdown` and the injected clock's
``monotonic()``: a machine clock that is hours wrong changes nothing. The 250 ms timer only
asks for a repaint; it stops once the link has expired.

The times line reads one clock, this machine's: "Created" is when Stripe's answer arrived
(local expiry minus the link's lifetime) and "Expires" is counted from it. Stripe's own
``created``/``expires_at`` (its clock, which may be hours away from this one) are in the tooltip.
"""

from __future__ import annotations

import math
from typing import Callable

from PySide6.QtCore import QEvent, QRectF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFontDatabase,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.clock import Clock
from app.countdown import Countdown, LinkState
from app.stripe.models import AccountLink
from app.ui.common.widgets import plain_tooltip
from app.ui.links.card_fit import FitsWidth
from app.ui.links.card_paint import paint_panel
from app.ui.links.card_actions import HandsOutLink
from app.ui.links.card_replaced import Replaceable
from app.ui.links.card_text import COPY_TEXT, PRIMARY_BUTTON_STYLE, CopiedFeedback, expired_row, spoken_countdown
from app.ui.common.wrap_rows import WrapRows
from app.ui.links.card_parts import (
    TICK_MS,
    Badge,
    CountdownLabel,
    ElidedLabel,
    ShrinkingLabel,
    countdown_text,
    local_hms,
    scale_font,
    warning_color,
)
from app.ui.links.clipboard import ClipboardGuard
from app.ui.links.qr import QrWidget

LINK_TYPE_LABELS = {"account_onboarding": "Onboarding link", "account_update": "Update link"}
STATE_DESCRIPTIONS = {
    LinkState.ACTIVE: "Link is active",
    LinkState.WARNING: "Link expires within a minute",
    LinkState.EXPIRED: "Link has expired; create a new one",
}


class LinkCard(HandsOutLink, Replaceable, FitsWidth, QFrame):
    """A card for one created link.

    Signals: ``regenerateRequested()`` (Regenerate or "Create a new link"), ``presentRequested()``,
    ``statusMessage(str)`` (for the status bar), ``expiringSoon()`` (once, a minute left), ``expired()`` (once).
    """

    regenerateRequested = Signal()
    presentRequested = Signal()
    relaidOut = Signal()  # its layout ran again: its height may have changed
    statusMessage = Signal(str)
    expiringSoon = Signal()
    expired = Signal()

    def __init__(
        self,
        link: AccountLink | None,
        *,
        account_name: str,
        account_id: str,
        link_type: str,
        clock: Clock,
        clipboard_guard: ClipboardGuard,
        open_url: Callable[[QUrl], object] = QDesktopServices.openUrl,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("linkCard")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._link = link
        self._account_name = account_name
        self._account_id = account_id
        self._link_type = link_type
        self._clock = clock
        self._guard = clipboard_guard
        self._open_url = open_url
        self._countdown: Countdown | None = None
        self._state: LinkState | None = None
        self._expired_emitted = False
        self._warned = False
        self._replaced_note: QLabel | None = None  # set by mark_replaced (issue 19, card_replaced)
        self.setAccessibleName(f"{LINK_TYPE_LABELS.get(link_type, 'Account link')} for {account_name}")
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        if link is not None:
            self.bind(link)

    def bind(self, link: AccountLink) -> None:
        """Show ``link`` (once): its URL, times, QR code and countdown.

        A card may be built without its link while Stripe is still answering (everything that
        comes from the request: account, type, buttons); then only this part is left for after
        the answer. It must be bound before it is shown.
        """
        if self._countdown is not None:
            raise RuntimeError("this card already shows a link")
        self._link = link
        countdown = self._countdown = Countdown.for_link(link)
        now_mono, now_wall = self._clock.monotonic(), self._clock.time()
        expires_wall = countdown.expires_at_wall(now_mono, now_wall)
        self._url.set_full_text(link.url)
        self._url.setToolTip(link.url)
        self._created_text = f"Created {local_hms(expires_wall - countdown.ttl)}"
        self._expires_text = local_hms(expires_wall)
        self._times.setText(f"{self._created_text}  ·  Expires {self._expires_text}")
        self._times.setToolTip(
            "Times on this computer's clock, counted from when Stripe's answer arrived.\n"
            f"Stripe's own clock: created {local_hms(link.created)}, expires {local_hms(link.expires_at)}.")
        self._countdown_label.fit(countdown.ttl)
        self._qr.setDeadline(countdown.deadline_monotonic)
        self._qr.setText(link.url)
        self.tick()
        if self._state is not LinkState.EXPIRED:
            self._timer.start()

    # -- construction ------------------------------------------------------------------------
    def _build(self) -> None:
        """Everything that does not depend on the link (see :meth:`bind`)."""
        # The name gives way (elided, whole in the tooltip); the id is never cut. In a narrow
        # card the header wraps rather than pushing the card wider than its pane.
        name = ShrinkingLabel(self._account_name, min_chars=12)
        name.setObjectName("linkAccountName")
        name.setAccessibleName("Account")
        name.setToolTip(plain_tooltip(self._account_name))
        scale_font(name, 1.15, bold=True)
        account = QLabel(self._account_id, objectName="linkAccountId", textFormat=Qt.TextFormat.PlainText)
        account.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        account.setAccessibleName("Connected account ID")
        account.setToolTip(self._account_id)
        account.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        kind = Badge(LINK_TYPE_LABELS.get(self._link_type, self._link_type))
        kind.setObjectName("linkType")
        kind.setAccessibleName("Link type")
        kind.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self._secondary = [account, kind]

        header = self._header = WrapRows([name, account, kind], spacing=8, line_spacing=2)
        self._header_widgets = (name, account, kind)

        self._url = ElidedLabel()
        self._url.setObjectName("linkUrl")
        self._url.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._url.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._url.setAccessibleName("Link URL")

        self._times = QLabel(objectName="linkTimes")
        self._times.setAccessibleName("Created and expiry times")
        self._times.setWordWrap(True)  # two lines in a narrow card rather than wider than its pane
        self._secondary.append(self._times)

        # Reachable with Tab; its name (whose link, minutes left) changes, and is read out, each minute.
        self._countdown_label = CountdownLabel()
        self._countdown_label.setObjectName("linkCountdown")
        self._countdown_label.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self._spoken_minutes: int | None = None
        scale_font(self._countdown_label, 1.6, bold=True)  # (its size is fitted to the new font)

        who = self._account_name
        self._copy = self._button(COPY_TEXT, "copyButton", "Copy the link to the clipboard", self.copy,
                                  f"Copy the link for {who}")
        self._copy.setProperty("primary", True)  # the one thing to do next: default, accented
        self._copy.setDefault(True)
        self._copy.setStyleSheet(PRIMARY_BUTTON_STYLE)
        self._copied = CopiedFeedback(self._copy, self._clock)  # "Copied ✓" for two seconds
        self._open = self._button("Open in browser", "openButton", "Open the link in your web browser", self.open,
                                  f"Open the link for {who} in your web browser")
        self._present = self._button("Present", "presentButton", "Show the QR code full screen",
                                     self.presentRequested.emit, f"Present the QR code for {who} full screen")
        self._regenerate = self._button(
            "Regenerate", "regenerateButton", "Create another link with the same settings",
            self.regenerateRequested.emit, f"Regenerate: create another link for {who}",
        )
        # Regenerate set apart (it makes a new link) when on the same row as Present.
        buttons = self._buttons = WrapRows([self._copy, self._open, self._present, self._regenerate],
                                           spacing=6, gaps={3: 18})

        self._expired_row: QWidget | None = None  # built when the link expires (one line)

        info = self._info = QVBoxLayout()
        info.setSpacing(6)
        info.addLayout(header)
        info.addWidget(self._url)
        info.addWidget(self._times)
        info.addWidget(self._countdown_label)
        info.addStretch(1)
        info.addLayout(buttons)

        self._qr = QrWidget(clipboard_guard=self._guard)
        self._qr.setFixedSize(186, 186)  # 4 px modules for a typical 45-module link
        self._qr.statusMessage.connect(self.statusMessage)

        outer = self._outer = QHBoxLayout(self)
        outer.setContentsMargins(20, 14, 14, 14)
        outer.setSpacing(16)
        outer.addLayout(info, 1)
        outer.addWidget(self._qr, 0, Qt.AlignmentFlag.AlignVCenter)
        self._apply_secondary_colours()
        self._widths: tuple[int, int] | None = None  # (stacked, side by side), measured on first use
        # Dressed as active already (nearly every link arrives active): binding the link then
        # only sets its texts. A link that arrives expiring or expired is dressed on its tick.
        # Its times read as they will, give or take (the card is measured before it is bound).
        now = self._clock.time()
        self._created_text, self._expires_text = f"Created {local_hms(now)}", local_hms(now + 300)
        self._state = LinkState.ACTIVE
        self._apply_state()

    def _build_expired_row(self) -> QWidget:
        """The one line of an expired card (built on expiry: a live card does not pay for it)."""
        row, self._expired_label, self._new_link, pieces = expired_row(
            self._account_name, self._account_id, LINK_TYPE_LABELS.get(self._link_type, "Link"),
            self._button("Create a new link", "newLinkButton", "Create a new link with the same settings",
                         self.regenerateRequested.emit, f"Create a new link for {self._account_name}"))
        self._secondary += pieces
        self._apply_secondary_colours()
        self._info.addWidget(row)
        return row

    def _button(self, text: str, name: str, tip: str, slot: Callable[[], object], accessible: str) -> QPushButton:
        button = QPushButton(text, objectName=name)
        button.setAccessibleName(accessible)  # says which account it acts on
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # -- public ------------------------------------------------------------------------------
    @property
    def link(self) -> AccountLink:
        return self._link

    @property
    def full_url(self) -> str:
        return self._link.url

    @property
    def account_name(self) -> str:
        return self._account_name

    @property
    def account_id(self) -> str:
        return self._account_id

    @property
    def link_type(self) -> str:
        return self._link_type

    @property
    def state(self) -> LinkState:
        assert self._state is not None
        return self._state

    def remaining(self) -> float | None:
        """Seconds left to open the link now (None before its link is bound)."""
        countdown = self._countdown
        return None if countdown is None else countdown.remaining(self._clock.monotonic())

    def tick(self) -> None:
        """Re-evaluate the countdown now (the timer calls this; so may tests)."""
        countdown = self._countdown
        if countdown is None or self._replaced_note is not None:  # not bound yet, or replaced
            return
        now = self._clock.monotonic()
        state = countdown.state(now)
        remaining = countdown.remaining(now)
        self._countdown_label.setText(countdown_text(state, remaining))
        changed = state is not self._state
        if changed:
            self._state = state
            self._apply_state()
        minutes = math.ceil(remaining / 60) if state is not LinkState.EXPIRED else 0
        if changed or minutes != self._spoken_minutes:
            self._spoken_minutes = minutes
            self._countdown_label.setAccessibleName(spoken_countdown(self._account_name, state, minutes))
        self._guard.check()
        self._copied.check(expired=state is LinkState.EXPIRED)
        if state is LinkState.WARNING and not self._warned:
            self._warned = True
            self.expiringSoon.emit()
        if state is LinkState.EXPIRED and not self._expired_emitted:
            self._expired_emitted = True
            self._timer.stop()
            self.expired.emit()

    def focus_primary(self) -> None:
        """Focus "Copy link", the card's primary action (after the link was made)."""
        if self._copy.isVisibleTo(self):
            self._copy.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- state & looks -----------------------------------------------------------------------
    def _apply_state(self) -> None:
        if self._replaced_note is not None:
            return  # a replaced card keeps its replaced looks (see mark_replaced)
        state = self._state
        expired = state is LinkState.EXPIRED
        # A dead link is one line with one thing to do: make a new one. Nothing of it is a Tab
        # stop (the window's Tab order is for live links).
        self._times.setText(f"{self._created_text}  ·  {'Expired at' if expired else 'Expires'} {self._expires_text}")
        if expired and self._expired_row is None:
            self._expired_row = self._build_expired_row()
        if self._expired_row is not None:
            self._expired_label.setText(f"expired at {self._expires_text}")
        for widget in (*self._header_widgets, self._url, self._times, self._countdown_label, self._qr,
                       self._copy, self._open, self._present, self._regenerate):
            widget.setVisible(not expired)
        for button in (self._copy, self._open, self._present, self._regenerate):
            button.setEnabled(not expired)
        if self._expired_row is not None:
            self._expired_row.setVisible(expired)
        if expired:
            self._countdown_label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self._qr.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self._widths = None
        self._url.setEnabled(not expired)
        self._qr.setExpired(expired, "")
        palette = self._countdown_label.palette()
        if state is LinkState.WARNING:
            colour = warning_color(self.palette())
        elif expired:
            colour = self.palette().color(QPalette.ColorRole.PlaceholderText)
        else:
            colour = self.palette().color(QPalette.ColorRole.WindowText)
        palette.setColor(QPalette.ColorRole.WindowText, colour)
        self._countdown_label.setPalette(palette)
        self._countdown_label.setAccessibleDescription(STATE_DESCRIPTIONS[state])
        self.update()

    def is_collapsed(self) -> bool:
        """True once the link expired and the card is one line."""
        return self._expired_row is not None and not self._expired_row.isHidden()

    def _apply_secondary_colours(self) -> None:
        for label in self._secondary:
            palette = label.palette()
            palette.setColor(QPalette.ColorRole.WindowText, self.palette().color(QPalette.ColorRole.PlaceholderText))
            label.setPalette(palette)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:  # its layout has just been activated
            self.relaidOut.emit()
        return handled

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._state is not None:
            self._apply_secondary_colours()
            self._apply_state()
        elif event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange) and self._state is not None:
            self._copied.fit()
            self._widths = None
            self._arrange(self.width())

    def _accent(self) -> QColor:
        if self._state is LinkState.WARNING:
            return warning_color(self.palette())
        if self._state is LinkState.EXPIRED or self._replaced_note is not None:
            return self.palette().color(QPalette.ColorRole.Mid)
        return self.palette().color(QPalette.ColorRole.Highlight)

    def paintEvent(self, event: QPaintEvent) -> None:
        """A subtle rounded card in palette colours with a state-coloured edge on the left."""
        painter = QPainter(self)
        try:
            palette = self.palette()
            paint_panel(painter, self.rect(), 8, palette.color(QPalette.ColorRole.Base),
                        palette.color(QPalette.ColorRole.Mid), self.devicePixelRatioF())
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._accent())
            painter.drawRoundedRect(QRectF(rect.left() + 4, rect.top() + 10, 4, rect.height() - 20), 2, 2)
        finally:
            painter.end()

    def closeEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        self._timer.stop()
        super().closeEvent(event)
