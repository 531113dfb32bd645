"""Where Linkdesk keeps its files: one override, created lazily with mode 0700.

Order of precedence for the data folder: ``--data-dir`` on the command line, then the
``LINKDESK_DATA_DIR`` environment variable, then platformdirs' user data folder for
``linkdesk``. The config folder follows platformdirs only (it holds window geometry and
settings, never secrets).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "linkdesk"
DATA_DIR_ENV = "LINKDESK_DATA_DIR"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents with mode 0700, readable by the owner only.
    Folders that already exist are left as they are (``--data-dir .`` must not chmod the
    user's working folder)."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:  # another instance created it meanwhile
            continue
        os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask
    return path


@dataclass(frozen=True, slots=True)
class AppPaths:
    data_dir: Path
    config_dir: Path

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> "AppPaths":
        chosen = data_dir or os.environ.get(DATA_DIR_ENV) or platformdirs.user_data_dir(APP_NAME, appauthor=False)
        return cls(
            data_dir=Path(chosen).expanduser(),
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        )

    @property
    def history_db(self) -> Path:
        return self.data_dir / "history.sqlite3"

    @property
    def settings_file(self) -> Path:
        """The window's QSettings (geometry, last redirect URLs)."""
        return self.config_dir / "linkdesk.ini"

    @property
    def preferences_file(self) -> Path:
        """The operator's preferences (app.preferences), shared with the command line."""
        return self.config_dir / "preferences.ini"
