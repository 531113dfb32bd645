"""File-system chores around the database: private folders and files, probing an existing file
without changing it, moving a damaged one aside, and the copy kept before a migration."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

SIDECARS = ("-wal", "-shm")
# Primary result codes that mean "this file is damaged", as opposed to locked, read-only...
_DAMAGED = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


class DamagedDatabase(Exception):
    """The file is not a database, or fails SQLite's quick_check."""


def ensure_private_file(path: Path) -> None:
    """Create ``path`` with mode 0600 if missing, and tighten it if it exists. SQLite gives
    the -wal and -shm files the database file's mode, so they are private too."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def probe(path: Path, *, check: bool = True) -> tuple[int, bool]:
    """``(user_version, has_tables)`` of an existing file, read without changing a byte of it.

    A read-only connection neither converts the journal mode nor checkpoints on close, so a
    file this version must refuse stays byte-for-byte what it was. Raises
    :class:`DamagedDatabase` for a file that is not a database or fails ``quick_check``; any
    other error (locked, unreadable) propagates, since moving such a file aside would be wrong.
    """
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchall()[0][0])
        tables = int(conn.execute("SELECT count(*) FROM sqlite_schema").fetchall()[0][0])
        if check:
            verdict = conn.execute("PRAGMA quick_check(1)").fetchall()
            if verdict != [("ok",)]:
                raise DamagedDatabase(f"quick_check: {verdict[0][0]}")
        return version, tables > 0
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF in _DAMAGED:
            raise DamagedDatabase(str(exc)) from exc
        raise
    finally:
        conn.close()


def _free_name(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def move_aside(path: Path, wall: float) -> Path:
    """Rename a damaged database (and its -wal) to ``<name>.corrupt-<timestamp>``, so that
    nothing is lost and a fresh database can take its name; the -shm index is removed."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(wall))
    target = _free_name(path.with_name(f"{path.name}.corrupt-{stamp}"))
    os.replace(path, target)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        os.replace(wal, target.with_name(target.name + "-wal"))
    path.with_name(path.name + "-shm").unlink(missing_ok=True)
    return target


def backup_before_migration(path: Path, version: int) -> Path:
    """Copy the database to ``<name>.bak-v<version>`` before it is migrated.

    SQLite's backup API takes a consistent copy even with a live WAL (a plain file copy could
    miss the WAL's pages). The copy keeps every row but no link URL: URLs are bearer secrets
    that die within minutes, and a backup is kept indefinitely.
    """
    target = _free_name(path.with_name(f"{path.name}.bak-v{version}"))
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    ensure_private_file(partial)
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    copy = sqlite3.connect(partial, isolation_level=None)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
        copy.execute("PRAGMA secure_delete = ON")
        copy.execute("UPDATE attempts SET url = NULL WHERE url IS NOT NULL")
        copy.execute("VACUUM")
    finally:
        copy.close()
        source.close()
    os.replace(partial, target)
    return target
