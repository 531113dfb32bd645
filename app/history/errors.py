"""Errors of the history store that the UI shows to the user."""

from __future__ import annotations

from pathlib import Path

from app.history.migrations import LATEST_VERSION
from app.stripe.errors import LinkdeskError


class HistoryError(LinkdeskError):
    """A history database problem worth telling the user about."""


class HistoryVersionError(HistoryError):
    """The database was written by a newer Linkdesk; it is left untouched."""

    def __init__(self, path: Path, found: int, supported: int = LATEST_VERSION) -> None:
        super().__init__(
            f"The history file {path} was written by a newer version of Linkdesk (history "
            f"format {found}; this version reads up to {supported}). Update Linkdesk to use it. "
            "The file has not been changed."
        )
        self.path = path
        self.found = found
        self.supported = supported


class HistoryStorageError(HistoryError):
    """The history file or its folder cannot be read or written (a read-only or full disk, a
    folder where the file should be, a dangling link...). ``path`` is the one at fault and the
    text says what to do."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = Path(path)


# SQLite's primary result codes for "the storage, not the data, is at fault".
_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN = 3, 8, 10, 13, 14


def storage_error(exc: BaseException, path: Path) -> HistoryStorageError | None:
    """A :class:`HistoryStorageError` in plain words for ``exc`` met on the history file at
    ``path``, or None when ``exc`` is not a storage problem (locked, damaged, a bug)."""
    import sqlite3

    from app.paths import StorageError, describe_os_error

    if isinstance(exc, HistoryStorageError):
        return exc
    if isinstance(exc, StorageError):
        return HistoryStorageError(exc.path, str(exc))
    if isinstance(exc, OSError):
        return HistoryStorageError(path, describe_os_error(exc, path, "the history file"))
    if not isinstance(exc, sqlite3.Error):
        return None
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    import errno

    if code in (_SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_IOERR, _SQLITE_PERM) and _read_only_fs(path):
        code = _SQLITE_READONLY  # e.g. "unable to open database file": no -shm can be made there
    elif code in (_SQLITE_CANTOPEN, _SQLITE_IOERR) and _nearly_full(path):
        code = _SQLITE_FULL  # "disk I/O error" when the -shm index cannot grow on a full disk
    as_os = {
        _SQLITE_FULL: errno.ENOSPC,
        _SQLITE_READONLY: errno.EROFS if _read_only_fs(path) else errno.EACCES,
        _SQLITE_PERM: errno.EACCES,
    }.get(code)
    if as_os is not None:
        return HistoryStorageError(path, describe_os_error(OSError(as_os, ""), path, "the history file"))
    if code in (_SQLITE_CANTOPEN, _SQLITE_IOERR):
        # SQLite's text is terse ("unable to open database file", "disk I/O error"): say which
        # file, and what to check.
        reason = str(exc).rstrip(".") or "input/output error"
        return HistoryStorageError(path, f"Cannot use the history file {path}: {reason}. Check that its "
                                         "folder exists, is writable and has free space, then try again.")
    return None


def _statvfs(path: Path):  # noqa: ANN202 - os.statvfs_result | None
    import os

    folder = Path(path).parent
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    try:
        return os.statvfs(folder)
    except OSError:
        return None


def _nearly_full(path: Path) -> bool:
    disk = _statvfs(path)
    return disk is not None and disk.f_bavail * disk.f_frsize < 64 * 1024


def _read_only_fs(path: Path) -> bool:
    import os

    folder = Path(path).parent
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False
