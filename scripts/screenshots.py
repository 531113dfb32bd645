"""Take the README screenshots of the real window, against the built-in sandbox, under Xvfb.

    .venv/bin/python scripts/screenshots.py            # re-runs itself under xvfb-run
    .venv/bin/python scripts/screenshots.py --dark     # the same with a dark palette

Writes ``docs/screenshots/main-window.png`` (an account looked up, links created),
``docs/screenshots/present-mode.png`` (present mode full screen) and
``docs/screenshots/history.png`` (the History tab). Uses a throw-away data folder,
so it never touches your history or settings.
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
SCREEN = "1440x900x24"
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


async def _shoot(window, suffix: str) -> list[Path]:  # noqa: ANN001
    from PySide6.QtWidgets import QApplication

    from app.sandbox import DEMO_ACCOUNTS

    async def settle(seconds: float = 0.4) -> None:
        await asyncio.sleep(seconds)
        QApplication.processEvents()

    window.account_panel.set_account_text(DEMO_ACCOUNTS["express_new"])
    await window.lookup_account()
    assert await window.create_link() is not None
    window.account_panel.set_account_text(DEMO_ACCOUNTS["custom_due"])
    await window.lookup_account()
    card = await window.create_link()
    assert card is not None, window.banner.message.text()
    await settle()
    OUT.mkdir(parents=True, exist_ok=True)
    main_png = OUT / f"main-window{suffix}.png"
    window.grab().save(str(main_png))

    present = window.flow.present(card)
    await settle(0.8)
    present_png = OUT / f"present-mode{suffix}.png"
    present.grab().save(str(present_png))
    present.close()

    window.show_history()
    await window.history_panel.settled()
    await settle()
    history_png = OUT / f"history{suffix}.png"
    window.grab().save(str(history_png))
    return [main_png, present_png, history_png]


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
    scratch = Path(tempfile.mkdtemp(prefix="linkdesk-shots-"))

    async def run() -> list[Path]:
        services = build_services(data_dir=str(scratch / "data"), use_sandbox=True)
        window = MainWindow(services, settings=QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(1280, 800)
        window.show()
        try:
            await asyncio.sleep(0.3)
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
