"""Which index belongs to the connection in use (until profiles land, see app.profiles).

The built-in sandbox listens on a new port every start, so its index is keyed by "sandbox" and
the mode; any other server by :func:`app.directory.index.index_key` (API base and a hash of the
key). When profiles land, :func:`directory_key` should return the profile's own key instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.directory.index import DirectoryIndex, index_key, index_path


def directory_key(connection: Any) -> str:
    """``connection`` is an :class:`app.services.Connection` (api_key, api_base, is_sandbox)."""
    if getattr(connection, "is_sandbox", False):
        return f"sandbox-{connection.api_key.mode}"
    return index_key(connection.api_base, connection.api_key)


def directory_path(services: Any) -> Path:
    return index_path(services.paths.data_dir, directory_key(services.connection))


def open_directory(services: Any) -> DirectoryIndex:
    """Open (creating if need be) the index of ``services``' connection."""
    return DirectoryIndex.open(directory_path(services))


def has_directory(services: Any) -> bool:
    """Whether an index exists for this connection (without creating one)."""
    path = directory_path(services)
    return path.exists() and path.stat().st_size > 0
