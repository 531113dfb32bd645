"""One live link per seller (issue 19): a new link for the same account and profile replaces the
older one (card, clipboard, present mode, history); a second live one only on purpose (Shift,
confirmed); and the account's name is kept on every link made from a card or from History."""

from __future__ import annotations

import time

import zxingcpp
from mainwindow_helpers import find, look_up, wait_until
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton

from app.history import HistoryQuery
from app.stripe.validation import LinkRequest
from app.ui.links.link_list import COPY_NEW_LINKS_KEY


async def _create(window, account_id: str):
    find(window, "accountInput").setText(account_id)
    card = await window.create_link()
    assert card is not None, window.banner.message.text()
    return card


def decode(widget) -> list[str]:
    grey = widget.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    return [r.text for r in zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)]


def _hhmm(wall: float) -> str:
    return time.strftime("%H:%M", time.localtime(wall))


def _replaced(card) -> bool:
    return card.findChild(QLabel, "linkReplacedNote") is not None


async def _regenerate(window, card, *, keep_others=None):
    return await window.flow.regenerate(card, keep_others=keep_others)


async def test_regenerate_replaces_the_older_card_clipboard_and_history(
        window, accounts, services, clock, clipboard, settings):
    settings.setValue(COPY_NEW_LINKS_KEY, "false")  # so the clipboard holds only what was copied by hand
    await look_up(window, accounts["custom_due"])
    old = await _create(window, accounts["custom_due"])
    find(old, "copyButton", QPushButton).click()
    assert clipboard.text() == old.link.url
    clock.advance(42)
    new = await _regenerate(window, old)
    assert new is not None and window.links.cards() == [new, old]
    # the old card says so, with the (fake) clock's time, and hands its link out no more
    note = find(old, "linkReplacedNote", QLabel)
    assert note.text() == f"Replaced at {_hhmm(clock.time())} by a new link" and note.isVisible()
    for name in ("copyButton", "openButton", "presentButton"):
        button = find(old, name, QPushButton)
        assert not button.isVisible() and not button.isEnabled()
    assert old._qr.modules == 0 and old._qr.isExpired() and old._qr.expiredText() == "Replaced"  # nothing to scan
    assert old.link.url not in find(old, "linkUrl").full_text
    assert clipboard.text() == ""  # the old URL left the clipboard
    # the new card is the one live link
    assert not _replaced(new) and find(new, "copyButton", QPushButton).isEnabled()
    assert window.links.live_count() == 1 and window.links.newest_active() is new
    clock.advance(10)
    old.tick()  # a replaced card stays replaced (its countdown does not bring Copy back)
    assert not find(old, "copyButton", QPushButton).isVisible()
    # nor does a call that gets past the hidden buttons (Ctrl+Shift+C's path, a script) hand it out
    opened: list[str] = []
    old._open_url = lambda url: opened.append(url.toString())
    old.copy()
    old.open()
    assert clipboard.text() == "" and opened == []
    # History: the older row says what replaced it
    old_id, new_id = window.flow.sources[old].history_id, window.flow.sources[new].history_id
    await wait_until(lambda: services.history.get(old_id).replaced_by == new_id)
    assert services.history.get(new_id).replaced_by is None


async def test_a_second_ctrl_enter_replaces_and_a_hand_copied_other_text_is_left_alone(
        window, accounts, clipboard, settings):
    settings.setValue(COPY_NEW_LINKS_KEY, "false")
    await look_up(window, accounts["custom_due"])
    first = await _create(window, accounts["custom_due"])
    clipboard.setText("the operator's own text")
    second = await _create(window, accounts["custom_due"])
    assert _replaced(first) and not _replaced(second)
    assert clipboard.text() == "the operator's own text"
    assert window.tabs.tabText(window.tabs.indexOf(window.links)) == "Links (1)"


async def test_other_accounts_cards_are_not_replaced(window, accounts):
    await look_up(window, accounts["custom_due"])
    harbor = await _create(window, accounts["custom_due"])
    await look_up(window, accounts["custom_eu"])
    brandt = await _create(window, accounts["custom_eu"])
    assert not _replaced(harbor) and not _replaced(brandt) and window.links.live_count() == 2


async def test_an_open_present_screen_switches_to_the_new_code(window, accounts):
    await look_up(window, accounts["custom_due"])
    old = await _create(window, accounts["custom_due"])
    find(old, "presentButton", QPushButton).click()
    present = window.flow.present_window
    assert present is not None and present.link is old.link
    new = await _regenerate(window, old)
    assert window.flow.present_window is present and present.isVisible()
    assert present.link is new.link and decode(find(present, "presentQr")) == [new.link.url]


def _dialog(window):
    box = window.findChild(QMessageBox, "secondLinkDialog")
    return box if box is not None and box.isVisible() else None


async def test_shift_keeps_both_live_only_after_a_confirmation_saying_why(qtbot, window, accounts, transport):
    await look_up(window, accounts["custom_due"])
    old = await _create(window, accounts["custom_due"])
    posts = len(transport.posts())
    # Shift+click on Regenerate asks first; "Don't create" sends nothing
    qtbot.mouseClick(find(old, "regenerateButton", QPushButton), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ShiftModifier)
    await wait_until(lambda: _dialog(window) is not None)
    qtbot.keyRelease(window, Qt.Key.Key_Shift)  # Shift let go (Qt's modifier state is the last event's)
    assert QGuiApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier
    box = _dialog(window)
    assert "older code" in box.informativeText() and "already be used" in box.informativeText()
    box.findChild(QPushButton, "confirmRejectButton").click()
    await wait_until(lambda: not window.tracker.pending)
    assert len(transport.posts()) == posts and window.links.cards() == [old] and not _replaced(old)
    # asked again and accepted: both stay live
    task = window.spawn(_regenerate(window, old, keep_others=True), "test")
    await wait_until(lambda: _dialog(window) is not None)
    _dialog(window).findChild(QPushButton, "confirmAcceptButton").click()
    second = await task
    assert second is not None and not _replaced(old) and not _replaced(second)
    assert window.links.live_count() == 2


async def test_a_new_link_from_an_expired_card_keeps_the_name_for_card_present_and_history(
        window, accounts, services, clock):
    account = await look_up(window, accounts["custom_due"])
    old = await _create(window, accounts["custom_due"])
    clock.advance(301)
    old.tick()
    await look_up(window, accounts["custom_eu"])  # the panel now shows another account
    find(old, "newLinkButton", QPushButton).click()
    await wait_until(lambda: len(window.links.cards()) == 2 and not window.tracker.pending)
    new = window.links.cards()[0]
    assert new.account_id == accounts["custom_due"] and new.account_name == "Harbor Street Bakery"
    entry = services.history.get(window.flow.sources[new].history_id)
    assert entry.account_name == "Harbor Street Bakery" and entry.account_email == account.email
    assert {e.id for e in services.history.query(HistoryQuery(text="harbor"))} >= {entry.id}
    find(new, "presentButton", QPushButton).click()
    present = window.flow.present_window
    assert find(present, "presentAccountName", QLabel).text() == "Harbor Street Bakery"
    # and a regenerate of that card, once more with another account in the panel
    newer = await _regenerate(window, new)
    assert newer.account_name == "Harbor Street Bakery"
    assert services.history.get(window.flow.sources[newer].history_id).account_name == "Harbor Street Bakery"


async def test_present_says_your_stripe_account_when_no_name_was_ever_known(window, accounts):
    request = LinkRequest(account=accounts["custom_due"], type="account_onboarding",
                          refresh_url="https://example.com/r", return_url="https://example.com/b")
    card = await window.flow.create(request)  # never looked up: only the id is known
    assert card is not None and card.account_name == accounts["custom_due"]
    find(card, "presentButton", QPushButton).click()
    present = window.flow.present_window
    texts = [label.text() for label in present.findChildren(QLabel) if label.isVisible()]
    assert find(present, "presentRequest", QLabel).text() == "asks you to complete your Stripe account"
    assert not find(present, "presentAccountName", QLabel).isVisible()
    assert not any(accounts["custom_due"] in text for text in texts)


async def test_shift_ctrl_enter_asks_before_a_second_live_link(window, accounts, transport):
    await look_up(window, accounts["custom_due"])
    old = await _create(window, accounts["custom_due"])
    action = window.actions_by_name["createAnotherAction"]
    assert "Ctrl+Shift+Return" in [key.toString() for key in action.shortcuts()]
    posts = len(transport.posts())
    action.trigger()
    await wait_until(lambda: _dialog(window) is not None)
    _dialog(window).findChild(QPushButton, "confirmAcceptButton").click()
    await wait_until(lambda: len(window.links.cards()) == 2 and not window.tracker.pending)
    assert len(transport.posts()) == posts + 1
    assert not _replaced(old) and window.links.live_count() == 2


async def test_a_replaced_link_of_an_earlier_session_is_not_reopened(window, accounts, services, clock):
    from app.history import HistoryEntry

    request = LinkRequest(accounts["custom_due"], "account_onboarding", "https://example.com/r", "https://example.com/b")
    rows = []
    for _ in range(2):
        link = await services.client.create_account_link(request)
        rows.append(services.history.record(HistoryEntry.for_link(request, link, clock=clock, mode="test",
                                                                  profile="sandbox")))
    services.history.set_replaced_by(rows[0].id, rows[1].id)
    window.show_history()
    window.history_panel.reopenRequested.emit(services.history.get(rows[0].id))
    assert window.links.cards() == []
    window.history_panel.reopenRequested.emit(services.history.get(rows[1].id))
    [card] = window.links.cards()
    assert card.link.url == rows[1].url
