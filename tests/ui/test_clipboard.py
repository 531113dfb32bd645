"""The clipboard guard clears an expired link (text or QR image) it copied, and nothing else."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage

from app.clock import FakeClock
from app.ui.links.clipboard import CLEARED_MESSAGE, MARKER_FORMAT, ClipboardGuard

URL = "https://connect.stripe.com/setup/c/acct_1LdCustomDue0001/Xy7kPq2mZr9T"


@pytest.fixture
def guard(clipboard):
    clock = FakeClock()
    guard = ClipboardGuard(clipboard, clock)
    messages: list[str] = []
    guard.cleared.connect(messages.append)
    yield guard, clock, messages
    guard.stop()
    guard.deleteLater()


def test_copy_puts_the_link_on_the_clipboard(clipboard, guard):
    g, clock, _ = guard
    g.copy_link(URL, clock.monotonic() + 300)
    assert clipboard.text() == URL
    assert clipboard.mimeData().data("x-kde-passwordManagerHint").data() == b"secret"
    assert g.pending


def test_cleared_at_expiry_not_before(clipboard, guard):
    g, clock, messages = guard
    g.copy_link(URL, clock.monotonic() + 300)
    clock.advance(299.5)
    g.check()
    assert clipboard.text() == URL and messages == []
    clock.advance(0.5)
    g.check()
    assert clipboard.text() == ""
    assert messages == [CLEARED_MESSAGE]
    assert not g.pending
    g.check()  # once only
    assert messages == [CLEARED_MESSAGE]


def test_something_else_copied_meanwhile_is_left_alone(clipboard, guard):
    g, clock, messages = guard
    g.copy_link(URL, clock.monotonic() + 300)
    clipboard.setText("my own notes")
    clock.advance(400)
    g.check()
    assert clipboard.text() == "my own notes"
    assert messages == []
    assert not g.pending


def test_wall_clock_changes_do_not_trigger_clearing(clipboard, guard):
    g, clock, messages = guard
    g.copy_link(URL, clock.monotonic() + 300)
    clock.set_wall(clock.time() + 6 * 3600)
    g.check()
    assert clipboard.text() == URL and messages == []


def test_a_second_copy_replaces_the_first(clipboard, guard):
    g, clock, messages = guard
    first_deadline = clock.monotonic() + 10
    g.copy_link(URL, first_deadline)
    other = URL[:-1] + "X"
    g.copy_link(other, clock.monotonic() + 300)
    clock.advance(20)
    g.check()
    assert clipboard.text() == other and messages == []
    clock.advance(300)
    g.check()
    assert clipboard.text() == "" and messages == [CLEARED_MESSAGE]


def test_stop_at_shutdown_clears_a_live_link_it_copied(clipboard, guard):
    g, clock, messages = guard
    g.copy_link(URL, clock.monotonic() + 300)
    g.stop()
    assert clipboard.text() == "" and messages == []
    assert not g.pending


def test_stop_leaves_what_the_user_copied_since(clipboard, guard):
    g, clock, messages = guard
    g.copy_link(URL, clock.monotonic() + 300)
    clipboard.setText("the user's own text")
    g.stop()
    assert clipboard.text() == "the user's own text" and messages == []


# -- QR images ---------------------------------------------------------------------------------
def _image(colour: str = "#000000") -> QImage:
    image = QImage(40, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("#ffffff"))
    image.setPixelColor(5, 5, QColor(colour))
    return image


def test_an_image_copy_is_marked_and_cleared_at_expiry_not_before(clipboard, guard):
    g, clock, messages = guard
    g.copy_image(_image(), clock.monotonic() + 300)
    assert not clipboard.image().isNull() and g.pending_kind == "image"
    mime = clipboard.mimeData()
    assert mime.hasFormat(MARKER_FORMAT) and mime.data("x-kde-passwordManagerHint").data() == b"secret"
    clock.advance(299.5)
    g.check()
    assert not clipboard.image().isNull() and messages == []
    clock.advance(0.5)
    g.check()
    assert clipboard.image().isNull() and messages == [CLEARED_MESSAGE] and not g.pending


@pytest.mark.parametrize("theirs", ["text", "image"])
def test_what_the_user_copied_over_an_image_is_left_alone(clipboard, guard, theirs):
    g, clock, messages = guard
    g.copy_image(_image(), clock.monotonic() + 300)
    if theirs == "text":
        clipboard.setText("my own notes")
    else:
        clipboard.setImage(_image("#ff0000"))  # a different picture, copied elsewhere
    clock.advance(400)
    g.check()
    assert messages == [] and not g.pending
    if theirs == "text":
        assert clipboard.text() == "my own notes"
    else:
        assert clipboard.image().pixelColor(5, 5) == QColor("#ff0000")
    g.copy_image(_image(), clock.monotonic() + 300)
    clipboard.setText("more notes")
    g.stop()  # shutdown leaves the user's copy alone too
    assert clipboard.text() == "more notes"


def test_stop_at_shutdown_clears_a_live_image(clipboard, guard):
    g, clock, messages = guard
    g.copy_image(_image(), clock.monotonic() + 300)
    g.stop()
    assert clipboard.image().isNull() and messages == [] and not g.pending


def test_the_same_image_served_back_without_the_marker_is_still_cleared(clipboard, guard):
    # A clipboard manager that takes the clipboard over re-serves the picture, not our marker.
    g, clock, messages = guard
    g.copy_image(_image(), clock.monotonic() + 300)
    clipboard.setImage(_image())
    clock.advance(300)
    g.check()
    assert clipboard.image().isNull() and messages == [CLEARED_MESSAGE]


def test_a_newer_copy_by_another_linkdesk_is_not_ours(clipboard, guard):
    g, clock, messages = guard
    other = ClipboardGuard(clipboard, clock)
    g.copy_image(_image(), clock.monotonic() + 10)
    other.copy_image(_image(), clock.monotonic() + 300)  # same pixels, another serial
    clock.advance(20)
    g.check()
    assert not clipboard.image().isNull() and messages == []
    other.stop()
    assert clipboard.image().isNull()
    other.deleteLater()


def test_a_text_copy_after_an_image_replaces_it(clipboard, guard):
    g, clock, messages = guard
    g.copy_image(_image(), clock.monotonic() + 10)
    g.copy_link(URL, clock.monotonic() + 300)
    assert g.pending_kind == "text"
    clock.advance(20)
    g.check()
    assert clipboard.text() == URL and messages == []
    clock.advance(300)
    g.check()
    assert clipboard.text() == "" and messages == [CLEARED_MESSAGE]
