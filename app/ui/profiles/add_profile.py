"""The "Add a Stripe key" dialog: name, key (never shown), API base; the key is checked with
Stripe before it can be saved, and kept in the OS keyring. Without a working keyring the dialog
says so and offers a choice: this session only (the default), or a file the user picks, after a
warning. Non-modal; the controller awaits it with :func:`~app.ui.profiles.dialogs.await_dialog`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Coroutine

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.profiles.texts import RESTRICTED_KEY_ADVICE

if TYPE_CHECKING:
    from app.stripe.ratelimit import RateLimiterPool
    from app.profiles.check import KeyCheck
    from app.profiles.model import Profile
    from app.profiles.registry import ProfileRegistry

FILE_WARNING = ("The key will be written, unencrypted, to the file you choose (readable by you alone). "
                "Anyone who can read your files as you, or your backups, can use it.")


def _label(text: str, name: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent, objectName=name, textFormat=Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class AddProfileDialog(QDialog):
    """Tests drive it by objectName and await :meth:`check` and :meth:`save`."""

    def __init__(self, registry: "ProfileRegistry", *, spawn: Callable[[Coroutine[Any, Any, Any]], Any],
                 keyring_problem: str | None, parent: QWidget | None = None,
                 rate_limiters: "RateLimiterPool | None" = None, replacing: "Profile | None" = None) -> None:
        """``rate_limiters``: the app's one pool, so that checking a key the window already uses
        (a sync or a watch may be running on it) shares that key's budget. ``replacing``: a saved
        profile whose key is gone (or rolled): its name and API base are kept, the key is new."""
        super().__init__(parent)
        self._rate_limiters = rate_limiters
        self.setObjectName("addProfileDialog")
        self.setWindowTitle("Add a Stripe key")
        self.registry = registry
        self._spawn = spawn
        self.checked: "KeyCheck | None" = None
        self.saved: "Profile | None" = None
        self.keyring_problem = keyring_problem
        self.replacing = replacing

        self.name = QLineEdit(self, objectName="profileNameInput", placeholderText="Acme live")
        self.key = QLineEdit(self, objectName="keyInput", placeholderText="rk_live_… or sk_test_…")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setAccessibleName("API key (hidden)")
        self.api_base = QLineEdit("https://api.stripe.com", self, objectName="apiBaseInput")
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("API key", self.key)
        form.addRow("API base", self.api_base)
        advice = _label(RESTRICTED_KEY_ADVICE, "keyAdviceNote", self)
        self.result = _label("", "keyCheckResult", self)
        self.check_button = QPushButton("Check key", self, objectName="checkKeyButton")
        self.check_button.clicked.connect(lambda: self._spawn(self.check()))
        check_row = QHBoxLayout()
        check_row.addWidget(self.check_button)
        check_row.addWidget(self.result, 1)

        self.storage = QGroupBox("Where to keep the key", self, objectName="storageChoice")
        storage_layout = QVBoxLayout(self.storage)
        storage_layout.addWidget(_label(f"{keyring_problem or ''} Linkdesk keeps keys in the OS keyring; "
                                        "here there is none, so choose:", "noKeyringNote", self.storage))
        self.session_only = QRadioButton("Keep the key for this session only", self.storage, objectName="sessionOnlyRadio")
        self.key_file = QRadioButton("Store it in a file…", self.storage, objectName="keyFileRadio")
        self.session_only.setChecked(True)
        group = QButtonGroup(self.storage)
        group.addButton(self.session_only)
        group.addButton(self.key_file)
        self.key_file_path = QLineEdit(self.storage, objectName="keyFilePath", placeholderText="~/private/linkdesk.key")
        self.key_file_path.setEnabled(False)
        self.file_warning = _label(FILE_WARNING, "keyFileWarning", self.storage)
        self.file_warning.setVisible(False)
        self.key_file.toggled.connect(self.key_file_path.setEnabled)
        self.key_file.toggled.connect(self.file_warning.setVisible)
        for widget in (self.session_only, self.key_file, self.key_file_path, self.file_warning):
            storage_layout.addWidget(widget)
        self.storage.setVisible(keyring_problem is not None)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.addButton("Save profile", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveProfileButton")
        self.save_button.setEnabled(False)
        self.save_button.clicked.disconnect()
        self.save_button.clicked.connect(lambda: self._spawn(self.save()))
        self.buttons.rejected.connect(self.reject)
        self.key.textChanged.connect(self._key_edited)
        self.api_base.textChanged.connect(self._key_edited)

        if replacing is not None:
            self.setWindowTitle(f"Enter the key of “{replacing.name}”")
            self.name.setText(replacing.name)
            self.name.setReadOnly(True)
            self.api_base.setText(replacing.api_base or "https://api.stripe.com")
            self.save_button.setText("Save key")
            self.storage.setVisible(False)  # kept where the profile keeps its key
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(advice)
        layout.addLayout(check_row)
        layout.addWidget(self.storage)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

    def _key_edited(self) -> None:
        self.checked = None
        self.save_button.setEnabled(False)
        self.result.clear()

    async def check(self) -> "KeyCheck | None":
        """Check the key with Stripe; the platform, or None with the reason shown."""
        from app.profiles.check import KeyCheckFailed, check_key, parse_key
        from app.stripe.errors import ValidationError

        self.checked = None
        self.save_button.setEnabled(False)
        try:
            key = parse_key(self.key.text())
        except KeyCheckFailed as exc:
            self.result.setText(exc.explanation)
            return None
        self.check_button.setEnabled(False)
        self.result.setText("Checking the key with Stripe…")
        try:
            limiter = None if self._rate_limiters is None else self._rate_limiters.for_key(key)
            check = await check_key(key, api_base=self.api_base.text().strip(), rate_limiter=limiter)
        except KeyCheckFailed as exc:
            self.result.setText(str(exc))
            return None
        except ValidationError as exc:
            self.result.setText(f"API base: {exc.message}")
            return None
        finally:
            self.check_button.setEnabled(True)
        self.checked = check
        self.result.setText(f"✓ {check.platform} — {key.mode} mode, key {key.redacted}"
                            + (f"\n{check.note[0].upper()}{check.note[1:]}" if check.note else ""))
        self.save_button.setEnabled(True)
        return check

    async def save(self) -> "Profile | None":
        """Save the checked key and profile; the profile (and the dialog accepted), or None with
        the field at fault shown."""
        from app.profiles.model import KEY_FILE, KEYRING, SESSION
        from app.profiles.secrets import KeyringUnavailable
        from app.profiles.store import SettingsError
        from app.stripe.errors import ValidationError

        if self.checked is None:
            return None
        storage, path = KEYRING, None
        if self.storage.isVisible():
            storage = KEY_FILE if self.key_file.isChecked() else SESSION
            path = self.key_file_path.text().strip() or None
        self.save_button.setEnabled(False)
        try:
            # On the Qt thread, on purpose: a keyring call is a D-Bus round trip (or the system's
            # own unlock prompt), and a worker thread could run the garbage collector over Qt
            # objects (see app.history.worker on why that is fatal).
            if self.replacing is not None:
                profile = self.registry.replace_key(self.replacing, self.checked.key, self.checked)
            else:
                profile = self.registry.add(self.name.text(), self.checked.key, self.checked,
                                            storage=storage, key_file=path, api_base=self.api_base.text().strip())
        except KeyringUnavailable as exc:
            if self.replacing is not None:  # where the profile keeps its key does not work now
                self.result.setText(f"The key could not be kept: {exc.reason}")
                self.save_button.setEnabled(True)
                return None
            self.keyring_problem = exc.reason
            self.storage.findChild(QLabel, "noKeyringNote").setText(f"{exc.reason} Choose where to keep the key:")
            self.storage.setVisible(True)
            self.result.setText("The keyring did not keep the key; choose below, then save again.")
            self.save_button.setEnabled(True)
            return None
        except ValidationError as exc:
            self.result.setText(f"{exc.field.replace('_', ' ').capitalize()}: {exc.message}")
            self.save_button.setEnabled(True)
            return None
        except SettingsError as exc:
            self.result.setText(str(exc))
            self.save_button.setEnabled(True)
            return None
        self.saved = profile
        self.key.clear()
        self.accept()
        return profile
