"""The History tab's place in the window: a placeholder until the history is open, then the panel.

The history opens on its worker thread (quick_check, a migration: tens of ms to seconds, never on
the Qt thread); :class:`HistoryTab` swaps the panel in once it is open, keeping the tab current if
the operator was looking at it, or says in the placeholder why there is no history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Coroutine

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTabWidget

if TYPE_CHECKING:
    import asyncio

    from app.history.entry import HistoryEntry
    from app.services import Services
    from app.ui.history.panel import HistoryPanel

Spawn = Callable[[Coroutine[Any, Any, Any], str], "asyncio.Task[Any] | None"]


class HistoryTab:
    """Owns the History tab of ``tabs``: :attr:`placeholder`, then :attr:`panel`."""

    def __init__(self, tabs: QTabWidget, *, spawn: Spawn, show_message: Callable[[str, str], None]) -> None:
        self.tabs = tabs
        self._spawn = spawn
        self._show_message = show_message
        self.placeholder = QLabel("History opens once Linkdesk is connected.", tabs)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        tabs.addTab(self.placeholder, "History")
        self.panel: "HistoryPanel | None" = None
        self.task: "asyncio.Task[None] | None" = None
        self._retry: Callable[["HistoryEntry"], object] | None = None

    def open(self, services: "Services", *, reopen: Callable[["HistoryEntry"], object],
             create_again: Callable[["HistoryEntry"], object],
             retry: Callable[["HistoryEntry"], object] | None = None) -> None:
        """Start opening the history; the panel's rows then reopen, refill or (an attempt of
        unknown outcome) retry through the callbacks. :meth:`ready` awaits the opening."""
        self._retry = retry
        self.placeholder.setText("Opening history…")
        services.start_opening_history()
        self.task = self._spawn(self._open(services, reopen, create_again), "open history")
        if self.task is None:  # no event loop runs (a script): open it here
            try:
                result: Any = services.history
            except Exception as exc:  # noqa: BLE001 - shown to the operator
                result = exc
            self._show(services, result, reopen, create_again)

    async def _open(self, services: "Services", reopen: Callable, create_again: Callable) -> None:
        try:
            result: Any = await services.open_history()
        except Exception as exc:  # noqa: BLE001 - a newer or unreadable file: say so, keep working
            result = exc
        self._show(services, result, reopen, create_again)

    def _show(self, services: "Services", result: Any, reopen: Callable, create_again: Callable) -> None:
        from app.ui.history.panel import HistoryPanel

        if isinstance(result, BaseException):
            self.placeholder.setText(f"History is not available.\n{result}")
            self._show_message("History is not available: new links will not be recorded.", str(result))
            return
        panel = HistoryPanel(result, clock=services.clock, parent=self.tabs.window(),
                             worker=services.history_worker, spawn=self._spawn)
        panel.reopenRequested.connect(reopen)
        if self._retry is not None:
            panel.retryRequested.connect(self._retry)
        panel.createAgainRequested.connect(lambda entry: self._create_again(services, entry, create_again))
        index = self.tabs.indexOf(self.placeholder)
        current = self.tabs.currentIndex() == index
        self.tabs.removeTab(index)
        self.placeholder.deleteLater()
        self.tabs.insertTab(index, panel, "History")
        if current:
            self.tabs.setCurrentIndex(index)
        self.panel = panel
        if result.recovery_notice:  # said once here too: the panel may not be looked at soon
            self._show_message("The history file was damaged; a new history was started.", result.recovery_notice)

    def _create_again(self, services: "Services", entry: "HistoryEntry", create_again: Callable) -> None:
        """Fill the form again; the window sends through its connection's Accounts API, so an
        entry made through the other one says so (the profile's setting chooses)."""
        create_again(entry)
        api = getattr(services.connection, "accounts_api", "v1")
        if entry.accounts_api != api:
            self._show_message(
                f"This entry was made through Accounts {entry.accounts_api}; this profile uses Accounts {api}.",
                f"Create makes an Accounts {api} link. To make an Accounts {entry.accounts_api} link, choose "
                f"Accounts {entry.accounts_api} in the profile's settings (or start with --accounts-api).")

    async def ready(self) -> "HistoryPanel | None":
        """Wait until the history is open and its panel shown; the panel, or None when the
        history is not available (or was never opened)."""
        import asyncio

        task = self.task
        if task is not None and not task.done():
            await asyncio.wait({task})
        return self.panel

    def refresh(self) -> None:
        if self.panel is not None:
            self.panel.refresh()

    def show(self) -> None:
        if self.panel is not None:
            self.tabs.setCurrentWidget(self.panel)
