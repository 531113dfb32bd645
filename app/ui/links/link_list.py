"""The links created in this session: one :class:`LinkCard` each, newest first, in a scroll area."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLayout,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.countdown import LinkState
from app.ui.common.widgets import muted

if TYPE_CHECKING:
    from app.ui.links.card import LinkCard

COPY_NEW_LINKS_KEY = "links/copy_new"  # QSettings: copy a new link at once (default on)

EMPTY_TEXT = (
    "No links yet in this session.\n\nLook up an account, choose the link type and press "
    "Create link (Ctrl+Enter). Links live for about five minutes: create one when the seller is "
    "ready to open it."
)


def card_width(body: QWidget) -> int:
    """The width a card gets in the list's ``body``: the body's, less its layout's margins."""
    layout = body.layout()
    margins = layout.contentsMargins() if layout is not None else None
    return body.width() - (margins.left() + margins.right() if margins is not None else 0)


class CardSlot(QWidget):
    """Holds one card, without a layout of its own.

    A card changes inside every second (its countdown). Through a layout, each change would
    ask the whole list to lay out all its cards again (many milliseconds with dozens of cards);
    the slot stops that: it resizes its card itself and bothers the list only when the card's
    height really changes.
    """

    def __init__(self, card: "LinkCard", parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("linkCardSlot")
        self.card = card
        card.setParent(self)
        # Its size is set, not hinted (no Python sizeHint the list would call for every slot
        # on every layout pass): the height the card needs at the slot's width, and the card's
        # narrowest width.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        card.relaidOut.connect(self._sync)
        # Measured at the width the list will give it: a layout caches the height for the last
        # width, so the resize that follows costs nothing.
        width = card_width(parent)
        self.fit(width if width > 0 else max(card.sizeHint().width(), 1))
        card.show()

    def fit(self, width: int) -> int:
        """Take the height the card needs at ``width``; returns it."""
        card = self.card
        # A card's height depends on its width (its rows wrap). Asked directly: hasHeightForWidth()
        # would have the card's layout measure every child once more just to say yes.
        height = card.heightForWidth(width)
        if height < 0:
            height = card.sizeHint().height()
        height = max(height, card.minimumSizeHint().height())
        self.setFixedHeight(height)  # tells the list only when it changed
        self.setMinimumWidth(card.narrowest_width())  # (the QR code stacks below the text)
        return height

    def _sync(self) -> None:
        self.card.setGeometry(0, 0, self.width(), self.fit(self.width()))

    def resizeEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        super().resizeEvent(event)
        self._sync()


class LinkList(QScrollArea):
    """Newest card on top. ``cardAdded`` fires as a card is inserted, before it is painted."""

    cardAdded = Signal(object)
    liveCountChanged = Signal(int)  # links not yet expired (the tab's "Links (N)")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("linkList")
        self.setAccessibleName("Links created in this session")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Tab goes to the cards' buttons (the area scrolls to them); the area itself is no stop.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        body = QWidget(self)
        body.setObjectName("linkListBody")
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(12, 12, 12, 12)
        self._layout.setSpacing(12)
        # The body takes its layout's minimum height at once. Left to the scroll area, it lags a
        # pass behind when a card is inserted: every card is squeezed by a few pixels, laid out,
        # painted, then stretched back (two resizes of every card per new link).
        self._layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self._empty = muted(QLabel(EMPTY_TEXT, body, objectName="emptyLinks", wordWrap=True))
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setContentsMargins(40, 60, 40, 0)
        self._layout.addWidget(self._empty)
        self._layout.addStretch(1)
        self.setWidget(body)
        # Growing the body (a card added) repaints only what is new at its bottom, not all of it:
        # its background is one colour, and cards that move or change repaint themselves.
        body.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self._cards: list[LinkCard] = []
        self._waiting: dict[LinkCard, CardSlot] = {}  # prepared, not added yet

    def add(self, card: LinkCard) -> None:
        """Insert ``card`` at the top and scroll to it.

        The cards already in view move down by the new card's place. Moved by the layout, each
        would be painted again (about a millisecond each); scrolled (``QWidget.scroll``), their
        pixels are copied down and only the new card is painted. The layout then finds every
        card where it would have put it; if it does not (a layout still pending), it moves them
        the usual way, repainted.
        """
        self._empty.hide()
        body = self.widget()
        slot = self._waiting.pop(card, None) or CardSlot(card, body)
        if self._cards:
            width = card_width(body)
            height = slot.fit(width)
            margins = self._layout.contentsMargins()
            body.scroll(0, height + self._layout.spacing())
            slot.setGeometry(margins.left(), margins.top(), width, height)
        self._cards.insert(0, card)
        self._layout.insertWidget(0, slot)
        slot.show()
        self._put_first_in_tab_order(card)
        card.expired.connect(lambda: self.liveCountChanged.emit(self.live_count()))
        self.cardAdded.emit(card)
        self.liveCountChanged.emit(self.live_count())
        self.verticalScrollBar().setValue(0)

    def prepare(self, card: LinkCard) -> None:
        """Make ``card``'s place before it is added (while Stripe is still answering): its slot,
        hidden, and its first layout at the width it will get here. That layout costs over a
        millisecond (fonts, text layouts); once its link's texts are set, laying it out again
        costs about half of that. :meth:`discard` undoes this."""
        if card not in self._waiting and card not in self._cards:
            slot = CardSlot(card, self.widget())
            slot.hide()
            self._waiting[card] = slot

    def discard(self, card: LinkCard) -> None:
        """A prepared card whose link never came."""
        slot = self._waiting.pop(card, None)
        if slot is not None:
            slot.deleteLater()

    def _put_first_in_tab_order(self, card: QWidget) -> None:
        """Tab follows the screen: the newest card (on top) first, not the order they were made.

        Moves the card's own tab stops right after this list in the focus chain. (Qt moves
        one widget per ``setTabOrder`` and ignores widgets that take no focus: hence the list's
        focus policy, switched on for the moment of the move.)
        """
        stops, widget = [], card.nextInFocusChain()
        while widget is not card and card.isAncestorOf(widget):
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                stops.append(widget)
            widget = widget.nextInFocusChain()
        policy = self.focusPolicy()
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        try:
            previous: QWidget = self
            for stop in stops:
                QWidget.setTabOrder(previous, stop)
                previous = stop
        finally:
            self.setFocusPolicy(policy)

    def cards(self) -> list[LinkCard]:
        """Newest first."""
        return list(self._cards)

    def live_count(self) -> int:
        """Cards whose link has not expired (as of their last tick) nor been replaced."""
        return sum(1 for card in self._cards if card.state is not LinkState.EXPIRED and not card.is_replaced)

    def newest_active(self) -> LinkCard | None:
        for card in self._cards:
            card.tick()
            if card.state is not LinkState.EXPIRED and not card.is_replaced:
                return card
        return None

    def mark_replaced(self, card: LinkCard, at_wall: float) -> None:
        """``card``'s link was replaced by a newer one (see :meth:`LinkCard.mark_replaced`); it
        no longer counts as live."""
        card.mark_replaced(at_wall)
        self.liveCountChanged.emit(self.live_count())

    def reveal(self, card: LinkCard) -> None:
        """Scroll ``card`` into view and give it focus (History → Reopen)."""
        self.ensureWidgetVisible(card.parentWidget() or card, 0, 12)
        from PySide6.QtWidgets import QPushButton

        target = card.findChild(QPushButton, "copyButton") or card
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def stop_all(self) -> None:
        """Stop every card's timer (window closing)."""
        for card in self._cards:
            card.close()
