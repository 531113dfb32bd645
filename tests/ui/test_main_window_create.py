"""Creating links from the window: refused input, cards, history, countdown, errors, cancel."""

from __future__ import annotations

import asyncio

import pytest
from mainwindow_helpers import find, look_up, wait_until
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton

from app.countdown import LinkState
from app.stripe.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    InvalidRequestError,
    RateLimitError,
)
from app.stripe.validation import LinkRequest
from app.ui.links.flow import reuses_idempotency_key

ACCOUNT_LINKS = "/v1/account_links"


async def _create(window, account_id: str):
    find(window, "accountInput").setText(account_id)
    card = await window.create_link()
    assert card is not None, window.banner.message.text()
    return card


@pytest.mark.parametrize(
    ("widget", "value", "error_label"),
    [
        ("accountInput", "", "accountError"),
        ("accountInput", "not an id", "accountError"),
        ("refreshUrlInput", "", "refreshUrlError"),
        ("refreshUrlInput", "example.com/reauth", "refreshUrlError"),
        ("returnUrlInput", "ftp://example.com/return", "returnUrlError"),
        ("returnUrlInput", "https://exa mple.com/return", "returnUrlError"),
    ],
)
async def test_invalid_input_is_marked_at_its_field_and_nothing_is_sent(
        window, accounts, transport, widget, value, error_label):
    find(window, "accountInput").setText(accounts["custom_due"])
    find(window, widget, QLineEdit).setText(value)
    assert await window.create_link() is None
    label = find(window, error_label, QLabel)
    assert label.isVisible() and label.text()
    assert find(window, widget).property("invalid") is True
    assert find(window, widget).accessibleDescription() == label.text()
    assert transport.posts() == []
    assert window.links.cards() == []
    # editing the field clears its mark
    if widget != "accountInput":
        find(window, widget, QLineEdit).textEdited.emit("x")
        assert not label.isVisible()


@pytest.mark.parametrize(
    ("field", "error_label"),
    [("type", "typeError"), ("collection_fields", "fieldsError"), ("future_requirements", "futureRequirementsError")],
)
async def test_refused_options_are_marked_at_their_selector(window, accounts, transport, field, error_label):
    request = dict(account=accounts["custom_due"], type="account_onboarding",
                   refresh_url="https://example.com/r", return_url="https://example.com/b")
    request[field] = "bogus"
    assert await window.flow.create(LinkRequest(**request)) is None
    assert find(window, error_label, QLabel).isVisible()
    assert transport.posts() == []


async def test_create_shows_a_card_newest_first_after_recording_history(window, accounts, services, transport):
    seen_in_history_when_added = []
    window.links.cardAdded.connect(
        lambda card: seen_in_history_when_added.append(
            [e.url for e in services.history.query()].count(card.link.url)))
    await look_up(window, accounts["custom_due"])
    first = await _create(window, accounts["custom_due"])
    second = await _create(window, accounts["custom_due"])
    assert window.links.cards() == [second, first]
    assert seen_in_history_when_added == [1, 1]  # the row existed before the card was shown
    assert first.objectName() == "linkCard" and first.isVisible()
    assert first.account_name == "Harbor Street Bakery"
    entry = services.history.query()[0]
    assert entry.url == second.link.url and entry.account_name == "Harbor Street Bakery"
    assert entry.outcome == "created" and entry.request_id == second.link.request_id
    assert transport.posts() == [ACCOUNT_LINKS, ACCOUNT_LINKS]
    assert find(window, "createButton", QPushButton).isEnabled()
    # the history panel, once shown, has both rows (read on its worker thread)
    assert window.history_panel.model.rowCount() == 0  # hidden: not re-read while cards paint
    window.show_history()
    await window.history_panel.settled()
    assert window.history_panel.model.rowCount() == 2


async def test_countdown_states_on_a_fake_clock(window, accounts, clock):
    card = await _create(window, accounts["custom_due"])
    label = find(card, "linkCountdown", QLabel)
    assert card.state is LinkState.ACTIVE and label.text().startswith("Open within 5:00")
    clock.advance(240)
    card.tick()
    assert card.state is LinkState.WARNING and label.text() == "⚠ Open within 1:00"
    clock.advance(59)
    card.tick()
    assert card.state is LinkState.WARNING and label.text() == "⚠ Open within 0:01"
    clock.advance(1)
    card.tick()
    assert card.state is LinkState.EXPIRED and label.text() == "Expired"
    assert not find(card, "copyButton", QPushButton).isEnabled()


@pytest.mark.parametrize("server_offset", [-6 * 3600.0, 5 * 3600.0])
async def test_local_wall_clock_hours_wrong_changes_nothing(window, accounts, clock, server_offset):
    # The sandbox's clock (Stripe's) is hours away from this machine's wall clock.
    card = await _create(window, accounts["custom_due"])
    assert abs(card.link.created - (clock.time() + server_offset)) < 2
    label = find(card, "linkCountdown", QLabel)
    assert label.text().startswith("Open within 5:00")
    clock.set_wall(clock.time() - 3 * 3600)  # and the local clock jumps too
    clock.advance(100)
    card.tick()
    assert label.text().startswith("Open within 3:20") and card.state is LinkState.ACTIVE
    clock.advance(200)
    card.tick()
    assert card.state is LinkState.EXPIRED


async def test_expiry_then_regenerate_makes_a_new_link_with_the_same_settings(window, accounts, clock, services):
    await look_up(window, accounts["custom_due"])
    find(window, "typeSelector", QComboBox).setCurrentIndex(1)  # account_update
    find(window, "fieldsSelector", QComboBox).setCurrentIndex(1)  # eventually_due
    card = await _create(window, accounts["custom_due"])
    expired = []
    card.expired.connect(lambda: expired.append(True))
    clock.advance(301)
    card.tick()
    assert expired == [True]
    find(window, "typeSelector", QComboBox).setCurrentIndex(0)  # the form changed since
    find(card, "newLinkButton", QPushButton).click()
    await wait_until(lambda: len(window.links.cards()) == 2)
    new = window.links.cards()[0]
    assert new.link.url != card.link.url and new.state is LinkState.ACTIVE
    assert new.link_type == "account_update"
    latest = services.history.query()[0]
    assert (latest.link_type, latest.collection_fields) == ("account_update", "eventually_due")


async def test_copy_and_the_clipboard_is_cleared_at_expiry(window, accounts, clock, clipboard):
    card = await _create(window, accounts["custom_due"])
    window.copy_newest_link()  # Ctrl+Shift+C
    assert clipboard.text() == card.link.url
    clock.advance(299)
    window.clipboard_guard.check()
    assert clipboard.text() == card.link.url
    clock.advance(1)
    window.clipboard_guard.check()
    assert clipboard.text() == ""
    assert "cleared from the clipboard" in window.statusBar().currentMessage()


async def test_copy_newest_skips_expired_links(window, accounts, clock, clipboard):
    older = await _create(window, accounts["custom_due"])
    clock.advance(200)
    newer = await _create(window, accounts["express_new"])
    clock.advance(150)  # the older one has expired, the newer one has not
    window.actions_by_name["copyNewestAction"].trigger()
    assert clipboard.text() == newer.link.url != older.link.url
    clock.advance(200)
    clipboard.clear()
    assert window.flow.copy_newest() is False
    assert clipboard.text() == ""


def _request(account: str, link_type: str = "account_onboarding") -> LinkRequest:
    return LinkRequest(account=account, type=link_type, refresh_url="https://example.com/refresh",
                       return_url="https://example.com/return")


async def test_api_error_is_said_once_at_the_field_with_code_and_request_id(window, accounts, services, transport):
    # (Create again from History sends without a look-up; the form itself looks the id up first.)
    assert await window.flow.create(_request("acct_1DoesNotExist00")) is None
    assert not find(window, "errorBanner").isVisible()  # said once, where it belongs
    error = find(window, "accountError", QLabel)
    assert error.isVisible() and error.text()
    assert "Code: account_invalid" in error.toolTip() and "Request id: req_" in error.toolTip()
    failed = services.history.query()[0]
    assert failed.outcome == "failed" and failed.error_code == "account_invalid"

    # account_update for an Express account (not looked up, so nothing refused it before Stripe)
    assert await window.flow.create(_request(accounts["express_new"], "account_update")) is None
    assert find(window, "typeError", QLabel).isVisible()
    assert find(window, "typeSelector").property("invalid") is True
    assert "req_" in find(window, "typeError", QLabel).toolTip()
    assert not find(window, "errorBanner").isVisible()


async def test_the_form_says_errors_without_a_field_and_copies_the_request_id(window, accounts, sandbox,
                                                                              clipboard):
    sandbox.inject_fault("500", path=ACCOUNT_LINKS)
    assert await window.flow.create(_request(accounts["custom_due"])) is None
    details = find(window, "createErrorDetails", QLabel).text()
    assert find(window, "createErrorBox").isVisible() and "Request id: req_" in details
    assert not find(window, "errorBanner").isVisible()
    find(window, "createCopyRequestIdButton", QPushButton).click()
    assert clipboard.text().startswith("req_") and clipboard.text() in details


@pytest.mark.parametrize("server_offset", [0.0, -4 * 3600.0])
async def test_network_error_offers_retry_with_the_same_idempotency_key(window, accounts, sandbox, transport,
                                                                         services, server_offset):
    # The link is made and saved under the key; only the answer is lost. Stripe's clock may be
    # hours off this machine's: the replay is aged on Stripe's own clock (its Date header).
    sandbox.inject_fault("drop", after_processing=True, path=ACCOUNT_LINKS)
    find(window, "accountInput").setText(accounts["custom_due"])
    assert await window.create_link() is None
    retry = find(window, "createRetryButton", QPushButton)
    assert find(window, "createErrorBox").isVisible() and retry.isVisible()
    _req, _account, key = window.flow.last_attempt
    retry.click()
    await wait_until(lambda: len(window.links.cards()) == 1)
    assert window.flow.last_attempt[2] == key
    assert transport.posts() == [ACCOUNT_LINKS, ACCOUNT_LINKS]
    assert transport.keys == [key, key]
    assert not find(window, "createErrorBox").isVisible() and not find(window, "errorBanner").isVisible()
    [card] = window.links.cards()
    # The replayed link (the one made by the lost request) arrives alive, not already expired.
    assert card.state is LinkState.ACTIVE
    assert find(card, "linkCountdown", QLabel).text().startswith(("Open within 5:00", "Open within 4:59", "Open within 4:58"))
    assert not card.is_collapsed() and card.findChild(QPushButton, "newLinkButton") is None
    assert services.history.query()[0].url == card.link.url


@pytest.mark.parametrize(("fault", "opts"), [("500", {}), ("500", {"status": 503}), ("429", {})])
async def test_retry_after_an_error_stripe_answered_uses_a_fresh_idempotency_key(
        window, accounts, sandbox, transport, fault, opts):
    # Stripe saves an answered error under its key: the same key would only replay that error.
    sandbox.inject_fault(fault, path=ACCOUNT_LINKS, **opts)
    find(window, "accountInput").setText(accounts["custom_due"])
    assert await window.create_link() is None
    retry = find(window, "createRetryButton", QPushButton)
    assert retry.isVisible() and "req_" in find(window, "createErrorDetails", QLabel).text()
    retry.click()
    await wait_until(lambda: len(window.links.cards()) == 1)
    assert transport.posts() == [ACCOUNT_LINKS, ACCOUNT_LINKS]
    first, second = transport.keys
    assert first and second and first != second
    assert window.flow.last_attempt[2] == second
    assert window.links.cards()[0].state is LinkState.ACTIVE


def test_which_errors_keep_the_idempotency_key():
    answered = dict(http_status=500, request_id="req_123")
    assert reuses_idempotency_key(APIConnectionError("connection reset"))
    assert reuses_idempotency_key(APITimeoutError("no answer in time"))
    assert reuses_idempotency_key(APIError("a proxy's 502 page", http_status=502))  # Stripe may have run it
    assert reuses_idempotency_key(APIError("unreadable body", http_status=200, request_id="req_1"))
    assert not reuses_idempotency_key(APIError("Stripe's 500", **answered))
    assert not reuses_idempotency_key(RateLimitError("slow down", http_status=429, request_id="req_2"))
    assert not reuses_idempotency_key(InvalidRequestError("bad", http_status=400, request_id="req_3"))
    assert not reuses_idempotency_key(AuthenticationError("no", http_status=401, request_id="req_4"))
    assert not reuses_idempotency_key(None)


async def test_escape_cancels_the_request_in_flight(window, accounts, sandbox, transport, services):
    sandbox.inject_fault("timeout", delay=30, path=ACCOUNT_LINKS)
    find(window, "accountInput").setText(accounts["custom_due"])
    window.activateWindow()
    task = asyncio.ensure_future(window.create_link())
    await wait_until(lambda: transport.posts() == [ACCOUNT_LINKS])
    create, cancel = find(window, "createButton", QPushButton), find(window, "cancelButton", QPushButton)
    assert not create.isEnabled() and cancel.isVisible()
    window.actions_by_name["createAction"].trigger()  # Ctrl+Enter while busy: ignored
    find(window, "accountInput").setFocus()
    from pytestqt.qtbot import QtBot

    QtBot.keyClick(find(window, "accountInput"), Qt.Key.Key_Escape)
    assert await asyncio.wait_for(task, 5) is None
    assert window.links.cards() == [] and create.isEnabled() and not cancel.isVisible()
    assert transport.posts() == [ACCOUNT_LINKS]
    entry = services.history.query()[0]
    assert entry.outcome == "failed" and entry.error_code == "cancelled"


async def test_cancel_button_cancels_a_slow_lookup(window, accounts, sandbox, transport):
    sandbox.inject_fault("timeout", delay=30)
    find(window, "accountInput").setText(accounts["custom_due"])
    task = asyncio.ensure_future(window.lookup_account())
    await wait_until(lambda: len(transport.requests) == 1)
    find(window, "lookupCancelButton", QPushButton).click()
    assert await asyncio.wait_for(task, 5) is None
    assert find(window, "lookupButton", QPushButton).isEnabled()
    assert not find(window, "accountSummary").isVisible()


async def test_a_refused_link_type_is_explained_in_plain_words_at_the_field(window, accounts):
    find(window, "typeSelector", QComboBox).setCurrentIndex(1)
    assert await window.flow.create(_request(accounts["express_new"], "account_update")) is None
    error = find(window, "typeError", QLabel)
    assert error.text()
    assert "`" not in error.text() and "account_update" not in error.text()
    assert error.toolTip().startswith("Stripe: ") and "account_update" in error.toolTip()  # Stripe's words
    find(window, "typeSelector", QComboBox).setCurrentIndex(0)
    assert not error.isVisible() and error.toolTip() == ""


async def test_tab_reaches_the_newest_card_first(window, accounts):
    older = await _create(window, accounts["custom_due"])
    newer = await _create(window, accounts["express_new"])
    stops, widget = [], find(window, "mainTabs").tabBar()
    for _ in range(400):
        widget = widget.nextInFocusChain()
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.objectName() == "copyButton":
            stops.append(widget)
    assert stops[:2] == [find(newer, "copyButton"), find(older, "copyButton")]
    assert not find(window, "linkList").focusPolicy() & Qt.FocusPolicy.TabFocus


async def test_a_field_error_names_its_field_for_screen_readers(window, accounts):
    find(window, "accountInput").setText(accounts["custom_due"])
    find(window, "refreshUrlInput", QLineEdit).setText("example.com/reauth")
    assert await window.create_link() is None
    error = find(window, "refreshUrlError", QLabel)
    assert error.accessibleName().startswith("Error in Refresh URL: ") and error.text() in error.accessibleName()
