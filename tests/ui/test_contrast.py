"""Every text reaches WCAG AA, in a light and a dark palette, measured on the widgets themselves.

The colours are read back from the widgets as they will be drawn (their palette in the colour
group they are in, or the model's foreground), and the background from the widget that paints
it (the window, a card's base, a table's rows). Nothing here copies a colour constant.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QTableView, QTreeWidget, QVBoxLayout, QWidget

from app.clock import FakeClock
from app.history import HistoryEntry
from app.stripe.models import Account, AccountLink
from app.ui.account.panel import AccountPanel
from app.ui.common import palette as pal
from app.ui.common.theme import accessible_palette, install_accessible_palette, rgb
from app.ui.common.widgets import FieldError, chip, muted
from app.ui.history.model import HistoryModel
from app.ui.links.card import LinkCard
from app.ui.links.clipboard import ClipboardGuard
from app.ui.links.present import PresentWindow

R = QPalette.ColorRole
G = QPalette.ColorGroup
CREATED = 1_767_225_600
URL = "https://connect.stripe.com/setup/c/acct_1Contrast0001/Contrast0001"

# A dark theme as a desktop might ship it, with greys too dim for AA (the fix must catch them).
DARK_ROLES = {
    R.Window: ("#202124", "#202124"), R.WindowText: ("#e8eaed", "#5f6368"),
    R.Base: ("#2a2b2e", "#242528"), R.AlternateBase: ("#303134", "#2a2b2e"),
    R.Text: ("#e8eaed", "#5f6368"), R.Button: ("#303134", "#28292c"),
    R.ButtonText: ("#e8eaed", "#80868b"), R.Highlight: ("#8ab4f8", "#4a5568"),
    R.HighlightedText: ("#202124", "#c4c7c5"), R.PlaceholderText: ("#5f6368", "#4a4d51"),
    R.Light: ("#4a4d51", "#3c4043"), R.Midlight: ("#3c4043", "#34363a"),
    R.Mid: ("#5f6368", "#46494d"), R.Dark: ("#17181a", "#17181a"),
}


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, (normal, disabled) in DARK_ROLES.items():
        palette.setColor(G.All, role, QColor(normal))
        palette.setColor(G.Disabled, role, QColor(disabled))
    return palette


def light_palette() -> QPalette:
    return QApplication.style().standardPalette()  # Fusion's: placeholder black at half alpha


@pytest.fixture(params=["light", "dark"])
def themed(request, qapp):
    """The application in a light or a dark palette, made accessible as the app does at start."""
    saved = QPalette(qapp.palette())
    qapp.setPalette(light_palette() if request.param == "light" else dark_palette())
    keeper = install_accessible_palette(qapp)
    yield request.param
    keeper.setParent(None)  # (deleted with its last reference: its connections go with it)
    del keeper
    qapp.setPalette(saved)


def drawn(widget: QWidget, role: QPalette.ColorRole | None = None) -> pal.RGB:
    """The colour ``widget`` draws its text in now (its group: disabled when disabled)."""
    group = G.Active if widget.isEnabled() else G.Disabled
    widget.ensurePolished()
    palette = widget.palette()
    colour = palette.color(group, role if role is not None else widget.foregroundRole())
    return rgb(colour, palette.color(group, R.Window))


def surface(widget: QWidget, role: QPalette.ColorRole = R.Window) -> pal.RGB:
    group = G.Active if widget.isEnabled() else G.Disabled
    return rgb(widget.palette().color(group, role))


def assert_readable(what: str, fg: pal.RGB, bg: pal.RGB, minimum: float = pal.AA_TEXT) -> None:
    ratio = pal.contrast_ratio(fg, bg)
    assert ratio >= minimum, f"{what}: {pal.to_hex(fg)} on {pal.to_hex(bg)} is {ratio:.2f}:1"


def host(qtbot, *widgets: QWidget) -> QWidget:
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    for widget in widgets:
        layout.addWidget(widget)
    window.show()
    return window


# -- the arithmetic -----------------------------------------------------------------------------
def test_contrast_ratio_matches_wcag_reference_values():
    assert pal.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert pal.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert pal.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the AA grey
    assert pal.contrast_ratio("#777777", "#ffffff") < 4.5
    assert pal.contrast_ratio((0, 0, 0), "#fff") == pal.contrast_ratio("#ffffff", (0, 0, 0))


def test_ensure_contrast_keeps_a_good_colour_and_moves_a_bad_one_just_far_enough():
    assert pal.ensure_contrast("#595959", ["#ffffff"], toward="#000000") == (0x59, 0x59, 0x59)
    fixed = pal.ensure_contrast("#bebebe", ["#efefef", "#ffffff"], toward="#000000")
    assert pal.worst_ratio(fixed, ["#efefef", "#ffffff"]) >= pal.AA_TEXT
    assert fixed[0] == fixed[1] == fixed[2] and fixed[0] > 0x50  # still a grey, not black


# -- the widgets --------------------------------------------------------------------------------
def test_the_palette_fix_leaves_fusion_far_under_aa_without_it(qapp):
    """The problem being fixed exists: Fusion's light greys are under AA before the fix."""
    raw = light_palette()
    placeholder = rgb(raw.color(G.Active, R.PlaceholderText), raw.color(G.Active, R.Window))
    assert pal.contrast_ratio(placeholder, rgb(raw.color(G.Active, R.Window))) < pal.AA_TEXT
    assert pal.contrast_ratio(rgb(raw.color(G.Disabled, R.WindowText)), rgb(raw.color(G.Active, R.Base))) < 2.0
    fixed = accessible_palette(raw)
    assert pal.contrast_ratio(rgb(fixed.color(G.Disabled, R.WindowText)), rgb(fixed.color(G.Active, R.Base))) >= 4.5


def test_muted_text_and_field_errors(qtbot, themed):
    note = muted(QLabel("Secondary"))
    error = FieldError(objectName="someError")
    error.setText("Refused")
    error.show()
    window = host(qtbot, note, error)
    assert_readable("muted", drawn(note), surface(window))
    assert_readable("field error", drawn(error), surface(window))
    assert drawn(error)[0] > drawn(error)[1]  # still red


def test_status_chips_enabled_and_greyed(qtbot, themed):
    good, bad = chip("Charges", "Charges enabled", True), chip("Payouts", "Payouts disabled", False)
    window = host(qtbot, good, bad)
    for label in (good, bad):
        tint = label.palette().color(R.Window)  # the style sheet's background-color
        for enabled in (True, False):
            label.setEnabled(enabled)
            bg = rgb(tint, window.palette().color(R.Window))
            assert_readable(f"chip {label.text()} enabled={enabled}", drawn(label), bg)


def test_link_card_secondary_warning_and_expired_url(qtbot, themed):
    clock = FakeClock(wall=CREATED + 1.0)
    link = AccountLink(url=URL, created=CREATED, expires_at=CREATED + 300, received_monotonic=clock.monotonic())
    guard = ClipboardGuard(QGuiApplication.clipboard(), clock)
    card = LinkCard(link, account_name="Harbor Street Bakery", account_id="acct_1Contrast0001",
                    link_type="account_onboarding", clock=clock, clipboard_guard=guard, open_url=lambda url: True)
    window = host(qtbot, card)
    base = surface(card, R.Base)  # the card paints its own base colour behind its labels
    for name in ("linkTimes", "linkAccountId", "linkUrl", "linkCountdown"):
        label = card.findChild(QLabel, name)
        assert label is not None, name
        assert_readable(name, drawn(label), base)
    clock.advance(250)
    card.tick()
    assert_readable("countdown, expiring soon", drawn(card.findChild(QLabel, "linkCountdown")), base)
    clock.advance(60)
    card.tick()
    # Expired: the card is one line (its URL and countdown are no longer shown), still readable.
    assert card.findChild(QLabel, "linkUrl").isHidden()
    for name in ("linkExpiredId", "linkExpiredType", "linkExpiredSummary"):
        label = card.findChild(QLabel, name)
        assert label is not None and not label.isHidden() and label.text(), name
        assert_readable(f"expired line: {name}", drawn(label), base)
    assert window.isVisible()
    guard.stop()


def test_stale_account_summary_is_greyed_but_readable(qtbot, themed):
    panel = AccountPanel()
    window = host(qtbot, panel)
    account = Account.from_api({
        "id": "acct_1Contrast0001", "type": "express", "business_profile": {"name": "Harbor Street Bakery"},
        "email": "owner@bakery.example", "country": "US",
        "requirements": {"currently_due": ["external_account"], "eventually_due": ["external_account"],
                         "past_due": [], "errors": []},
    })
    panel.show_account(account, now_wall=CREATED)
    panel.set_account_text("acct_1Another00002")
    summary = panel.findChild(QWidget, "accountSummary")
    assert summary is not None and not summary.isEnabled()  # greyed: it is about the previous account
    labels = [label for label in summary.findChildren(QLabel) if label.isVisibleTo(window) and label.text()]
    assert labels
    for label in labels:
        bg = surface(window)
        if label.objectName() == "statusChip":
            bg = rgb(label.palette().color(G.Disabled, R.Window), window.palette().color(R.Window))
        assert_readable(f"stale summary {label.objectName() or label.text()!r}", drawn(label), bg)
    for tree in summary.findChildren(QTreeWidget):
        if tree.isVisibleTo(window) and tree.topLevelItemCount():
            assert_readable("stale requirements", drawn(tree, R.Text), surface(tree, R.Base))


async def test_failed_in_history(qtbot, themed, history_worker, store, clock):
    store.record(HistoryEntry(
        account_id="acct_1Contrast0001", link_type="account_onboarding", mode="test",
        refresh_url="https://p.example/r", return_url="https://p.example/ok", attempted_at=clock.time(),
        account_name="Harbor Street Bakery", outcome="failed", error_code="account_invalid", error_message="No access",
    ))
    model = HistoryModel(history_worker, clock)
    try:
        model.set_query(model.query)
        await model.settled()
        view = QTableView()
        qtbot.addWidget(view)
        view.setModel(model)
        colour = model.data(model.index(0, HistoryModel.STATUS), Qt.ItemDataRole.ForegroundRole)
        assert isinstance(colour, QColor)
        for role in (R.Base, R.AlternateBase):
            assert_readable(f"Failed on {role.name}", rgb(colour), surface(view, role))
    finally:
        await model.aclose()


def test_present_mode_texts(qtbot, themed):
    clock = FakeClock(wall=CREATED + 1.0)
    link = AccountLink(url=URL, created=CREATED, expires_at=CREATED + 300, received_monotonic=clock.monotonic())
    window = PresentWindow(link, account_name="Harbor Street Bakery", platform_name="Sandbox", clock=clock)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    for state_advance in (0, 250, 60):
        clock.advance(state_advance)
        window.tick()
        labels = [label for label in window.findChildren(QLabel) if label.isVisible() and label.text()]
        assert len(labels) >= 5
        for label in labels:
            assert_readable(f"present {label.objectName()}", drawn(label), surface(window))


def test_the_palette_follows_a_switch_between_light_and_dark(qtbot, themed, qapp):
    """The system switches theme while the app runs: the fix is applied to the new palette."""
    note = muted(QLabel("Secondary"))
    window = host(qtbot, note)
    qapp.setPalette(dark_palette() if themed == "light" else light_palette())
    app_palette = QGuiApplication.palette()
    window_bg = rgb(app_palette.color(R.Window))
    assert_readable("placeholder after switch",
                    rgb(app_palette.color(G.Active, R.PlaceholderText), app_palette.color(R.Window)), window_bg)
    assert_readable("disabled after switch", rgb(app_palette.color(G.Disabled, R.WindowText)), window_bg)
    assert_readable("muted after switch", drawn(note), surface(window))


@pytest.mark.parametrize("key", ["sk_test_" + "a" * 24, "sk_live_" + "a" * 24, None])
def test_mode_badges(qtbot, themed, key):
    from app.services import Connection
    from app.stripe.keys import ApiKey
    from app.ui.shell.toolbar import ConnectionBar

    bar = ConnectionBar()
    qtbot.addWidget(bar)
    sandbox = object() if key is None else None
    connection = Connection(ApiKey(key or "sk_test_" + "b" * 24), "https://api.stripe.com",
                            "sandbox" if sandbox else "default", sandbox)  # type: ignore[arg-type]
    bar.show_connection(connection, None)
    bar.show()
    badge = bar.badge
    badge.ensurePolished()
    fg = rgb(badge.palette().color(badge.foregroundRole()))
    bg = rgb(badge.palette().color(badge.backgroundRole()))  # the style sheet's background-color
    assert_readable(f"{badge.text()} badge", fg, bg)
    assert_readable("connection", drawn(bar.connection), surface(bar))


def test_the_keyboard_focus_ring_is_2_px_and_aa_on_light_and_dark(qtbot, themed, qapp):
    from PySide6.QtWidgets import QLineEdit, QPushButton

    from app.ui.common.focus_ring import install_focus_ring

    keeper = install_focus_ring(qapp)  # as the app does at start
    assert install_focus_ring(qapp) is keeper

    button, field = QPushButton("Copy link"), QLineEdit()
    window = host(qtbot, button, field)
    window.resize(320, 120)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # focus (and its ring) follow the active window
    for target in (button, field):
        target.setFocus(Qt.FocusReason.TabFocusReason)
        assert QApplication.focusWidget() is target
        ring = window.findChild(QWidget, "focusRing")
        assert ring is not None and ring.isVisible()
        inner = ring.geometry().adjusted(2, 2, -2, -2)
        assert inner.contains(target.geometry())  # around the widget, not over it
        image = window.grab().toImage()
        middle = ring.geometry().center().y()
        left = ring.geometry().left()
        band = [rgb(image.pixelColor(left + dx, middle)) for dx in (0, 1)]
        assert band[0] == band[1], "a ring 2 px wide"
        for bg in (surface(window), surface(window, R.Base)):
            assert_readable(f"focus ring around {target.metaObject().className()}", band[0], bg)
    ring.setWidget(None)
    keeper.setParent(None)  # (the other tests run without it)
    del keeper
