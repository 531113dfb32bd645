"""The window's frame is shown first and its contents built right after its first paint
(bench/startup.py (a)); a window built that way is the same window."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLineEdit, QSplitter

from app.ui.shell.main_window import MainWindow


def make(tmp_path, qtbot, *, deferred: bool) -> MainWindow:
    settings = QSettings(str(tmp_path / "linkdesk.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, deferred=deferred)
    qtbot.addWidget(window)
    return window


def test_the_frame_has_the_saved_size_and_no_contents_until_built(tmp_path, qtbot):
    first = make(tmp_path, qtbot, deferred=False)
    first.resize(760, 560)  # inside the offscreen screen (800x600): restoreGeometry keeps it on screen
    first.splitter.setSizes([300, 430])
    sizes = first.splitter.sizes()
    first.save_geometry()

    frame = make(tmp_path, qtbot, deferred=True)
    assert not frame.built and frame.findChild(QLineEdit, "accountInput") is None
    assert (frame.width(), frame.height()) == (760, 560)  # the saved geometry, before any content
    frame.show()
    qtbot.waitExposed(frame)
    frame.build()
    assert frame.built and frame.findChild(QLineEdit, "accountInput") is not None
    assert frame.findChild(QSplitter, "mainSplitter").sizes() == sizes  # restored with the contents
    account = frame.findChild(QLineEdit, "accountInput")
    frame.build()  # once only
    assert frame.findChild(QLineEdit, "accountInput") is account


async def test_a_frame_closed_before_its_contents_shuts_down_cleanly(tmp_path, qtbot):
    frame = make(tmp_path, qtbot, deferred=True)
    frame.show()
    closed: list[bool] = []
    frame.closeRequested.connect(lambda: closed.append(True))
    frame.close()
    await frame.shutdown()
    assert closed == [True] and frame.unexpected == []
    assert QSettings(str(tmp_path / "linkdesk.ini"), QSettings.Format.IniFormat).value("window/geometry") is not None
