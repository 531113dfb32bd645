"""Keep expired links off the clipboard.

An Account Link URL is a bearer secret until it expires, and useless after. When Linkdesk put a
link on the clipboard and that link has expired, the clipboard is cleared — but only if it still
holds exactly that link: whatever the user copied since is theirs and is left alone.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QClipboard

from app.clock import Clock

CLEARED_MESSAGE = "The copied link expired and was cleared from the clipboard."
CHECK_INTERVAL_MS = 500


class ClipboardGuard(QObject):
    """Copies links to the clipboard and clears them there once they have expired.

    ``check()`` is driven by an internal 500 ms timer that runs only while a copied link is
    pending; cards may also call it from their own tick. Time is the injected monotonic clock.
    """

    cleared = Signal(str)

    def __init__(self, clipboard: QClipboard, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clipboard = clipboard
        self._clock = clock
        self._url: str | None = None
        self._deadline = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.check)

    @property
    def pending(self) -> bool:
        """True while a copied link has not expired yet."""
        return self._url is not None

    def copy_link(self, url: str, deadline_monotonic: float) -> None:
        """Put ``url`` on the clipboard, to be cleared at ``deadline_monotonic``."""
        mime = QMimeData()
        mime.setText(url)
        # Asks clipboard managers (Klipper, and others honouring the hint) not to keep it.
        mime.setData("x-kde-passwordManagerHint", b"secret")
        self._clipboard.setMimeData(mime, QClipboard.Mode.Clipboard)
        self._url = url
        self._deadline = float(deadline_monotonic)
        self._timer.start()

    def check(self) -> None:
        """Clear the clipboard if the link Linkdesk copied has expired and is still there."""
        if self._url is None or self._clock.monotonic() < self._deadline:
            return
        if self._forget_and_clear():
            self.cleared.emit(CLEARED_MESSAGE)

    def stop(self) -> None:
        """At shutdown: a live link Linkdesk copied does not outlive the app on the clipboard
        (a clipboard manager would otherwise keep it); anything else there is left alone."""
        self._forget_and_clear()

    def _forget_and_clear(self) -> bool:
        """Forget the pending link; clear it where the clipboard still holds it. True if cleared."""
        url, self._url = self._url, None
        self._timer.stop()
        if url is None:
            return False
        modes = [QClipboard.Mode.Clipboard]
        if self._clipboard.supportsSelection():
            modes.append(QClipboard.Mode.Selection)
        held = [mode for mode in modes if self._clipboard.text(mode) == url]
        for mode in held:
            self._clipboard.clear(mode)
        return bool(held)
