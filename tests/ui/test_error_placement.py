"""Errors where the operator looks (issue 19): a look-up's under the account field, a create's at
the top of the link form, the window's banner only for what belongs to no control. Each says
Stripe's message in plain words with the request id, as plain text; neither moves the form or
Create; each goes on the next action or when its input changes, and is there for screen readers."""

from __future__ import annotations

import asyncio

import pytest
from mainwindow_helpers import find, look_up, wait_until
from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

ACCOUNT_LINKS = "/v1/account_links"
FORM_PARTS = ("createButton", "typeSelector", "refreshUrlInput", "accountInput")


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0.01)


async def resized(window, width: int, height: int) -> None:
    window.resize(width, height)
    await wait_until(lambda: window.size() == QSize(width, height))
    await settle()


def places(window) -> dict[str, QPoint]:
    return {name: find(window, name).mapTo(window, QPoint(0, 0)) for name in FORM_PARTS}


def within(outer: QWidget, inner: QWidget) -> bool:
    return outer.isAncestorOf(inner) and inner.isVisibleTo(outer)


@pytest.mark.parametrize("size", [(1366, 768), (800, 600)])
async def test_a_failed_look_up_is_said_under_the_account_field(window, accounts, sandbox, qtbot, size):
    await resized(window, *size)
    await look_up(window, accounts["custom_due"])
    await settle()
    before = places(window)
    sandbox.inject_fault("500", should_retry=False)  # Stripe's api_error, with its request id
    find(window, "accountInput", QLineEdit).setText(accounts["express_new"])
    assert await window.lookup_account() is None
    await settle()
    box = find(window, "lookupErrorBox")
    assert box.isVisible() and not window.banner.isVisible()
    assert within(window.account_panel, box)
    field = find(window, "accountInput")
    assert box.mapTo(window, QPoint(0, 0)).y() >= field.mapTo(window, QPoint(0, 0)).y() + field.height()
    message, details = find(window, "lookupErrorMessage", QLabel), find(window, "lookupErrorDetails", QLabel)
    assert message.textFormat() == Qt.TextFormat.PlainText and details.textFormat() == Qt.TextFormat.PlainText
    assert message.text() and "Request id: req_" in details.text()
    assert message.text() in box.accessibleDescription() and "req_" in box.accessibleDescription()
    assert places(window) == before  # nothing under the pointer moved
    # Editing the id puts the error away (the next look-up would anyway).
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    assert not box.isVisible()


async def test_a_failed_look_up_goes_away_when_the_next_one_succeeds(window, accounts, sandbox):
    sandbox.inject_fault("502_html")
    find(window, "accountInput", QLineEdit).setText(accounts["custom_due"])
    assert await window.lookup_account() is None
    assert find(window, "lookupErrorBox").isVisible()
    find(window, "lookupRetryButton", QPushButton).click()  # a proxy's page: worth another try
    await wait_until(lambda: window.account_panel.account is not None)
    assert not find(window, "lookupErrorBox").isVisible() and not window.banner.isVisible()


@pytest.mark.parametrize("size", [(1366, 768), (800, 600)])
async def test_a_failed_create_is_said_by_the_form(window, accounts, sandbox, qtbot, size):
    await resized(window, *size)
    await look_up(window, accounts["custom_due"])
    await settle()
    before = places(window)
    sandbox.inject_fault("500", path=ACCOUNT_LINKS)
    assert await window.create_link() is None
    await settle()
    box = find(window, "createErrorBox")
    assert box.isVisible() and within(window.form, box) and not window.banner.isVisible()
    assert not find(window, "lookupErrorBox").isVisible()
    assert "Request id: req_" in find(window, "createErrorDetails", QLabel).text()
    assert find(window, "createErrorMessage", QLabel).textFormat() == Qt.TextFormat.PlainText
    assert places(window) == before  # the form and Create stay under the pointer
    # Changing what would be sent puts it away.
    refresh = find(window, "refreshUrlInput", QLineEdit)
    refresh.setFocus()
    qtbot.keyClicks(refresh, "x")
    assert not box.isVisible()


async def test_a_failed_create_goes_away_with_the_next_link(window, accounts, sandbox):
    await look_up(window, accounts["custom_due"])
    sandbox.inject_fault("500", path=ACCOUNT_LINKS)
    assert await window.create_link() is None
    assert find(window, "createErrorBox").isVisible()
    assert await window.create_link() is not None
    assert not find(window, "createErrorBox").isVisible() and not window.banner.isVisible()


async def test_an_error_of_no_control_stays_in_the_banner(window):
    window.show_message("The preference could not be saved.", "disk full")
    assert window.banner.isVisible()
    assert not find(window, "lookupErrorBox").isVisible() and not find(window, "createErrorBox").isVisible()
