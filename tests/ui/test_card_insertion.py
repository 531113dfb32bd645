"""A new card goes in above the cards already in view without painting them again: their pixels
are moved down (``QWidget.scroll``) and only the new card is painted. What the window's backing
store holds (what the platform puts on the screen) must stay exactly what a full repaint gives,
whatever the list's size and scroll position."""

from __future__ import annotations

import asyncio

from mainwindow_helpers import find
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QTabWidget, QWidget

from app.ui.links.qr import QrWidget


def on_screen(window: QWidget) -> QImage:
    """The window's backing store, as flushed to the (offscreen) screen."""
    image = QGuiApplication.primaryScreen().grabWindow(window.winId()).toImage()
    return image.convertToFormat(QImage.Format.Format_RGB32)


def repainted(window: QWidget) -> QImage:
    """The whole window painted afresh from its widgets."""
    return window.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


async def settle() -> None:
    """Let Qt lay out, paint and flush (its events run on the same loop; never ``processEvents()``
    inside a coroutine: qasync would re-enter a task)."""
    for _ in range(5):
        await asyncio.sleep(0.02)


async def assert_screen_is_a_full_repaint(window: QWidget) -> None:
    await settle()
    shown, fresh = on_screen(window), repainted(window)
    assert shown.size() == fresh.size()
    assert shown == fresh, "what is on screen differs from a full repaint of the window"


async def make_links(window, account: str, count: int) -> list:
    find(window, "accountInput").setText(account)
    cards = []
    for _ in range(count):
        card = await window.create_link()
        assert card is not None, window.banner.message.text()
        cards.append(card)
    return cards


async def test_the_screen_is_a_full_repaint_after_each_new_card(window, accounts):
    window.resize(1280, 820)
    find(window, "accountInput").setText(accounts["custom_due"])
    for _ in range(5):  # the list's scroll bar appears on the way
        assert await window.create_link() is not None
        await assert_screen_is_a_full_repaint(window)
    assert window.links.verticalScrollBar().maximum() > 0


async def test_a_new_card_seen_from_further_down_the_list(window, accounts):
    window.resize(1024, 700)
    await make_links(window, accounts["custom_due"], 5)
    bar = window.links.verticalScrollBar()
    bar.setValue(bar.maximum())
    await settle()
    new = (await make_links(window, accounts["custom_due"], 1))[0]
    assert bar.value() == 0 and window.links.cards()[0] is new
    await assert_screen_is_a_full_repaint(window)


async def test_the_screen_is_a_full_repaint_after_resizing_the_list(window, accounts):
    window.resize(1280, 820)
    await make_links(window, accounts["custom_due"], 4)
    for width, height in ((800, 600), (720, 480), (1920, 1080), (1024, 768)):
        window.resize(width, height)
        await assert_screen_is_a_full_repaint(window)
        await make_links(window, accounts["custom_due"], 1)
        await assert_screen_is_a_full_repaint(window)


class Paints(QObject):
    def __init__(self, widgets: list[QWidget]) -> None:
        super().__init__()
        self.painted: list[QWidget] = []
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: ANN001, N802 - Qt signature
        if event.type() == QEvent.Type.Paint:
            self.painted.append(obj)
        return False


async def test_a_new_card_leaves_the_cards_in_view_unpainted(window, accounts):
    window.resize(1280, 820)
    old = await make_links(window, accounts["custom_due"], 6)  # the scroll bar is there already
    await settle()
    previous = old[-1]  # the newest so far: its Copy button loses the focus to the new card's
    older = [w for card in old[:-1] for w in (card, *card.findChildren(QWidget))]
    watch = Paints([*older, previous, *previous.findChildren(QWidget)])
    await make_links(window, accounts["custom_due"], 1)
    await settle()
    assert not [w for w in watch.painted if w in older], "a card already in view was painted again"
    # The previous newest (same account) was replaced: it alone repaints, its QR code gone.
    assert previous.is_replaced and previous in watch.painted


async def test_a_card_of_another_account_is_left_unpainted_by_a_new_link(window, accounts):
    window.resize(1280, 820)
    other = (await make_links(window, accounts["custom_eu"], 1))[0]
    await make_links(window, accounts["custom_due"], 1)
    await settle()
    watch = Paints([other, *other.findChildren(QWidget)])
    await make_links(window, accounts["custom_due"], 1)  # replaces the Harbor card, not this one
    await settle()
    assert not other.is_replaced
    assert not [w for w in watch.painted if isinstance(w, QrWidget) or w.objectName() in ("linkUrl", "linkTimes")]


async def test_cards_added_while_the_links_tab_is_hidden(window, accounts):
    """The list is not visible (History in front): nothing is on screen to move, and the cards
    are where the layout puts them when the Links tab comes back."""
    window.resize(1280, 820)
    await make_links(window, accounts["custom_due"], 3)
    tabs = find(window, "mainTabs", QTabWidget)
    links = tabs.currentIndex()
    tabs.setCurrentIndex(1 - links)
    await settle()
    assert not window.links.isVisible()
    await make_links(window, accounts["custom_due"], 2)
    tabs.setCurrentIndex(links)
    await assert_screen_is_a_full_repaint(window)
    tops = [card.parentWidget().y() for card in window.links.cards()]
    assert tops == sorted(tops) and len(set(tops)) == 5  # newest first, none on top of another
