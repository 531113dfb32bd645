"""The main window: account on the left, link options below it, this session's links on the right.

The window is built before any service exists (first paint must not wait for httpx, the sandbox
or the history database); :meth:`MainWindow.attach_services` wires them in afterwards. Every
network call runs as a tracked task on the qasync loop; the slots only start tasks, and tests
await the coroutines (:meth:`lookup_account`, :meth:`create_link`) directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Coroutine

from PySide6.QtCore import QSettings, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.tasks import TaskTracker
from app.ui.shell.feedback import WindowFeedback
from app.ui.shell.geometry import restore_geometry

if TYPE_CHECKING:  # the rest is imported by build(), after the first paint (start-up speed)
    import asyncio

    from app.services import Services
    from app.stripe.models import Account
    from app.ui.account.panel import AccountPanel
    from app.ui.history.tab import HistoryTab
    from app.ui.links.form import LinkForm
    from app.ui.links.link_list import LinkList
    from app.ui.profiles.controller import ProfileController
    from app.ui.shell.error_banner import ErrorBanner
    from app.ui.shell.toolbar import ConnectionBar
    from app.ui.account.directory import AccountDirectoryUi
    from app.ui.history.panel import HistoryPanel
    from app.ui.links.card import LinkCard
    from app.ui.links.clipboard import ClipboardGuard
    from app.ui.links.flow import LinkFlow

SANDBOX_URLS = ("https://example.com/reauth", "https://example.com/return")
DEFAULT_SIZE = QSize(1280, 820)
MINIMUM_SIZE = QSize(720, 480)
class MainWindow(WindowFeedback, QMainWindow):
    """Signals: ``closeRequested`` once the window has been closed (the app then shuts down)."""

    closeRequested = Signal()

    def __init__(self, services: "Services | None" = None, *, settings: QSettings,
                 parent: QWidget | None = None, deferred: bool = False) -> None:
        """The whole window, or with ``deferred`` only its frame (title, size, position): the
        app shows that at once and calls :meth:`build` right after its first paint, so the
        window is on screen while the Qt classes of its contents load (bench/startup.py)."""
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("Linkdesk")
        # A fixed minimum keeps the layout from changing the window's size hints while shown
        # (offscreen and some X11 window managers warn about every such change).
        self.setMinimumSize(MINIMUM_SIZE)
        self.settings = settings
        self.services: "Services | None" = None
        self.clipboard_guard: "ClipboardGuard | None" = None
        self.inflight: "asyncio.Future[Any] | None" = None
        self.busy = False
        self.busy_action: str | None = None  # "lookup" | "create" while busy
        self._lookup_pending = False  # Enter pressed before the services were attached
        self.unexpected: list[BaseException] = []
        self._retry: Callable[[], None] | None = None
        self.tracker = TaskTracker(on_error=self.report_unexpected)
        self._flow: "LinkFlow | None" = None
        self.directory: "AccountDirectoryUi | None" = None  # the account directory, once services exist
        self.built = False
        self._restore_geometry()
        if not deferred:
            self.build()
        if services is not None:
            self.attach_services(services)

    def build(self) -> None:
        """The window's contents: panels, tabs, menus, profiles (once)."""
        if self.built:
            return
        from app.ui.profiles.controller import ProfileController
        from app.ui.shell.menus import build_menus

        self._build()
        self.actions_by_name = build_menus(
            self, self._menu_handlers(), settings=self.settings, set_store_urls=self.set_store_urls,
            set_present_screen=lambda name: self.flow.set_present_screen(name))
        self.profiles_ui: "ProfileController" = ProfileController(self)  # selector, LIVE band, welcome, live gate
        from app.ui.shell.live_countdown import LiveCountdown  # title, tray, notifications

        self.live_countdown = LiveCountdown(self, self.links, notifications_on=lambda: (
            self.services is None or self.services.preferences.notify))
        splitter = self.settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        self.built = True

    # -- construction --------------------------------------------------------------------------
    def _menu_handlers(self) -> dict[str, Callable[[], object]]:
        return {
            "focusAccountAction": self.focus_account,
            "lookupAction": self.request_lookup,
            "createAction": self.request_create,
            "createAnotherAction": lambda: self.spawn(self.create_link(keep_others=True), "create"),
            "cancelAction": self.cancel_request,
            "copyNewestAction": self.copy_newest_link,
            "presentNewestAction": self.present_newest_link,
            "showLinksAction": self.show_links,
            "showHistoryAction": self.show_history,
            "quitAction": self.close,
        }

    def _build(self) -> None:
        from app.ui.account.panel import AccountPanel
        from app.ui.history.tab import HistoryTab
        from app.ui.links.form import LinkForm
        from app.ui.links.link_list import LinkList
        from app.ui.shell.error_banner import ErrorBanner
        from app.ui.shell.narrow import LEFT_NARROW, ColumnScroll, NarrowWindowSplitter
        from app.ui.shell.toolbar import ConnectionBar

        self.connection_bar: "ConnectionBar" = ConnectionBar(self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.connection_bar)
        self.banner: "ErrorBanner" = ErrorBanner(self)
        self.banner.retryRequested.connect(self._run_retry)
        self.account_panel: "AccountPanel" = AccountPanel(self)
        self.account_panel.lookupRequested.connect(self.request_lookup)
        self.account_panel.recentWanted.connect(lambda: self.spawn(self.refresh_recent_accounts(), "recent"))
        self.form: "LinkForm" = LinkForm(self)
        self.form.createRequested.connect(self.request_create)
        self.form.cancelRequested.connect(self.cancel_request)
        self.account_panel.wait.cancelRequested.connect(self.cancel_request)
        boxes = (self.account_panel.error_box, self.form.error_box)
        for box in boxes:
            box.retryRequested.connect(self._run_retry)
            box.shownChanged.connect(lambda _shown: self.account_panel.make_room(
                any(not b.isHidden() for b in boxes)))
        # Another account typed: the last create's error was about the one before.
        self.account_panel.input.textEdited.connect(lambda _text: self.form.error_box.clear())
        self.links: "LinkList" = LinkList(self)
        # Live links only: an expired one is history, not something to act on.
        self.links.liveCountChanged.connect(lambda live: self.tabs.setTabText(
            self.tabs.indexOf(self.links), f"Links ({live})" if live else "Links"))

        left = QWidget(self, objectName="leftColumn")
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 6, 0)
        # The account panel takes the height (its summary scrolls in its own box), the form keeps
        # to the bottom: Create stays in view and in place whatever the account, its errors or
        # the picker above it. The column scrolls only in a window below its minimum height.
        column.addWidget(self.account_panel, 1)
        column.addWidget(self.form)
        left_scroll = ColumnScroll(self, objectName="leftScroll", widgetResizable=True)
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        left_scroll.setWidget(left)
        left_scroll.narrowest = LEFT_NARROW - 10
        # Its content takes focus itself (and the area scrolls to it): the area is no Tab stop.
        left_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.tabs = QTabWidget(self, objectName="mainTabs")
        self.tabs.setAccessibleName("Links and history")
        self.tabs.tabBar().setObjectName("mainTabBar")
        self.tabs.tabBar().setAccessibleName("Links and History tabs")
        self.tabs.setDocumentMode(True)
        # Its pages fit any width from the window's minimum up (cards and History wrap).
        self.tabs.setMinimumWidth(320)
        self.tabs.addTab(self.links, "Links")
        self.history_tab: "HistoryTab" = HistoryTab(self.tabs, spawn=self.spawn, show_message=self.show_message)

        # The banner under the tabs: neither the form nor the (top-aligned) cards move for it.
        right = QWidget(self, objectName="rightColumn")
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addWidget(self.tabs, 1)
        right_column.addWidget(self.banner)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self, objectName="mainSplitter")
        self.splitter.addWidget(left_scroll)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([500, 780])
        self.narrow = NarrowWindowSplitter(self, self.splitter)

        central = QWidget(self, objectName="central")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(10, 8, 10, 4)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        # The form waits for the services; the account field takes typing at once (an Enter
        # pressed before the services are up is looked up when they are: request_lookup).
        self.form.setEnabled(False)
        self.account_panel.input.setFocus()
        from app.ui.shell.tab_order import chain_tab_order, put_card_after_create

        # Tab follows what is seen (app/ui/shell/tab_order.py); chained again when Sync comes.
        self.links.cardAdded.connect(lambda card: put_card_after_create(self, card))
        self.chain_tab_order = lambda: chain_tab_order(self)
        self.chain_tab_order()

    @property
    def flow(self) -> "LinkFlow":
        """The link operations (imported on first use: not needed for the first paint)."""
        if self._flow is None:
            from app.ui.links.flow import LinkFlow

            self._flow = LinkFlow(self)
        return self._flow

    def _restore_geometry(self) -> None:
        restore_geometry(self, self.settings.value("window/geometry"), DEFAULT_SIZE, MINIMUM_SIZE)

    def save_geometry(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        if self.built:
            self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.sync()

    # -- services ------------------------------------------------------------------------------
    def attach_services(self, services: "Services") -> None:
        """Wire the (lazily built) services in: badge, clipboard guard, defaults, history."""
        from app.ui.links.clipboard import ClipboardGuard

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
        self.history_tab.open(services, reopen=self.flow.reopen, create_again=self.flow.create_again,
                              retry=self.flow.retry_attempt)
        self.profiles_ui.attach(services)
        if services.profile is not None and not services.connection.is_sandbox:
            self.profiles_ui.apply_form_defaults()
        from app.ui.account.directory import AccountDirectoryUi

        self.directory = AccountDirectoryUi(self)
        self.chain_tab_order()  # Sync, beside Look up
        from app.ui.account.recent import demo_accounts

        self.account_panel.set_demo_accounts(demo_accounts(services))
        self.spawn(self.refresh_recent_accounts(), "recent accounts")
        if self.profiles_ui.welcome.isHidden():
            self.account_panel.input.setFocus()
        else:  # first start: Enter tries the sandbox
            self.profiles_ui.welcome.sandbox_button.setFocus()
        if self._lookup_pending:  # an Enter typed before the services (not behind the welcome)
            self._lookup_pending = False
            if self.account_panel.isVisible():
                self.request_lookup()

    async def refresh_recent_accounts(self) -> None:
        """The accounts of the latest links, for the picker under the account box."""
        from app.ui.account.recent import recent_accounts

        if self.services is not None and await self.history_ready() is not None:
            self.account_panel.set_recent_accounts(await recent_accounts(self.services))

    @property
    def history_panel(self) -> "HistoryPanel | None":
        return self.history_tab.panel

    @property
    def history_placeholder(self) -> QLabel:
        return self.history_tab.placeholder

    async def history_ready(self) -> "HistoryPanel | None":
        """The History panel once open, or None; a create awaits it (row written before card)."""
        return await self.history_tab.ready()

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
        self.history_tab.refresh()
        self.account_panel.recent_stale()

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

    # -- slots (thin: start a task) ------------------------------------------------------------
    def request_lookup(self) -> None:
        if self.services is None:  # typed during start-up: looked up once the services are attached
            self._lookup_pending = self.built and self.account_panel.isEnabled()
            return
        self.spawn(self.lookup_account(), "lookup")

    def request_create(self) -> None:
        self.spawn(self.create_link(), "create")

    def cancel_request(self) -> None:
        if self.inflight is not None and not self.inflight.done():
            self.inflight.cancel()

    def copy_newest_link(self) -> None:
        self.flow.copy_newest()

    def present_newest_link(self) -> None:
        if (card := self.links.newest_active()) is None:
            self.status("No active link to present. Create one first.")
        else:
            self.flow.present(card)

    def focus_account(self) -> None:
        self.account_panel.input.setFocus()
        self.account_panel.input.selectAll()

    def show_links(self) -> None:
        self.tabs.setCurrentWidget(self.links)

    def show_history(self) -> None:
        self.history_tab.show()

    # -- operations (tests await these) --------------------------------------------------------
    async def lookup_account(self) -> "Account | None":
        """Look the typed account up and show its summary; None when refused or failed."""
        from app.ui.account.lookup import lookup_account

        account = await lookup_account(self)
        if account is not None:
            self.profiles_ui.remember(account.id)  # each profile keeps its own recent accounts
        return account

    async def create_link(self, keep_others: bool | None = None) -> "LinkCard | None":
        """Create a link from the form; the new card, or None (refused, failed, cancelled).
        Waits for the history to open first (rarely: it opens right after the first paint), so
        that the link is recorded before its card is shown. It replaces the account's live link
        unless ``keep_others`` (None: Shift is held; see :meth:`LinkFlow.create`)."""
        if keep_others is None:  # read before the first await, while the key is still down
            keep_others = bool(QGuiApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier)
        await self.history_ready()
        card = await self.flow.create(keep_others=keep_others)
        if card is not None and self.directory is not None:  # follow the seller's progress live
            from app.countdown import Countdown

            source = self.flow.sources.get(card)
            self.directory.watch(card.account_id, Countdown.for_link(card.link).deadline_monotonic,
                                 self.account_panel.account, source.history_id if source else None)
        return card

    async def confirm_live_link(self, request: Any, account: "Account | None") -> bool:
        """Before sending: the first live link of a session asks (see ProfileController)."""
        return await self.profiles_ui.confirm_live_link(request, account)

    def decorate_present(self, window: QWidget) -> None:
        self.profiles_ui.decorate_present(window)

    # -- closing -------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_geometry()
        if self._flow is not None:
            self._flow.close_present()
        event.accept()
        self.closeRequested.emit()

    async def shutdown(self) -> None:
        """Cancel and await everything in flight (present mode's refresh too). Safe twice."""
        if self.directory is not None:
            self.directory.stop_watch("closed")
            self.directory.cancel_sync()
        await self.tracker.cancel_all(close=True)
        if self.directory is not None:
            await self.directory.aclose()
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
        if self.built:
            self.links.stop_all()
            self.live_countdown.stop()
