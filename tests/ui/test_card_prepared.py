"""A link's card is built while Stripe answers and bound to the link once it arrives; what
makes adding and ticking cards cheap keeps them looking and behaving the same."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from mainwindow_helpers import find, wait_until
from PySide6.QtCore import QCoreApplication, QEvent, QRect, QRectF, QSettings
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPen
from PySide6.QtWidgets import QApplication, QLabel

from app.clock import FakeClock
from app.countdown import LinkState
from app.stripe.models import AccountLink
from app.stripe.validation import LinkRequest
from app.ui.links.card import LinkCard
from app.ui.links.card_paint import paint_panel
from app.ui.links.clipboard import ClipboardGuard

ACCOUNT_LINKS = "/v1/account_links"
CREATED = 1_767_225_600


def stray_cards(window) -> list[LinkCard]:
    """Cards alive but in no list: prepared for a link that never came, and not discarded."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    shown = set(window.links.cards())
    return [w for w in QApplication.allWidgets() if isinstance(w, LinkCard) and w not in shown]


async def test_the_card_is_built_while_stripe_answers_and_discarded_on_cancel(window, accounts, sandbox, transport):
    sandbox.inject_fault("timeout", delay=30, path=ACCOUNT_LINKS)
    find(window, "accountInput").setText(accounts["custom_due"])
    task = asyncio.ensure_future(window.create_link())
    await wait_until(lambda: transport.posts() == [ACCOUNT_LINKS])
    await wait_until(lambda: len(stray_cards(window)) == 1)  # built while the request is out
    [prepared] = stray_cards(window)
    assert prepared.account_id == accounts["custom_due"] and not prepared.isVisible()
    window.cancel_request()
    assert await asyncio.wait_for(task, 5) is None
    assert stray_cards(window) == [] and window.links.cards() == [] and window.flow.sources == {}


async def test_a_card_prepared_for_a_refused_link_is_discarded(window, accounts, sandbox):
    sandbox.inject_fault("500", path=ACCOUNT_LINKS, should_retry=False)
    find(window, "accountInput").setText(accounts["custom_due"])
    assert await window.create_link() is None
    assert stray_cards(window) == [] and window.flow.sources == {}
    card = await window.create_link()  # the next one is shown, bound to its link
    assert card is not None and window.links.cards() == [card] and card.full_url.startswith("https://")
    assert window.flow.sources[card].history_id is not None


def test_a_card_shows_one_link_only(qtbot):
    clock = FakeClock(wall=CREATED + 1.0)
    guard = ClipboardGuard(QGuiApplication.clipboard(), clock)
    card = LinkCard(None, account_name="Harbor Street Bakery", account_id="acct_1LdCustomDue0001",
                    link_type="account_onboarding", clock=clock, clipboard_guard=guard)
    qtbot.addWidget(card)
    card.tick()  # unbound: nothing to count down, nothing fails
    assert card.findChild(QLabel, "linkCountdown").text() == ""
    link = AccountLink(url="https://connect.stripe.com/setup/c/acct_1LdCustomDue0001/Xy7kPq2mZr9T",
                       created=CREATED, expires_at=CREATED + 300, received_monotonic=clock.monotonic())
    card.bind(link)
    assert card.state is LinkState.ACTIVE and card.full_url == link.url
    assert card.findChild(QLabel, "linkCountdown").text() == "Open within 5:00"
    with pytest.raises(RuntimeError):
        card.bind(link)
    guard.stop()


def test_the_countdown_never_resizes_and_its_longest_text_fits(qtbot):
    clock = FakeClock(wall=CREATED + 1.0)
    guard = ClipboardGuard(QGuiApplication.clipboard(), clock)
    link = AccountLink(url="https://connect.stripe.com/setup/c/acct_1LdCustomDue0001/Xy7kPq2mZr9T",
                       created=CREATED, expires_at=CREATED + 300, received_monotonic=clock.monotonic())
    card = LinkCard(link, account_name="Harbor Street Bakery", account_id="acct_1LdCustomDue0001",
                    link_type="account_onboarding", clock=clock, clipboard_guard=guard)
    qtbot.addWidget(card)
    card.resize(900, card.heightForWidth(900))
    card.show()
    label = card.findChild(QLabel, "linkCountdown")
    QCoreApplication.processEvents()
    sizes, relayouts = set(), []
    card.relaidOut.connect(lambda: relayouts.append(label.text()))
    for seconds in (0, 1, 2, 120, 245, 250, 299):
        clock.advance(seconds - (clock.monotonic() - link.received_monotonic))
        card.tick()
        QCoreApplication.processEvents()
        sizes.add((label.width(), label.height()))
        assert label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width(), label.text()
    assert len(sizes) == 1
    assert relayouts == []  # a new text each second lays nothing out, warning included
    clock.advance(2)
    card.tick()
    assert card.state is LinkState.EXPIRED
    guard.stop()


def test_the_cached_panel_looks_like_the_antialiased_one():
    fill, border = QColor(255, 255, 255), QColor(150, 150, 150)
    for dpr in (1.0, 2.0):
        images = []
        for draw in ("direct", "cached"):
            image = QImage(int(400 * dpr), int(120 * dpr), QImage.Format.Format_ARGB32_Premultiplied)
            image.setDevicePixelRatio(dpr)
            image.fill(QColor(40, 40, 40))
            painter = QPainter(image)
            if draw == "direct":
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                painter.setPen(QPen(border, 1))
                painter.setBrush(fill)
                painter.drawRoundedRect(QRectF(0, 0, 400, 120).adjusted(0.5, 0.5, -0.5, -0.5), 8, 8)
            else:
                paint_panel(painter, QRect(0, 0, 400, 120), 8, fill, border, dpr)
            painter.end()
            images.append(image)
        direct, cached = images
        worst, differing = 0, 0
        for y in range(direct.height()):
            for x in range(direct.width()):
                a, b = direct.pixelColor(x, y), cached.pixelColor(x, y)
                diff = max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue()))
                differing += diff > 0
                worst = max(worst, diff)
        # Only where a corner's arc meets a straight edge, by a few levels.
        assert differing <= 40 and worst <= 48, (dpr, differing, worst)


async def test_unchanged_urls_do_not_rewrite_the_settings_file(window, accounts):
    settings: QSettings = window.settings
    request = LinkRequest(account=accounts["custom_due"], type="account_onboarding",
                          refresh_url="https://example.com/r", return_url="https://example.com/b")
    window.flow.remember_urls(request)
    settings.sync()
    path = Path(settings.fileName())
    before = path.stat().st_mtime_ns, path.read_bytes()
    await asyncio.sleep(0.02)  # a rewrite would get a later modification time
    window.flow.remember_urls(request)
    settings.sync()
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
    window.flow.remember_urls(LinkRequest(account=accounts["custom_due"], type="account_onboarding",
                                          refresh_url="https://example.com/r2", return_url="https://example.com/b"))
    settings.sync()
    assert b"example.com/r2" in path.read_bytes()
