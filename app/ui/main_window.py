"""The main window: account on the left, link options below it, this session's links on the right.

The window is built before any service exists (first paint must not wait for httpx, the sandbox
or the history database); :meth:`MainWindow.attach_services` wires them in afterwards. Every
network call runs as a tracked task on the qasync loop; the slots only start tasks, and tests
await the coroutines (:meth:`lookup_account`, :meth:`create_link`) directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Coroutine

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QLabel, QMainWindow, QProgressBar, QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget,
)

from app.ui.account_panel import AccountPanel
from app.ui.error_banner import ErrorBanner
from app.ui.link_form import LinkForm
from app.ui.link_list import LinkList
from app.ui.menus import build_menus
from app.ui.tasks import TaskTracker
from app.ui.toolbar import ConnectionBar

if TYPE_CHECKING:  # the rest is imported after the first paint (start-up speed)
    import asyncio

    from app.services import Services
    from app.stripe.models import Account
    from app.ui.clipboard import ClipboardGuard
    from app.ui.link_card import LinkCard
    from app.ui.link_flow import LinkFlow

SANDBOX_URLS = ("https://example.com/reauth", "https://example.com/return")
ACCOUNT_UNKNOWN = "Stripe does not know this account for your platform."
ACCOUNT_REFUSED = "Stripe refused this account. The message at the top says why."


class MainWindow(QMainWindow):
    """Signals: ``closeRequested`` once the window has been closed (the app then shuts down)."""

    closeRequested = Signal()

    def __init__(self, services: "Services | None" = None, *, settings: QSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("Linkdesk")
        # A fixed minimum keeps the layout from changing the window's size hints while shown
        # (offscreen and some X11 window managers warn about every such change).
        self.setMinimumSize(720, 480)
        self.settings = settings
        self.services: "Services | None" = None
        self.clipboard_guard: "ClipboardGuard | None" = None
        self.history_panel: Any = None
        self._history_task: "asyncio.Task[None] | None" = None
        self.inflight: "asyncio.Future[Any] | None" = None
        self.busy = False
        self.unexpected: list[BaseException] = []
        self._retry: Callable[[], None] | None = None
        self.tracker = TaskTracker(on_error=self.report_unexpected)
        self._flow: "LinkFlow | None" = None
        self._build()
        self.actions_by_name = build_menus(self)
        self._restore_geometry()
        if services is not None:
            self.attach_services(services)

    # -- construction --------------------------------------------------------------------------
    def _build(self) -> None:
        self.connection_bar = ConnectionBar(self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.connection_bar)
        self.banner = ErrorBanner(self)
        self.banner.retryRequested.connect(self._run_retry)
        self.account_panel = AccountPanel(self)
        self.account_panel.lookupRequested.connect(self.request_lookup)
        self.form = LinkForm(self)
        self.form.createRequested.connect(self.request_create)
        self.form.cancelRequested.connect(self.cancel_request)
        self.links = LinkList(self)
        self.links.cardAdded.connect(lambda _card: self.tabs.setTabText(
            self.tabs.indexOf(self.links), f"Links ({len(self.links.cards())})"))

        left = QWidget(self, objectName="leftColumn")
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 6, 0)
        column.addWidget(self.account_panel)
        column.addWidget(self.form)
        column.addStretch(1)
        left_scroll = QScrollArea(self, objectName="leftScroll", widgetResizable=True)
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        left_scroll.setWidget(left)
        left_scroll.setMinimumWidth(380)
        # Its content takes focus itself (and the area scrolls to it): the area is no Tab stop.
        left_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.tabs = QTabWidget(self, objectName="mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.links, "Links")
        self.history_placeholder = QLabel("History opens once Linkdesk is connected.", self)
        self.history_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tabs.addTab(self.history_placeholder, "History")

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self, objectName="mainSplitter")
        self.splitter.addWidget(left_scroll)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([470, 810])

        central = QWidget(self, objectName="central")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(10, 8, 10, 4)
        layout.setSpacing(8)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.progress = QProgressBar(self, objectName="requestProgress", maximumWidth=120, maximumHeight=14)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName("Request in progress")
        self.progress.hide()
        self.statusBar().addPermanentWidget(self.progress)
        self.form.setEnabled(False)
        self.account_panel.setEnabled(False)
        chain = [self.account_panel.input, self.account_panel.button, self.account_panel.summary.tree,
                 self.form.type, self.form.refresh_url,
                 self.form.return_url, self.form.fields, self.form.future, self.form.cancel_button,
                 self.form.create_button, self.tabs]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    @property
    def flow(self) -> "LinkFlow":
        """The link operations (imported on first use: not needed for the first paint)."""
        if self._flow is None:
            from app.ui.link_flow import LinkFlow

            self._flow = LinkFlow(self)
        return self._flow

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 820)
        splitter = self.settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def save_geometry(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.sync()

    # -- services ------------------------------------------------------------------------------
    def attach_services(self, services: "Services") -> None:
        """Wire the (lazily built) services in: badge, clipboard guard, defaults, history."""
        from app.ui.clipboard import ClipboardGuard

        self.services = services
        self.clipboard_guard = ClipboardGuard(QGuiApplication.clipboard(), services.clock, self)
        self.clipboard_guard.cleared.connect(lambda message: self.status(message, 10_000))
        self.connection_bar.show_connection(services.connection, services.client)
        saved_refresh = self.settings.value(f"{self.settings_prefix()}/refresh_url")
        saved_return = self.settings.value(f"{self.settings_prefix()}/return_url")
        defaults = SANDBOX_URLS if services.connection.is_sandbox else ("", "")
        self.form.set_urls(str(saved_refresh or defaults[0]), str(saved_return or defaults[1]))
        self.form.setEnabled(True)
        self.account_panel.setEnabled(True)
        keep_urls = self.actions_by_name["storeUrlsAction"]
        keep_urls.blockSignals(True)
        keep_urls.setChecked(services.preferences.store_urls)
        keep_urls.blockSignals(False)
        keep_urls.setEnabled(True)
        self._attach_history()
        self.account_panel.input.setFocus()

    def _attach_history(self) -> None:
        """Open the history on its worker thread (quick_check, a migration: tens of ms to
        seconds, never on the Qt thread) and put the panel in the History tab once it is open.
        :meth:`history_ready` awaits this; creating a link does, so that its row is written
        before its card is shown."""
        assert self.services is not None
        self.history_placeholder.setText("Opening history…")
        self.services.start_opening_history()
        self._history_task = self.spawn(self._open_history(), "open history")
        if self._history_task is None:  # no event loop runs (a script): open it here
            self._show_history(self._history_or_error())

    def _history_or_error(self) -> Any:
        assert self.services is not None
        try:
            return self.services.history
        except Exception as exc:  # noqa: BLE001 - shown to the operator below
            return exc

    async def _open_history(self) -> None:
        assert self.services is not None
        try:
            result: Any = await self.services.open_history()
        except Exception as exc:  # noqa: BLE001 - a newer or unreadable file: say so, keep working
            result = exc
        self._show_history(result)

    def _show_history(self, result: Any) -> None:
        from app.ui.history_panel import HistoryPanel

        assert self.services is not None
        if isinstance(result, BaseException):
            self.history_placeholder.setText(f"History is not available.\n{result}")
            self.show_message("History is not available: new links will not be recorded.", str(result))
            return
        panel = HistoryPanel(result, clock=self.services.clock, parent=self,
                             worker=self.services.history_worker, spawn=self.spawn)
        panel.reopenRequested.connect(self.flow.reopen)
        panel.createAgainRequested.connect(self.flow.create_again)
        index = self.tabs.indexOf(self.history_placeholder)
        current = self.tabs.currentIndex() == index
        self.tabs.removeTab(index)
        self.history_placeholder.deleteLater()
        self.tabs.insertTab(index, panel, "History")
        if current:
            self.tabs.setCurrentIndex(index)
        self.history_panel = panel
        if result.recovery_notice:  # said once here too: the panel may not be looked at soon
            self.show_message("The history file was damaged; a new history was started.", result.recovery_notice)

    async def history_ready(self) -> Any:
        """Wait until the history is open and its panel shown; the panel, or None when the
        history is not available (or no services are attached)."""
        import asyncio

        task = self._history_task
        if task is not None and not task.done():
            await asyncio.wait({task})
        return self.history_panel

    def settings_prefix(self) -> str:
        connection = self.services.connection if self.services else None
        return f"links/{connection.profile}-{connection.mode}" if connection else "links/none"

    def set_store_urls(self, enabled: bool) -> None:
        """File → Keep active link URLs in history (saved; off erases the stored ones now)."""
        if self.services is None:
            return
        try:
            self.services.set_store_urls(enabled)
        except OSError as exc:
            self.show_message("The preference could not be saved.", str(exc))
            return
        self.history_changed()
        self.status("Active link URLs are kept in history until they expire." if enabled
                    else "Link URLs are no longer written to history; stored ones were erased.")

    def history_changed(self) -> None:
        refresh = getattr(self.history_panel, "refresh", None)
        if callable(refresh):
            refresh()

    # -- tasks & errors ------------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, Any], name: str | None = None) -> "asyncio.Task[Any] | None":
        import asyncio

        try:
            asyncio.get_running_loop()
        except RuntimeError:  # before the loop runs (the first paint) or after it stopped
            coro.close()
            return None
        if self.tracker.closed:
            coro.close()
            return None
        return self.tracker.spawn(coro, name=name)

    def report_unexpected(self, exc: BaseException) -> None:
        """The one error path for what nobody expected: a banner, and the traceback in the log."""
        import logging

        self.unexpected.append(exc)
        logging.getLogger("linkdesk").error("Unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
        self.banner.show_error(exc)

    def show_error(self, exc: BaseException, *, retry: Callable[[], None] | None = None) -> None:
        from app.stripe.errors import StripeError

        self._retry = retry
        self.banner.show_error(exc, retry=retry is not None)
        param = getattr(exc, "param", None)
        if isinstance(exc, StripeError) and param:
            # The banner has the explanation; the field says, in plain words, that it is the one
            # Stripe refused (Stripe's own message, which names API parameters, is its tooltip).
            if param == "account":
                unknown = exc.http_status in (403, 404)
                self.mark_field("account", ACCOUNT_UNKNOWN if unknown else ACCOUNT_REFUSED)
                self.account_panel.error.setToolTip(f"Stripe: {exc.message}")
            else:
                field = self.form.field_for_param(param)
                if field is not None:
                    self.form.mark_refused(field, exc.message)

    def show_message(self, message: str, details: str = "") -> None:
        self._retry = None
        self.banner.show_message(message, details)

    def _run_retry(self) -> None:
        retry, self._retry = self._retry, None
        self.banner.clear()
        if retry is not None:
            retry()

    def mark_field(self, field: str, message: str) -> None:
        if field == "account":
            self.account_panel.error.mark(self.account_panel.input, message[:1].upper() + message[1:])
            self.account_panel.input.setFocus()
        elif self.form.mark(field, message) is None:
            self.show_message(message)

    def clear_errors(self) -> None:
        self.banner.clear()
        self.account_panel.error.clear_error(self.account_panel.input)
        self.form.clear_errors()

    def status(self, message: str, timeout_ms: int = 8000) -> None:
        self.statusBar().showMessage(message, timeout_ms)

    def set_busy(self, busy: bool, message: str = "") -> None:
        self.busy = busy
        self.form.set_busy(busy)
        self.account_panel.button.setEnabled(not busy)
        self.actions_by_name["cancelAction"].setEnabled(busy)
        self.actions_by_name["createAction"].setEnabled(not busy)
        self.progress.setVisible(busy)
        if message:
            self.status(message, 0)
        elif not busy:
            self.statusBar().clearMessage()

    # -- slots (thin: start a task) ------------------------------------------------------------
    def request_lookup(self) -> None:
        self.spawn(self.lookup_account(), "lookup")

    def request_create(self) -> None:
        self.spawn(self.create_link(), "create")

    def cancel_request(self) -> None:
        if self.inflight is not None and not self.inflight.done():
            self.inflight.cancel()

    def copy_newest_link(self) -> None:
        self.flow.copy_newest()

    def present_newest_link(self) -> None:
        card = self.links.newest_active()
        if card is None:
            self.status("No active link to present. Create one first.")
        else:
            self.flow.present(card)

    def focus_account(self) -> None:
        self.account_panel.input.setFocus()
        self.account_panel.input.selectAll()

    def show_links(self) -> None:
        self.tabs.setCurrentWidget(self.links)

    def show_history(self) -> None:
        if self.history_panel is not None:
            self.tabs.setCurrentWidget(self.history_panel)

    # -- operations (tests await these) --------------------------------------------------------
    async def lookup_account(self) -> "Account | None":
        """Look the typed account up and show its summary; None when refused or failed."""
        from app.ui.lookup import lookup_account

        return await lookup_account(self)

    async def create_link(self) -> "LinkCard | None":
        """Create a link from the form; the new card, or None (refused, failed, cancelled).
        Waits for the history to open first (rarely: it opens right after the first paint), so
        that the link is recorded before its card is shown."""
        await self.history_ready()
        return await self.flow.create()

    # -- closing -------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_geometry()
        if self._flow is not None:
            self._flow.close_present()
        event.accept()
        self.closeRequested.emit()

    async def shutdown(self) -> None:
        """Cancel and await everything in flight (present mode's refresh too). Safe twice."""
        await self.tracker.cancel_all(close=True)
        self.cancel_request()  # a request awaited outside the tracker (tests, scripts)
        tasks: list[Any] = []
        if self._flow is not None:
            self._flow.close_present()
            tasks, self._flow.closing_tasks = self._flow.closing_tasks, []
        if tasks:
            import asyncio

            await asyncio.gather(*tasks, return_exceptions=True)
        if self.clipboard_guard is not None:
            self.clipboard_guard.stop()
        self.links.stop_all()
