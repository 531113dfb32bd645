"""Tab follows what is seen (issue 19, "Keyboard"): top to bottom and left to right, from the
account field: Look up, Sync, the picker, the summary, the form's fields in the order shown,
Create, then the newest card's Copy. Walked with the Tab key, at 1366×768 and at 800×600 (where
Look up and Sync may wrap under the field: the order stays the one seen)."""

from __future__ import annotations

import asyncio

import pytest
from mainwindow_helpers import find, look_up, wait_until
from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtWidgets import QApplication, QWidget


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0.01)


async def resized(window, width: int, height: int) -> None:
    window.resize(width, height)
    await wait_until(lambda: window.size() == QSize(width, height))
    await settle()


async def walk(window, qtbot, start: QWidget, stop: str, limit: int = 40) -> list[QWidget]:
    """The widgets Tab visits from ``start`` (pressed as a user presses it) up to ``stop``."""
    window.activateWindow()
    start.setFocus(Qt.FocusReason.TabFocusReason)
    await wait_until(lambda: QApplication.focusWidget() is start)
    seen = [start]
    for _ in range(limit):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        await asyncio.sleep(0)
        widget = QApplication.focusWidget()
        assert widget is not None and widget not in seen, [w.objectName() for w in seen + [widget]]
        seen.append(widget)
        if widget.objectName() == stop:
            return seen
    raise AssertionError(f"{stop!r} not reached: {[w.objectName() for w in seen]}")


def top_left(widget: QWidget, window: QWidget) -> QPoint:
    return widget.mapTo(window, QPoint(0, 0))


def in_reading_order(widgets: list[QWidget], window: QWidget) -> bool:
    """Each stop is below the last one, or on its line (overlapping it vertically) to its right."""
    for before, after in zip(widgets, widgets[1:]):
        a, b = top_left(before, window), top_left(after, window)
        same_line = b.y() < a.y() + before.height() and a.y() < b.y() + after.height()
        if not (b.y() >= a.y() + before.height() - 1 or (same_line and b.x() > a.x())):
            return False
    return True


FORM = ["typeSelector", "refreshUrlInput", "returnUrlInput", "fieldsSelector", "futureRequirementsSelector"]


@pytest.mark.parametrize("size", [(1366, 768), (800, 600)])
async def test_tab_walks_the_left_column_as_it_is_seen(window, accounts, qtbot, size):
    await resized(window, *size)
    await look_up(window, accounts["custom_due"])  # a summary with a "Have ready" Copy
    await settle()
    assert find(window, "accountPicker").isVisible() and find(window, "directorySyncButton").isVisible()
    field, look = find(window, "accountInput"), find(window, "lookupButton")
    if size == (800, 600):  # the narrow column: Look up and Sync under the field
        assert look.mapTo(window, QPoint(0, 0)).y() >= field.mapTo(window, QPoint(0, 0)).y() + field.height()
    stops = await walk(window, qtbot, find(window, "accountInput"), "createButton")
    names = [w.objectName() for w in stops]
    assert names[:4] == ["accountInput", "lookupButton", "directorySyncButton", "accountPicker"], names
    summary = find(window, "accountSummary")
    middle = names[4:-1]
    in_summary = [n for n, w in zip(middle, stops[4:-1]) if summary.isAncestorOf(w)]
    assert in_summary and middle[:len(in_summary)] == in_summary, names  # the summary, then the form
    assert middle[len(in_summary):] == FORM, names
    assert names[-1] == "createButton"
    assert in_reading_order([w for w in stops if not summary.isAncestorOf(w)], window), names


@pytest.mark.parametrize("size", [(1366, 768), (800, 600)])
async def test_tab_goes_from_create_to_the_newest_cards_copy(window, accounts, qtbot, size):
    await resized(window, *size)
    await look_up(window, accounts["custom_due"])
    first = await window.create_link()
    await look_up(window, accounts["express_ok"])  # another seller: both cards stay live
    second = await window.create_link()
    assert first is not None and second is not None and window.links.cards()[0] is second
    await settle()
    stops = await walk(window, qtbot, find(window, "createButton"), "copyButton")
    assert len(stops) == 2 and second.isAncestorOf(stops[1]), [w.objectName() for w in stops]
    # The newest card's other stops follow its Copy; the older card comes after them.
    stops = await walk(window, qtbot, stops[1], "copyButton")
    assert all(second.isAncestorOf(w) for w in stops[:-1]) and first.isAncestorOf(stops[-1]), \
        [w.objectName() for w in stops]
