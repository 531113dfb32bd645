"""Keep expired links off the clipboard — as text and as QR images.

An Account Link URL is a bearer secret until it expires, and useless after; so is a picture of
its QR code. When Linkdesk put a link (or its QR image) on the clipboard and that link has
expired, the clipboard is cleared — but only if it still holds exactly what Linkdesk put there:
whatever the user copied since is theirs and is left alone. At shutdown a live copy is cleared
the same way, so it does not outlive the app (a clipboard manager would otherwise keep it).

Each copy carries a private MIME marker holding a per-copy serial; "still ours" means the
clipboard's marker is that serial, or (for a clipboard manager that re-serves the data without
our marker) the text is the same URL, or the image the same pixels.
"""

from __future__ import annotations

import itertools
import os

from PySide6.QtCore import QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QImage

from app.clock import Clock

CLEARED_MESSAGE = "The copied link expired and was cleared from the clipboard."
CHECK_INTERVAL_MS = 500
MARKER_FORMAT = "application/x-linkdesk-copy"
_PASSWORD_HINT = "x-kde-passwordManagerHint"


class ClipboardGuard(QObject):
    """Copies links (or their QR images) to the clipboard and clears them there once expired.

    ``check()`` is driven by an internal 500 ms timer that runs only while a copy is pending;
    cards may also call it from their own tick. Time is the injected monotonic clock. Only the
    latest copy is tracked: the clipboard holds one thing at a time.
    """

    cleared = Signal(str)

    def __init__(self, clipboard: QClipboard, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clipboard = clipboard
        self._clock = clock
        self._serials = itertools.count(1)
        self._session = os.urandom(6).hex()  # two Linkdesk processes never share a marker
        self._marker: bytes | None = None
        self._url: str | None = None
        self._image: QImage | None = None
        self._image_url: str | None = None  # the link a copied QR image encodes, when told
        self._deadline = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.check)

    @property
    def pending(self) -> bool:
        """True while a copy Linkdesk made has not expired (or been cleared) yet."""
        return self._marker is not None

    @property
    def pending_kind(self) -> str | None:
        """``"text"``, ``"image"`` or None: what the pending copy is."""
        if self._marker is None:
            return None
        return "image" if self._image is not None else "text"

    def copy_link(self, url: str, deadline_monotonic: float) -> bool:
        """Put ``url`` on the clipboard, to be cleared at ``deadline_monotonic``. False (and the
        clipboard untouched) when that deadline has passed: a dead link is never copied, whatever
        the caller's last look at its countdown said."""
        if self._clock.monotonic() >= deadline_monotonic:
            return False
        mime = QMimeData()
        mime.setText(url)
        self._put(mime, deadline_monotonic, url=url, image=None)
        return True

    def copy_image(self, image: QImage, deadline_monotonic: float, url: str | None = None) -> bool:
        """Put ``image`` (a link's QR code, of ``url`` when given) on the clipboard, to be cleared
        at the deadline; False, as :meth:`copy_link`, once the deadline has passed."""
        if self._clock.monotonic() >= deadline_monotonic:
            return False
        mime = QMimeData()
        mime.setImageData(image)
        self._put(mime, deadline_monotonic, url=None, image=image.convertToFormat(QImage.Format.Format_RGB32))
        self._image_url = url
        return True

    def _put(self, mime: QMimeData, deadline: float, *, url: str | None, image: QImage | None) -> None:
        marker = f"{self._session}-{next(self._serials)}".encode()
        # Asks clipboard managers (Klipper, and others honouring the hint) not to keep it.
        mime.setData(_PASSWORD_HINT, b"secret")
        mime.setData(MARKER_FORMAT, marker)
        self._clipboard.setMimeData(mime, QClipboard.Mode.Clipboard)
        self._marker, self._url, self._image, self._image_url = marker, url, image, None
        self._deadline = float(deadline)
        self._timer.start()

    def check(self) -> None:
        """Clear the clipboard if the copy Linkdesk made has expired and is still there."""
        if self._marker is None or self._clock.monotonic() < self._deadline:
            return
        if self._forget_and_clear():
            self.cleared.emit(CLEARED_MESSAGE)

    def forget_link(self, url: str) -> bool:
        """The link ``url`` was replaced by a newer one: if the pending copy is that URL (or its
        QR image), clear it from the clipboard where it is still there. True if cleared."""
        if self._marker is None or not url or url not in (self._url, self._image_url):
            return False
        return self._forget_and_clear()

    def stop(self) -> None:
        """At shutdown: a live copy Linkdesk made does not outlive the app on the clipboard;
        anything else there is left alone."""
        self._forget_and_clear()

    def holds_our_copy(self, mode: QClipboard.Mode = QClipboard.Mode.Clipboard) -> bool:
        """True when the clipboard (``mode``) still holds the pending copy."""
        if self._marker is None:
            return False
        mime = self._clipboard.mimeData(mode)
        if mime is None:
            return False
        if mime.hasFormat(MARKER_FORMAT):
            # Ours or another Linkdesk copy's: the serial decides, nothing else.
            return bytes(mime.data(MARKER_FORMAT).data()) == self._marker
        if self._url is not None:
            return mime.hasText() and mime.text() == self._url
        if self._image is not None and mime.hasImage():
            held = self._clipboard.image(mode)
            return not held.isNull() and held.convertToFormat(QImage.Format.Format_RGB32) == self._image
        return False

    def _forget_and_clear(self) -> bool:
        """Forget the pending copy; clear it where the clipboard still holds it. True if cleared."""
        modes = [QClipboard.Mode.Clipboard]
        if self._clipboard.supportsSelection():
            modes.append(QClipboard.Mode.Selection)
        held = [mode for mode in modes if self.holds_our_copy(mode)]
        self._marker = self._url = self._image = self._image_url = None
        self._timer.stop()
        for mode in held:
            self._clipboard.clear(mode)
        return bool(held)
