"""The account field takes typing as soon as the window's contents are painted, before the
services (client, history) are attached: an Enter pressed then is looked up once they are
(bench/startup.py's headline, "ready to type"). The rest of the form waits for the services."""

from __future__ import annotations

import pytest
from mainwindow_helpers import find, wait_until
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

from app.ui.shell.main_window import MainWindow


async def _started(qtbot, settings) -> MainWindow:
    """As run_gui starts it: the frame shown, then its contents built; no services yet."""
    window = MainWindow(settings=settings, deferred=True)
    window.show()
    qtbot.waitExposed(window)
    window.build()
    window.activateWindow()
    return window


async def _close(window: MainWindow) -> None:
    window.close()
    await window.shutdown()
    assert window.unexpected == []
    window.deleteLater()


async def test_the_account_field_has_the_focus_and_takes_typing_before_the_services(qtbot, settings,
                                                                                     no_quit_on_close):
    window = await _started(qtbot, settings)
    try:
        field = find(window, "accountInput", QLineEdit)
        await wait_until(lambda: QApplication.focusWidget() is field)
        assert field.isEnabled() and window.services is None
        qtbot.keyClicks(field, "acct_1Ld")
        assert field.text() == "acct_1Ld"
        assert not window.form.isEnabled()  # creating a link waits for the services
    finally:
        await _close(window)


async def test_enter_before_the_services_is_looked_up_once_they_are_attached(qtbot, settings, services, accounts,
                                                                             transport, no_quit_on_close):
    window = await _started(qtbot, settings)
    try:
        field = find(window, "accountInput", QLineEdit)
        await wait_until(lambda: QApplication.focusWidget() is field)
        qtbot.keyClicks(field, accounts["custom_due"])
        qtbot.keyClick(field, Qt.Key.Key_Return)
        assert transport.requests == [] and not window.tracker.pending  # nothing to send with yet
        window.attach_services(services)
        await wait_until(lambda: window.account_panel.account is not None, timeout=10)
        assert window.account_panel.account.id == accounts["custom_due"]
        assert "Harbor Street Bakery" in window.account_panel.summary.text()
        assert ("GET", f"/v1/accounts/{accounts['custom_due']}") in transport.requests
        assert find(window, "createButton", QPushButton).isEnabled()
    finally:
        await _close(window)


async def test_without_enter_attaching_the_services_looks_nothing_up(qtbot, settings, services, transport,
                                                                     no_quit_on_close):
    window = await _started(qtbot, settings)
    try:
        qtbot.keyClicks(find(window, "accountInput", QLineEdit), "acct_1LdCustomDue0001")
        window.attach_services(services)
        await wait_until(lambda: not window.tracker.pending, timeout=10)
        assert not any(path.startswith("/v1/accounts/") for _method, path in transport.requests)
        assert window.account_panel.account is None
    finally:
        await _close(window)


CHILD = r"""
import sys
from PySide6.QtCore import QTimer
from app.ui.shell import main_window
from app.ui.shell.app import GuiOptions, run_gui

shown = main_window.MainWindow.show_message


def show_message(self, *args, **kwargs):
    shown(self, *args, **kwargs)
    field = self.account_panel.input
    QTimer.singleShot(0, lambda: print(f"account field enabled: {field.isEnabled()}", flush=True))


main_window.MainWindow.show_message = show_message
sys.exit(run_gui(GuiOptions(data_dir=sys.argv[1])))
"""


@pytest.mark.slow
def test_a_data_folder_that_cannot_be_used_leaves_the_account_field_disabled(tmp_path):
    """The field took typing at start; when no services can be made (here, the data folder is a
    file) the window says why and the field is disabled again: nothing could be looked up."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file, not a folder")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LINKDESK_TEST_CLOSE_AFTER_MS="300",
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    for name in ("STRIPE_API_KEY", "LINKDESK_DATA_DIR", "LINKDESK_PROFILE"):
        env.pop(name, None)
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", CHILD, str(not_a_folder)], cwd=root, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "account field enabled: False" in result.stdout.splitlines(), result.stdout
