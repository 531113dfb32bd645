"""All profiles in one place: the built-in Sandbox, the temporary Environment profile, the
saved ones; which one to use; adding, changing and removing them with their keys.

Which profile a run uses (:meth:`ProfileRegistry.choose`):

1. ``STRIPE_API_KEY`` set: the Environment profile (as before profiles existed). Asking for
   another profile by name on the command line at the same time is refused rather than
   guessed: using the wrong key is the costly mistake.
2. The profile asked for: ``--profile NAME``, else ``LINKDESK_PROFILE``.
3. The default profile (``linkdesk profile use NAME``).
4. None: the window shows its welcome view; the command line uses the Sandbox.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from app.stripe.errors import ValidationError
from app.stripe.keys import ApiKey

from .check import KeyCheck
from .model import (
    ENVIRONMENT,
    ENVIRONMENT_NAME,
    KEY_FILE,
    KEY_STORAGES,
    SANDBOX,
    SANDBOX_NAME,
    Profile,
    ProfileError,
    check_name,
    fold_name,
    environment_profile,
    new_profile_id,
    sandbox_profile,
)
from .keyfile import KeyMissing, inspect_key_file, key_file_path, read_key_file
from .secrets import KeyringUnavailable, KeyVault
from .store import Settings, SettingsStore

KEY_ENV = "STRIPE_API_KEY"
API_BASE_ENV = "LINKDESK_API_BASE"
PROFILE_ENV = "LINKDESK_PROFILE"


class UnknownProfile(ProfileError):
    """No profile by that name; the message lists the ones there are."""


class ProfileRegistry:
    """The profiles of this run, over the settings file and the key vault. No Qt; each
    change is written at once (read-modify-write under the settings lock)."""

    def __init__(self, store: SettingsStore, vault: KeyVault, *, environ: Mapping[str, str] = os.environ) -> None:
        self.store = store
        self.vault = vault
        self._environ = environ
        self.settings: Settings = store.load()
        self.sandbox = sandbox_profile()
        raw = (environ.get(KEY_ENV) or "").strip()
        self._env_key = ApiKey(raw) if raw else None  # ValidationError("api_key") if malformed
        self.environment = (environment_profile(self._env_key, environ.get(API_BASE_ENV) or None)
                            if self._env_key is not None else None)

    # -- reading ----------------------------------------------------------------------------

    @property
    def problems(self) -> tuple[str, ...]:
        """What went wrong reading the settings file (to show once at start)."""
        return self.settings.problems

    def all(self) -> list[Profile]:
        """Sandbox first, then Environment (if set), then the saved profiles in their order."""
        return [self.sandbox, *([self.environment] if self.environment else []), *self.settings.profiles]

    @property
    def saved(self) -> tuple[Profile, ...]:
        return self.settings.profiles

    @property
    def default(self) -> Profile | None:
        name = self.settings.default
        if name is None:
            return None
        if fold_name(name) == fold_name(SANDBOX_NAME):
            return self.sandbox
        return self.settings.find(name)

    def get(self, name: str) -> Profile:
        folded = fold_name(name or "")
        for profile in self.all():
            if fold_name(profile.name) == folded:
                return profile
        names = ", ".join(p.name for p in self.all())
        raise UnknownProfile(f"There is no profile named “{(name or '').strip()}”. Profiles: {names}.")

    def get_by_id(self, profile_id: str) -> Profile | None:
        return next((p for p in self.all() if p.id == profile_id), None)

    def asked(self, requested: str | None = None) -> Profile | None:
        """The profile this run was asked for by name, by the rule every command follows (see
        the module's docstring): ``requested`` (``--profile``), else ``LINKDESK_PROFILE``.
        With STRIPE_API_KEY set, the Environment profile (``--profile`` naming another is
        refused: UnknownProfile). None when no name was given."""
        flag = (requested or "").strip() or None
        if self.environment is not None:
            if flag and fold_name(flag) != fold_name(ENVIRONMENT_NAME):
                raise UnknownProfile(
                    f"STRIPE_API_KEY is set, and it would be used instead of the profile “{flag}”. "
                    "Unset STRIPE_API_KEY to use the profile, or leave out --profile to use the key.")
            return self.environment if flag or self._environ.get(PROFILE_ENV) else None
        name = flag or (self._environ.get(PROFILE_ENV) or "").strip() or None
        return self.get(name) if name else None

    def choose(self, requested: str | None = None) -> Profile | None:
        """The profile this run uses (see the module's docstring): :meth:`asked`, else the
        Environment profile, else the default; None when nothing is set up (no saved
        default, no key in the environment)."""
        return self.asked(requested) or self.environment or self.default

    @property
    def first_run(self) -> bool:
        """Nothing set up: no saved profile, no default, no key in the environment."""
        return self.environment is None and not self.settings.profiles and self.settings.default is None

    def key_for(self, profile: Profile) -> ApiKey:
        """The profile's key (the sandbox's demo key for the Sandbox); KeyMissing or
        KeyringUnavailable with what to do when it cannot be had."""
        if profile.kind == SANDBOX:
            from app.sandbox.identity import DEMO_API_KEY

            return ApiKey(DEMO_API_KEY)
        if profile.kind == ENVIRONMENT:
            assert self._env_key is not None
            return self._env_key
        return self.vault.get(profile)

    def recent(self, profile: Profile) -> tuple[str, ...]:
        return self.settings.recent.get(profile.index_key, ())

    # -- changing ---------------------------------------------------------------------------

    def add(self, name: str, key: ApiKey, check: KeyCheck | None = None, *, storage: str = "keyring",
            key_file: str | None = None, **fields: object) -> Profile:
        """Save a new profile and its key (a key checked with :func:`check_key`, whose
        platform it records). The key goes first: if the keyring refuses it
        (KeyringUnavailable), nothing is saved and the caller may offer the session or a file."""
        if storage not in KEY_STORAGES:
            raise ValueError(f"unknown key storage {storage!r}")
        if storage == KEY_FILE and not key_file:
            raise ValidationError("key_file", "choose the file to keep the key in.")
        name = check_name(name, taken=tuple(p.name for p in self.settings.profiles))
        path = key_file_path(key_file) if storage == KEY_FILE and key_file else None
        owned, created = (self._key_file_plan(path, key) if path is not None else (None, False))
        profile = Profile(
            name=name, id=new_profile_id(), key_hint=key.redacted, key_storage=storage,
            # absolute: a later run may start in another folder (the folder resolved, not the file)
            key_file=str(path) if path is not None else None, key_file_owned=owned,
            platform_id=check.platform_id if check else None,
            platform_name=check.platform_name if check else None,
            **fields,  # type: ignore[arg-type]
        ).checked()
        self.vault.put(profile, key)
        try:
            self.settings = self.store.update(lambda s: s.with_profile(profile))
        except BaseException:
            # No key left behind for a profile that does not exist; a key file only if this call made it.
            self.vault.drop(profile, shared=not created)
            raise
        return profile

    def _key_file_plan(self, path: Path, key: ApiKey) -> tuple[bool, bool]:
        """(owned, created) for keeping ``key`` at ``path``: a new file Linkdesk creates, or an
        existing one that already holds exactly this key (a file Linkdesk created for another
        profile, or one the user wrote, used read only). Anything else is refused, unchanged."""
        if inspect_key_file(path) is None:  # refuses symlinks, folders, FIFOs, devices
            return True, True
        try:
            existing = read_key_file(path)
        except KeyMissing as exc:
            raise ValidationError("key_file", f"{path} already exists, and Linkdesk never overwrites a file it did "
                                              f"not create: choose a new file name. ({exc})") from None
        if existing != key:
            raise ValidationError("key_file", f"{path} already holds another key ({existing.redacted}); Linkdesk "
                                              "never overwrites it. Choose a new file name.")
        owned = any(p.key_file == str(path) and p.key_file_owned for p in self.settings.profiles)
        return owned, False

    def update(self, profile: Profile) -> Profile:
        """Save changed fields of a saved profile (name, defaults, API base...)."""
        if not profile.saved:
            raise ValidationError("name", f"the {profile.name} profile cannot be changed.")
        others = tuple(p.name for p in self.settings.profiles if p.id != profile.id)
        profile = profile.replace(name=check_name(profile.name, taken=others)).checked()
        self.settings = self.store.update(lambda s: s.with_profile(profile))
        return profile

    def replace_key(self, profile: Profile, key: ApiKey, check: KeyCheck | None = None) -> Profile:
        """A new key for a saved profile (rolled, or another mode): stored where the profile
        keeps its key, and its hint and platform updated."""
        updated = profile.replace(key_hint=key.redacted,
                                  platform_id=check.platform_id if check else profile.platform_id,
                                  platform_name=check.platform_name if check else profile.platform_name)
        if profile.key_storage == KEY_FILE and self._key_file_users(profile):
            raise ValidationError("key_file", f"{profile.key_file} is also the key file of "
                                              f"{', '.join(p.name for p in self._key_file_users(profile))}; "
                                              "Linkdesk will not change their key. Add this key as a new profile.")
        self.vault.put(updated, key)
        self.settings = self.store.update(lambda s: s.with_profile(updated))
        return updated

    def remove(self, name: str) -> Profile:
        """Delete a saved profile and its key (see :meth:`remove_and_tell`)."""
        return self.remove_and_tell(name)[0]

    def remove_and_tell(self, name: str) -> tuple[Profile, str]:
        """Delete a saved profile and its key: from the keyring, or its key file when Linkdesk
        created that file and no other profile uses it. Returns the profile and what became of
        its key, in words."""
        profile = self.get(name)
        if not profile.saved:
            raise ValidationError("name", f"the {profile.name} profile is built in and cannot be removed.")
        if profile.key_storage != KEY_FILE:
            try:
                self.vault.drop(profile)
            except KeyringUnavailable as exc:  # keep the profile: its key would be left behind
                raise ProfileError(f"The key of “{profile.name}” could not be deleted from the keyring "
                                   f"({exc.reason}) so the profile was kept. Try again when the keyring "
                                   "is available.") from None
            self.settings = self.store.update(lambda s: s.without(profile.id))
            return profile, "deleted its key"
        users: list[Profile] = []

        def change(settings: Settings) -> Settings:  # who else uses the file, seen under the lock
            users[:] = [p for p in settings.profiles if p.id != profile.id and p.key_file == profile.key_file]
            return settings.without(profile.id)

        self.settings = self.store.update(change)
        deleted = self.vault.drop(profile, shared=bool(users))  # deletes only a file Linkdesk made
        if users:
            return profile, (f"kept its key file {profile.key_file}, which "
                             f"{', '.join(f'“{p.name}”' for p in users)} also use{'s' if len(users) == 1 else ''}")
        if not profile.key_file_owned:
            return profile, f"left its key file {profile.key_file} as it is (it is yours: Linkdesk did not create it)"
        if deleted:
            return profile, f"deleted its key file {profile.key_file}"
        return profile, (f"left {profile.key_file} in place: it no longer holds only this profile's key "
                         "(or is gone)")

    def _key_file_users(self, profile: Profile) -> list[Profile]:
        """The other saved profiles that keep their key in ``profile``'s key file."""
        return [p for p in self.settings.profiles if p.id != profile.id and p.key_storage == KEY_FILE
                and p.key_file == profile.key_file]

    def use(self, name: str) -> Profile:
        """Make ``name`` the default profile."""
        profile = self.get(name)
        if profile.kind == ENVIRONMENT:
            raise ValidationError("name", "the Environment profile lasts one run; it cannot be the default.")
        self.settings = self.store.update(lambda s: s.with_default(profile.name))
        return profile

    def remember_account(self, profile: Profile, account_id: str) -> None:
        """Put ``account_id`` first in ``profile``'s recent accounts (the Environment profile's
        are kept for the run only)."""
        if profile.kind == ENVIRONMENT:
            self.settings = self.settings.with_recent(profile.index_key, account_id)
            return
        self.settings = self.store.update(lambda s: s.with_recent(profile.index_key, account_id))
