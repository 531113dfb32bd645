"""Take the README screenshots of the real window, against the built-in sandbox, under Xvfb.

    .venv/bin/python scripts/screenshots.py            # re-runs itself under xvfb-run
    .venv/bin/python scripts/screenshots.py --dark     # the same with a dark palette

Writes ``docs/screenshots/main-window.png`` (an account looked up, links created) and
``docs/screenshots/present-mode.png`` (present mode full screen). Uses a throw-away data folder,
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


def _dark_palette(app) -> None:  # noqa: ANN001
    from PySide6.QtGui import QColor, QPalette

    app.setStyle("Fusion")
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#202124"), (QPalette.ColorRole.WindowText, "#e8eaed"),
        (QPalette.ColorRole.Base, "#2a2b2e"), (QPalette.ColorRole.AlternateBase, "#303134"),
        (QPalette.ColorRole.Text, "#e8eaed"), (QPalette.ColorRole.Button, "#303134"),
        (QPalette.ColorRole.ButtonText, "#e8eaed"), (QPalette.ColorRole.Highlight, "#8ab4f8"),
        (QPalette.ColorRole.HighlightedText, "#202124"), (QPalette.ColorRole.PlaceholderText, "#9aa0a6"),
        (QPalette.ColorRole.Mid, "#5f6368"), (QPalette.ColorRole.ToolTipBase, "#303134"),
        (QPalette.ColorRole.ToolTipText, "#e8eaed"),
    ):
        palette.setColor(role, QColor(colour))
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
    return [main_png, present_png]


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
    from app.ui.main_window import MainWindow

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
