"""Take the README screenshot of a LIVE profile (selector, LIVE band, title) under Xvfb.

    .venv/bin/python scripts/screenshots_profiles.py     # re-runs itself under xvfb-run

Writes ``docs/screenshots/live-profile.png``: the window on a profile named "Acme live" whose
live key belongs to the built-in sandbox (started with ``live=True``), an account looked up and a
link created. Config, data and the keyring are throw-away (an in-memory keyring backend), so it
never touches your settings, history or keys; the key shown (redacted) is made up.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots" / "live-profile.png"
MARKER = "LINKDESK_SCREENSHOTS_IN_XVFB"
MADE_UP_KEY = "rk_live_" + "51ScreenshotOnly0NotAKey0a1B2"


def main() -> int:
    if os.environ.get(MARKER) != "1":
        if not shutil.which("xvfb-run"):
            print("screenshots: xvfb-run is not installed (apt-get install xvfb xauth)", file=sys.stderr)
            return 2
        env = dict(os.environ, **{MARKER: "1", "QT_QPA_PLATFORM": "xcb"})
        return subprocess.call(["xvfb-run", "-a", "-s", "-screen 0 1440x900x24", sys.executable,
                                str(Path(__file__).resolve())], env=env, cwd=ROOT)
    scratch = Path(tempfile.mkdtemp(prefix="linkdesk-shots-"))
    os.environ.update(XDG_CONFIG_HOME=str(scratch / "config"), LINKDESK_DATA_DIR=str(scratch / "data"))
    os.environ.pop("STRIPE_API_KEY", None)
    sys.path.insert(0, str(ROOT))

    import keyring
    import keyring.backend
    import qasync
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.profiles.check import check_key
    from app.profiles.registry import ProfileRegistry
    from app.profiles.secrets import KeyVault
    from app.profiles.store import SettingsStore
    from app.paths import AppPaths
    from app.sandbox import DEMO_ACCOUNTS, SandboxServer
    from app.services import build_services
    from app.stripe.keys import ApiKey
    from app.ui.shell.main_window import MainWindow

    class ThrowAwayKeyring(keyring.backend.KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.kept: dict[tuple[str, str], str] = {}

        def get_password(self, service, username):  # noqa: ANN001, ANN201
            return self.kept.get((service, username))

        def set_password(self, service, username, password):  # noqa: ANN001
            self.kept[(service, username)] = password

        def delete_password(self, service, username):  # noqa: ANN001
            self.kept.pop((service, username), None)

    keyring.set_keyring(ThrowAwayKeyring())
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Linkdesk")
    app.setQuitOnLastWindowClosed(False)
    server = SandboxServer(live=True).start()

    async def run() -> None:
        key = ApiKey(MADE_UP_KEY)
        registry = ProfileRegistry(SettingsStore.for_paths(AppPaths.resolve()), KeyVault(), environ={})
        registry.add("Acme live", key, await check_key(key, api_base=server.url), api_base=server.url,
                     refresh_url="https://acme.example.com/onboarding/refresh",
                     return_url="https://acme.example.com/onboarding/done")
        registry.add("Acme test", ApiKey("sk_test_51ScreenshotOnly0NotAKey0c3D4"), api_base=server.url)
        services = build_services(profile="Acme live", environ={})
        window = MainWindow(services, settings=QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(1280, 800)
        window.show()
        try:
            await asyncio.sleep(0.3)
            window.profiles_ui.gate.confirm(services.profile)  # the confirmation is its own moment
            window.account_panel.set_account_text(DEMO_ACCOUNTS["custom_due"])
            await window.lookup_account()
            assert await window.create_link() is not None, window.banner.message.text()
            await asyncio.sleep(0.5)
            QApplication.processEvents()
            OUT.parent.mkdir(parents=True, exist_ok=True)
            window.grab().save(str(OUT))
        finally:
            window.close()
            await window.shutdown()
            await services.aclose()

    try:
        qasync.run(run())
        print(OUT.relative_to(ROOT))
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
