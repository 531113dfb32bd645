"""Which index belongs to the connection in use: one per profile and mode.

A connection opened from a profile (``connection.source``, see :mod:`app.profiles`) uses the
profile's id. Otherwise the built-in sandbox (a new port every start) is keyed by "sandbox" and
the mode, and any other server by :func:`app.directory.index.index_key` (the API base and a hash
of the key, never the key).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from app.directory.index import DirectoryIndex, index_key, index_path


def directory_key(connection: Any) -> str:
    """``connection`` is an :class:`app.services.Connection` (api_key, api_base, is_sandbox)."""
    profile = getattr(connection, "source", None)
    profile_id = getattr(profile, "id", None)
    if isinstance(profile_id, str) and profile_id:
        return f"profile-{re.sub(r'[^A-Za-z0-9_-]', '_', profile_id)[:64]}-{connection.api_key.mode}"
    if getattr(connection, "is_sandbox", False):
        return f"sandbox-{connection.api_key.mode}"
    return index_key(connection.api_base, connection.api_key)


def directory_path(services: Any) -> Path:
    return index_path(services.paths.data_dir, directory_key(services.connection))


def open_directory(services: Any, *, read_only: bool = False) -> DirectoryIndex:
    """Open (creating if need be) the index of ``services``' connection; ``read_only`` for a
    caller that only searches (it then works in a read-only data folder)."""
    return DirectoryIndex.open(directory_path(services), read_only=read_only)


def has_directory(services: Any) -> bool:
    """Whether an index exists for this connection (without creating one)."""
    path = directory_path(services)
    return path.exists() and path.stat().st_size > 0
