"""Local history of link attempts: SQLite storage, search, CSV export and the CLI command.

Qt-free. The UI side lives in ``app.ui.history.model`` and ``app.ui.history.panel``.
"""

from app.history.entry import STATUSES, HistoryEntry, Status
from app.history.errors import HistoryError, HistoryVersionError
from app.history.export import CSV_COLUMNS, CsvExport, export_csv, write_csv
from app.history.migrations import LATEST_VERSION
from app.history.query import Cursor, HistoryQuery
from app.history.store import DB_FILENAME, HistoryStore

__all__ = [
    "CSV_COLUMNS",
    "CsvExport",
    "Cursor",
    "DB_FILENAME",
    "HistoryEntry",
    "HistoryError",
    "HistoryQuery",
    "HistoryStore",
    "HistoryVersionError",
    "LATEST_VERSION",
    "STATUSES",
    "Status",
    "export_csv",
    "write_csv",
]
