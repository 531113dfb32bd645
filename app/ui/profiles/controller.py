"""Profiles wired into the main window: selector, switching, indicators, welcome, live gate.

The window makes one :class:`ProfileController` and calls it at three points: when its services
are attached (:meth:`attach`), before a link is sent (:meth:`confirm_live_link`), and when an
error is shown (:meth:`name_mixup`); present mode asks it for its corner (:meth:`decorate_present`).
Switching profile cancels every task of the old profile (a look-up or link in flight), clears
the account summary, then swaps the services' connection and client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from app.ui.profiles.indicators import LiveBand, add_present_corner, window_title
from app.ui.profiles.selector import ProfileSelector
from app.ui.profiles.welcome import WelcomeView

if TYPE_CHECKING:
    from app.profiles.model import Profile
    from app.profiles.registry import ProfileRegistry
    from app.profiles.safety import LiveGate
    from app.services import Services
    from app.stripe.models import Account
    from app.stripe.validation import LinkRequest
    from app.ui.profiles.settings_dialog import SettingsDialog


class ProfileController:
    def __init__(self, window: Any) -> None:
        self.w = window
        self._gate: "LiveGate | None" = None
        self.settings_dialog: "SettingsDialog | None" = None
        self.selector = ProfileSelector(window)
        bar = window.connection_bar
        self.selector_action = bar.insertWidget(bar.badge_action, self.selector)
        self.selector_action.setVisible(False)
        self.selector.profileChosen.connect(self.request_switch)
        self.shortcuts = self.selector.install_shortcuts(window)
        layout = window.centralWidget().layout()
        self.band = LiveBand(window)
        layout.insertWidget(0, self.band)
        self.welcome = WelcomeView(window)
        layout.insertWidget(layout.indexOf(window.splitter), self.welcome, 1)
        self.welcome.trySandbox.connect(lambda: window.spawn(self.try_sandbox(), "try sandbox"))
        self.welcome.addKey.connect(self.request_add_profile)
        self.actions = self._add_menu_actions(window)

    def _add_menu_actions(self, window: QMainWindow) -> dict[str, QAction]:
        file_menu = window.menuBar().actions()[0].menu()
        first = file_menu.actions()[0] if file_menu.actions() else None
        made = {}
        for name, text, keys, handler in (
            ("addProfileAction", "Add a Stripe key…", "", self.request_add_profile),
            ("settingsAction", "Settings…", "Ctrl+,", self.open_settings),
        ):
            action = QAction(text, window, objectName=name)
            if keys:
                action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _checked=False, h=handler: h())
            action.setEnabled(False)  # until services (and profiles) are attached
            file_menu.insertAction(first, action)
            window.addAction(action)
            made[name] = action
        file_menu.insertSeparator(first)
        return made

    # -- state --------------------------------------------------------------------------------
    @property
    def services(self) -> "Services | None":
        return self.w.services

    @property
    def registry(self) -> "ProfileRegistry | None":
        return self.services.profiles if self.services is not None else None

    @property
    def profile(self) -> "Profile | None":
        return self.services.profile if self.services is not None else None

    @property
    def gate(self) -> "LiveGate":
        if self._gate is None:
            from app.profiles.safety import LiveGate

            self._gate = LiveGate()
        return self._gate

    def attach(self, services: "Services") -> None:
        registry = services.profiles
        for action in self.actions.values():
            action.setEnabled(registry is not None)
        self.refresh()
        if registry is None:
            return
        if registry.problems:
            self.w.show_message("Some settings could not be read.", " ".join(registry.problems))
        # Not when an API base was given alone (stripe-mock): the operator chose a server already.
        self.show_welcome(registry.first_run and services.profile is not None and services.profile.is_sandbox)
        if services.profile is not None and services.profile.kind == "environment":
            self.w.spawn(self.learn_platform(), "platform")
        self.w.spawn(self._fill_history_filter(), "history profiles")

    async def _fill_history_filter(self) -> None:
        await self.w.history_ready()
        self.fill_history_filter()

    def fill_history_filter(self) -> None:
        """History → the profile filter lists this run's profiles (by what history records)."""
        panel, registry = self.w.history_panel, self.registry
        if panel is not None and registry is not None:
            panel.filter_widgets.set_profiles([(p.name, p.history_name) for p in registry.all()])

    async def learn_platform(self) -> None:
        """STRIPE_API_KEY's profile knows no platform: ask GET /v1/account once, so the LIVE band
        and the live confirmation can name it (kept for this run only, like the profile)."""
        from app.profiles.model import MAX_PLATFORM_NAME, clean_text
        from app.stripe.errors import StripeError

        services, registry = self.services, self.registry
        profile = self.profile
        if services is None or registry is None or profile is None or profile.platform_id:
            return
        try:
            account = await services.client.retrieve_platform_account()
        except StripeError as exc:
            self.w.status(f"Could not name the platform of STRIPE_API_KEY: {exc.explanation}")
            return
        if self.profile is not profile:  # switched meanwhile
            return
        named = profile.replace(platform_id=account.id, platform_name=clean_text(
            account.business_name or account.dashboard_display_name, MAX_PLATFORM_NAME))
        registry.environment = named
        services.connection.source = named
        self.refresh()

    def refresh(self) -> None:
        """Selector, title, band and form defaults for the profile in use."""
        registry, profile = self.registry, self.profile
        if registry is not None:
            self.selector.set_profiles(registry.all(), profile)
        self.selector_action.setVisible(registry is not None)
        self.w.setWindowTitle(window_title(profile))
        self.band.show_profile(profile)
        self._show_recent()
        self.fill_history_filter()

    # -- recent accounts (each profile its own) -------------------------------------------------
    def _show_recent(self) -> None:
        from PySide6.QtCore import QStringListModel
        from PySide6.QtWidgets import QCompleter

        registry, profile = self.registry, self.profile
        recent = list(registry.recent(profile)) if registry is not None and profile is not None else []
        completer = self.w.account_panel.input.completer()
        if completer is None:
            completer = QCompleter(self.w.account_panel.input)
            completer.setObjectName("recentAccounts")
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setModel(QStringListModel(completer))
            self.w.account_panel.input.setCompleter(completer)
        completer.model().setStringList(recent)

    def remember(self, account_id: str) -> None:
        """A looked-up account joins the profile's recent accounts (offered as you type)."""
        from app.profiles.store import SettingsError

        registry, profile = self.registry, self.profile
        if registry is None or profile is None:
            return
        try:
            registry.remember_account(profile, account_id)
        except SettingsError:
            return  # read-only settings: the list just does not grow
        self._show_recent()

    def profile_updated(self, updated: "Profile") -> None:
        """A saved profile changed (settings dialog): the one in use takes its new defaults at
        once (its Stripe-Version and API base when it is next chosen)."""
        services = self.services
        if services is not None and self.profile is not None and self.profile.id == updated.id:
            services.connection.source = updated.replace(api_base=self.profile.api_base,
                                                         stripe_version=self.profile.stripe_version)
            if services.accounts_api_override is None:  # the Accounts API applies at once
                services.connection.accounts_api = updated.accounts_api
                self.w.connection_bar.show_connection(services.connection, services.client)
            self.apply_form_defaults()
        self.refresh()

    def show_welcome(self, shown: bool) -> None:
        self.welcome.setVisible(shown)
        self.w.splitter.setVisible(not shown)
        if shown:
            self.welcome.sandbox_button.setFocus()  # the default: Enter tries the sandbox

    # -- switching ----------------------------------------------------------------------------
    def request_switch(self, profile_id: str) -> None:
        self.w.spawn(self.switch(profile_id), "switch profile")

    async def switch(self, profile_id: str) -> bool:
        """Use another profile: the old one's requests are cancelled, the summary cleared."""
        from app.profiles.model import ProfileError
        from app.stripe.errors import ValidationError

        w, registry = self.w, self.registry
        target = registry.get_by_id(profile_id) if registry is not None else None
        if target is None or self.services is None:
            return False
        old = self.profile
        await w.tracker.cancel_all()  # every task of the old profile but this one
        w.cancel_request()
        if w.flow is not None:
            w.flow.close_present()
        w.account_panel.clear_account()
        w.form.set_account(None)
        w.clear_errors()
        try:
            await self.services.switch_profile(target)
        except (ProfileError, ValidationError, OSError) as exc:
            self.selector.select(old)
            text = exc.message if isinstance(exc, ValidationError) else str(exc)
            w.show_message(f"Linkdesk cannot use “{target.name}”.", text)
            self.offer_enter_key(target, exc)
            return False
        w.connection_bar.show_connection(self.services.connection, self.services.client)
        self.refresh()
        self.apply_form_defaults()
        self.show_welcome(False)
        w.history_changed()
        w.status(f"Now using {target.name} ({target.label}).")
        return True

    def apply_form_defaults(self) -> None:
        """The form's URLs: the last ones used with this profile, else the profile's defaults."""
        profile, w = self.profile, self.w
        if profile is None:
            return
        prefix = w.settings_prefix()
        refresh = w.settings.value(f"{prefix}/refresh_url") or profile.refresh_url or ""
        back = w.settings.value(f"{prefix}/return_url") or profile.return_url or ""
        w.form.set_urls(str(refresh), str(back))
        for combo, value in ((w.form.fields, profile.collection_fields), (w.form.future, profile.future_requirements)):
            index = combo.findData(value) if value else -1
            if index >= 0:  # the profile's default collection options
                combo.setCurrentIndex(index)

    async def try_sandbox(self) -> None:
        """Welcome → Try the sandbox: use it, and remember the choice (no welcome next time)."""
        from app.profiles.store import SettingsError

        registry = self.registry
        if registry is None:
            return
        try:
            registry.use("Sandbox")
        except SettingsError as exc:
            self.w.status(str(exc))
        if self.profile is None or not self.profile.is_sandbox:
            await self.switch(registry.sandbox.id)
        self.show_welcome(False)
        self.w.account_panel.input.setFocus()

    # -- adding a key ---------------------------------------------------------------------------
    def request_add_profile(self) -> None:
        self.w.spawn(self.add_profile(), "add profile")

    def offer_enter_key(self, profile: "Profile", exc: BaseException) -> None:
        """The banner saying a saved profile's key is gone gets an "Enter the key" button."""
        from app.profiles.secrets import KeyMissing

        if isinstance(exc, KeyMissing) and profile.saved:
            self.w.banner.offer_action("Enter the key", lambda: self.request_enter_key(profile.id),
                                       f"Enter the key of {profile.name} again")

    def request_enter_key(self, profile_id: str) -> None:
        registry = self.registry
        profile = registry.get_by_id(profile_id) if registry is not None else None
        if profile is not None:
            self.w.spawn(self.add_profile(replacing=profile), "enter key")

    async def add_profile(self, replacing: "Profile | None" = None) -> "Profile | None":
        """The "Add a Stripe key" dialog; the new profile is then used (and made the default
        if there was none). With ``replacing``, the same dialog for that profile's key only
        (its key was gone): saved where the profile keeps its key, then the profile is used."""
        from app.ui.profiles.add_profile import AddProfileDialog
        from app.ui.profiles.dialogs import await_dialog

        registry = self.registry
        if registry is None:
            return None
        problem = registry.vault.keyring.problem()  # on the Qt thread: see AddProfileDialog.save
        services = self.w.services
        dialog = AddProfileDialog(registry, spawn=self.w.spawn, keyring_problem=problem, parent=self.w,
                                  rate_limiters=services.rate_limiters if services is not None else None,
                                  replacing=replacing)
        self.add_dialog = dialog
        try:
            await await_dialog(dialog)
        finally:
            self.add_dialog = None
            dialog.deleteLater()
        saved = dialog.saved
        if saved is None:
            return None
        if registry.default is None:
            registry.use(saved.name)
        self.refresh()
        await self.switch(saved.id)
        return saved

    # -- settings -------------------------------------------------------------------------------
    def open_settings(self) -> None:
        self.w.spawn(self.settings(), "settings")

    async def settings(self) -> None:
        """The settings dialog (non-modal; one at a time)."""
        from app.ui.profiles.dialogs import await_dialog
        from app.ui.profiles.settings_dialog import SettingsDialog

        if self.registry is None or self.services is None:
            return
        if self.settings_dialog is not None:
            self.settings_dialog.activateWindow()
            return
        dialog = SettingsDialog(self, parent=self.w)
        self.settings_dialog = dialog
        try:
            await await_dialog(dialog)
        finally:
            self.settings_dialog = None
            dialog.deleteLater()

    # -- live safety ----------------------------------------------------------------------------
    async def confirm_live_link(self, request: "LinkRequest", account: "Account | None") -> bool:
        """True to send. The first live link of a session (per profile) asks, naming the
        platform and the account; test and sandbox never ask."""
        from app.ui.profiles.dialogs import confirm_live

        profile = self.profile
        if profile is None or not self.gate.needs_confirmation(profile):
            return True
        name = account.display_name if account is not None and account.id == request.account else None
        if await confirm_live(self.w, profile, self.gate.question(profile, request.account, name)):
            self.gate.confirm(profile)
            return True
        self.w.status("Not sent: the live link was not confirmed.")
        return False

    def name_mixup(self, exc: BaseException) -> None:
        """A test/live mix-up explained with the platform's name, before the banner shows it."""
        from app.stripe.errors import StripeError

        if not isinstance(exc, StripeError) or self.profile is None:
            return
        from app.profiles.safety import explain_mode_mixup

        account = self.w.account_panel.account_text().strip() or None
        text = explain_mode_mixup(exc, self.profile, account if account and account.startswith("acct_") else None)
        if text:
            exc.explanation = text

    def decorate_present(self, window: Any) -> None:
        live = self.services is not None and self.services.connection.mode == "live"
        add_present_corner(window, self.profile, live=live)
        profile = self.profile  # who asks, for the seller: the platform the key was checked against
        if (profile is not None and not profile.is_sandbox and profile.platform_name
                and hasattr(window, "set_platform_name") and not getattr(window, "platform_name", "")):
            window.set_platform_name(profile.platform_name)
