"""Profiles in the window (pytest-qt, offscreen): selector and switching, the LIVE band, the
first-live-link confirmation, the https refusal, the welcome view, adding a key with and
without a keyring, the settings dialog, the mix-up banner, present mode's corner, and no key in
any file after a session."""

from __future__ import annotations

import asyncio
import os
import stat

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QLabel, QLineEdit, QMessageBox, QPushButton, QRadioButton

from app.profiles.check import check_key
from app.profiles.registry import ProfileRegistry
from app.profiles.secrets import KeyVault
from app.profiles.store import SettingsStore
from app.sandbox import DEMO_ACCOUNTS
from app.sandbox.seed import MODE_BOUND_ACCOUNTS, PLATFORM
from app.services import build_services
from app.stripe.keys import ApiKey
from profile_helpers import all_bytes

LIVE_KEY = ApiKey("rk_live_" + "51Wl5Qz8Xc3Vb7Nm0Jk8Q")
TEST_KEY = ApiKey("sk_test_" + "51Wt2Hg6Jd9Sa4Kp0Lm3R")


def find(window, name: str, kind=None):
    from PySide6.QtWidgets import QWidget

    widget = window.findChild(kind or QWidget, name)
    assert widget is not None, f"no child named {name!r}"
    return widget


async def wait_until(predicate, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def registry(app_paths) -> ProfileRegistry:
    return ProfileRegistry(SettingsStore.for_paths(app_paths), KeyVault(), environ={})


async def add(app_paths, name, key, server) -> None:
    check = await check_key(key, api_base=server.url)
    registry(app_paths).add(name, key, check, api_base=server.url, refresh_url="https://acme.example.com/r",
                            return_url="https://acme.example.com/b")


@pytest.fixture
async def make_window(qtbot, qapp, tmp_path, make_sandbox):  # closed before the sandboxes stop
    from app.ui.shell.main_window import MainWindow

    qapp.setQuitOnLastWindowClosed(False)
    made = []

    async def make(environ_override=None, **options):
        services = build_services(environ=environ_override or {}, **options)
        settings = QSettings(str(tmp_path / "qt" / "linkdesk.ini"), QSettings.Format.IniFormat)
        window = MainWindow(services, settings=settings)
        window.show()
        await window.history_ready()
        made.append((window, services))
        return window

    yield make
    for window, services in made:
        window.close()
        await window.shutdown()
        await services.aclose()
        assert window.unexpected == []
        window.deleteLater()
    qapp.setQuitOnLastWindowClosed(True)


def fill_form(window, account: str, refresh: str = "https://acme.example.com/r") -> None:
    find(window, "accountInput", QLineEdit).setText(account)
    window.form.set_urls(refresh, "https://acme.example.com/b")


async def dialog(window, name: str, kind=QDialog):
    await wait_until(lambda: (d := window.findChild(kind, name)) is not None and d.isVisible())
    return window.findChild(kind, name)


async def test_selector_switches_profiles_and_the_live_band_follows(make_window, memory_keyring, make_sandbox, app_paths):
    live_server, test_server = make_sandbox(live=True), make_sandbox()
    await add(app_paths, "Acme live", LIVE_KEY, live_server)
    await add(app_paths, "Acme test", TEST_KEY, test_server)
    window = await make_window(profile="Acme test")
    selector = find(window, "profileSelector", QComboBox)
    assert [selector.itemText(i) for i in range(selector.count())] == [
        "Sandbox — SANDBOX", "Acme live — LIVE", "Acme test — TEST"]
    assert selector.currentText() == "Acme test — TEST" and selector.isVisible()
    band = find(window, "liveBand", QLabel)
    assert not band.isVisible() and window.windowTitle() == "Linkdesk — Acme test · TEST"
    assert find(window, "modeBadge", QLabel).text() == "TEST"

    find(window, "profileShortcut2", QShortcut).activated.emit()  # Ctrl+Alt+2
    await wait_until(lambda: window.services.profile.name == "Acme live")
    assert band.isVisible() and band.text().startswith(f"LIVE — {PLATFORM.name} ({PLATFORM.id})")
    assert window.windowTitle() == "Linkdesk — Acme live · LIVE"
    assert find(window, "modeBadge", QLabel).text() == "LIVE"
    assert window.form.refresh_url.text() == "https://acme.example.com/r"  # the profile's defaults

    selector.setCurrentIndex(0)
    selector.activated.emit(0)
    await wait_until(lambda: window.services.profile.is_sandbox)
    assert not band.isVisible() and find(window, "sandboxBadge", QLabel).text() == "SANDBOX"
    assert window.windowTitle() == "Linkdesk — Sandbox · SANDBOX"


async def test_switching_cancels_the_old_profiles_lookup_and_clears_the_summary(make_window, memory_keyring, make_sandbox, app_paths):
    slow = make_sandbox(latency=3.0)
    await add(app_paths, "Slow", TEST_KEY, slow)
    window = await make_window()  # the Sandbox (no default)
    find(window, "accountInput", QLineEdit).setText(DEMO_ACCOUNTS["custom_due"])
    assert await window.lookup_account() is not None
    assert window.account_panel.account is not None
    await window.profiles_ui.switch(registry(app_paths).get("Slow").id)
    assert window.account_panel.account is None  # summary cleared
    window.request_lookup()
    await wait_until(lambda: slow.open_connections > 0 and window.busy)
    started = asyncio.get_running_loop().time()
    assert await window.profiles_ui.switch(window.services.profiles.sandbox.id)
    assert asyncio.get_running_loop().time() - started < 2.0  # not waiting out the slow answer
    assert not window.busy and window.account_panel.account is None and window.services.profile.is_sandbox


async def test_the_first_live_link_asks_naming_platform_and_account(make_window, memory_keyring, make_sandbox, app_paths):
    server = make_sandbox(live=True, log=(lines := []).append)
    await add(app_paths, "Acme live", LIVE_KEY, server)
    window = await make_window(profile="Acme live")
    fill_form(window, DEMO_ACCOUNTS["custom_due"])
    assert await window.lookup_account() is not None
    task = asyncio.ensure_future(window.create_link())
    box = await dialog(window, "liveConfirmDialog", QMessageBox)
    assert "Harbor Street Bakery (acct_1LdCustomDue0001)" in box.text()
    assert f"{PLATFORM.name} ({PLATFORM.id})" in box.text() and "LIVE" in box.text()
    find(box, "liveCancelButton", QPushButton).click()
    assert await task is None
    assert not any("POST /v1/account_links" in line for line in lines)  # nothing was sent

    task = asyncio.ensure_future(window.create_link())
    box = await dialog(window, "liveConfirmDialog", QMessageBox)
    find(box, "liveConfirmButton", QPushButton).click()
    assert await task is not None
    assert await window.create_link() is not None  # asked once per session
    assert sum("POST /v1/account_links" in line for line in lines) == 2


async def test_live_mode_refuses_http_redirects_before_asking_or_sending(make_window, memory_keyring, make_sandbox, app_paths):
    server = make_sandbox(live=True, log=(lines := []).append)
    await add(app_paths, "Acme live", LIVE_KEY, server)
    window = await make_window(profile="Acme live")
    fill_form(window, DEMO_ACCOUNTS["custom_due"], refresh="http://acme.example.com/r")
    assert await window.create_link() is None
    error = find(window, "refreshUrlError")
    assert error.isVisible() and "Live mode needs an https:// address" in error.text()
    assert window.findChild(QMessageBox, "liveConfirmDialog") is None
    assert not any("account_links" in line for line in lines)


async def test_a_mixup_is_explained_with_the_platform(make_window, memory_keyring, make_sandbox, app_paths):
    server = make_sandbox(live=True)
    await add(app_paths, "Acme live", LIVE_KEY, server)
    window = await make_window(profile="Acme live")
    find(window, "accountInput", QLineEdit).setText(MODE_BOUND_ACCOUNTS["test_only"])
    assert await window.lookup_account() is None
    shown = window.account_panel.error.text()  # said once, at the account field
    assert "exists in test mode; you are using the live key of Linkdesk Demo Platform" in shown


async def test_present_mode_shows_the_mode_in_its_corner(make_window, memory_keyring, make_sandbox, app_paths):
    window = await make_window()
    fill_form(window, DEMO_ACCOUNTS["custom_due"])
    card = await window.create_link()
    present = window.flow.present(card)
    corner = find(present, "presentModeLabel", QLabel)
    assert corner.text() == "SANDBOX" and corner.isVisible() and corner.pos().x() < 50 and corner.pos().y() < 50
    window.flow.close_present()


async def test_present_mode_of_a_live_profile_says_live_and_names_the_platform(make_window, memory_keyring, make_sandbox, app_paths):
    server = make_sandbox(live=True)
    await add(app_paths, "Acme live", LIVE_KEY, server)
    window = await make_window(profile="Acme live")
    window.profiles_ui.gate.confirm(window.services.profile)
    fill_form(window, DEMO_ACCOUNTS["custom_due"])
    card = await window.create_link()
    present = window.flow.present(card)
    assert find(present, "presentModeLabel", QLabel).text() == "LIVE"
    assert present.platform_name == PLATFORM.name
    window.flow.close_present()


async def test_first_run_welcome_and_try_the_sandbox(make_window, app_paths):
    window = await make_window()
    welcome = find(window, "welcomeView")
    assert welcome.isVisible() and not window.splitter.isVisible()
    assert "restricted key" in find(window, "welcomeKeyNote", QLabel).text()
    find(window, "trySandboxButton", QPushButton).click()
    await wait_until(lambda: not welcome.isVisible())
    assert window.splitter.isVisible() and window.services.profile.is_sandbox
    assert registry(app_paths).default.is_sandbox and not registry(app_paths).first_run


async def test_add_a_key_from_the_welcome_view(make_window, memory_keyring, make_sandbox, app_paths):
    server = make_sandbox(live=True)
    window = await make_window()
    find(window, "addKeyButton", QPushButton).click()
    add_dialog = await dialog(window, "addProfileDialog")
    assert not find(add_dialog, "storageChoice").isVisible()  # a keyring works: no choice to make
    find(add_dialog, "profileNameInput", QLineEdit).setText("Acme live")
    find(add_dialog, "apiBaseInput", QLineEdit).setText(server.url)
    key_input = find(add_dialog, "keyInput", QLineEdit)
    assert key_input.echoMode() == QLineEdit.EchoMode.Password
    key_input.setText("rk_live_51Revoked0000000_revoked")
    assert await add_dialog.check() is None
    assert "expired or was revoked" in find(add_dialog, "keyCheckResult", QLabel).text()
    assert not find(add_dialog, "saveProfileButton", QPushButton).isEnabled()
    key_input.setText(LIVE_KEY.secret)
    assert (await add_dialog.check()).platform_id == PLATFORM.id
    assert await add_dialog.save() is not None
    await wait_until(lambda: window.services.profile is not None and window.services.profile.name == "Acme live")
    assert list(memory_keyring.passwords.values()) == [LIVE_KEY.secret]
    assert find(window, "liveBand", QLabel).isVisible() and not find(window, "welcomeView").isVisible()
    assert registry(app_paths).default.name == "Acme live"


async def test_a_new_platform_without_accounts_can_be_added_from_the_window_with_a_note(make_window, memory_keyring, sandbox):
    window = await make_window()
    window.profiles_ui.request_add_profile()
    add_dialog = await dialog(window, "addProfileDialog")
    find(add_dialog, "profileNameInput", QLineEdit).setText("Fresh")
    find(add_dialog, "apiBaseInput", QLineEdit).setText(sandbox.url)
    find(add_dialog, "keyInput", QLineEdit).setText("sk_test_51Fq7Hz2Nw9Lb_newplatform")
    assert (await add_dialog.check()) is not None
    assert "No connected accounts yet in test mode" in find(add_dialog, "keyCheckResult", QLabel).text()
    assert find(add_dialog, "saveProfileButton", QPushButton).isEnabled()
    assert await add_dialog.save() is not None
    assert list(memory_keyring.passwords.values()) == ["sk_test_51Fq7Hz2Nw9Lb_newplatform"]


async def test_the_dialog_never_writes_the_key_over_a_file_of_the_users(make_window, fail_keyring, sandbox, app_paths, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    window = await make_window()
    window.profiles_ui.request_add_profile()
    add_dialog = await dialog(window, "addProfileDialog")
    find(add_dialog, "profileNameInput", QLineEdit).setText("Demo")
    find(add_dialog, "apiBaseInput", QLineEdit).setText(sandbox.url)
    find(add_dialog, "keyInput", QLineEdit).setText(TEST_KEY.secret)
    assert await add_dialog.check() is not None
    find(add_dialog, "keyFileRadio", QRadioButton).setChecked(True)
    find(add_dialog, "keyFilePath", QLineEdit).setText(str(notes))
    assert await add_dialog.save() is None
    shown = find(add_dialog, "keyCheckResult", QLabel).text()
    assert shown.startswith("Key file:") and "never overwrites" in shown and TEST_KEY.secret not in shown
    assert notes.read_text() == "my notes\n" and registry(app_paths).saved == ()
    assert find(add_dialog, "saveProfileButton", QPushButton).isEnabled()  # choose another name and save again
    add_dialog.reject()


async def test_removing_a_profile_in_the_window_keeps_a_key_file_of_the_users(make_window, fail_keyring, sandbox, app_paths, tmp_path):
    mine = tmp_path / "mine.key"
    mine.write_text(TEST_KEY.secret + "\n")
    os.chmod(mine, 0o600)
    registry(app_paths).add("Mine", TEST_KEY, storage="file", key_file=str(mine), api_base=sandbox.url)
    window = await make_window()
    window.profiles_ui.open_settings()
    settings = await dialog(window, "settingsDialog")
    settings.select("Mine")
    find(settings, "removeProfileButton", QPushButton).click()
    shown = find(settings, "settingsMessage", QLabel).text()
    assert shown.startswith("Removed “Mine” and left its key file") and "deleted" not in shown
    assert mine.read_text() == TEST_KEY.secret + "\n" and registry(app_paths).saved == ()
    settings.close()


@pytest.mark.parametrize("choice", ["session", "file"])
async def test_without_a_keyring_the_dialog_offers_session_or_file(make_window, fail_keyring, sandbox, app_paths, tmp_path, choice):
    window = await make_window()
    window.profiles_ui.request_add_profile()
    add_dialog = await dialog(window, "addProfileDialog")
    assert find(add_dialog, "storageChoice").isVisible()
    assert "No system keyring" in find(add_dialog, "noKeyringNote", QLabel).text()
    assert find(add_dialog, "sessionOnlyRadio", QRadioButton).isChecked()  # the default
    find(add_dialog, "profileNameInput", QLineEdit).setText("Demo")
    find(add_dialog, "apiBaseInput", QLineEdit).setText(sandbox.url)
    find(add_dialog, "keyInput", QLineEdit).setText(TEST_KEY.secret)
    assert TEST_KEY not in window.services.rate_limiters
    assert await add_dialog.check() is not None
    # The check's requests were paced by the app's one limiter for that key (shared with
    # whatever else of the window uses it), not by a limiter of their own.
    assert TEST_KEY in window.services.rate_limiters
    path = tmp_path / "mine" / "demo.key"
    if choice == "file":
        find(add_dialog, "keyFileRadio", QRadioButton).setChecked(True)
        assert find(add_dialog, "keyFileWarning", QLabel).isVisible()
        find(add_dialog, "keyFilePath", QLineEdit).setText(str(path))
    assert await add_dialog.save() is not None
    await wait_until(lambda: window.services.profile is not None and window.services.profile.name == "Demo")
    if choice == "file":
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and path.read_text().strip() == TEST_KEY.secret
    else:
        assert not path.exists()
        assert TEST_KEY.secret.encode() not in all_bytes(app_paths.config_dir, app_paths.data_dir)


async def test_settings_dialog_is_non_modal_and_edits_profiles(make_window, memory_keyring, sandbox, app_paths):
    await add(app_paths, "Demo", TEST_KEY, sandbox)
    await add(app_paths, "Other", TEST_KEY, sandbox)
    window = await make_window(profile="Demo")
    window.profiles_ui.open_settings()
    settings = await dialog(window, "settingsDialog")
    assert not settings.isModal() and window.isEnabled()
    settings.select("Demo")
    find(settings, "defaultReturnUrl", QLineEdit).setText("not a url")
    find(settings, "saveDefaultsButton", QPushButton).click()
    assert "Return url" in find(settings, "settingsMessage", QLabel).text()
    find(settings, "defaultReturnUrl", QLineEdit).setText("https://demo.example.com/back")
    fields = find(settings, "defaultFields", QComboBox)
    fields.setCurrentIndex(fields.findData("eventually_due"))
    find(settings, "stripeVersionInput", QLineEdit).setText("2025-12-15.clover")
    find(settings, "saveDefaultsButton", QPushButton).click()
    demo = registry(app_paths).get("Demo")
    assert (demo.return_url, demo.collection_fields, demo.stripe_version) == (
        "https://demo.example.com/back", "eventually_due", "2025-12-15.clover")
    window.profiles_ui.apply_form_defaults()
    assert window.form.fields.currentData() == "eventually_due"
    # the profile's Accounts API (issue 12): saved, and used at once by the profile in use
    assert window.services.connection.accounts_api == "v1" and demo.accounts_api == "v1"
    api = find(settings, "profileAccountsApi", QComboBox)
    api.setCurrentIndex(api.findData("v2"))
    find(settings, "saveDefaultsButton", QPushButton).click()
    assert registry(app_paths).get("Demo").accounts_api == "v2"
    assert window.services.connection.accounts_api == "v2"
    assert find(window, "accountsApiLabel", QLabel).text() == "Accounts v2"
    settings.select("Other")
    assert api.currentData() == "v1"  # each profile its own
    settings.select("Demo")
    assert api.currentData() == "v2"
    find(settings, "removeProfileButton", QPushButton).click()
    assert "in use" in find(settings, "settingsMessage", QLabel).text()
    settings.select("Other")
    find(settings, "makeDefaultButton", QPushButton).click()
    find(settings, "removeProfileButton", QPushButton).click()
    assert [p.name for p in registry(app_paths).saved] == ["Demo"]
    assert len(memory_keyring.passwords) == 1
    selector = find(window, "profileSelector", QComboBox)
    assert [selector.itemText(i) for i in range(selector.count())] == ["Sandbox — SANDBOX", "Demo — TEST"]
    settings.reject()
    await wait_until(lambda: window.profiles_ui.settings_dialog is None)


async def test_settings_shows_the_current_options_and_one_keep_urls_option(make_window, memory_keyring, sandbox,
                                                                            app_paths):
    await add(app_paths, "Demo", TEST_KEY, sandbox)
    reg = registry(app_paths)
    reg.update(reg.get("Demo").replace(future_requirements="include", store_urls=False))  # an older version's
    window = await make_window(profile="Demo")
    window.profiles_ui.open_settings()
    settings = await dialog(window, "settingsDialog")
    settings.select("Demo")
    fields, future = find(settings, "defaultFields", QComboBox), find(settings, "defaultFutureRequirements", QComboBox)
    # Never an empty box: the profile's choice, or Stripe's default said as such.
    assert (fields.currentData(), fields.currentText()) == ("currently_due", "Only what is due now (Stripe's default)")
    assert (future.currentData(), future.currentText()) == ("include", "Include upcoming requirements")
    keep = [box for box in settings.findChildren(QCheckBox) if "URL" in box.text()]
    assert [box.objectName() for box in keep] == ["storeUrlsSetting"]
    assert not keep[0].isChecked()  # the profile kept none: shown as it is
    keep[0].setChecked(True)
    assert registry(app_paths).get("Demo").store_urls and window.services.preferences.store_urls
    assert window.actions_by_name["storeUrlsAction"].isChecked()
    find(settings, "saveDefaultsButton", QPushButton).click()
    demo = registry(app_paths).get("Demo")
    assert (demo.collection_fields, demo.future_requirements) == (None, "include")  # the default stays unsaid
    notify = find(settings, "notifySetting", QCheckBox)
    assert notify.isChecked()
    notify.setChecked(False)
    from app.preferences import Preferences

    assert window.services.preferences.notify is False
    assert Preferences.load(window.services.paths.preferences_file).notify is False
    settings.reject()
    await wait_until(lambda: window.profiles_ui.settings_dialog is None)


async def test_a_profile_whose_key_is_gone_offers_enter_the_key(make_window, memory_keyring, sandbox, app_paths):
    await add(app_paths, "Demo", TEST_KEY, sandbox)
    window = await make_window(use_sandbox=True)
    memory_keyring.passwords.clear()  # the keyring lost it (another machine, a reset)
    demo = registry(app_paths).get("Demo")
    assert await window.profiles_ui.switch(demo.id) is False
    banner = find(window, "errorBanner")
    action = find(banner, "bannerActionButton", QPushButton)
    assert banner.isVisible() and "Enter the key again" in find(banner, "errorDetails", QLabel).text()
    assert action.isVisible() and action.text() == "Enter the key"
    action.click()
    key_dialog = await dialog(window, "addProfileDialog")
    assert key_dialog.windowTitle() == "Enter the key of “Demo”"
    name = find(key_dialog, "profileNameInput", QLineEdit)
    assert name.text() == "Demo" and name.isReadOnly()
    find(key_dialog, "keyInput", QLineEdit).setText(TEST_KEY.secret)
    assert await key_dialog.check() is not None
    await key_dialog.save()
    await wait_until(lambda: window.services.profile is not None and window.services.profile.name == "Demo")
    assert [p.name for p in registry(app_paths).saved] == ["Demo"]  # the same profile, not a second one
    assert list(memory_keyring.passwords.values()) == [TEST_KEY.secret]
    assert not banner.isVisible()


async def test_a_window_session_leaves_the_key_in_no_file(make_window, memory_keyring, make_sandbox, app_paths, tmp_path):
    server = make_sandbox(live=True)
    await add(app_paths, "Acme live", LIVE_KEY, server)
    window = await make_window(profile="Acme live")
    fill_form(window, DEMO_ACCOUNTS["custom_due"])
    assert await window.lookup_account() is not None
    task = asyncio.ensure_future(window.create_link())
    find(await dialog(window, "liveConfirmDialog", QMessageBox), "liveConfirmButton", QPushButton).click()
    assert await task is not None
    await window.profiles_ui.switch(window.services.profiles.sandbox.id)
    window.save_geometry()
    written = all_bytes(app_paths.config_dir, app_paths.data_dir, tmp_path)
    assert b"profiles.json" in written and b"history" in written
    assert LIVE_KEY.secret.encode() not in written
    assert LIVE_KEY.secret not in window.windowTitle()


async def test_each_profile_offers_its_own_recent_accounts(make_window, memory_keyring, sandbox, app_paths):
    await add(app_paths, "Demo", TEST_KEY, sandbox)
    window = await make_window(profile="Demo")
    find(window, "accountInput", QLineEdit).setText(DEMO_ACCOUNTS["express_ok"])
    assert await window.lookup_account() is not None
    completer = find(window, "accountInput", QLineEdit).completer()
    assert completer.model().stringList() == [DEMO_ACCOUNTS["express_ok"]]
    await window.profiles_ui.switch(window.services.profiles.sandbox.id)
    assert completer.model().stringList() == []  # the Sandbox has its own (none yet)
    await window.profiles_ui.switch(registry(app_paths).get("Demo").id)
    assert completer.model().stringList() == [DEMO_ACCOUNTS["express_ok"]]
    assert registry(app_paths).recent(registry(app_paths).get("Demo")) == (DEMO_ACCOUNTS["express_ok"],)


async def test_stripe_api_key_profile_learns_its_platform_for_the_band(make_window, make_sandbox):
    server = make_sandbox(live=True)
    environ = {"STRIPE_API_KEY": LIVE_KEY.secret, "LINKDESK_API_BASE": server.url}
    window = await make_window(environ_override=environ)
    assert window.services.profile.name == "Environment"
    await wait_until(lambda: window.services.profile.platform_id == PLATFORM.id)
    band = find(window, "liveBand", QLabel)
    assert band.isVisible() and f"{PLATFORM.name} ({PLATFORM.id})" in band.text()
    assert window.windowTitle() == "Linkdesk — Environment · LIVE"
    selector = find(window, "profileSelector", QComboBox)
    assert selector.currentText() == "Environment — LIVE"


async def test_history_can_be_filtered_by_profile(make_window, memory_keyring, sandbox, app_paths):
    await add(app_paths, "Demo", TEST_KEY, sandbox)
    window = await make_window()  # the Sandbox
    fill_form(window, DEMO_ACCOUNTS["custom_due"])
    assert await window.create_link() is not None
    await window.profiles_ui.switch(registry(app_paths).get("Demo").id)
    fill_form(window, DEMO_ACCOUNTS["express_ok"])
    assert await window.create_link() is not None
    window.show_history()
    panel = window.history_panel
    combo = find(window, "historyProfileFilter", QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["All profiles", "Sandbox", "Demo"]
    await panel.settled()
    assert panel.model.rowCount() == 2
    combo.setCurrentIndex(combo.findText("Demo"))
    await wait_until(lambda: panel.model.rowCount() == 1)
    await panel.settled()
    assert panel.model.rowCount() == 1
    combo.setCurrentIndex(combo.findText("Sandbox"))
    await wait_until(lambda: panel.model.rowCount() == 1 and panel.model.entry(0).profile == "sandbox")


async def test_a_profile_that_keeps_no_urls_writes_none_to_history(make_window, memory_keyring, sandbox, app_paths):
    registry(app_paths).add("Private", TEST_KEY, api_base=sandbox.url, store_urls=False)
    window = await make_window()  # the Sandbox keeps URLs (the app's preference)
    fill_form(window, DEMO_ACCOUNTS["custom_due"])
    assert await window.create_link() is not None
    await window.profiles_ui.switch(registry(app_paths).get("Private").id)
    fill_form(window, DEMO_ACCOUNTS["custom_due"])
    card = await window.create_link()
    assert card is not None and card.link.url.startswith("https://connect.stripe.com/")  # shown, not kept
    kept = {e.profile: e.url is not None for e in window.services.history.query()}
    assert kept == {"sandbox": True, "Private": False}


def test_the_window_module_loads_no_profile_or_stripe_code_before_the_first_paint():
    """The profile widgets are built before the first paint; what they need from the core
    (key checks, the settings file, the Stripe layer) is imported only afterwards."""
    import subprocess
    import sys

    code = ("import sys, tempfile\n"
            "core = ('app.stripe', 'app.profiles.', 'keyring', 'httpx')\n"
            "loaded = lambda: sorted(m for m in sys.modules if m.startswith(core))\n"
            "from PySide6.QtCore import QSettings\n"
            "from PySide6.QtWidgets import QApplication\n"
            "app = QApplication([])\n"
            "from app.ui.shell.main_window import MainWindow\n"
            "window = MainWindow(settings=QSettings(tempfile.mktemp(suffix='.ini'), QSettings.Format.IniFormat),\n"
            "                    deferred=True)\n"
            "print(loaded())  # the frame, painted first\n"
            "window.build()\n"
            "print(loaded())  # its contents, profile widgets included\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.stdout.strip().splitlines() == ["[]", "['app.profiles.texts']"]
