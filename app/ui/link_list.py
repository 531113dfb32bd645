"""The links created in this session: one :class:`LinkCard` each, newest first, in a scroll area."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from app.countdown import LinkState
from app.ui.widgets import muted

if TYPE_CHECKING:
    from app.ui.link_card import LinkCard

EMPTY_TEXT = (
    "No links yet in this session.\n\nLook up an account, choose the link type and press "
    "Create link (Ctrl+Enter). Links live for about five minutes: create one when the seller is "
    "ready to open it."
)


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
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._height = self._card_height(max(card.sizeHint().width(), 1))
        card.show()

    def _card_height(self, width: int) -> int:
        card = self.card
        wanted = card.heightForWidth(width) if card.hasHeightForWidth() else card.sizeHint().height()
        return max(wanted, card.minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(self.card.sizeHint().width(), self._height)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.card.minimumSizeHint().width(), self._height)

    def _sync(self) -> None:
        height = self._card_height(self.width())
        if height != self._height:
            self._height = height
            self.updateGeometry()
        self.card.setGeometry(0, 0, self.width(), self._height)

    def resizeEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        super().resizeEvent(event)
        self._sync()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # the card's size hint changed
            self._sync()
            return True
        return super().event(event)


class LinkList(QScrollArea):
    """Newest card on top. ``cardAdded`` fires as a card is inserted, before it is painted."""

    cardAdded = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("linkList")
        self.setAccessibleName("Links created in this session")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget(self)
        body.setObjectName("linkListBody")
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(12, 12, 12, 12)
        self._layout.setSpacing(12)
        self._empty = muted(QLabel(EMPTY_TEXT, body, objectName="emptyLinks", wordWrap=True))
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setContentsMargins(40, 60, 40, 0)
        self._layout.addWidget(self._empty)
        self._layout.addStretch(1)
        self.setWidget(body)
        self._cards: list[LinkCard] = []

    def add(self, card: LinkCard) -> None:
        """Insert ``card`` at the top and scroll to it."""
        self._empty.hide()
        self._cards.insert(0, card)
        self._layout.insertWidget(0, CardSlot(card, self.widget()))
        self.cardAdded.emit(card)
        self.verticalScrollBar().setValue(0)

    def cards(self) -> list[LinkCard]:
        """Newest first."""
        return list(self._cards)

    def newest_active(self) -> LinkCard | None:
        for card in self._cards:
            card.tick()
            if card.state is not LinkState.EXPIRED:
                return card
        return None

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
