"""The painted QR code decodes to the exact URL, stays pixel-exact, and exports round-trip."""

from __future__ import annotations

import math

import pytest
import zxingcpp
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from app.clock import FakeClock
from app.ui.links.clipboard import CLEARED_MESSAGE, MARKER_FORMAT, ClipboardGuard
from app.ui.links.qr import (
    QUIET_ZONE,
    QrWidget,
    copy_qr_image,
    qr_image,
    qr_matrix,
    qr_svg,
    save_qr_png,
    save_qr_svg,
)

URL = "https://connect.stripe.com/setup/c/acct_1LdCustomDue0001/Xy7kPq2mZr9T"


def decode(image: QImage) -> list[str]:
    # zxing-cpp reads most QImage formats but not premultiplied ARGB: go through grey.
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    return [b.text for b in zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)]


def shown_qr(qtbot, text: str, width: int, height: int, **kwargs) -> QrWidget:
    widget = QrWidget(text, **kwargs)
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def code_origin(image: QImage, module: int) -> QPoint:
    """Top-left of the quiet zone: the first black pixel is the finder pattern's corner."""
    for y in range(image.height()):
        for x in range(image.width()):
            if image.pixelColor(x, y) == QColor(0, 0, 0):
                return QPoint(x - QUIET_ZONE * module, y - QUIET_ZONE * module)
    raise AssertionError("no dark module painted")


@pytest.mark.parametrize("size", [(160, 160), (417, 333)])
def test_widget_decodes_to_the_exact_url_at_two_sizes(qtbot, size):
    widget = shown_qr(qtbot, URL, *size)
    assert decode(widget.grab().toImage()) == [URL]


@pytest.mark.parametrize("size", [(160, 160), (417, 333)])
def test_modules_are_whole_pixels_black_on_white_and_centred(qtbot, size):
    widget = shown_qr(qtbot, URL, *size)
    image = widget.grab().toImage()
    matrix = qr_matrix(URL)
    n = len(matrix)
    module = widget.module_size()
    assert module == math.floor((min(size) - 6) / n) and module >= 2
    origin = code_origin(image, module)
    side = n * module
    # centred (to the pixel)
    assert (origin.x(), origin.y()) == ((size[0] - side) // 2, (size[1] - side) // 2)
    black, white = QColor(0, 0, 0), QColor(255, 255, 255)
    for y in range(origin.y(), origin.y() + side):
        row = matrix[(y - origin.y()) // module]
        for x in range(origin.x(), origin.x() + side):
            expected = black if row[(x - origin.x()) // module] else white
            assert image.pixelColor(x, y) == expected, (x, y)


def test_black_on_white_whatever_the_palette(qtbot):
    widget = shown_qr(qtbot, URL, 200, 200)
    palette = widget.palette()
    palette.setColor(palette.ColorRole.Window, QColor("#101010"))
    palette.setColor(palette.ColorRole.WindowText, QColor("#f0f0f0"))
    widget.setPalette(palette)
    image = widget.grab().toImage()
    origin = code_origin(image, widget.module_size())
    assert image.pixelColor(origin) == QColor(255, 255, 255)
    assert decode(image) == [URL]


def test_expired_code_is_not_painted_and_does_not_scan(qtbot):
    widget = shown_qr(qtbot, URL, 240, 240)
    widget.setExpired(True)
    assert widget.isExpired()
    image = widget.grab().toImage()
    assert decode(image) == []
    dark = sum(image.pixelColor(x, y) == QColor(0, 0, 0) for y in range(0, 240, 2) for x in range(0, 240, 2))
    assert dark == 0
    widget.setExpired(False)
    assert decode(widget.grab().toImage()) == [URL]


def test_set_text_repaints_a_new_code(qtbot):
    widget = shown_qr(qtbot, URL, 220, 220)
    other = URL[:-12] + "NewLinkAbc12"
    widget.setText(other)
    assert widget.text() == other
    assert decode(widget.grab().toImage()) == [other]


def test_qr_image_has_whole_modules_and_quiet_zone():
    image = qr_image(URL, 5)
    n = len(qr_matrix(URL))
    assert image.width() == image.height() == n * 5
    assert all(image.pixelColor(x, 3) == QColor(255, 255, 255) for x in range(image.width()))  # quiet zone
    assert image.pixelColor(QUIET_ZONE * 5, QUIET_ZONE * 5) == QColor(0, 0, 0)  # finder corner
    assert decode(image) == [URL]


def test_png_round_trip(tmp_path):
    path = save_qr_png(URL, tmp_path / "link.png")
    loaded = QImage(str(path))
    assert not loaded.isNull()
    assert decode(loaded) == [URL]


def test_svg_round_trip(tmp_path):
    data = qr_svg(URL)
    assert data.startswith(b"<?xml") and b"<svg" in data
    path = save_qr_svg(URL, tmp_path / "link.svg")
    renderer = QSvgRenderer(str(path))
    assert renderer.isValid()
    image = QImage(400, 400, QImage.Format.Format_RGB32)
    image.fill(QColor(255, 255, 255))
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    assert decode(image) == [URL]


def test_save_to_by_suffix_reports_and_refuses_when_expired(qtbot, tmp_path):
    widget = shown_qr(qtbot, URL, 200, 200)
    messages: list[str] = []
    widget.statusMessage.connect(messages.append)
    widget.save_to(tmp_path / "a.svg")
    widget.save_to(tmp_path / "b.png")
    assert (tmp_path / "a.svg").read_bytes().startswith(b"<?xml")
    assert decode(QImage(str(tmp_path / "b.png"))) == [URL]
    assert messages == [f"QR code saved to {tmp_path / 'a.svg'}.", f"QR code saved to {tmp_path / 'b.png'}."]

    widget.save_to(tmp_path / "missing-dir" / "c.png")
    assert messages[-1].startswith("Could not save the QR code")

    widget.setExpired(True)
    widget.save_to(tmp_path / "d.png")
    assert not (tmp_path / "d.png").exists()


@pytest.fixture
def guarded(qtbot):
    """A clipboard guard on a fake clock; the link expires 300 s from now."""
    board = QGuiApplication.clipboard()
    board.clear()
    clock = FakeClock()
    guard = ClipboardGuard(board, clock)
    cleared: list[str] = []
    guard.cleared.connect(cleared.append)
    yield guard, clock, clock.monotonic() + 300, cleared
    guard.stop()
    guard.deleteLater()
    board.clear()


def test_context_menu_actions_copy_image_and_disable_when_expired(qtbot, guarded):
    guard, _clock, deadline, _ = guarded
    widget = shown_qr(qtbot, URL, 200, 200, clipboard_guard=guard, deadline_monotonic=deadline)
    menu = widget.build_menu()
    actions = {a.text(): a for a in menu.actions()}
    assert list(actions) == ["Copy QR image", "Save QR as PNG…", "Save QR as SVG…"]
    assert all(a.isEnabled() for a in actions.values())
    QGuiApplication.clipboard().clear()
    actions["Copy QR image"].trigger()
    assert decode(QGuiApplication.clipboard().image()) == [URL]

    widget.setExpired(True)
    expired_menu = widget.build_menu()
    assert not any(a.isEnabled() for a in expired_menu.actions())
    menu.deleteLater()
    expired_menu.deleteLater()


def test_ctrl_c_on_focused_code_copies_the_image(qtbot, guarded):
    guard, _clock, deadline, _ = guarded
    widget = shown_qr(qtbot, URL, 200, 200, clipboard_guard=guard, deadline_monotonic=deadline)
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(widget, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert decode(QGuiApplication.clipboard().image()) == [URL]
    assert guard.pending_kind == "image"


def test_a_copied_qr_image_is_cleared_when_the_link_expires(qtbot, guarded):
    guard, clock, deadline, cleared = guarded
    widget = shown_qr(qtbot, URL, 200, 200, clipboard_guard=guard, deadline_monotonic=deadline)
    messages: list[str] = []
    widget.statusMessage.connect(messages.append)
    widget.copy_image()
    board = QGuiApplication.clipboard()
    assert decode(board.image()) == [URL] and board.mimeData().hasFormat(MARKER_FORMAT)
    assert board.mimeData().data("x-kde-passwordManagerHint").data() == b"secret"
    assert messages and "cleared" in messages[0]
    clock.advance(299)
    guard.check()
    assert decode(board.image()) == [URL]
    clock.advance(1)
    guard.check()
    assert board.image().isNull() and cleared == [CLEARED_MESSAGE]


def test_a_new_deadline_follows_a_new_link(qtbot, guarded):
    guard, clock, deadline, _ = guarded
    widget = shown_qr(qtbot, URL, 200, 200, clipboard_guard=guard, deadline_monotonic=deadline)
    other = URL[:-12] + "NewLinkAbc12"
    widget.setText(other)
    widget.setDeadline(deadline + 200)
    widget.copy_image()
    clock.advance(300)
    guard.check()
    assert decode(QGuiApplication.clipboard().image()) == [other]  # the new link still lives
    clock.advance(200)
    guard.check()
    assert QGuiApplication.clipboard().image().isNull()


def test_without_a_clipboard_guard_the_code_is_never_copied(qtbot):
    widget = shown_qr(qtbot, URL, 200, 200)
    board = QGuiApplication.clipboard()
    board.setText("the user's text")
    menu = widget.build_menu()
    actions = {a.text(): a for a in menu.actions()}
    assert not actions["Copy QR image"].isEnabled() and actions["Save QR as PNG…"].isEnabled()
    widget.copy_image()
    qtbot.keyClick(widget, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert board.text() == "the user's text" and board.image().isNull()
    menu.deleteLater()
    board.clear()


def test_copy_qr_image_goes_through_the_guard(guarded):
    guard, clock, deadline, _ = guarded
    copy_qr_image(URL, guard, deadline, module_px=4)
    image = QGuiApplication.clipboard().image()
    assert image.width() == len(qr_matrix(URL)) * 4 and decode(image) == [URL]
    guard.stop()  # shutdown with the link still alive: cleared all the same
    assert QGuiApplication.clipboard().image().isNull()


def test_empty_widget_paints_nothing_scannable(qtbot):
    widget = shown_qr(qtbot, "", 120, 120)
    assert widget.modules == 0 and widget.module_size() == 0
    assert decode(widget.grab().toImage()) == []
    assert widget.heightForWidth(150) == 150 and widget.hasHeightForWidth()
