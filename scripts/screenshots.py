"""Take the README screenshots of the app as users start it: ``linkdesk-gui`` on Xvfb at 1366×768.

    .venv/bin/python scripts/screenshots.py            # (make screenshots)
    .venv/bin/python scripts/screenshots.py --dark     # the same on a dark desktop (-dark files)

The real entry point runs under ``xvfb-run`` (a 1366×768 X screen, no window manager) with a
throwaway home, and is driven through the end-to-end tests' driver (tests/e2e/e2e_app.py), by
objectName, waiting for what each picture needs. Writes to ``docs/screenshots/``:

* ``first-start.png``: the first start's welcome, as the window opens;
* ``main-window.png``: a long look-up (``acct_1LdExpressNew001``, twelve items past due) with two
  links made;
* ``main-window-narrow.png``: the same window at 800×600;
* ``present-mode.png``: present mode full screen, as the seller sees it (operator controls hidden);
* ``history.png``: the History tab.

Each step runs the end-to-end checks (a clipped text, a control off the screen, an unexpected
error); a failed check is printed as a warning and the pictures are still taken, so that what is
wrong can be seen. Never touches your own history, settings or keyring.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
NARROW = (800, 600)


def take(dark: bool) -> list[Path]:
    sys.path.insert(0, str(ROOT / "tests" / "e2e"))
    sys.path.insert(0, str(ROOT))
    from e2e_app import RunningApp
    from e2e_steps import BAKERY, EXPRESS_NEW, IDLE, LINK_PREFIX, look_up

    suffix = "-dark" if dark else ""
    OUT.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    scratch = Path(tempfile.mkdtemp(prefix="linkdesk-shots-"))
    app = RunningApp.start(scratch, "x11")
    app.strict = False

    def create() -> None:
        app.scroll_to("createButton")  # (the end-to-end tests demand it in view without scrolling)
        before = app.count("linkCard")
        app.click("createButton")
        app.wait({"name": "linkCard", "count": before + 1}, IDLE)
        assert app.info("linkCard[0]/linkUrl")["tooltip"].startswith(LINK_PREFIX)

    def shot(name: str, widget: str | None = None) -> None:
        path = OUT / f"{name}{suffix}.png"
        app.screenshot(path, widget)
        shots.append(path)

    try:
        if dark:
            app.call("dark")
        app.wait({"name": "welcomeView", "visible": True}, {"name": "trySandboxButton", "enabled": True})
        shot("first-start")

        app.click("trySandboxButton")
        app.wait({"name": "welcomeView", "visible": False}, {"name": "accountInput", "enabled": True})
        look_up(app, BAKERY)
        create()
        look_up(app, EXPRESS_NEW)
        create()
        app.scroll_to("accountInput")
        app.wait(IDLE)
        shot("main-window")

        size = app.window()["geometry"][2:]
        app.resize(*NARROW)
        shot("main-window-narrow")
        app.resize(*size)

        app.click("linkCard[1]/presentButton")  # Harbor Street Bakery's: a business name for the seller
        app.wait({"name": "presentQr", "visible": True})
        app.wait({"name": "presentCloseButton", "visible": False}, timeout=30)  # the operator's controls hide
        shot("present-mode", "presentWindow")
        app.key("Esc")
        app.wait({"name": "presentWindow", "visible": False})

        app.key("Ctrl+2")  # View → History
        app.wait({"name": "historyView", "rows": 2}, IDLE)
        shot("history")
        app.close()
    finally:
        app.kill()
        shutil.rmtree(scratch, ignore_errors=True)
    return shots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dark", action="store_true", help="a dark desktop palette (files get a -dark suffix)")
    args = parser.parse_args()
    if shutil.which("xvfb-run") is None:
        print("screenshots: xvfb-run is not installed (apt-get install xvfb xauth)", file=sys.stderr)
        return 2
    for path in take(args.dark):
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
