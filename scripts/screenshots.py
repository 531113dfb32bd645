"""Take the README screenshots of the real window, against the built-in sandbox, under Xvfb.

    .venv/bin/python scripts/screenshots.py            # re-runs itself under xvfb-run
    .venv/bin/python scripts/screenshots.py --dark     # the same with a dark palette

Writes to ``docs/screenshots/``:

* ``main-window.png``: an account looked up, links created (1280×800);
* ``main-window-narrow.png``: the same window 800 px wide;
* ``present-mode.png``: present mode full screen on a 1366×768 screen, as the seller sees it
  (the operator's controls hidden);
* ``history.png``: the History tab.

The X screen is 1366×768 (a common laptop/desk screen); the main window is grabbed at its own
size. Widgets are found by objectName and the script waits for what it needs (a look-up, a
created card, present mode at full-screen size, History settled), not for fixed times. Uses a
throw-away data folder, so it never touches your history or settings. Same palette fixes as the
app (``install_accessible_palette``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SCREEN = "1366x768x24"
MAIN_SIZE = (1280, 800)
NARROW_SIZE = (800, 600)
TIMEOUT = 10.0
MARKER = "LINKDESK_SCREENSHOTS_IN_XVFB"


def _reexec_under_xvfb() -> int:
    if not shutil.which("xvfb-run"):
        print("screenshots: xvfb-run is not installed (apt-get install xvfb xauth)", file=sys.stderr)
        return 2
    env = dict(os.environ, **{MARKER: "1", "QT_QPA_PLATFORM": "xcb"})
    cmd = ["xvfb-run", "-a", "-s", f"-screen 0 {SCREEN}", sys.executable, str(Path(__file__).resolve()),
           *sys.argv[1:]]
    return subprocess.call(cmd, env=env, cwd=ROOT)


# (role, normal, disabled): disabled text is dimmed but still legible; disabled surfaces go flat.
_DARK_ROLES = (
    ("Window", "#202124", "#202124"), ("WindowText", "#e8eaed", "#80868b"),
    ("Base", "#2a2b2e", "#242528"), ("AlternateBase", "#303134", "#2a2b2e"),
    ("Text", "#e8eaed", "#80868b"), ("Button", "#303134", "#28292c"),
    ("ButtonText", "#e8eaed", "#80868b"), ("Highlight", "#8ab4f8", "#4a5568"),
    ("HighlightedText", "#202124", "#c4c7c5"), ("PlaceholderText", "#9aa0a6", "#6b6f74"),
    ("Light", "#4a4d51", "#3c4043"), ("Midlight", "#3c4043", "#34363a"),
    ("Mid", "#5f6368", "#46494d"), ("Dark", "#17181a", "#17181a"), ("Shadow", "#000000", "#000000"),
    ("BrightText", "#f28b82", "#80868b"), ("Link", "#8ab4f8", "#80868b"), ("LinkVisited", "#c58af9", "#80868b"),
    ("ToolTipBase", "#303134", "#303134"), ("ToolTipText", "#e8eaed", "#e8eaed"),
)


def _dark_style():  # noqa: ANN202
    """Fusion, with what its dark rendering lacks: a visible check-box frame (Fusion draws it in
    the window colour made darker, invisible on a dark window) and a clear-text button whose
    circle stands out from a dark line edit."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPen, QPixmap
    from PySide6.QtWidgets import QProxyStyle, QStyle

    class DarkFusion(QProxyStyle):
        def __init__(self) -> None:
            super().__init__("Fusion")

        def drawPrimitive(self, element, option, painter, widget=None) -> None:  # noqa: ANN001
            super().drawPrimitive(element, option, painter, widget)
            if element == QStyle.PrimitiveElement.PE_IndicatorCheckBox:
                group = (QPalette.ColorGroup.Active if option.state & QStyle.StateFlag.State_Enabled
                         else QPalette.ColorGroup.Disabled)
                painter.save()
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                painter.setPen(QPen(option.palette.color(group, QPalette.ColorRole.PlaceholderText), 1))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(QRectF(option.rect).adjusted(0.5, 0.5, -1.5, -1.5), 2, 2)
                painter.restore()

        def standardIcon(self, icon, option=None, widget=None):  # noqa: ANN001, ANN201
            if icon != QStyle.StandardPixmap.SP_LineEditClearButton:
                return super().standardIcon(icon, option, widget)
            result = QIcon()
            for side in (16, 32):
                pixmap = QPixmap(side, side)
                pixmap.fill(Qt.GlobalColor.transparent)
                painter = QPainter(pixmap)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor("#bdc1c6"))
                painter.drawEllipse(QRectF(1, 1, side - 2, side - 2))
                painter.setPen(QPen(QColor("#202124"), side / 9, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                a, b = side * 0.33, side * 0.67
                painter.drawLine(QPointF(a, a), QPointF(b, b))
                painter.drawLine(QPointF(a, b), QPointF(b, a))
                painter.end()
                result.addPixmap(pixmap)
            return result

    return DarkFusion()


def _dark_palette(app) -> None:  # noqa: ANN001
    from PySide6.QtGui import QColor, QPalette

    app.setStyle(_dark_style())
    palette = QPalette()
    for name, normal, disabled in _DARK_ROLES:
        role = getattr(QPalette.ColorRole, name)
        palette.setColor(QPalette.ColorGroup.All, role, QColor(normal))
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled))
    app.setPalette(palette)


# Never QApplication.processEvents() in here: under qasync it can run another task's step while
# this coroutine is still running ("Cannot enter into task"), and that task is then lost (the
# history's opening was, and the script waited for it until killed). Awaiting lets the loop run.
SETTLE = 0.05  # seconds of event loop after a condition holds: posted events, then a paint


async def _until(condition, what: str, timeout: float = TIMEOUT) -> None:  # noqa: ANN001
    """Let the event loop run until ``condition()`` holds (polled), or fail naming ``what``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError(f"screenshots: gave up waiting for {what}")
        await asyncio.sleep(0.02)
    await asyncio.sleep(SETTLE)


async def _painted(widget) -> None:  # noqa: ANN001
    """Layouts settled and a frame painted: posted layout requests, then one paint."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # layout only: no task runs
    await asyncio.sleep(SETTLE)
    widget.repaint()
    await asyncio.sleep(SETTLE)


def _child(parent, cls, name: str):  # noqa: ANN001, ANN202
    found = parent.findChild(cls, name)
    if found is None:
        raise LookupError(f"screenshots: no {cls.__name__} named {name!r}")
    return found


async def _shoot(window, suffix: str) -> list[Path]:  # noqa: ANN001
    from PySide6.QtWidgets import QLineEdit, QWidget

    from app.sandbox import DEMO_ACCOUNTS

    OUT.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []

    def save(widget, name: str) -> None:  # noqa: ANN001
        path = OUT / f"{name}{suffix}.png"
        if not widget.grab().save(str(path)):
            raise OSError(f"screenshots: could not write {path}")
        shots.append(path)

    if window.profiles_ui.welcome.isVisible():  # a fresh data folder: first run's welcome view
        await window.profiles_ui.try_sandbox()
    account_box = _child(window, QLineEdit, "accountInput")
    account_box.setText(DEMO_ACCOUNTS["express_new"])
    assert await window.lookup_account() is not None, "look-up failed"
    assert await window.create_link() is not None, "create failed"
    account_box.setText(DEMO_ACCOUNTS["custom_due"])
    assert await window.lookup_account() is not None, "look-up failed"
    card = await window.create_link()
    assert card is not None, window.banner.message.text()
    await _until(lambda: card.isVisible(), "the new card")
    await _painted(window)
    save(window, "main-window")

    window.resize(*NARROW_SIZE)
    await _until(lambda: window.width() == NARROW_SIZE[0], "the narrow window")
    await _painted(window)
    save(window, "main-window-narrow")
    window.resize(*MAIN_SIZE)
    await _until(lambda: window.width() == MAIN_SIZE[0], "the window back at full size")

    present = window.flow.present(card)
    assert present is not None, "present mode did not open"
    screen = present.screen().geometry()
    await _until(lambda: present.isVisible() and present.size() == screen.size(), "present mode full screen")
    await _until(lambda: not present.controls.shown, "the operator controls hidden")
    qr = _child(present, QWidget, "presentQr")
    await _painted(present)
    assert qr.isVisible()
    save(present, "present-mode")
    present.close()

    window.show_history()
    await window.history_panel.settled()
    await _painted(window)
    save(window, "history")
    return shots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dark", action="store_true", help="use a dark palette (files get a -dark suffix)")
    args = parser.parse_args()
    if os.environ.get(MARKER) != "1":
        return _reexec_under_xvfb()
    sys.path.insert(0, str(ROOT))

    import qasync
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.services import build_services
    from app.ui.shell.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    app.setApplicationName("Linkdesk")
    app.setQuitOnLastWindowClosed(False)
    if args.dark:
        _dark_palette(app)
    from app.ui.common.theme import install_accessible_palette

    install_accessible_palette(app)  # as the app does at start
    scratch = Path(tempfile.mkdtemp(prefix="linkdesk-shots-"))

    async def run() -> list[Path]:
        services = build_services(data_dir=str(scratch / "data"), use_sandbox=True)
        window = MainWindow(services, settings=QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(*MAIN_SIZE)
        window.show()
        try:
            await _until(lambda: window.isVisible() and window.windowHandle().isExposed(), "the window shown")
            return await _shoot(window, "-dark" if args.dark else "")
        finally:
            window.close()
            await window.shutdown()
            await services.aclose()

    try:
        for path in qasync.run(run()):
            print(path.relative_to(ROOT))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
