"""Where Linkdesk keeps its files: one override, created lazily with mode 0700.

Order of precedence for the data folder: ``--data-dir`` on the command line, then the
``LINKDESK_DATA_DIR`` environment variable, then platformdirs' user data folder for
``linkdesk``. The config folder (window geometry, preferences; never secrets) follows
platformdirs, except when a data folder was chosen: then everything Linkdesk writes lives in
that one folder, so ``--data-dir`` leaves nothing behind in ``~/.config``.

Every file Linkdesk writes is readable by its owner only (0600, folders 0700):
:func:`private_file` and :func:`private_opener` create them so, :class:`PrivateFileHandler` is
the log's handler. A folder or file that cannot be made raises :class:`StorageError`, whose
text names the path and what to do (never a traceback).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import NamedTuple

import platformdirs

from app.stripe.errors import LinkdeskError

APP_NAME = "linkdesk"
DATA_DIR_ENV = "LINKDESK_DATA_DIR"
CHOOSE_ANOTHER = "choose another data folder with --data-dir (or LINKDESK_DATA_DIR)"


class StorageError(LinkdeskError, OSError):
    """A folder or file Linkdesk needs cannot be made or used. ``path`` is the one at fault;
    the text says what is wrong with it and what to do. Also an OSError (with the errno and
    strerror of the cause), so code that handles OSError keeps handling it."""

    def __init__(self, path: Path, message: str, code: int | None = None) -> None:
        OSError.__init__(self, code, os.strerror(code) if code else message)
        self.message = message
        self.path = Path(path)

    def __str__(self) -> str:
        return self.message


def describe_os_error(exc: OSError, path: Path, what: str) -> str:
    """Plain words for an OSError on ``path`` (``what``: "the data folder", "the history
    file"...), with what the user can do about it."""
    code = exc.errno
    if code in (errno.EROFS,):
        return f"Cannot write {what} {path}: the file system is read-only. Make it writable or {CHOOSE_ANOTHER}."
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"Cannot write {what} {path}: the disk is full. Free some space, then try again."
    if code in (errno.EACCES, errno.EPERM):
        return (f"Cannot write {what} {path}: permission denied. Give your user write access to it or "
                f"{CHOOSE_ANOTHER}.")
    if code == errno.ENOTDIR:
        return f"Cannot use {what} {path}: part of that path is a file, not a folder. Move the file away or {CHOOSE_ANOTHER}."
    if code == errno.EISDIR:
        return f"Cannot use {what} {path}: it is a folder, not a file. Move it away or {CHOOSE_ANOTHER}."
    if code == errno.ELOOP:
        return f"Cannot use {what} {path}: it is a symbolic link, which Linkdesk does not follow. Remove the link or {CHOOSE_ANOTHER}."
    reason = exc.strerror or type(exc).__name__
    return f"Cannot use {what} {path}: {reason.rstrip('.')}. Check that folder or {CHOOSE_ANOTHER}."


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents with mode 0700, readable by the owner only.
    Folders that already exist are left as they are (``--data-dir .`` must not chmod the
    user's working folder). Raises :class:`StorageError` when the folder cannot be made or
    is not a folder."""
    path = Path(path)

    def not_a_folder(current: Path) -> StorageError:
        kind = "a file" if current.is_file() else "not a folder"
        if current == path:
            return StorageError(path, f"The data folder {path} is {kind}. Move it away or {CHOOSE_ANOTHER}.",
                                errno.ENOTDIR)
        return StorageError(path, f"Cannot create the data folder {path}: {current} is {kind}. "
                                  f"Move it away or {CHOOSE_ANOTHER}.", errno.ENOTDIR)

    missing: list[Path] = []
    current = path
    try:
        while True:  # one stat per level: another instance may be creating these meanwhile
            try:
                if not stat.S_ISDIR(os.stat(current).st_mode):
                    raise not_a_folder(current)
                break
            except (FileNotFoundError, NotADirectoryError):
                if current.parent == current:
                    break
                missing.append(current)
                current = current.parent
        for folder in reversed(missing):
            try:
                os.mkdir(folder, 0o700)
            except FileExistsError:  # another instance created it meanwhile, or a dangling link
                if not folder.is_dir():
                    raise not_a_folder(folder) from None
                continue
            os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask
    except StorageError:
        raise
    except OSError as exc:
        target = Path(exc.filename) if isinstance(exc.filename, str) else path
        if exc.errno == errno.ENOENT:  # a parent that cannot hold folders (/proc, /sys...)
            raise StorageError(path, f"Cannot create the data folder {path}: {target.parent} does not accept "
                                     f"new folders. {CHOOSE_ANOTHER[0].upper()}{CHOOSE_ANOTHER[1:]}.", exc.errno) from None
        raise StorageError(path, describe_os_error(exc, path, "the data folder"), exc.errno) from None
    return path


def private_opener(path: str | os.PathLike[str], flags: int) -> int:
    """An ``opener`` for :func:`open`: a new file gets mode 0600, an existing one is tightened
    to it, and a symbolic link is never followed (``O_NOFOLLOW``)."""
    fd = os.open(path, flags | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
            os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    return fd


def private_file(path: Path, what: str = "the file") -> Path:
    """Make sure ``path`` exists as a regular file with mode 0600 (created empty if missing).

    Call it before another library opens the file by name (QSettings' ``linkdesk.ini``).
    Raises :class:`StorageError` for a folder, a symbolic link or a file that cannot be made.
    """
    path = Path(path)
    try:
        os.close(private_opener(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND))
    except OSError as exc:
        if path.is_symlink():
            exc = OSError(errno.ELOOP, "symbolic link")
        raise StorageError(path, describe_os_error(exc, path, what), exc.errno) from None
    return path


class AppPaths(NamedTuple):
    """Where Linkdesk keeps its files. (A NamedTuple, not a dataclass: importing dataclasses
    costs ~20 ms, and this is read before the window's first paint.)"""

    data_dir: Path
    config_dir: Path

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> "AppPaths":
        """``data_dir`` (``--data-dir``), else ``LINKDESK_DATA_DIR``, else the platform's folders.
        A chosen data folder holds the config files too."""
        chosen = data_dir or os.environ.get(DATA_DIR_ENV)
        if chosen:
            folder = Path(chosen).expanduser()
            return cls(data_dir=folder, config_dir=folder)
        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        )

    @property
    def history_db(self) -> Path:
        return self.data_dir / "history.sqlite3"

    @property
    def log_file(self) -> Path:
        """Errors of the window (open it with :class:`app.private_log.PrivateFileHandler`)."""
        return self.data_dir / "linkdesk.log"

    @property
    def settings_file(self) -> Path:
        """The window's QSettings (geometry, last redirect URLs); beside the data when a data
        folder was chosen. Make it with :func:`private_file` before QSettings opens it."""
        return self.config_dir / "linkdesk.ini"

    @property
    def preferences_file(self) -> Path:
        """The operator's preferences (app.preferences), shared with the command line."""
        return self.config_dir / "preferences.ini"
