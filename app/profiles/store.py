"""The profiles' non-secret settings: one versioned JSON file in the config folder.

``profiles.json`` holds the saved profiles (never a key), the default profile's name and each
profile's recent accounts. It is written atomically (temporary file, fsync, rename, then the
folder fsynced) with mode 0600, under a lock file so that two instances changing it at once
each keep the other's change (every change re-reads the file first).

A damaged file (not JSON, not the expected shape) is set aside as ``profiles.json.damaged-…``
and reported in :attr:`Settings.problems`; Linkdesk then starts from defaults. A file written by
a newer Linkdesk, or one that cannot be read, is left alone and the settings become read-only
for this session. Nothing here ever raises for a bad file: only for a failed write.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Iterator, Mapping

from app.paths import AppPaths, ensure_private_dir
from app.stripe.errors import LinkdeskError

from .model import Profile, check_recent, fold_name

try:  # POSIX: serialise read-modify-write between instances
    import fcntl
except ImportError:  # pragma: no cover - Windows: atomic replace alone
    fcntl = None  # type: ignore[assignment]

FILE_NAME = "profiles.json"
# 2: profiles have ``accounts_api``. A version-1 file reads as v1 for every profile; a Linkdesk
# that knows only version 1 treats a version-2 file as newer and never rewrites it, so it cannot
# silently drop a platform's "v2" by saving the profiles without the field.
VERSION = 2
MAX_RECENT = 20


class SettingsError(LinkdeskError):
    """The settings could not be saved; the message says why in plain words (no key)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What profiles.json holds. Immutable: changes make a new one."""

    profiles: tuple[Profile, ...] = ()
    default: str | None = None  # a saved profile's name, or "Sandbox"
    recent: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    # Not saved: what went wrong reading the file, for the window or the command line to show.
    problems: tuple[str, ...] = ()
    read_only: bool = False

    def find(self, name: str) -> Profile | None:
        folded = fold_name(name)
        return next((p for p in self.profiles if fold_name(p.name) == folded), None)

    def with_profile(self, profile: Profile) -> "Settings":
        """``profile`` added, or put in place of the one with its id."""
        others = [p for p in self.profiles if p.id != profile.id]
        at = next((i for i, p in enumerate(self.profiles) if p.id == profile.id), len(others))
        others.insert(at, profile)
        default = self.default
        old = next((p for p in self.profiles if p.id == profile.id), None)
        if old is not None and default == old.name:  # a rename keeps it the default
            default = profile.name
        return dataclasses.replace(self, profiles=tuple(others), default=default)

    def without(self, profile_id: str) -> "Settings":
        gone = next((p for p in self.profiles if p.id == profile_id), None)
        recent = {k: v for k, v in self.recent.items() if not k.startswith(f"{profile_id}:")}
        default = None if gone is not None and gone.name == self.default else self.default
        return dataclasses.replace(self, profiles=tuple(p for p in self.profiles if p.id != profile_id),
                                   default=default, recent=MappingProxyType(recent))

    def with_default(self, name: str | None) -> "Settings":
        return dataclasses.replace(self, default=name)

    def with_recent(self, index_key: str, account_id: str) -> "Settings":
        """``account_id`` first in that profile's recent accounts (each profile keeps its own)."""
        current = [a for a in self.recent.get(index_key, ()) if a != account_id]
        recent = dict(self.recent)
        recent[index_key] = (account_id, *current)[:MAX_RECENT]
        return dataclasses.replace(self, recent=MappingProxyType(recent))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "default": self.default,
            "profiles": [p.to_json() for p in self.profiles],
            "recent": {k: list(v) for k, v in self.recent.items()},
        }


class SettingsStore:
    """Reads and writes ``profiles.json``; see the module's docstring."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self._clock = clock
        self._read_only_reason: str | None = None

    @classmethod
    def for_paths(cls, paths: AppPaths) -> "SettingsStore":
        return cls(paths.config_dir / FILE_NAME)

    # -- reading ----------------------------------------------------------------------------

    def load(self) -> Settings:
        """The settings; never raises for a missing, damaged, unreadable or newer file."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Settings()
        except OSError as exc:
            return self._read_only(f"The settings file {self.path} could not be read ({_reason(exc)}). "
                                   "Profiles work for this session, but changes will not be saved.")
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("version"), int):
                raise ValueError("it is not a Linkdesk settings file")
        except (ValueError, UnicodeDecodeError) as exc:
            return Settings(problems=(self._set_aside(exc),))
        if data["version"] > VERSION:
            settings = _parse(data)
            notice = ("The settings file was written by a newer Linkdesk. It was read as far as "
                      "possible and is left untouched: changes made now will not be saved.")
            self._read_only_reason = notice
            return dataclasses.replace(settings, problems=(*settings.problems, notice), read_only=True)
        self._read_only_reason = None
        return _parse(data)

    def _read_only(self, message: str) -> Settings:
        self._read_only_reason = message
        return Settings(problems=(message,), read_only=True)

    def _set_aside(self, exc: Exception) -> str:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(self._clock()))
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
        what = "it is not valid JSON" if isinstance(exc, json.JSONDecodeError) else str(exc)
        try:
            os.replace(self.path, aside)
        except OSError as move_error:
            self._read_only_reason = "the damaged settings file could not be moved aside"
            return (f"The settings file {self.path} is damaged ({what}) and could not be moved aside "
                    f"({_reason(move_error)}). Linkdesk starts with default settings and will not "
                    "overwrite it; keys in the keyring are untouched.")
        return (f"The settings file was damaged ({what}). It was set aside as {aside.name} and Linkdesk "
                "starts with default settings: add your profiles again (keys in the keyring are untouched).")

    # -- writing ----------------------------------------------------------------------------

    def save(self, settings: Settings) -> None:
        """Write ``settings`` atomically; SettingsError if that is refused or fails."""
        if self._read_only_reason or settings.read_only:
            raise SettingsError("Settings are read-only for this session: "
                                + (self._read_only_reason or "the settings file could not be read") + ".")
        text = json.dumps(settings.to_json(), indent=2, ensure_ascii=False) + "\n"
        try:
            atomic_write(self.path, text.encode("utf-8"))
        except OSError as exc:
            raise SettingsError(f"The settings could not be saved to {self.path} ({_reason(exc)}).") from None

    def update(self, change: Callable[[Settings], Settings]) -> Settings:
        """Re-read the file, apply ``change``, write the result, all under the lock; returns
        what was written (so another instance's change since this one's load is kept)."""
        with self._locked():
            current = self.load()
            if current.read_only:
                raise SettingsError("Settings are read-only for this session: " + " ".join(current.problems))
            updated = dataclasses.replace(change(current), problems=())
            self.save(updated)
            return updated

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if fcntl is None:
            yield
            return
        try:
            ensure_private_dir(self.path.parent)
            fd = os.open(self.path.with_name(f".{self.path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise SettingsError(f"The settings could not be saved to {self.path} ({_reason(exc)}).") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never a part:
    a temporary file beside it (mode 0600), fsync, rename over, fsync the folder."""
    ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.chmod(tmp, 0o600)  # mkstemp's default, made explicit
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _parse(data: dict[str, Any]) -> Settings:
    """Settings from a version-1 (or newer) object; profiles that cannot be read are skipped
    and named in ``problems`` rather than failing the whole file."""
    problems: list[str] = []
    profiles: list[Profile] = []
    for item in data.get("profiles") if isinstance(data.get("profiles"), list) else ():
        try:
            profile = Profile.from_json(item)
        except ValueError as exc:
            problems.append(f"A profile in the settings file was skipped: {exc}.")
            continue
        if any(fold_name(p.name) == fold_name(profile.name) or p.id == profile.id for p in profiles):
            problems.append(f"A second profile named “{profile.name}” was skipped.")
            continue
        profiles.append(profile)
    recent_raw = data.get("recent") if isinstance(data.get("recent"), dict) else {}
    recent = {k: check_recent(v, MAX_RECENT) for k, v in recent_raw.items() if isinstance(k, str) and len(k) < 80}
    default = data.get("default") if isinstance(data.get("default"), str) else None
    return Settings(profiles=tuple(profiles), default=default, recent=MappingProxyType(recent),
                    problems=tuple(problems))


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
