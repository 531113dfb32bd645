"""``settingsDialog``: profiles (add, remove, make default), each profile's link defaults, and
the history settings (retention, whether active link URLs are kept). Non-modal: the window stays
usable while it is open; the controller awaits it through ``await_dialog``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from app.profiles.model import Profile


class SettingsDialog(QDialog):
    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        """``controller``: the window's ProfileController (registry, services, refresh, …)."""
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Linkdesk settings")
        self.c = controller
        self.list = QListWidget(self, objectName="profileList")
        self.list.currentItemChanged.connect(lambda *_: self._load_selected())
        add = QPushButton("Add a Stripe key…", self, objectName="settingsAddProfileButton")
        add.clicked.connect(controller.request_add_profile)
        self.remove_button = QPushButton("Remove", self, objectName="removeProfileButton")
        self.remove_button.clicked.connect(self.remove_selected)
        self.default_button = QPushButton("Make default", self, objectName="makeDefaultButton")
        self.default_button.clicked.connect(self.make_default)
        row = QHBoxLayout()
        for button in (add, self.remove_button, self.default_button):
            row.addWidget(button)
        row.addStretch(1)

        self.defaults = QGroupBox("Link defaults of this profile", self, objectName="profileDefaults")
        self.refresh_url = QLineEdit(self.defaults, objectName="defaultRefreshUrl")
        self.return_url = QLineEdit(self.defaults, objectName="defaultReturnUrl")
        # The same words as the link form; a profile that never chose shows Stripe's default.
        from app.ui.links.form import DEFAULTS, FIELDS_LABELS, FUTURE_LABELS

        self._option_defaults = DEFAULTS
        self.fields = QComboBox(self.defaults, objectName="defaultFields")
        self.future = QComboBox(self.defaults, objectName="defaultFutureRequirements")
        for combo, labels, default in ((self.fields, FIELDS_LABELS, DEFAULTS["collection_fields"]),
                                       (self.future, FUTURE_LABELS, DEFAULTS["future_requirements"])):
            for value, label in labels:
                combo.addItem(f"{label} (Stripe's default)" if value == default else label, value)
        self.fields.setAccessibleName("Information to collect")
        self.future.setAccessibleName("Future requirements")
        self.stripe_version = QLineEdit(self.defaults, objectName="stripeVersionInput",
                                        placeholderText="the pinned version (leave empty)")
        self.accounts_api = QComboBox(self.defaults, objectName="profileAccountsApi")
        self.accounts_api.addItem("Accounts v1 (/v1/accounts: most platforms)", "v1")
        self.accounts_api.addItem("Accounts v2 (/v2/core/accounts)", "v2")
        self.accounts_api.setAccessibleName("Stripe Accounts API of this platform")
        self.accounts_api.setToolTip("The Accounts API your platform's own code uses; links and look-ups use it "
                                     "(--accounts-api or LINKDESK_ACCOUNTS_API override it)")
        form = QFormLayout(self.defaults)
        form.addRow("Refresh URL", self.refresh_url)
        form.addRow("Return URL", self.return_url)
        form.addRow("Collect", self.fields)
        form.addRow("Future requirements", self.future)
        form.addRow("Stripe-Version", self.stripe_version)
        form.addRow("Accounts API", self.accounts_api)
        self.save_defaults_button = QPushButton("Save defaults", self.defaults, objectName="saveDefaultsButton")
        self.save_defaults_button.clicked.connect(self.save_defaults)
        form.addRow(self.save_defaults_button)

        history = QGroupBox("History", self, objectName="historySettings")
        services = controller.services
        self.retention = QSpinBox(history, objectName="retentionDays", minimum=1, maximum=3650, suffix=" days")
        self.retention.setValue(services.preferences.retention_days if services else 365)
        # One option (File → Keep active link URLs is the same): off, no link URL is written to disk.
        self.store_urls = QCheckBox("Keep active link URLs in history until they expire", history,
                                    objectName="storeUrlsSetting")
        self.store_urls.setChecked(self._keeps_urls())
        self.store_urls.toggled.connect(self._store_urls_toggled)
        self.retention.editingFinished.connect(self._retention_changed)
        history_form = QFormLayout(history)
        history_form.addRow("Delete entries older than", self.retention)
        history_form.addRow(self.store_urls)

        notices = QGroupBox("Notifications", self, objectName="notificationSettings")
        self.notify = QCheckBox("Notify me a minute before a link expires, and when it has", notices,
                                objectName="notifySetting")
        self.notify.setChecked(services.preferences.notify if services else True)
        self.notify.toggled.connect(self._notify_toggled)
        QVBoxLayout(notices).addWidget(self.notify)

        self.message = QLabel(self, objectName="settingsMessage", textFormat=Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Profiles", self))
        layout.addWidget(self.list)
        layout.addLayout(row)
        layout.addWidget(self.defaults)
        layout.addWidget(history)
        layout.addWidget(notices)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.setMinimumWidth(560)
        self.reload()

    # -- profiles -----------------------------------------------------------------------------
    def reload(self) -> None:
        registry = self.c.registry
        current = self.selected()
        self.list.clear()
        if registry is None:
            return
        default = registry.default
        for profile in registry.all():
            mark = "  (default)" if default is not None and default.id == profile.id else ""
            item = QListWidgetItem(f"{profile.name} — {profile.label} — {profile.platform}{mark}")
            item.setData(Qt.ItemDataRole.UserRole, profile.id)
            self.list.addItem(item)
            if current is not None and current.id == profile.id:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)

    def select(self, name: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).text().startswith(f"{name} — "):
                self.list.setCurrentRow(row)
                return

    def selected(self) -> "Profile | None":
        item = self.list.currentItem()
        registry = self.c.registry
        return registry.get_by_id(item.data(Qt.ItemDataRole.UserRole)) if item and registry else None

    def _load_selected(self) -> None:
        profile = self.selected()
        saved = profile is not None and profile.saved
        self.remove_button.setEnabled(saved)
        self.default_button.setEnabled(profile is not None and profile.kind != "environment")
        self.defaults.setEnabled(saved)
        self.refresh_url.setText(profile.refresh_url or "" if profile else "")
        self.return_url.setText(profile.return_url or "" if profile else "")
        for combo, value in ((self.fields, profile.collection_fields if profile else None),
                             (self.future, profile.future_requirements if profile else None)):
            key = "collection_fields" if combo is self.fields else "future_requirements"
            combo.setCurrentIndex(max(0, combo.findData(value or self._option_defaults[key])))
        self.stripe_version.setText(profile.stripe_version or "" if profile else "")
        self.accounts_api.setCurrentIndex(max(0, self.accounts_api.findData(profile.accounts_api if profile else "v1")))

    def _guard(self, work: Any) -> bool:
        from app.profiles.model import ProfileError
        from app.profiles.store import SettingsError
        from app.stripe.errors import ValidationError

        try:
            work()
        except ValidationError as exc:
            self.message.setText(f"{exc.field.replace('_', ' ').capitalize()}: {exc.message}")
            return False
        except (ProfileError, SettingsError) as exc:
            self.message.setText(str(exc))
            return False
        return True

    def remove_selected(self) -> None:
        profile = self.selected()
        if profile is None or not profile.saved:
            return
        if self.c.profile is not None and self.c.profile.id == profile.id:
            self.message.setText(f"“{profile.name}” is in use; switch to another profile first.")
            return
        told: list[str] = []  # what became of its key: a key file Linkdesk did not make, or that another uses, stays
        if self._guard(lambda: told.append(self.c.registry.remove_and_tell(profile.name)[1])):
            self.message.setText(f"Removed “{profile.name}” and {told[0]}.")
            self.reload()
            self.c.refresh()

    def make_default(self) -> None:
        profile = self.selected()
        if profile is not None and self._guard(lambda: self.c.registry.use(profile.name)):
            self.message.setText(f"“{profile.name}” is the default profile from the next start on.")
            self.reload()

    def save_defaults(self) -> None:
        profile = self.selected()
        if profile is None or not profile.saved:
            return
        changed = profile.replace(refresh_url=self.refresh_url.text().strip() or None,
                                  return_url=self.return_url.text().strip() or None,
                                  collection_fields=self._chosen(self.fields, "collection_fields"),
                                  future_requirements=self._chosen(self.future, "future_requirements"),
                                  stripe_version=self.stripe_version.text().strip() or None,
                                  accounts_api=self.accounts_api.currentData() or "v1")
        if self._guard(lambda: self.c.profile_updated(self.c.registry.update(changed))):
            self.message.setText(f"Saved the defaults of “{profile.name}”"
                                 + (" (the Stripe-Version applies when the profile is next chosen)."
                                    if changed.stripe_version != profile.stripe_version else "."))
            self.reload()

    def _chosen(self, combo: QComboBox, key: str) -> str | None:
        """The combo's value, None when it is Stripe's default (nothing saved, nothing sent)."""
        value = combo.currentData()
        return None if not value or value == self._option_defaults[key] else value

    # -- history ------------------------------------------------------------------------------
    def _keeps_urls(self) -> bool:
        """Whether link URLs are kept: the preference, and no profile saying otherwise (older
        versions had a second, per-profile checkbox; :meth:`_store_urls_toggled` clears it)."""
        services, registry = self.c.services, self.c.registry
        if services is None or not services.preferences.store_urls:
            return services is None
        return registry is None or all(p.store_urls for p in registry.saved)

    def _store_urls_toggled(self, on: bool) -> None:
        registry = self.c.registry
        if on and registry is not None:  # the one option means what it says: every profile keeps them
            for profile in [p for p in registry.saved if not p.store_urls]:
                self._guard(lambda p=profile: self.c.profile_updated(registry.update(p.replace(store_urls=True))))
        self.c.w.set_store_urls(on)
        menu = self.c.w.actions_by_name["storeUrlsAction"]  # File → Keep active link URLs
        menu.blockSignals(True)
        menu.setChecked(on)
        menu.blockSignals(False)

    def _notify_toggled(self, on: bool) -> None:
        services = self.c.services
        if services is None:
            return
        services.preferences = services.preferences.replace(notify=on)
        try:
            services.preferences.save(services.paths.preferences_file)
        except OSError as exc:
            self.message.setText(f"The notification setting could not be saved ({exc.strerror or exc}).")
            return
        self.message.setText("Notifications are on." if on else "No notifications: the window title still counts down.")

    def _retention_changed(self) -> None:
        services = self.c.services
        if services is None or services.preferences.retention_days == self.retention.value():
            return
        services.preferences = services.preferences.replace(retention_days=self.retention.value())
        try:
            services.preferences.save(services.paths.preferences_file)
        except OSError as exc:
            self.message.setText(f"The retention could not be saved ({exc.strerror or exc}).")
            return
        self.message.setText(f"History entries older than {self.retention.value()} days are deleted from the next start on.")
