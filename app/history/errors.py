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
