"""What the flows (looking up, creating, presenting) need from the window, as an interface.

:class:`~app.ui.shell.main_window.MainWindow` provides it; the flows are given the window typed
as :class:`WindowHost` and never import the window's module, so the shell can import them
without a circle, and a test can hand them any object that provides the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Awaitable, Callable, Coroutine, Protocol, TypeVar

if TYPE_CHECKING:
    import asyncio

    from PySide6.QtCore import QSettings

    from app.services import Services
    from app.stripe.models import Account
    from app.ui.account.panel import AccountPanel
    from app.ui.links.clipboard import ClipboardGuard
    from app.ui.links.form import LinkForm
    from app.ui.links.link_list import LinkList

T = TypeVar("T")


class RequestRunner(Protocol):
    """Runs the window's one request in flight, so that Esc can cancel it."""

    async def cancellable(self, coro: Awaitable[T]) -> T: ...


class WindowHost(Protocol):
    services: "Services | None"
    settings: "QSettings"
    busy: bool
    busy_action: str | None
    inflight: "asyncio.Future[Any] | None"
    account_panel: "AccountPanel"
    form: "LinkForm"
    links: "LinkList"
    clipboard_guard: "ClipboardGuard | None"

    @property
    def flow(self) -> RequestRunner: ...

    # -- feedback ------------------------------------------------------------------------------
    def status(self, message: str, timeout_ms: int = 8000) -> None: ...
    def set_busy(self, busy: bool, message: str = "", *, action: str = "create") -> None: ...
    def report_retry(self, attempt: int, attempts: int) -> None: ...
    def show_cancelled(self, action: str, text: str) -> None: ...
    def clear_errors(self) -> None: ...
    def mark_field(self, field: str, message: str) -> None: ...
    def show_error(self, exc: BaseException, *, retry: Callable[[], None] | None = None) -> None: ...
    def show_message(self, message: str, details: str = "") -> None: ...

    # -- navigation and work -----------------------------------------------------------------
    def show_links(self) -> None: ...
    def history_changed(self) -> None: ...
    def settings_prefix(self) -> str: ...
    def request_lookup(self) -> None: ...
    async def lookup_account(self) -> "Account | None": ...
    def spawn(self, coro: Coroutine[Any, Any, Any], name: str | None = None) -> "asyncio.Task[Any] | None": ...

    # -- profiles (issue 9) ------------------------------------------------------------------
    async def confirm_live_link(self, request: Any, account: "Account | None") -> bool: ...
    def decorate_present(self, window: Any) -> None: ...
