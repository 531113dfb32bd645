"""The window's log file, made readable by its owner only (mode 0600, like the history)."""

from __future__ import annotations

import logging

from app.paths import private_opener


class PrivateFileHandler(logging.FileHandler):
    """A :class:`logging.FileHandler` whose file is made with mode 0600 (``linkdesk.log``)."""

    def _open(self):  # noqa: ANN202 - logging's own hook
        return open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors,
                    opener=private_opener)
