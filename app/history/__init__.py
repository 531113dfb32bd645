"""Local history of link attempts: SQLite storage, search, CSV export and the CLI command.

Qt-free. The UI side lives in ``app.ui.history.model`` and ``app.ui.history.panel``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.history.entry import STATUSES, HistoryEntry, Status
    from app.history.errors import HistoryError, HistoryVersionError
    from app.history.export import CSV_COLUMNS, CsvExport, export_csv, write_csv
    from app.history.migrations import LATEST_VERSION
    from app.history.query import Cursor, HistoryQuery
    from app.history.store import DB_FILENAME, HistoryStore

# Where each name lives. Loaded on first use: ``linkdesk link`` records one entry and must not
# pay for the CSV export or the search (bench/startup.py (b)).
_HOMES = {
    "STATUSES": "entry", "HistoryEntry": "entry", "Status": "entry",
    "HistoryError": "errors", "HistoryVersionError": "errors",
    "CSV_COLUMNS": "export", "CsvExport": "export", "export_csv": "export", "write_csv": "export",
    "LATEST_VERSION": "migrations",
    "Cursor": "query", "HistoryQuery": "query",
    "DB_FILENAME": "store", "HistoryStore": "store",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"app.history.{home}"), name)
