"""A link card counts down on the monotonic clock, changes state, and acts on the link."""

from __future__ import annotations

from datetime import datetime

import pytest
import zxingcpp
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QAbstractButton, QLabel, QPushButton, QWidget

from app.clock import FakeClock
from app.countdown import LinkState
from app.stripe.models import AccountLink
from app.ui.links.card import LinkCard
from app.ui.links.clipboard import CLEARED_MESSAGE, ClipboardGuard
from app.ui.links.qr import QrWidget

URL = "https://connect.stripe.com/setup/c/acct_1LdCustomDue0001/Xy7kPq2mZr9T"
CREATED = 1_767_225_600


def decode(widget: QWidget) -> list[str]:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    return [b.text for b in zxingcpp.read_barcodes(image)]


def make_link(clock: FakeClock, ttl: int = 300, url: str = URL) -> AccountLink:
    return AccountLink(url=url, created=CREATED, expires_at=CREATED + ttl, request_id="req_test",
                       received_monotonic=clock.monotonic())


@pytest.fixture
def env(qtbot):
    QGuiApplication.clipboard().clear()
    clock = FakeClock(wall=CREATED + 1.0)
    guard = ClipboardGuard(QGuiApplication.clipboard(), clock)
    opened: list[QUrl] = []
    hosts: list[QWidget] = []  # qtbot holds widgets weakly; keep the windows alive

    def build(link: AccountLink | None = None, width: int = 760) -> LinkCard:
        # Hosted in a plain window, as in the app: a card is never a top-level window itself.
        host = QWidget()
        hosts.append(host)
        qtbot.addWidget(host)
        card = LinkCard(
            link or make_link(clock), account_name="Harbor Street Bakery", account_id="acct_1LdCustomDue0001",
            link_type="account_update", clock=clock, clipboard_guard=guard,
            open_url=lambda url: opened.append(url) or True, parent=host,
        )
        host.resize(1000, 400)
        card.setGeometry(0, 0, width, card.sizeHint().height())
        host.show()
        qtbot.waitExposed(host)
        return card

    yield clock, guard, opened, build
    guard.stop()
    guard.deleteLater()
    QGuiApplication.clipboard().clear()


def child(card: QWidget, cls, name: str):
    widget = card.findChild(cls, name)
    assert widget is not None, name
    return widget


def countdown(card: LinkCard) -> str:
    return child(card, QLabel, "linkCountdown").text()


def test_active_then_warning_at_sixty_seconds_then_expired_once(env):
    clock, _, _, build = env
    card = build()
    expired: list[bool] = []
    card.expired.connect(lambda: expired.append(True))
    timer = card.findChild(QTimer)
    assert card.state is LinkState.ACTIVE and countdown(card) == "Open within 5:00"
    assert timer.isActive() and timer.interval() <= 500

    clock.advance(239.5)
    card.tick()
    assert card.state is LinkState.ACTIVE and countdown(card) == "Open within 1:01"
    clock.advance(0.5)
    card.tick()
    assert card.state is LinkState.WARNING
    assert countdown(card) == "⚠ Open within 1:00"

    clock.advance(59.9)
    card.tick()
    assert countdown(card) == "⚠ Open within 0:01" and expired == []
    clock.advance(0.1)
    card.tick()
    assert card.state is LinkState.EXPIRED and countdown(card) == "Expired"
    assert expired == [True]
    assert not timer.isActive()
    clock.advance(10)
    card.tick()
    assert expired == [True]


def test_warning_colour_differs_from_active(env):
    clock, _, _, build = env
    card = build()
    label = child(card, QLabel, "linkCountdown")
    active = label.palette().color(label.foregroundRole())
    clock.advance(250)
    card.tick()
    assert label.palette().color(label.foregroundRole()) != active


def test_wall_clock_hours_wrong_changes_nothing(env):
    clock, _, _, build = env
    card = build()
    times = child(card, QLabel, "linkTimes").text()
    clock.advance(100)
    card.tick()
    before = (card.state, countdown(card))
    for wall in (clock.time() + 5 * 3600, clock.time() - 9 * 3600, 0.0):
        clock.set_wall(wall)
        card.tick()
        assert (card.state, countdown(card)) == before == (LinkState.ACTIVE, "Open within 3:20")
    assert child(card, QLabel, "linkTimes").text() == times


def hms(unix: float) -> str:
    return datetime.fromtimestamp(unix).strftime("%H:%M:%S")


@pytest.mark.parametrize("offset", [3 * 3600, -5 * 3600 - 17])
def test_both_times_on_this_machines_clock_stripes_in_the_tooltip(env, offset):
    clock, _, _, build = env
    link = make_link(clock)  # received now; Stripe stamped it CREATED on its own clock
    clock.set_wall(CREATED + offset)  # this machine's clock is hours away from Stripe's
    clock.advance(40)  # the card is built 40 s after the answer arrived
    card = build(link)
    times = child(card, QLabel, "linkTimes")
    arrived = CREATED + offset  # on this machine's clock
    assert times.text() == f"Created {hms(arrived)}  ·  Expires {hms(arrived + 300)}"
    tip = times.toolTip()
    assert "this computer's clock" in tip
    assert f"Stripe's own clock: created {hms(CREATED)}, expires {hms(CREATED + 300)}" in tip


def test_buttons_per_state(env):
    clock, _, _, build = env
    card = build()
    copy, open_, present, regen = (
        child(card, QPushButton, n) for n in ("copyButton", "openButton", "presentButton", "regenerateButton"))
    for state_advance in (0, 250):
        clock.advance(state_advance)
        card.tick()
        assert all(b.isEnabled() for b in (copy, open_, present, regen))
        assert regen.isVisible()
        assert card.findChild(QPushButton, "newLinkButton") is None  # built only when it expires
    clock.advance(60)
    card.tick()
    new = child(card, QPushButton, "newLinkButton")
    assert not any(b.isEnabled() for b in (copy, open_, present))
    assert new.isVisible() and new.isEnabled() and not regen.isVisible()
    assert not child(card, QLabel, "linkUrl").isEnabled()


def test_copy_gives_the_full_url_and_guard_clears_it_at_expiry(env, qtbot):
    clock, guard, _, build = env
    card = build(width=380)
    url_label = child(card, QLabel, "linkUrl")
    assert url_label.text() != URL and "…" in url_label.text()
    assert card.full_url == URL
    status: list[str] = []
    cleared: list[str] = []
    card.statusMessage.connect(status.append)
    guard.cleared.connect(cleared.append)
    qtbot.mouseClick(child(card, QPushButton, "copyButton"), Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == URL
    assert status and "copied" in status[0].lower()
    clock.advance(299)
    card.tick()
    assert QGuiApplication.clipboard().text() == URL
    clock.advance(1)
    card.tick()
    assert QGuiApplication.clipboard().text() == ""
    assert cleared == [CLEARED_MESSAGE]


def test_the_copy_button_itself_says_copied_for_two_seconds(env, qtbot):
    clock, _, _, build = env
    card = build()
    button = child(card, QPushButton, "copyButton")
    assert button.text() == "Copy link" and button.accessibleDescription() == ""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert button.text() == "Copied ✓"
    assert button.accessibleDescription() == "Copied: the link is on the clipboard"
    # Its size is fixed, room for both words: nothing beside it moves, the card is not laid out again.
    assert button.minimumSize() == button.maximumSize() and button.width() >= button.sizeHint().width()
    clock.advance(1.9)
    card.tick()
    assert button.text() == "Copied ✓"
    clock.advance(0.1)
    card.tick()
    assert (button.text(), button.accessibleDescription()) == ("Copy link", "")
    assert QGuiApplication.clipboard().text() == URL  # only the button's words went back


def test_url_label_elides_only_when_narrow(env):
    _, _, _, build = env
    wide = build(width=900)
    assert child(wide, QLabel, "linkUrl").text() == URL
    wide.resize(400, wide.height())
    shown = child(wide, QLabel, "linkUrl").text()
    assert "…" in shown and shown.startswith("https://") and shown.endswith(URL[-4:])
    assert (child(wide, QLabel, "linkUrl").textInteractionFlags()
            & Qt.TextInteractionFlag.TextSelectableByMouse)


def test_open_in_browser_uses_the_injected_opener(env, qtbot):
    clock, _, opened, build = env
    card = build()
    qtbot.mouseClick(child(card, QPushButton, "openButton"), Qt.MouseButton.LeftButton)
    assert opened == [QUrl(URL)]
    clock.advance(300)
    card.tick()
    card.open()  # refused once expired, even if called directly
    assert opened == [QUrl(URL)]


def test_regenerate_new_link_and_present_signals(env, qtbot):
    clock, _, _, build = env
    card = build()
    with qtbot.waitSignal(card.presentRequested, timeout=100):
        qtbot.mouseClick(child(card, QPushButton, "presentButton"), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(card.regenerateRequested, timeout=100):
        qtbot.mouseClick(child(card, QPushButton, "regenerateButton"), Qt.MouseButton.LeftButton)
    clock.advance(301)
    card.tick()
    with qtbot.waitSignal(card.regenerateRequested, timeout=100):
        qtbot.mouseClick(child(card, QPushButton, "newLinkButton"), Qt.MouseButton.LeftButton)


def test_qr_scans_until_expiry(env):
    clock, _, _, build = env
    card = build()
    qr = child(card, QrWidget, "linkQr")
    assert decode(qr) == [URL]
    clock.advance(300)
    card.tick()
    assert decode(qr) == []


def test_already_expired_link_starts_expired_without_timer(env):
    clock, _, _, build = env
    link = make_link(clock)
    clock.advance(1000)
    card = build(link)
    assert card.state is LinkState.EXPIRED and countdown(card) == "Expired"
    assert not card.findChild(QTimer).isActive()
    assert card.link is link


def test_every_control_has_an_accessible_name_and_takes_keyboard_focus(env):
    _, _, _, build = env
    card = build()
    controls = card.findChildren(QAbstractButton) + [child(card, QrWidget, "linkQr"),
                                                      child(card, QLabel, "linkUrl"),
                                                      child(card, QLabel, "linkCountdown")]
    assert len(controls) == 7
    for control in controls:
        assert control.accessibleName(), control.objectName()
    for button in card.findChildren(QAbstractButton):
        # each button says which account it acts on
        assert "Harbor Street Bakery" in button.accessibleName(), button.objectName()
        if button.objectName() != "newLinkButton":  # (shown on an expired card: no Tab stop)
            assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
    countdown_label = child(card, QLabel, "linkCountdown")
    assert countdown_label.focusPolicy() & Qt.FocusPolicy.TabFocus  # reachable with Tab


def test_an_expired_card_offers_only_a_new_link_and_says_when_it_expired(env):
    clock, _, _, build = env
    card = build()
    times = child(card, QLabel, "linkTimes")
    assert "Expires" in times.text()
    clock.advance(300)
    card.tick()
    for name in ("copyButton", "openButton", "presentButton", "regenerateButton"):
        assert not child(card, QPushButton, name).isVisible(), name
    assert child(card, QPushButton, "newLinkButton").isVisible()
    assert "Expired " in times.text() and "Expires" not in times.text()


def test_an_expired_card_collapses_to_one_line_that_says_when(env):
    clock, _, _, build = env
    card = build()
    live_height = card.heightForWidth(760)
    expires = hms(clock.time() + 300)
    clock.advance(300)
    card.tick()
    assert card.is_collapsed()
    shown = [label.text() for label in card.findChildren(QLabel) if label.isVisible()]
    assert sum(text.lower().count("expired") for text in shown) == 1, shown  # said once
    line = [child(card, QLabel, name).text() for name in
            ("linkExpiredName", "linkExpiredId", "linkExpiredType", "linkExpiredSummary")]
    assert line == ["Harbor Street Bakery", "acct_1LdCustomDue0001", "Update link", f"expired at {expires}"]
    qr = child(card, QrWidget, "linkQr")
    assert not qr.isVisible() and qr.isExpired()  # no empty square left behind
    assert card.heightForWidth(760) < live_height / 3  # one line, not a whole card
    # nothing on it is a Tab stop (the new-link button is still there to click)
    assert not [w for w in card.findChildren(QWidget)
                if w.isVisible() and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert child(card, QPushButton, "newLinkButton").isVisible()
    assert "expired" in child(card, QLabel, "linkCountdown").accessibleName()


def test_the_cards_qr_image_copy_is_guarded_with_the_links_deadline(env):
    clock, guard, _, build = env
    card = build()
    status: list[str] = []
    card.statusMessage.connect(status.append)
    qr = child(card, QrWidget, "linkQr")
    copy = {a.text(): a for a in qr.build_menu().actions()}["Copy QR image"]
    assert copy.isEnabled()
    copy.trigger()
    board = QGuiApplication.clipboard()
    assert zxingcpp.read_barcodes(board.image().convertToFormat(QImage.Format.Format_Grayscale8))[0].text == URL
    assert guard.pending_kind == "image" and status and "copied" in status[-1]
    clock.advance(299)
    card.tick()
    assert not board.image().isNull()
    clock.advance(1)
    card.tick()  # the card's tick checks the guard
    assert board.image().isNull()


def test_a_narrow_card_puts_the_qr_code_under_the_text(env):
    _, _, _, build = env
    wide = build(width=760)
    assert not wide.is_stacked()
    assert wide.narrowest_width() <= 440  # fits the list of a 900 px window
    wide.setGeometry(0, 0, 430, wide.heightForWidth(430) if wide.hasHeightForWidth() else 600)
    assert wide.is_stacked()
    qr, buttons = child(wide, QrWidget, "linkQr"), child(wide, QPushButton, "regenerateButton")
    wide.resize(430, wide.sizeHint().height())
    wide.layout().activate()
    assert qr.geometry().top() > buttons.geometry().bottom()  # below the buttons, not beside them
    assert qr.geometry().right() <= wide.width() and buttons.geometry().right() <= wide.width()
    assert decode(qr) == [URL]
    wide.resize(760, wide.height())
    assert not wide.is_stacked()


def test_long_names_give_way_in_the_header_whole_in_the_tooltip(env):
    clock, guard, _, build = env
    card = build(width=430)
    name, account = child(card, QLabel, "linkAccountName"), child(card, QLabel, "linkAccountId")
    card.layout().activate()
    assert name.toolTip() == "Harbor Street Bakery" and account.toolTip() == "acct_1LdCustomDue0001"
    assert name.text() == "Harbor Street Bakery"
    assert account.text() == "acct_1LdCustomDue0001"  # the id is never cut
    kind = child(card, QLabel, "linkType")
    for widget in (name, account, kind):  # the header wraps instead of running out of the card
        assert widget.geometry().right() < card.width(), widget.objectName()
    card.resize(300, card.heightForWidth(300))
    card.layout().activate()
    assert account.text() == "acct_1LdCustomDue0001"
    assert account.geometry().right() < card.width() and kind.geometry().right() < card.width()


def test_the_countdown_is_announced_each_minute_not_each_second(env):
    clock, _, _, build = env
    card = build()
    label = child(card, QLabel, "linkCountdown")
    names = []
    for _ in range(130):
        clock.advance(1)
        card.tick()
        if not names or names[-1] != label.accessibleName():
            names.append(label.accessibleName())
    assert names[0] == "About 5 minutes left on the link for Harbor Street Bakery"
    assert names[1:] == ["About 4 minutes left on the link for Harbor Street Bakery",
                         "About 3 minutes left on the link for Harbor Street Bakery"]
    clock.advance(170)
    card.tick()
    assert label.accessibleName() == "The link for Harbor Street Bakery has expired"


# -- Copy on an expired card never puts the dead URL on the clipboard (issue 18) -----------------
def test_copy_on_a_card_ticked_to_expired_leaves_the_clipboard_alone(env, qtbot):
    clock, guard, _, build = env
    card = build()
    QGuiApplication.clipboard().setText("the operator's own text")
    clock.advance(300)
    card.tick()
    card.copy()  # called directly: the button is hidden, a shortcut or a script may still call it
    assert QGuiApplication.clipboard().text() == "the operator's own text"
    assert not guard.pending


def test_copy_after_expiry_before_the_card_ticked_leaves_the_clipboard_alone(env, qtbot):
    """The card's timer ticks every 500 ms: Copy in between must judge by the clock, not by the
    state of the last tick."""
    clock, guard, _, build = env
    card = build()
    QGuiApplication.clipboard().setText("the operator's own text")
    clock.advance(300.2)  # expired, and no tick has run since
    qtbot.mouseClick(child(card, QPushButton, "copyButton"), Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "the operator's own text"
    assert not guard.pending
    assert card.state is LinkState.EXPIRED  # and the card now says so


def test_copy_qr_image_after_expiry_before_the_card_ticked_copies_nothing(env):
    clock, guard, _, build = env
    card = build()
    QGuiApplication.clipboard().setText("the operator's own text")
    clock.advance(300.2)
    child(card, QrWidget, "linkQr").copy_image()
    assert QGuiApplication.clipboard().text() == "the operator's own text"
    assert not QGuiApplication.clipboard().mimeData().hasImage()
    assert not guard.pending


def test_the_guard_refuses_a_copy_whose_deadline_has_passed(env):
    clock, guard, _, _build = env
    QGuiApplication.clipboard().setText("the operator's own text")
    assert guard.copy_link(URL, clock.monotonic() - 0.1) is False
    assert QGuiApplication.clipboard().text() == "the operator's own text"
    assert guard.copy_link(URL, clock.monotonic() + 10) is True
    assert QGuiApplication.clipboard().text() == URL
