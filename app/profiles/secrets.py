"""API keys at rest: the OS keyring, or, only when the user chose so, memory or a file.

:class:`KeyStore` talks to ``keyring`` (Secret Service, macOS Keychain, Windows Credential
Locker). Where no keyring works, every call raises :class:`KeyringUnavailable` with the reason
in plain words, and the caller asks the user: keep the key for this session only
(:data:`SESSION`, the default) or store it in a file of their choice with mode 0600
(:data:`KEY_FILE`) after a warning. Nothing here falls back to plaintext on its own, and
keyring backends that would store the key in clear (``keyrings.alt``'s plaintext files) or
drop it (the null backend) count as "no keyring".

:class:`KeyVault` is what the rest of the app uses: one call to put, get or drop a profile's
key wherever that profile keeps it. Keys travel as :class:`ApiKey`, which shows itself redacted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.stripe.errors import ValidationError
from app.stripe.keys import ApiKey

from .keyfile import KeyMissing, create_key_file, inspect_key_file, key_file_path, read_key_file, remove_key_file, replace_key_file
from .model import ENVIRONMENT, KEY_FILE, KEYRING, SANDBOX, SESSION, Profile, ProfileError

__all__ = ["KeyMissing", "KeyStore", "KeyVault", "KeyringUnavailable", "read_key_file", "write_key_file"]

SERVICE = "linkdesk"
# Backends that keep secrets in clear or not at all: no better than none, so never used.
_UNSAFE_BACKENDS = ("keyrings.alt.file.PlaintextKeyring", "keyring.backends.null.Keyring",
                    "keyring.backends.fail.Keyring")
_NO_KEYRING_ADVICE = (
    "Keep the key for this session only, or store it in a file of your choosing (readable by you "
    "alone). On Linux, a keyring needs a running Secret Service (GNOME Keyring or KWallet)."
)


class KeyringUnavailable(ProfileError):
    """No working keyring: ``reason`` says why, in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"{reason} {_NO_KEYRING_ADVICE}")
        self.reason = reason


class KeyStore:
    """API keys in the OS keyring, under service ``linkdesk`` and the profile's id.

    ``backend`` is a ``keyring`` backend; by default the one ``keyring`` picks (tests set one
    with ``keyring.set_keyring``). The backend is looked up at each call, not at import: finding
    it can take a D-Bus round trip, which the window's start must not wait for.
    """

    def __init__(self, backend: Any = None, *, service: str = SERVICE) -> None:
        self._backend = backend
        self.service = service

    def backend(self) -> Any:
        if self._backend is not None:
            return self._backend
        import keyring

        return keyring.get_keyring()

    def problem(self) -> str | None:
        """None when a keyring is usable, else why not (without touching any stored key)."""
        try:
            self._usable_backend()
            return None
        except KeyringUnavailable as exc:
            return exc.reason

    def store(self, ref: str, key: ApiKey) -> None:
        """Save ``key`` under ``ref`` and read it back: a backend that silently dropped it
        counts as no keyring."""
        backend = self._usable_backend()
        self._call(backend.set_password, self.service, ref, key.secret)
        if self._call(backend.get_password, self.service, ref) != key.secret:
            raise KeyringUnavailable("The keyring accepted the key but did not keep it.")

    def read(self, ref: str) -> ApiKey | None:
        """The key under ``ref``, or None if there is none. A stored value that is not a
        Stripe key (edited by hand) is reported, never shown."""
        backend = self._usable_backend()
        secret = self._call(backend.get_password, self.service, ref)
        if secret is None:
            return None
        try:
            return ApiKey(secret)
        except ValidationError:
            raise KeyMissing("The keyring holds something for this profile that is not a Stripe key; "
                             "enter the key again.") from None

    def delete(self, ref: str) -> bool:
        """Remove the key under ``ref``; False if there was none."""
        from keyring.errors import PasswordDeleteError

        backend = self._usable_backend()
        if self._call(backend.get_password, self.service, ref) is None:
            return False
        try:
            backend.delete_password(self.service, ref)
        except PasswordDeleteError:
            return False
        except Exception as exc:  # noqa: BLE001 - backends raise their own (D-Bus) errors
            raise KeyringUnavailable(_describe(exc)) from None
        return True

    def _usable_backend(self) -> Any:
        try:
            backend = self.backend()
        except Exception as exc:  # noqa: BLE001 - a broken keyring config raises anything
            raise KeyringUnavailable(_describe(exc)) from None
        members = getattr(backend, "backends", None)  # keyring's chainer tries each in turn
        if isinstance(members, (list, tuple)):
            # Use the best safe member alone: the chainer would fall back to a plaintext one
            # whenever the real keyring failed, silently.
            safe = [b for b in members if _name(b) not in _UNSAFE_BACKENDS]
            if not safe:
                raise KeyringUnavailable("No system keyring was found on this computer.")
            backend = safe[0]
        if _name(backend) in _UNSAFE_BACKENDS:
            raise KeyringUnavailable(_unsafe_reason(_name(backend)))
        return backend

    @staticmethod
    def _call(method: Any, *args: str) -> Any:
        try:
            return method(*args)
        except Exception as exc:  # noqa: BLE001 - NoKeyringError, KeyringLocked, D-Bus errors…
            raise KeyringUnavailable(_describe(exc)) from None


class KeyVault:
    """Each profile's key, wherever that profile keeps it: the keyring, this session's memory,
    or a file the user chose. The sandbox and Environment profiles keep none here."""

    def __init__(self, keyring_store: KeyStore | None = None) -> None:
        self.keyring = keyring_store or KeyStore()
        self._session: dict[str, ApiKey] = {}

    def put(self, profile: Profile, key: ApiKey) -> None:
        """Keep ``key`` as ``profile.key_storage`` says. KeyringUnavailable (for
        ``keyring``) lets the caller offer the session or a file instead."""
        if profile.key_storage == KEYRING:
            self.keyring.store(profile.id, key)
            self._session.pop(profile.id, None)
        elif profile.key_storage == SESSION:
            self._session[profile.id] = key
        elif profile.key_storage == KEY_FILE and profile.key_file:
            put_key_file(profile, key)
            self._session.pop(profile.id, None)
        else:
            raise ValueError(f"profile {profile.name!r} keeps no key")

    def get(self, profile: Profile) -> ApiKey:
        """The profile's key; KeyMissing or KeyringUnavailable with what to do."""
        if profile.kind in (SANDBOX, ENVIRONMENT):
            raise ValueError(f"the {profile.name} profile's key is not kept here")
        if profile.id in self._session:
            return self._session[profile.id]
        if profile.key_storage == SESSION:
            raise KeyMissing(f"The key of “{profile.name}” was kept for one session only and is gone. "
                             "Enter it again (or keep it in the keyring or a file).")
        if profile.key_storage == KEY_FILE:
            return read_key_file(Path(profile.key_file or ""))
        key = self.keyring.read(profile.id)
        if key is None:
            raise KeyMissing(f"The keyring has no key for “{profile.name}”. Enter the key again.")
        return key

    def drop(self, profile: Profile, *, shared: bool = False) -> bool:
        """Forget the profile's key: from memory, the keyring (if it is there) and, for a key
        file Linkdesk created that no other profile uses (``shared``), the file itself; True
        when a key file was deleted. A file the user wrote, or one that no longer holds only
        this key, is left alone. A keyring that is not available now is not an error for a
        profile that does not keep its key there."""
        self._session.pop(profile.id, None)
        if profile.key_storage == KEYRING:
            self.keyring.delete(profile.id)
        elif profile.key_storage == KEY_FILE and profile.key_file and profile.key_file_owned and not shared:
            return remove_key_file(Path(profile.key_file), profile.key_hint)
        return False


def put_key_file(profile: Profile, key: ApiKey) -> None:
    """``key`` in the profile's key file: created when nothing is there; a file that already
    holds this key is used as it is (never rewritten); a file Linkdesk created
    (``key_file_owned``) holding another key is replaced whole. Anything else is refused."""
    path = Path(profile.key_file or "")
    if inspect_key_file(path) is None:
        if not profile.key_file_owned:
            raise KeyMissing(f"The key file {path} is gone. Enter the key again.")
        create_key_file(path, key)
        return
    try:
        current: ApiKey | None = read_key_file(path)
    except KeyMissing:
        current = None
    if current == key:
        return
    if not profile.key_file_owned:
        raise ValidationError("key_file", f"{path} is your file, and Linkdesk never rewrites it: put the new key "
                                          "in it yourself, or choose a new file name.")
    replace_key_file(path, key)


def write_key_file(path: Path, key: ApiKey) -> None:
    """The key alone in a new file at ``path``, mode 0600; refused when anything exists there
    (see :mod:`.keyfile`)."""
    create_key_file(key_file_path(path), key)


def _name(backend: Any) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def _unsafe_reason(name: str) -> str:
    if name.endswith("PlaintextKeyring"):
        return "The only keyring available stores keys as plain text, so Linkdesk does not use it."
    if name.endswith("null.Keyring"):
        return "The keyring is switched off (the null backend)."
    return "No system keyring was found on this computer."


def _describe(exc: BaseException) -> str:
    """A keyring failure in plain words. Only the exception's class is named: some backends
    quote what they were given, and that could be the key."""
    from keyring import errors

    if isinstance(exc, errors.NoKeyringError):
        return "No system keyring was found on this computer."
    if isinstance(exc, errors.KeyringLocked):
        return "The keyring is locked (and was not unlocked)."
    if isinstance(exc, errors.InitError):
        return "The keyring could not be opened."
    return f"The keyring did not work ({type(exc).__name__})."
