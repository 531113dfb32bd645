"""The account directory in the window: suggestions while typing, the sync and its progress
bar, and live onboarding progress while a link is active.

:class:`AccountDirectoryUi` is built by the window once services exist. It owns the index
connection used for searching (on the Qt thread) and runs syncs and watches as tracked tasks on
the qasync loop; the Qt-free work is in :mod:`app.directory`.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QMenu, QProgressBar, QPushButton, QToolButton

from app.ui.account.directory_search import DirectorySearch

if TYPE_CHECKING:
    from app.directory.index import DirectoryIndex
    from app.directory.sync import SyncProgress, SyncResult
    from app.directory.watch import AccountWatcher, WatchChange
    from app.stripe.models import Account


UI_BUSY_TIMEOUT_MS = 20  # the Qt thread never waits longer for the sync thread's write lock


class AccountDirectoryUi(QObject):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.w = window
        services = window.services
        self.watch_sleep = asyncio.sleep  # tests drive the watch with a fake clock instead
        # The first read is one interval after the link is made, started by a Qt timer: no task
        # lingers from the moment of creation (the account was just read anyway).
        self.watch_start_ms: int | None = None  # None: the watcher's interval
        self._watch_timer = QTimer(self, singleShot=True)
        self._watch_timer.timeout.connect(self._start_watch_task)
        self._index: "DirectoryIndex | None" = None
        self._has_rows = False
        self._gc_release: "Callable[[], None] | None" = None
        self._runner: Any = None  # the BackgroundSync running, if any
        self.sync_task: Any = None
        self.last_result: "SyncResult | None" = None
        self.watcher: "AccountWatcher | None" = None
        self.watch_task: Any = None
        self._watch_history_id: int | None = None
        panel = window.account_panel
        self.search = DirectorySearch(panel.input, window.centralWidget(), self.index, has_index=self.has_index)
        self.search.picked.connect(lambda _id: self.w.request_lookup())

        self.sync_button = QToolButton(panel, objectName="directorySyncButton")
        self.sync_button.setText("Sync accounts")
        self.sync_button.setToolTip("Fetch new connected accounts so you can find them by name or email")
        self.sync_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.sync_button.clicked.connect(lambda: self.start_sync())
        menu = QMenu(self.sync_button)
        menu.addAction("Sync new accounts", lambda: self.start_sync())
        full = menu.addAction("Full refresh (names, requirements, removed accounts)", lambda: self.start_sync(full=True))
        full.setObjectName("directoryFullSyncAction")
        self.sync_button.setMenu(menu)
        panel.input_row.addWidget(self.sync_button)
        self.progress = QProgressBar(window, objectName="directorySyncProgress", maximumWidth=260, maximumHeight=16)
        self.progress.setAccessibleName("Account sync progress")
        self.progress.hide()
        self.cancel_button = QPushButton("Stop", window, objectName="directorySyncCancel")
        self.cancel_button.setToolTip("Stop the sync; the next one continues where it stopped")
        self.cancel_button.clicked.connect(self.cancel_sync)
        self.cancel_button.hide()
        window.statusBar().addPermanentWidget(self.progress)
        window.statusBar().addPermanentWidget(self.cancel_button)
        self.watch_label = QLabel(panel, objectName="accountWatch", wordWrap=True,
                                  textFormat=Qt.TextFormat.PlainText)
        self.watch_label.hide()
        panel.layout().addWidget(self.watch_label)

    # -- the index -------------------------------------------------------------------------------
    def has_index(self) -> bool:
        """Whether there is anything to search (asked on every keystroke: answered from a flag
        once known, never by counting rows)."""
        self._follow_profile()
        if self._has_rows:
            return True
        if self._index is not None:
            self._has_rows = self._index.state("last_complete") is not None or self._index.has_accounts()
            return self._has_rows
        from app.directory.profile import has_directory

        return has_directory(self.w.services)

    def _follow_profile(self) -> None:
        """After a profile switch the services name another index: let the old one go."""
        from app.directory.profile import directory_path

        path = directory_path(self.w.services)
        if self._index is not None and self._index.path != path:
            self._index.close()
            self._index = None
            self._has_rows = False
            self.watch_label.hide()
            self.search.hide()

    def index(self) -> "DirectoryIndex | None":
        self._follow_profile()
        if self._index is None:
            from app.directory.profile import open_directory

            try:
                self._index = open_directory(self.w.services)
                self._index.set_busy_timeout(UI_BUSY_TIMEOUT_MS)
            except Exception as exc:  # noqa: BLE001 - any failure: say so once, keep working
                self.w.show_message("The account index could not be opened; search by name is unavailable.", str(exc))
                return None
        return self._index

    def account_seen(self, account: "Account", *, looked_up: bool = True) -> None:
        """A fresh read of an account (look-up, watch): keep its index row current."""
        index = self._index
        if index is None:
            return
        from app.directory.record import AccountSummary

        now = self.w.services.clock.time()
        try:
            index.upsert(AccountSummary.from_account(account, refreshed_at=now), looked_up_at=now if looked_up else None)
        except sqlite3.OperationalError:
            pass  # the sync's thread holds the write lock: this row is only a cache, the sync refreshes it

    # -- sync ------------------------------------------------------------------------------------
    def start_sync(self, *, full: bool = False) -> Any:
        if self.sync_task is not None and not self.sync_task.done():
            return self.sync_task
        self._show_busy()  # at once, not when the task first runs
        self.sync_task = self.w.spawn(self.sync(full=full), "directory-sync")
        return self.sync_task

    def _show_busy(self) -> None:
        self.sync_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.setFormat("Syncing accounts…")
        self.progress.show()
        self.cancel_button.show()

    async def sync(self, *, full: bool = False) -> "SyncResult | None":
        """Run one sync on its own thread (app.directory.background): the Qt thread only
        shows its progress.

        Python's cyclic collector runs in whichever thread allocates past its threshold; in the
        sync's thread it could free a cycle holding a Qt object off the Qt thread. So, as the
        history worker does (and with its process-wide pause), automatic collection is off
        until the sync's thread has ended."""
        from app.directory.background import BackgroundSync
        from app.directory.profile import directory_path
        from app.stripe.errors import StripeError

        if self.index() is None:
            return None
        loop = asyncio.get_running_loop()
        services = self.w.services
        client = services.client
        runner = BackgroundSync(
            api_key=client.api_key, api_base=client.api_base, index_path=directory_path(services), full=full,
            rate_limiter=client.rate_limiter, owner_loop=loop,  # one budget per key, the window's
            on_progress=lambda p: loop.call_soon_threadsafe(self._progress_arrived, p))
        self._runner = runner
        self._show_busy()
        self._hold_gc()
        try:
            result = await asyncio.wrap_future(runner.start())
        except StripeError as exc:
            self.w.show_error(exc, retry=lambda: self.start_sync(full=full))
            return None
        except asyncio.CancelledError:
            runner.abort()  # the window is closing: the thread stops too (aclose waits for it)
            raise
        finally:
            self.progress.hide()
            self.cancel_button.hide()
            self.sync_button.setEnabled(True)
            if runner.join(0.5):  # its result is set as it ends; on abort, aclose joins it
                self._release_gc()
        self.last_result = result
        self._has_rows = result.total > 0 or not result.cancelled
        if result.cancelled:
            self.w.status(f"Sync stopped after {result.fetched:,} accounts; the next sync continues from there.")
        else:
            skipped = f" {result.skipped:,} listed without a usable id, left out." if result.skipped else ""
            self.w.status(f"Accounts synced: {result.new:,} new, {result.updated:,} updated; "
                          f"{result.total:,} in the index ({result.seconds:.1f} s).{skipped}")
        text = self.w.account_panel.input.text()
        if self.w.account_panel.input.hasFocus() and text:
            self.search.update_for(text)
        return result

    def _hold_gc(self) -> None:
        from app.history.worker import pause_collection  # one collector, one pause

        if self._gc_release is None:
            self._gc_release = pause_collection()

    def _release_gc(self) -> None:
        release, self._gc_release = self._gc_release, None
        if release is not None:
            release()

    def _progress_arrived(self, progress: "SyncProgress") -> None:
        if self.progress.isVisible():
            self._show_progress(progress)

    def _show_progress(self, progress: "SyncProgress") -> None:
        if progress.retry_at is not None:  # Stripe answered 429: say so, and when it goes on
            from app.directory.sync import clock_time

            self.progress.setFormat(f"Rate limited by Stripe; next try at {clock_time(progress.retry_at)}")
        elif progress.estimate:
            self.progress.setRange(0, progress.estimate)
            self.progress.setValue(min(progress.fetched, progress.estimate))
            self.progress.setFormat(f"Accounts: {progress.fetched:,} of about {progress.estimate:,}")
        else:
            self.progress.setFormat(f"Accounts: {progress.fetched:,}")

    def cancel_sync(self) -> None:
        if self._runner is not None:
            self._runner.cancel()

    # -- live onboarding progress ------------------------------------------------------------------
    def watch(self, account_id: str, until_monotonic: float, baseline: "Account | None",
              history_id: int | None = None) -> Any:
        """Follow ``account_id`` until its link expires (``until_monotonic``), the account is
        switched, or the window closes; what was seen goes to the link's history entry."""
        from app.directory.watch import AccountWatcher

        self.stop_watch("switched")
        if baseline is not None and baseline.id != account_id:
            baseline = None
        services = self.w.services
        watcher = AccountWatcher(services.client, account_id, until=until_monotonic, clock=services.clock,
                                 baseline=baseline, on_change=self._show_change,
                                 sleep=self.watch_sleep,
                                 on_account=self._watched_account)
        self.watcher = watcher
        self._watch_history_id = history_id
        self.watch_label.setText("Watching onboarding while the link is active…")
        self.watch_label.show()
        start = self.watch_start_ms
        self._watch_timer.start(int(watcher.interval * 1000) if start is None else start)
        return watcher

    def _start_watch_task(self) -> None:
        watcher = self.watcher
        if watcher is not None and watcher.running:
            self.watch_task = self.w.spawn(self._watch(watcher), "account-watch")

    async def _watch(self, watcher: "AccountWatcher") -> str:
        history_id = self._watch_history_id
        reason = await watcher.run(read_first=True)
        if self.watcher is watcher:
            self.watch_label.setText(f"While the link was active: {watcher.outcome()}.")
        if watcher.changes and history_id is not None:
            await self.record_outcome(history_id, watcher.outcome())
        return reason

    async def record_outcome(self, history_id: int, text: str) -> bool:
        """Put what the watch saw ("details submitted at 10:42; …") on the link's history entry,
        in its own field (the operator's note is left alone). A small write, as a note's: on the
        Qt thread when the file is free, else retried on the history worker (never freezing the
        window on another instance's lock). False if it could not be written."""
        from app.history.errors import HistoryError

        services = self.w.services
        try:
            store = await services.open_history()
            written = await services.history_worker.write(
                store, lambda history: history.set_onboarding_outcome(history_id, text))
        except (HistoryError, sqlite3.Error):
            return False  # closed, or the disk refused: the outcome is still on screen
        if written:
            self.w.history_changed()
        return bool(written)

    def _show_change(self, change: "WatchChange") -> None:
        stamp = time.strftime("%H:%M:%S", time.localtime(change.at))
        lines = [line for line in self.watch_label.text().splitlines() if not line.startswith("Watching")]
        self.watch_label.setText("\n".join(["Watching onboarding while the link is active:",
                                            *lines[-4:], f"{stamp}  {change.text}"]))

    def _watched_account(self, account: "Account") -> None:
        panel = self.w.account_panel
        if panel.account is not None and panel.account.id == account.id:
            panel.show_account(account, now_wall=self.w.services.clock.time())
        self.account_seen(account, looked_up=False)

    def stop_watch(self, reason: str) -> None:
        self._watch_timer.stop()
        if self.watcher is not None:
            self.watcher.stop(reason)

    def account_shown(self, account_id: str | None) -> None:
        """The window now shows another account: the watch of the previous one ends."""
        if self.watcher is not None and self.watcher.account_id != account_id:
            self._watch_timer.stop()
            self.watcher.stop("switched")
            self.watcher = None
            self.watch_label.hide()

    async def aclose(self) -> None:
        """Stop the watch and the sync (waiting for its thread), close the index. Safe twice."""
        self.stop_watch("closed")
        runner = self._runner
        if runner is not None:
            runner.abort()
            for _ in range(200):  # up to 10 s, without blocking the loop or starting a thread
                if runner.join(0):
                    break
                await asyncio.sleep(0.05)
            self._runner = None
        self._release_gc()
        if self._index is not None:
            self._index.close()
            self._index = None
