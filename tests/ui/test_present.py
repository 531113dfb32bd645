"""Present mode: full-screen QR with countdown, Esc to leave, auto-refresh within a limit."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
import zxingcpp
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontInfo, QGuiApplication, QImage
from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QWidget

from app.clock import FakeClock
from app.countdown import LinkState
from app.stripe.errors import RateLimitError
from app.stripe.models import AccountLink
from app.ui.links.clipboard import ClipboardGuard
from app.ui.links.present import INSTRUCTION, PresentWindow, default_present_screen
from app.ui.links.qr import QrWidget

BASE = "https://connect.stripe.com/setup/c/acct_1LdCustomDue0001/"
URL = BASE + "Xy7kPq2mZr9T"
CREATED = 1_767_225_600


def make_link(clock: FakeClock, url: str = URL) -> AccountLink:
    return AccountLink(url=url, created=CREATED, expires_at=CREATED + 300, received_monotonic=clock.monotonic())


def decode(widget: QWidget) -> list[str]:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    return [b.text for b in zxingcpp.read_barcodes(image)]


class FakeRegenerate:
    """Counts calls; each returns a fresh link received 'now' on the fake clock."""

    def __init__(self, clock: FakeClock, gate: asyncio.Event | None = None, error: Exception | None = None):
        self.clock = clock
        self.gate = gate
        self.error = error
        self.calls = 0
        self.cancelled = False

    async def __call__(self) -> AccountLink:
        self.calls += 1
        try:
            if self.gate is not None:
                await self.gate.wait()
            else:
                await asyncio.sleep(0)
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        if self.error is not None:
            raise self.error
        return make_link(self.clock, f"{BASE}New{self.calls:09d}")


@pytest.fixture
def make_window(qtbot):
    windows: list[PresentWindow] = []

    def build(clock: FakeClock, regenerate=None, max_refreshes: int = 6, *, operated: bool = True,
              size: tuple[int, int] = (900, 700), **kwargs) -> PresentWindow:
        window = PresentWindow(make_link(clock), account_name="Harbor Street Bakery", clock=clock,
                               regenerate=regenerate, max_refreshes=max_refreshes, **kwargs)
        windows.append(window)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        if operated:  # the operator touches a key: the controls show (they hide when idle)
            qtbot.keyClick(window, Qt.Key.Key_Shift)
            assert window.controls.shown
        return window

    yield build  # pytest-qt closes the windows; the list only keeps them alive until then


def text_of(window: PresentWindow, name: str) -> str:
    label = window.findChild(QLabel, name)
    assert label is not None, name
    return label.text()


async def test_shows_name_countdown_instruction_and_a_scannable_code(qtbot, make_window):
    clock = FakeClock()
    window = make_window(clock)
    assert window.objectName() == "presentWindow"
    assert text_of(window, "presentAccountName") == "Harbor Street Bakery"
    assert text_of(window, "presentCountdown") == "Open within 5:00"
    assert text_of(window, "presentInstruction") == INSTRUCTION
    assert decode(window.findChild(QrWidget, "presentQr")) == [URL]
    clock.advance(245)
    window.tick()
    assert text_of(window, "presentCountdown") == "Open within 0:55"
    assert window.findChild(QLabel, "presentCountdown").accessibleDescription() == (
        "Less than a minute left to scan the code.")
    assert not window.findChild(QCheckBox, "autoRefreshCheck").isChecked()


async def test_escape_closes(qtbot, make_window):
    window = make_window(FakeClock())
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible() and closed == [True]


async def test_close_button_closes(qtbot, make_window):
    window = make_window(FakeClock())
    qtbot.mouseClick(window.findChild(QPushButton, "presentCloseButton"), Qt.MouseButton.LeftButton)
    assert not window.isVisible()


async def test_expiry_replaces_the_code_with_expired(qtbot, make_window):
    clock = FakeClock()
    window = make_window(clock)
    clock.advance(300)
    window.tick()
    qr = window.findChild(QrWidget, "presentQr")
    assert window.state is LinkState.EXPIRED
    assert qr.isExpired() and decode(qr) == []
    assert text_of(window, "presentCountdown") == "0:00"
    assert "expired" in text_of(window, "presentInstruction").lower()
    assert window.refresh_task is None and window.refresh_count == 0


async def test_auto_refresh_swaps_links_in_place_up_to_the_limit(qtbot, make_window):
    clock = FakeClock()
    fake = FakeRegenerate(clock)
    window = make_window(clock, regenerate=fake, max_refreshes=6)
    replaced: list[AccountLink] = []
    window.linkReplaced.connect(replaced.append)
    qr = window.findChild(QrWidget, "presentQr")
    window.findChild(QCheckBox, "autoRefreshCheck").setChecked(True)

    for n in range(1, 7):
        clock.advance(300)
        window.tick()
        task = window.refresh_task
        assert task is not None and qr.isExpired()
        await task
        expected = f"{BASE}New{n:09d}"
        assert window.refresh_count == n and fake.calls == n
        assert window.link.url == expected and replaced[-1].url == expected
        assert window.findChild(QrWidget, "presentQr") is qr  # same widget, no recreation
        assert decode(qr) == [expected]
        assert text_of(window, "presentCountdown") == "Open within 5:00"

    clock.advance(300)
    window.tick()
    assert window.refresh_task is None
    assert fake.calls == 6 and len(replaced) == 6
    assert text_of(window, "presentMessage") == (
        "Automatic refresh stopped after 6 new links. Press “Show a new code” when the seller is ready.")
    assert not window.findChild(QCheckBox, "autoRefreshCheck").isChecked()  # it no longer does anything
    assert decode(qr) == []


async def test_show_a_new_code_by_hand_once_expired(qtbot, make_window):
    clock = FakeClock()
    fake = FakeRegenerate(clock, gate=asyncio.Event())
    window = make_window(clock, regenerate=fake, max_refreshes=0)
    button = window.findChild(QPushButton, "presentNewLinkButton")
    assert button.accessibleName() and not button.isVisible()  # the code still works
    clock.advance(300)
    window.tick()
    assert button.isVisible() and fake.calls == 0
    button.click()
    assert not button.isVisible() and text_of(window, "presentInstruction") == "Getting a new code…"
    task = window.refresh_task
    fake.gate.set()
    await task
    assert fake.calls == 1 and window.state is LinkState.ACTIVE and not button.isVisible()
    assert decode(window.findChild(QrWidget, "presentQr")) == [f"{BASE}New000000001"]


async def test_a_failed_new_code_brings_the_button_back(qtbot, make_window):
    clock = FakeClock()
    error = RateLimitError("Too many requests", http_status=429, request_id="req_x")
    window = make_window(clock, regenerate=FakeRegenerate(clock, error=error))
    clock.advance(300)
    window.tick()
    button = window.findChild(QPushButton, "presentNewLinkButton")
    button.click()
    task = window.refresh_task
    await task
    await asyncio.sleep(0)  # the task's done-callback
    assert button.isVisible() and text_of(window, "presentMessage").startswith("Could not create a new link.")


async def test_without_regenerate_there_is_no_new_code_button(qtbot, make_window):
    clock = FakeClock()
    window = make_window(clock)
    clock.advance(300)
    window.tick()
    assert not window.findChild(QPushButton, "presentNewLinkButton").isVisible()


async def test_turning_auto_refresh_on_after_expiry_refreshes_now(qtbot, make_window):
    clock = FakeClock()
    fake = FakeRegenerate(clock)
    window = make_window(clock, regenerate=fake)
    clock.advance(301)
    window.tick()
    assert fake.calls == 0
    window.findChild(QCheckBox, "autoRefreshCheck").setChecked(True)
    await window.refresh_task
    assert fake.calls == 1 and window.state is LinkState.ACTIVE


async def test_refreshing_overlay_then_close_mid_refresh_cancels(qtbot, make_window):
    clock = FakeClock()
    fake = FakeRegenerate(clock, gate=asyncio.Event())
    window = make_window(clock, regenerate=fake)
    replaced: list[AccountLink] = []
    window.linkReplaced.connect(replaced.append)
    window.findChild(QCheckBox, "autoRefreshCheck").setChecked(True)
    clock.advance(300)
    window.tick()
    task = window.refresh_task
    await asyncio.sleep(0)  # let the call start
    assert fake.calls == 1
    assert window.findChild(QrWidget, "presentQr").isExpired()
    assert text_of(window, "presentInstruction") == "Getting a new code…"

    window.close()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled() and fake.cancelled
    assert replaced == [] and window.refresh_task is None


async def test_failure_shows_the_explanation_and_stops_auto_refresh(qtbot, make_window):
    clock = FakeClock()
    error = RateLimitError("Too many requests", http_status=429, request_id="req_x")
    error.explanation = "Stripe is limiting requests from this key. Wait a minute and try again."
    fake = FakeRegenerate(clock, error=error)
    window = make_window(clock, regenerate=fake)
    check = window.findChild(QCheckBox, "autoRefreshCheck")
    check.setChecked(True)
    clock.advance(300)
    window.tick()
    await window.refresh_task
    assert error.explanation in text_of(window, "presentMessage")
    assert not check.isChecked()
    clock.advance(300)
    window.tick()
    assert fake.calls == 1 and window.refresh_task is None


async def test_without_regenerate_the_checkbox_is_disabled(qtbot, make_window):
    window = make_window(FakeClock())
    assert not window.findChild(QCheckBox, "autoRefreshCheck").isEnabled()


async def test_every_control_has_an_accessible_name(qtbot, make_window):
    window = make_window(FakeClock(), regenerate=FakeRegenerate(FakeClock()))
    for name, cls in (("presentCloseButton", QPushButton), ("autoRefreshCheck", QCheckBox),
                      ("presentQr", QrWidget), ("presentCountdown", QLabel)):
        widget = window.findChild(cls, name)
        assert widget is not None and widget.accessibleName(), name


async def test_present_goes_full_screen_on_the_chosen_screen(qtbot):
    screen = QGuiApplication.primaryScreen()
    clock = FakeClock()
    window = PresentWindow(make_link(clock), account_name="Harbor Street Bakery", clock=clock, screen=screen)
    qtbot.addWidget(window)
    window.present()
    assert window.isFullScreen()
    assert window.windowHandle().screen() is screen
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
    window.close()


def _fake_screen(name: str) -> SimpleNamespace:
    return SimpleNamespace(name=lambda: name)


def test_default_screen_prefers_a_second_screen_unless_one_is_named():
    primary, second, third = _fake_screen("eDP-1"), _fake_screen("HDMI-1"), _fake_screen("DP-2")
    three = SimpleNamespace(primaryScreen=lambda: primary, screens=lambda: [primary, second, third])
    two = SimpleNamespace(primaryScreen=lambda: primary, screens=lambda: [primary, second])
    one = SimpleNamespace(primaryScreen=lambda: primary, screens=lambda: [primary])
    assert default_present_screen(two) is second
    assert default_present_screen(one) is primary
    assert default_present_screen(three, "DP-2") is third
    assert default_present_screen(three, "eDP-1") is primary
    assert default_present_screen(two, "DP-2") is second  # not connected: automatic


async def test_the_qr_image_copy_is_guarded_and_follows_the_refreshed_link(qtbot, make_window):
    clock = FakeClock()
    board = QGuiApplication.clipboard()
    board.clear()
    guard = ClipboardGuard(board, clock)
    try:
        window = make_window(clock, regenerate=FakeRegenerate(clock), clipboard_guard=guard)
        qr = window.findChild(QrWidget, "presentQr")
        qr.copy_image()
        assert guard.pending_kind == "image" and not board.image().isNull()
        assert "copied" in text_of(window, "presentMessage")
        clock.advance(300)
        window.tick()
        guard.check()
        assert board.image().isNull()  # cleared with the link it showed

        window.refresh_now()
        await window.refresh_task
        clock.advance(100)
        qr.copy_image()  # the new link's code: it lives 300 s from its own arrival
        clock.advance(150)
        guard.check()
        assert not board.image().isNull()
        clock.advance(50)
        guard.check()
        assert board.image().isNull()
    finally:
        guard.stop()
        guard.deleteLater()
        board.clear()


async def test_move_to_another_screen_keeps_it_full_screen(qtbot):
    screen = QGuiApplication.primaryScreen()
    clock = FakeClock()
    window = PresentWindow(make_link(clock), account_name="Harbor Street Bakery", clock=clock)
    qtbot.addWidget(window)
    window.present()
    assert window.target_screen is None
    window.move_to(screen)
    assert window.target_screen is screen and window.isFullScreen()
    assert window.windowHandle().screen() is screen
    window.close()


# -- made for the seller: layout, text size, who is asking, controls out of sight ----------------
SELLER_LABELS = ("presentPlatform", "presentRequest", "presentAccountName", "presentInstruction",
                 "presentCountdown", "presentHost")


def drawn_code_side(qr: QrWidget) -> float:
    """The side of the painted code (quiet zone included), in logical pixels."""
    return qr.modules * qr.module_size() / qr.devicePixelRatioF()


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
async def test_on_a_wide_screen_the_code_stands_beside_the_text_and_fills_the_height(qtbot, make_window, size):
    width, height = size
    window = make_window(FakeClock(), platform_name="Sandbox", operated=False, size=size)
    qtbot.waitUntil(lambda: window.size().width() == width)
    assert window.size().height() == height
    qr = window.findChild(QrWidget, "presentQr")
    assert drawn_code_side(qr) >= 0.6 * min(width, height)
    qr_box = qr.geometry()
    assert window.rect().contains(qr_box)
    for name in SELLER_LABELS:
        label = window.findChild(QLabel, name)
        box = label.geometry().translated(label.parentWidget().mapTo(window, label.parentWidget().rect().topLeft()))
        assert label.isVisible() and label.text(), name
        assert box.left() > qr_box.right(), f"{name} is not beside the code"  # beside, not under
        assert box.top() >= qr_box.top() and box.bottom() <= qr_box.bottom() + 1, name
        assert window.rect().contains(box), name
        # The whole text fits its line(s): nothing elided or cut.
        assert label.heightForWidth(label.width()) <= label.height(), name


async def test_text_is_at_least_28_px_on_a_1080p_screen(qtbot, make_window):
    window = make_window(FakeClock(), platform_name="Sandbox", operated=False, size=(1920, 1080))
    qtbot.waitUntil(lambda: window.width() == 1920)
    for name in (*SELLER_LABELS, "presentMessage"):
        label = window.findChild(QLabel, name)
        assert QFontInfo(label.font()).pixelSize() >= 28, name
    countdown = window.findChild(QLabel, "presentCountdown")
    assert QFontInfo(countdown.font()).pixelSize() >= 2 * 28  # the time left, biggest of all


async def test_on_a_tall_screen_the_code_is_above_the_text(qtbot, make_window):
    window = make_window(FakeClock(), operated=False, size=(768, 1024))
    qtbot.waitUntil(lambda: window.width() == 768)
    qr = window.findChild(QrWidget, "presentQr")
    text = window.findChild(QWidget, "presentText")
    assert text.geometry().top() > qr.geometry().bottom()
    assert drawn_code_side(qr) >= 0.6 * 768
    for name in SELLER_LABELS[1:]:
        label = window.findChild(QLabel, name)
        assert label.heightForWidth(label.width()) <= label.height(), name


async def test_who_is_asking_and_where_the_page_opens(qtbot, make_window):
    window = make_window(FakeClock(), platform_name="Rocket\x1b[31m Rides\n", operated=False)
    assert text_of(window, "presentPlatform") == "Rocket [31m Rides"  # control characters gone
    assert text_of(window, "presentRequest") == "asks you to complete the Stripe account of"
    assert text_of(window, "presentHost") == "The page opens on connect.stripe.com"
    window.set_platform_name(None)
    assert not window.findChild(QLabel, "presentPlatform").isVisible()
    assert text_of(window, "presentRequest") == "Complete the Stripe account of"
    window.set_platform_name("Sandbox")
    assert window.platform_name == "Sandbox" and window.findChild(QLabel, "presentPlatform").isVisible()


async def test_the_countdown_is_reachable_and_announced_once_a_minute(qtbot, make_window):
    clock = FakeClock()
    window = make_window(clock, operated=False)
    countdown = window.findChild(QLabel, "presentCountdown")
    assert countdown.accessibleName() == "Time left"
    assert countdown.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert countdown.accessibleDescription() == "About 5 minutes left to scan the code."
    clock.advance(30)
    window.tick()
    assert countdown.text() == "Open within 4:30"
    assert countdown.accessibleDescription() == "About 5 minutes left to scan the code."  # not every tick
    clock.advance(60)
    window.tick()
    assert countdown.accessibleDescription() == "About 4 minutes left to scan the code."
    clock.advance(300)
    window.tick()
    assert countdown.accessibleDescription() == "The code has expired."


async def test_operator_controls_hidden_until_the_mouse_moves_or_a_key_is_pressed(qtbot, make_window):
    clock = FakeClock()
    window = make_window(clock, regenerate=FakeRegenerate(clock), operated=False, size=(1366, 768))
    close = window.findChild(QPushButton, "presentCloseButton")
    auto = window.findChild(QCheckBox, "autoRefreshCheck")
    assert not window.controls.shown and not close.isVisible() and not auto.isVisible()
    assert window.cursor().shape() == Qt.CursorShape.BlankCursor

    qtbot.mouseMove(window, QPoint(400, 300))
    qtbot.mouseMove(window, QPoint(420, 310))
    assert window.controls.shown and close.isVisible() and auto.isVisible()
    assert window.cursor().shape() != Qt.CursorShape.BlankCursor
    # Large enough to hit, and never over the code.
    qr_box = window.findChild(QrWidget, "presentQr").geometry()
    for widget in (close, auto, window.findChild(QPushButton, "presentNewLinkButton")):
        assert widget.height() >= 48, widget.objectName()
    for bar in ("presentTopBar", "presentBottomBar"):
        assert not window.findChild(QWidget, bar).geometry().intersects(qr_box), bar

    clock.advance(3.9)
    window.controls.check_idle()
    assert window.controls.shown
    clock.advance(0.2)
    window.controls.check_idle()
    assert not window.controls.shown and not close.isVisible()

    qtbot.keyClick(window, Qt.Key.Key_Control)
    assert window.controls.shown and close.isVisible()
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    assert not window.isVisible()


async def test_the_platform_name_is_sandbox_in_the_sandbox_else_asked_once():
    from app.ui.links.present_parts import PlatformName

    assert PlatformName(None, sandbox=True).known == "Sandbox"
    assert await PlatformName(None, sandbox=True).load() == "Sandbox"

    import httpx

    from app.stripe.client import StripeClient
    from app.stripe.keys import ApiKey

    calls: list[str] = []
    answers = [httpx.Response(500, json={"error": {"type": "api_error", "message": "boom"}}),
               httpx.Response(200, json={"id": "acct_1Platform", "object": "account",
                                         "business_profile": {"name": "Rocket\u0007 Rides"}})]

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        return answers.pop(0)

    client = StripeClient(ApiKey("sk_test_" + "x" * 24), transport=httpx.MockTransport(handle), max_retries=0)
    try:
        name = PlatformName(client, sandbox=False)
        assert name.known is None
        assert await name.load() is None and name.known is None  # failed: present mode goes on without
        assert await name.load() == "Rocket Rides" and name.known == "Rocket Rides"
        assert await name.load() == "Rocket Rides"  # asked once
        assert calls == ["GET /v1/account", "GET /v1/account"]
    finally:
        await client.aclose()


@pytest.mark.parametrize("size", [(800, 600), (1366, 768)])
async def test_operator_controls_are_whole_and_inside_the_window(qtbot, make_window, size):
    clock = FakeClock()
    window = make_window(clock, regenerate=FakeRegenerate(clock), size=size)
    clock.advance(300)
    window.tick()  # expired: "Show a new code" joins the bottom bar
    qr_box = window.findChild(QrWidget, "presentQr").geometry()
    for cls, name in ((QPushButton, "presentCloseButton"), (QCheckBox, "autoRefreshCheck"),
                      (QPushButton, "presentNewLinkButton")):
        widget = window.findChild(cls, name)
        assert widget.isVisible(), name
        box = widget.rect().translated(widget.mapTo(window, QPoint(0, 0)))
        assert window.rect().contains(box), name
        assert widget.width() >= widget.sizeHint().width(), f"{name} is squeezed"
        assert not box.intersects(qr_box), name


async def test_the_seller_reads_open_within_and_that_there_is_no_hurry_once_open(qtbot, make_window):
    clock = FakeClock()
    window = make_window(clock, operated=False)
    after_open = window.findChild(QLabel, "presentAfterOpen")
    assert text_of(window, "presentCountdown") == "Open within 5:00"
    assert after_open.isVisible() and "take your time" in after_open.text()
    clock.advance(300)
    window.tick()
    assert not after_open.isVisible()  # an expired code has nothing to open


@pytest.mark.parametrize("key", [Qt.Key.Key_N, Qt.Key.Key_Space])
async def test_after_expiry_n_or_space_shows_a_new_code_at_once_and_the_hint_says_so(qtbot, make_window, key):
    clock = FakeClock()
    fake = FakeRegenerate(clock)
    window = make_window(clock, regenerate=fake, max_refreshes=0, operated=False)
    hint = window.findChild(QLabel, "presentNewCodeHint")
    qtbot.keyClick(window, key)  # a live code: the key does nothing
    assert window.refresh_count == 0 and not hint.isVisible()
    clock.advance(300)
    window.tick()
    window.controls.check_idle()
    clock.advance(10)
    window.controls.check_idle()
    assert not window.controls.shown  # the mouse has not moved: the bars are hidden...
    assert hint.isVisible() and hint.text() == "Press N for a new code"  # ...the hint is not
    assert window.rect().contains(hint.geometry())
    qtbot.keyClick(window, key)
    assert window.refresh_count == 1 and not hint.isVisible()
    await window.refresh_task
    assert fake.calls == 1
    assert window.state is LinkState.ACTIVE and text_of(window, "presentCountdown") == "Open within 5:00"
    assert decode(window.findChild(QrWidget, "presentQr")) == [f"{BASE}New000000001"]
