"""Writing the window's link attempts to history: a created link (committed before its card is
shown: on the Qt thread, or on the history worker when another instance holds the lock, awaited)
and a failure or cancellation (at once, on the Qt thread). Mixed into
:class:`~app.ui.links.flow.LinkFlow`, whose ``w`` (a :class:`~app.ui.common.host.WindowHost`)
it uses. A write that fails is said in the window; the link itself is never lost with it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from app.history.entry import HistoryEntry
    from app.stripe.models import Account, AccountLink
    from app.stripe.validation import LinkRequest
    from app.ui.common.host import WindowHost


class Recording:
    """The history half of the link operations."""

    w: "WindowHost"

    def _not_saved(self, exc: Exception) -> None:
        self.w.show_message("The link was not saved to history.", f"{type(exc).__name__}: {exc}")

    def _record(self, make: Callable[[], "HistoryEntry"]) -> "HistoryEntry | None":
        """A failed attempt, written at once on this thread (it may run while the window is
        closing); a locked file fails fast here rather than freezing the window."""
        try:
            entry = self.w.services.history.record(make())  # type: ignore[union-attr]
        except Exception as exc:  # noqa: BLE001 - nothing else is lost; say so
            self._not_saved(exc)
            return None
        self.w.history_changed()
        return entry

    async def record_link(self, req: LinkRequest, link: AccountLink, account: Account | None) -> "HistoryEntry | None":
        """A created link, committed before its card is shown. The write takes well under a
        millisecond; when another instance holds the lock it is retried on the history worker
        (awaited, never blocking the Qt thread) instead of failing."""
        from app.history.entry import HistoryEntry

        s = self.w.services
        assert s is not None
        entry = HistoryEntry.for_link(
            req, link, clock=s.clock, mode=s.connection.mode, profile=s.connection.profile, account=account)
        if s.profile is not None and not s.profile.store_urls:
            entry = entry.with_changes(url=None)  # this profile keeps no link URL in history
        try:
            saved = await s.history_worker.record(await s.open_history(), entry)
        except Exception as exc:  # noqa: BLE001 - the link itself is fine; say so
            self._not_saved(exc)
            return None
        self.w.history_changed()
        return saved

    def record_failure(self, req: LinkRequest, account: Account | None, exc: BaseException) -> None:
        from app.history.entry import HistoryEntry

        s = self.w.services
        assert s is not None
        self._record(lambda: HistoryEntry.for_failure(
            req, exc, clock=s.clock, mode=s.connection.mode, profile=s.connection.profile, account=account,
            accounts_api=getattr(s.connection, "accounts_api", "v1")))
