"""Present mode from a card, its auto-refresh limit, the QR code itself, and the History wiring."""

from __future__ import annotations

import asyncio

import zxingcpp
from mainwindow_helpers import find, look_up, wait_until
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPushButton

from app.countdown import LinkState
from app.history.entry import HistoryEntry
from app.stripe.validation import LinkRequest


def decode(widget) -> list[str]:
    """Decode a grab of ``widget`` (zxing-cpp reads grey images; not premultiplied ARGB)."""
    grey = widget.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    return [r.text for r in zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)]


async def _create(window, account_id: str):
    find(window, "accountInput").setText(account_id)
    card = await window.create_link()
    assert card is not None, window.banner.message.text()
    return card


async def test_the_cards_qr_code_decodes_to_the_link(window, accounts):
    card = await _create(window, accounts["custom_due"])
    assert decode(find(card, "linkQr")) == [card.link.url]


async def test_present_opens_full_screen_and_refreshes_up_to_the_limit(qtbot, window, accounts, clock, services):
    await look_up(window, accounts["custom_due"])
    card = await _create(window, accounts["custom_due"])
    find(card, "presentButton", QPushButton).click()
    present = window.flow.present_window
    assert present is not None and present.objectName() == "presentWindow" and present.isVisible()
    assert find(present, "presentAccountName", QLabel).text() == "Harbor Street Bakery"
    assert decode(find(present, "presentQr")) == [card.link.url]

    find(present, "autoRefreshCheck", QCheckBox).setChecked(True)
    replaced = []
    present.linkReplaced.connect(replaced.append)
    urls = {card.link.url}
    for _ in range(6):
        clock.advance(301)
        present.tick()
        assert present.refresh_task is not None
        await present.refresh_task
        assert present.state is LinkState.ACTIVE and present.link.url not in urls
        urls.add(present.link.url)
    assert len(replaced) == 6
    # every refresh was recorded and got its card, newest first
    assert [c.link.url for c in window.links.cards()][0] == present.link.url
    assert len(window.links.cards()) == 7 and services.history.count() == 7
    clock.advance(301)
    present.tick()
    assert present.refresh_task is None and present.refresh_count == 6
    assert "stopped after 6 new links" in find(present, "presentMessage", QLabel).text()
    window.present_newest_link()  # F5 with no active link: nothing opens, the status says why
    assert "No active link" in window.statusBar().currentMessage()

    # the operator can still show a new code by hand, without leaving present mode
    new_code = find(present, "presentNewLinkButton", QPushButton)
    assert not new_code.isHidden() and not new_code.isVisible()  # offered, but out of the seller's sight
    qtbot.keyClick(present, Qt.Key.Key_Shift)  # the operator touches a key
    assert new_code.isVisible()
    new_code.click()
    await present.refresh_task
    assert present.state is LinkState.ACTIVE and not new_code.isVisible()
    assert len(window.links.cards()) == 8 and services.history.count() == 8



async def test_present_mode_tells_the_seller_what_the_page_is_and_hides_the_controls(window, accounts):
    card = await _create(window, accounts["custom_due"])
    present = window.flow.present(card)
    assert present is not None and present.isVisible()
    assert find(present, "presentHost", QLabel).text() == "The page opens on connect.stripe.com"
    assert find(present, "presentInstruction", QLabel).text() == "Scan with your phone's camera"
    assert find(present, "presentCountdown", QLabel).text() == "Open within 5:00"
    assert not present.controls.shown and not find(present, "presentCloseButton", QPushButton).isVisible()
    present.close()


async def test_present_mode_names_the_sandbox_as_the_platform(window, accounts):
    card = await _create(window, accounts["custom_due"])
    present = window.flow.present(card)
    try:
        assert find(present, "presentPlatform", QLabel).text() == "Sandbox"
    finally:
        present.close()


async def test_closing_the_window_closes_present_mode_and_cancels_its_refresh(window, accounts, clock, sandbox):
    card = await _create(window, accounts["custom_due"])
    present = window.flow.present(card)
    find(present, "autoRefreshCheck", QCheckBox).setChecked(True)
    sandbox.inject_fault("timeout", delay=30, path="/v1/account_links")
    clock.advance(301)
    present.tick()
    refresh = present.refresh_task
    assert refresh is not None
    closed = []
    present.closed.connect(lambda: closed.append(True))
    await asyncio.sleep(0.05)  # the refresh request reaches the (stalled) sandbox
    window.close()
    await window.shutdown()
    assert refresh.cancelled() and closed == [True] and window.flow.present_window is None
    assert len(window.links.cards()) == 1


async def test_reopen_shows_the_card_of_this_session(window, accounts, services):
    card = await _create(window, accounts["custom_due"])
    entry = services.history.query()[0]
    window.history_panel.reopenRequested.emit(entry)
    assert window.links.cards() == [card]  # no second card
    assert window.tabs.currentWidget() is window.links


async def test_reopen_a_stored_link_from_an_earlier_session(window, accounts, services, clock):
    link = await services.client.create_account_link(LinkRequest(
        accounts["express_new"], "account_onboarding", "https://example.com/r", "https://example.com/b"))
    request = LinkRequest(accounts["express_new"], "account_onboarding", "https://example.com/r",
                          "https://example.com/b")
    entry = services.history.record(HistoryEntry.for_link(request, link, clock=clock, mode="test",
                                                          profile="sandbox"))
    clock.advance(100)
    window.show_history()
    window.history_panel.reopenRequested.emit(entry)
    [card] = window.links.cards()
    assert card.link.url == link.url
    assert find(card, "linkCountdown", QLabel).text() == "Open within 3:20"
    clock.advance(201)
    expired = services.history.get(entry.id)
    window.history_panel.reopenRequested.emit(expired)  # the same card again, not a new one
    assert len(window.links.cards()) == 1


async def test_reopen_an_expired_entry_shows_no_card(window, accounts, services, clock):
    link = await services.client.create_account_link(LinkRequest(
        accounts["express_new"], "account_onboarding", "https://example.com/r", "https://example.com/b"))
    request = LinkRequest(accounts["express_new"], "account_onboarding", "https://example.com/r",
                          "https://example.com/b")
    entry = services.history.record(HistoryEntry.for_link(request, link, clock=clock, mode="test"))
    clock.advance(400)
    window.history_panel.reopenRequested.emit(entry)
    assert window.links.cards() == []
    assert "expired" in window.statusBar().currentMessage()


async def test_create_again_fills_the_form_and_looks_the_account_up(window, accounts, services, clock):
    request = LinkRequest(accounts["custom_due"], "account_update", "https://example.com/again",
                          "https://example.com/back", "eventually_due", "include")
    entry = services.history.record(HistoryEntry.for_failure(
        request, RuntimeError("boom"), clock=clock, mode="test"))
    window.history_panel.createAgainRequested.emit(entry)
    assert find(window, "accountInput", QLineEdit).text() == accounts["custom_due"]
    assert find(window, "typeSelector", QComboBox).currentData() == "account_update"
    assert find(window, "refreshUrlInput", QLineEdit).text() == "https://example.com/again"
    assert find(window, "returnUrlInput", QLineEdit).text() == "https://example.com/back"
    assert find(window, "fieldsSelector", QComboBox).currentData() == "eventually_due"
    assert find(window, "futureRequirementsSelector", QComboBox).currentData() == "include"
    await wait_until(lambda: window.account_panel.account is not None)
    assert "Harbor Street Bakery" in window.account_panel.summary.text()
    card = await window.create_link()
    assert card is not None and card.link_type == "account_update"
    assert services.history.query()[0].future_requirements == "include"


async def test_present_on_menu_lists_screens_and_remembers_the_choice(window, accounts, settings):
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QMenu

    from app.ui.links.screens import AUTOMATIC_LABEL, PRESENT_SCREEN_KEY, screen_key

    screen = QGuiApplication.primaryScreen()
    menu = find(window, "presentScreenMenu", QMenu)
    link_menu = window.actions_by_name["presentNewestAction"].associatedObjects()[0]
    assert menu.menuAction() in link_menu.actions()  # Link → Present on
    menu.aboutToShow.emit()  # (re)lists the screens connected now
    actions = menu.actions()
    assert [a.text() for a in actions][0] == AUTOMATIC_LABEL and actions[0].isChecked()
    assert [a.data() for a in actions[1:]] == [screen_key(s) for s in QGuiApplication.screens()]
    assert "(primary)" in actions[1].text() and f"{screen.geometry().width()}×" in actions[1].text()

    actions[1].trigger()
    assert settings.value(PRESENT_SCREEN_KEY) == screen_key(screen) != ""
    assert window.flow.present_screen() is screen
    card = await _create(window, accounts["custom_due"])
    present = window.flow.present(card)
    assert present.target_screen is screen
    menu.aboutToShow.emit()
    assert [a.isChecked() for a in menu.actions()][:2] == [False, True]

    settings.setValue(PRESENT_SCREEN_KEY, "HDMI-9")  # remembered, but not connected now
    assert window.flow.present_screen() is QGuiApplication.primaryScreen()  # automatic meanwhile
    menu.aboutToShow.emit()
    last = menu.actions()[-1]
    assert last.text().startswith("HDMI-9") and last.isChecked() and not last.isEnabled()
    menu.actions()[0].trigger()
    assert settings.value(PRESENT_SCREEN_KEY) == ""


async def test_a_copied_qr_image_is_cleared_at_expiry_and_at_shutdown(window, accounts, clock, clipboard):
    first = await _create(window, accounts["custom_due"])
    find(first, "linkQr").copy_image()
    assert decode_image(clipboard.image()) == [first.link.url]
    clock.advance(300)
    first.tick()
    assert clipboard.image().isNull()
    assert "cleared from the clipboard" in window.statusBar().currentMessage()

    second = await _create(window, accounts["custom_due"])
    present = window.flow.present(second)
    find(present, "presentQr").copy_image()  # from present mode, through the same guard
    assert decode_image(clipboard.image()) == [second.link.url]
    window.close()
    await window.shutdown()
    assert clipboard.image().isNull()  # a live link does not outlive the app on the clipboard


def decode_image(image) -> list[str]:
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    return [r.text for r in zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)]
