"""The operator's preferences, shared by the window and the command line. No Qt here.

Kept in ``preferences.ini`` in the config folder, apart from the window's own QSettings file
(geometry, last URLs) so that the two never overwrite each other. A missing or unreadable file,
or a value that does not parse, falls back to the default: preferences never stop the app.
"""

from __future__ import annotations

import configparser
import dataclasses
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

_SECTION = "history"
_NOTIFY_SECTION = "notifications"


@dataclass(frozen=True, slots=True)
class Preferences:
    # Keep an active link's URL in history (so it can be reopened) until it expires. Off: the
    # URL is never written to disk at all.
    store_urls: bool = True
    # History entries older than this are deleted when the history is opened.
    retention_days: int = 365
    # A desktop notification a minute before a link expires and when it has (the window).
    notify: bool = True

    @classmethod
    def load(cls, path: Path) -> "Preferences":
        parser = configparser.ConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError, OSError):
            return cls()
        section = parser[_SECTION] if parser.has_section(_SECTION) else {}
        defaults = cls()
        try:
            store_urls = parser.getboolean(_SECTION, "store_urls") if "store_urls" in section else defaults.store_urls
        except ValueError:
            store_urls = defaults.store_urls
        try:
            retention = int(section.get("retention_days", defaults.retention_days))
        except ValueError:
            retention = defaults.retention_days
        try:
            notify = parser.getboolean(_NOTIFY_SECTION, "enabled", fallback=defaults.notify)
        except ValueError:
            notify = defaults.notify
        return cls(store_urls=store_urls, retention_days=retention if retention > 0 else defaults.retention_days,
                   notify=notify)

    def save(self, path: Path) -> None:
        """Write atomically (temporary file, then rename), readable by the owner only. Raises
        :class:`app.paths.StorageError` (naming the file and what to do) when it cannot."""
        from app.paths import StorageError, describe_os_error, ensure_private_dir

        parser = configparser.ConfigParser()
        parser[_SECTION] = {"store_urls": str(self.store_urls).lower(), "retention_days": str(self.retention_days)}
        parser[_NOTIFY_SECTION] = {"enabled": str(self.notify).lower()}
        ensure_private_dir(path.parent)
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".preferences-", suffix=".tmp")  # mode 0600
        except OSError as exc:
            raise StorageError(path, describe_os_error(exc, path, "the preferences file"), exc.errno) from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                parser.write(handle)
            os.replace(tmp, path)
        except BaseException as exc:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            if isinstance(exc, OSError):
                raise StorageError(path, describe_os_error(exc, path, "the preferences file"), exc.errno) from None
            raise

    def replace(self, **changes: object) -> "Preferences":
        return dataclasses.replace(self, **changes)
