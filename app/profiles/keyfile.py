"""Key files: a key kept in a file the user named (``--key-file PATH``, or the window's choice
when there is no keyring). The user's files are theirs, so Linkdesk:

* **creates** a key file only where nothing exists: exclusive create (``O_CREAT | O_EXCL``) with
  ``O_NOFOLLOW``, mode 0600, so no existing file, symlink target, FIFO or device is ever
  written through;
* **rewrites** only a key file it created itself (the profile records it as ``key_file_owned``),
  by replacing it whole (a temporary file beside it, renamed over it);
* **reads** an existing regular file that holds only a key (one the user wrote), and never
  rewrites it;
* **refuses** symbolic links, folders, FIFOs, devices and sockets, with a message naming what
  is there;
* **deletes** only a file it created, that no other profile uses, and that still holds the
  profile's key (:func:`remove_key_file`).

No Qt; every refusal is a ValidationError("key_file", …) or KeyMissing that says what to do.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from app.paths import ensure_private_dir
from app.stripe.errors import ValidationError
from app.stripe.keys import ApiKey

from .model import ProfileError

MAX_KEY_FILE_BYTES = 4_096
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in after the check must not block the open
_CHOOSE_NEW = "Choose a new file name (Linkdesk creates the file, readable by you alone)."


class KeyMissing(ProfileError):
    """A profile's key could not be found where the profile keeps it; the text says what to do."""


def key_file_path(raw: str | os.PathLike[str]) -> Path:
    """The absolute path Linkdesk records for ``raw``: ``~`` expanded and the folder resolved,
    but never the last component: a symbolic link there is refused, not followed."""
    path = Path(raw).expanduser()
    if path.name in ("", ".", ".."):
        raise ValidationError("key_file", "name a file, not a folder.")
    path = path if path.is_absolute() else Path.cwd() / path
    return path.parent.resolve() / path.name


def what_is_there(mode: int) -> str | None:
    """None for a regular file, else what ``mode`` is, in words."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def inspect_key_file(path: Path) -> os.stat_result | None:
    """What is at ``path`` (not following a symlink): None when nothing is, the stat of a
    regular file, or ValidationError for anything else (symlink, folder, FIFO, device...)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise ValidationError("key_file", f"{path.parent} is not a folder. {_CHOOSE_NEW}") from None
    except OSError as exc:
        raise ValidationError("key_file", f"{path} cannot be checked ({exc.strerror or 'error'}).") from None
    kind = what_is_there(info.st_mode)
    if kind is not None:
        raise ValidationError("key_file", f"{path} is {kind}; Linkdesk keeps a key only in a regular file. "
                                          + _CHOOSE_NEW)
    return info


def create_key_file(path: Path, key: ApiKey) -> None:
    """Write ``key`` alone to a new file at ``path`` (mode 0600). Refused when anything at all
    exists there: the open is exclusive and does not follow a symlink."""
    try:
        ensure_private_dir(path.parent)  # a missing folder is made 0700; an existing one is left as it is
    except OSError as exc:
        raise ValidationError("key_file", f"the folder {path.parent} cannot be used ({exc.strerror or 'error'}). "
                                          + _CHOOSE_NEW) from None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600)
    except FileExistsError:
        raise ValidationError("key_file", f"{path} already exists; Linkdesk never overwrites a file it did not "
                                          f"create. {_CHOOSE_NEW}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ValidationError("key_file", f"{path} is a symbolic link. {_CHOOSE_NEW}") from None
        raise ValidationError("key_file", f"the key could not be written there ({exc.strerror or 'error'}).") from None
    try:
        _write_all(fd, key)
    except OSError as exc:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise ValidationError("key_file", f"the key could not be written there ({exc.strerror or 'error'}).") from None
    os.close(fd)
    _sync_folder(path.parent)


def replace_key_file(path: Path, key: ApiKey) -> None:
    """Put ``key`` in place of a key file Linkdesk created (the caller knows it did): a new
    file beside it, renamed over it, so the old one is never written through."""
    inspect_key_file(path)  # still a regular file (or gone)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        _write_all(fd, key)
        os.close(fd)
        fd = -1
        os.replace(tmp, path)
    except OSError as exc:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ValidationError("key_file", f"the key could not be written there ({exc.strerror or 'error'}).") from None
    _sync_folder(path.parent)


def read_key_file(path: Path) -> ApiKey:
    """The key in ``path``. KeyMissing if nothing is there, it is not a regular file (a
    symlink is not followed, a FIFO never blocks), others can read it (group or all: POSIX),
    it is larger than a key file, or it holds anything but one Stripe secret or restricted key."""
    path = Path(path).expanduser()
    try:
        info = inspect_key_file(path)
    except ValidationError as exc:
        raise KeyMissing(f"The key file {exc.message}") from None
    if info is None:
        raise KeyMissing(f"The key file {path} is gone. Enter the key again.")
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
    except OSError as exc:
        raise KeyMissing(f"The key file {path} could not be read ({exc.strerror or 'error'}).") from None
    try:
        info = os.fstat(fd)
        kind = what_is_there(info.st_mode)
        if kind is not None:  # swapped after the check
            raise KeyMissing(f"The key file {path} is {kind}; Linkdesk reads a key only from a regular file.")
        if info.st_size > MAX_KEY_FILE_BYTES:
            raise KeyMissing(f"The key file {path} does not hold a Stripe secret or restricted key alone (it is "
                             "too large).")
        data = os.read(fd, MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise KeyMissing(f"The key file {path} could not be read ({exc.strerror or 'error'}).") from None
    finally:
        os.close(fd)
    try:
        key = ApiKey(data.decode("utf-8").strip())
    except (UnicodeDecodeError, ValidationError):
        raise KeyMissing(f"The key file {path} does not hold a Stripe secret or restricted key alone.") from None
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyMissing(f"The key file {path} can be read or changed by other users (its group or everyone); "
                         "Linkdesk will not use it. Make it private (chmod 600) and try again.")
    return key


def remove_key_file(path: Path, key_hint: str | None) -> bool:
    """Delete ``path`` if it is still a regular file holding only the key whose redacted form
    is ``key_hint``; True when deleted. Anything else there (the user's data, a link) is left."""
    try:
        key = read_key_file(path)
    except KeyMissing:
        return False
    if key_hint is not None and key.redacted != key_hint:
        return False
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    _sync_folder(path.parent)
    return True


def _write_all(fd: int, key: ApiKey) -> None:
    data = memoryview((key.secret + "\n").encode("ascii"))
    while data:
        data = data[os.write(fd, data):]
    os.fsync(fd)


def _sync_folder(folder: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
