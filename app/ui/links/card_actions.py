"""What hands a card's link out (Copy, Open in browser), as a mixin of
:class:`app.ui.links.card.LinkCard`: only while the link lives and no newer link replaced it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QUrl

from app.countdown import LinkState

if TYPE_CHECKING:
    from app.countdown import Countdown
    from app.stripe.models import AccountLink
    from app.ui.links.card_text import CopiedFeedback
    from app.ui.links.clipboard import ClipboardGuard


class HandsOutLink:
    """``copy`` and ``open`` for a LinkCard (its state, guard and signals are the card's)."""

    if TYPE_CHECKING:
        _link: AccountLink
        _countdown: Countdown | None
        _guard: ClipboardGuard
        _copied: CopiedFeedback
        _open_url: Callable[[QUrl], object]
        state: LinkState
        statusMessage: Any  # the card's Signal(str)

        is_replaced: bool

        def tick(self) -> None: ...

    def _hands_out(self) -> bool:
        return self.state is not LinkState.EXPIRED and not self.is_replaced

    def copy(self) -> None:
        """Copy the link while it lives: the countdown is read now (the last tick may be 500 ms
        old) and the guard refuses a deadline already past, so a dead URL never reaches the clipboard."""
        self.tick()
        if not self._hands_out():
            return
        assert self._countdown is not None  # a state means a bound link
        if self._guard.copy_link(self._link.url, self._countdown.deadline_monotonic):
            self.statusMessage.emit("Link copied. It will be cleared from the clipboard when it expires.")
            self._copied.show()

    def open(self) -> None:
        if not self._hands_out():
            return
        if self._open_url(QUrl(self._link.url)) is False:
            self.statusMessage.emit("Could not open a web browser for the link. Copy it instead.")
        else:
            self.statusMessage.emit("Opened the link in your web browser.")
