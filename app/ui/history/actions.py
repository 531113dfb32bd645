"""What can be done with a History row (reopen, create again, copy, note, delete), clearing
everything, and the CSV export: the half of :class:`~app.ui.history.panel.HistoryPanel` that
acts on entries rather than showing them.

:class:`HistoryRowActions` is mixed into the panel; it uses the panel's store (``_store``, Qt
thread only), its ``worker``, ``model``, ``view``, ``export_button``, clock, ``_spawn`` and
``_say_problem``/``_schedule_erase``. Dialogs are opened with ``open()`` and answered through
callbacks (:mod:`app.ui.history.dialogs`); the row menu uses ``popup()``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMenu

from app.history import HistoryEntry, HistoryError, HistoryQuery
from app.ui.history import dialogs

STORAGE_ERRORS = (sqlite3.Error, HistoryError)
_STORAGE_ERRORS = STORAGE_ERRORS


class HistoryRowActions:
    """Row actions, clearing and export for the History panel (see the module docstring)."""

    # -- row actions --------------------------------------------------------------------------
    # Actions hold the entry, not the row: while a menu or dialog is open, a refresh may
    # reorder the rows.
    def _activate(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_entry(self.model.entry(index.row()))

    def _fresh(self, entry: HistoryEntry) -> HistoryEntry | None:
        """The entry as stored now (a point read by id: microseconds); None if it is gone or
        the database cannot be read."""
        if entry.id is None:
            return entry
        try:
            return self._store.get(entry.id)
        except _STORAGE_ERRORS as exc:
            self._say_problem(f"The history could not be read: {exc}")
            return None

    def open_entry(self, entry: HistoryEntry) -> None:
        """Reopen the link if it is still active and stored, else offer to create it again.
        The entry is re-read first: its URL may have been erased since it was fetched."""
        fresh = self._fresh(entry)
        if fresh is None:  # deleted meanwhile (by another instance)
            self.refresh()
        elif fresh.can_reopen(self._clock.time()):
            self.reopenRequested.emit(fresh)
        else:
            self.create_again(fresh)

    def can_retry(self, entry: HistoryEntry) -> bool:
        """An attempt of unknown outcome whose process no longer waits for it can be sent again
        with its Idempotency-Key (Stripe then answers with the link it made, within 24 h)."""
        from app.ui.history.model import still_waiting

        return (entry.outcome == "unknown" and bool(entry.idempotency_key)
                and not still_waiting(entry, self._clock.time()))

    def retry_attempt(self, entry: HistoryEntry) -> None:
        """Ask the window to send the attempt again with its key (re-read first: it may have
        been completed since it was fetched)."""
        fresh = self._fresh(entry)
        if fresh is None or not self.can_retry(fresh):
            self.refresh()
            return
        self.retryRequested.emit(fresh)

    def create_again(self, entry: HistoryEntry) -> None:
        self.createAgainRequested.emit(entry.with_changes(url=None))  # a new link is wanted

    def build_context_menu(self, index: QModelIndex) -> QMenu | None:
        """The row's menu (tests trigger its actions without showing it)."""
        if not index.isValid():
            return None
        entry = self.model.entry(index.row())
        menu = QMenu(self)
        menu.setObjectName("historyRowMenu")
        actions = [
            ("historyCopyAccountAction", "Copy account id", self.copy_account_id),
            ("historyCreateAgainAction", "Create again", self.create_again),
            ("historyEditNoteAction", "Edit note…", self.edit_note),
            ("historyDeleteAction", "Delete entry", self.delete_entry),
        ]
        if entry.can_reopen(self._clock.time()):
            actions.insert(0, ("historyReopenAction", "Show link again", self.open_entry))
        if self.can_retry(entry):
            actions.insert(0, ("historyRetryAction", "Retry (same Idempotency-Key)", self.retry_attempt))
        for name, text, slot in actions:
            action = QAction(text, menu)
            action.setObjectName(name)
            action.triggered.connect(lambda _checked=False, slot=slot: slot(entry))
            menu.addAction(action)
        return menu

    def _show_context_menu(self, pos: QPoint) -> QMenu | None:
        menu = self.build_context_menu(self.view.indexAt(pos))
        if menu is not None:
            # Deleted once hidden: Qt hides the menu before it triggers the chosen action, and
            # the deletion waits for the event loop, after the action has run.
            menu.aboutToHide.connect(menu.deleteLater)
            menu.popup(self.view.viewport().mapToGlobal(pos))  # no nested event loop (exec)
        return menu

    def copy_account_id(self, entry: HistoryEntry) -> None:
        QGuiApplication.clipboard().setText(entry.account_id)

    def edit_note(self, entry: HistoryEntry):  # -> QInputDialog | None
        """Ask for the note (dialog ``historyNoteDialog``); saved when the dialog is accepted."""
        current = self._fresh(entry)
        if current is None or current.id is None:
            return None
        entry_id = current.id
        return dialogs.ask_note(self, current.note or "",
                                lambda text: self._spawn(self._save_note(entry_id, text), "history note"))

    async def _save_note(self, entry_id: int, text: str) -> None:
        if await self._write(lambda store: store.set_note(entry_id, text)) is not None:
            await self._reload_after_write()

    def delete_entry(self, entry: HistoryEntry) -> "asyncio.Task[Any] | None":
        if entry.id is None:
            return None
        entry_id = entry.id
        return self._spawn(self._delete(entry_id), "history delete")

    async def _delete(self, entry_id: int) -> None:
        if await self._write(lambda store: store.delete(entry_id)) is not None:
            self._schedule_erase()
            await self._reload_after_write()

    async def _write(self, job: Any) -> Any:
        """A small write: here if the file is free, else on the worker; None if it failed
        (said in a dialog)."""
        try:
            return await self.worker.write(self._store, job)
        except _STORAGE_ERRORS as exc:
            dialogs.show_error(self, "History not changed", f"The history could not be changed: {exc}")
            return None

    async def _reload_after_write(self) -> None:
        task = self.model.reload()
        if task is not None:
            await asyncio.wait({task})

    def clear_history(self) -> "asyncio.Task[Any] | None":
        """Count everything (on the worker), then ask (dialog ``historyClearDialog``)."""
        return self._spawn(self._ask_clear(), "history count")

    async def _ask_clear(self) -> None:
        try:
            total = await self.worker.run(lambda store: store.count())
        except _STORAGE_ERRORS as exc:
            self._say_problem(f"The history could not be read: {exc}")
            return
        if total:
            dialogs.confirm_clear(self, total, lambda: self._spawn(self._clear(), "history clear"))

    async def _clear(self) -> None:
        # Deleting 100k rows (secure_delete zeroes them) takes far longer than a frame: worker.
        try:
            await self.worker.run(lambda store: store.clear())
        except _STORAGE_ERRORS as exc:
            dialogs.show_error(self, "History not cleared", f"The history could not be cleared: {exc}")
            return
        self._schedule_erase()
        await self._reload_after_write()

    # -- export -------------------------------------------------------------------------------
    def export_csv(self):  # -> QFileDialog
        """Ask where to save (dialog ``historyExportDialog``), then export the rows shown."""
        return dialogs.ask_export_path(self, self._export_path_chosen)

    def _export_path_chosen(self, path: Path) -> None:
        if path.exists():
            dialogs.confirm_overwrite(self, path, lambda: self.start_export(path))
        else:
            self.start_export(path)

    def start_export(self, path: Path) -> "asyncio.Task[Any] | None":
        """Write the entries matching the current filters to ``path`` on the worker, one page
        per job (a search can run between two pages); ``exportFinished`` or ``exportFailed``
        follows. Returns the task (tests await it)."""
        self.cancel_export()
        self._export_task = self._spawn(self._export(Path(path), self.current_query()), "history export")
        if self._export_task is not None:
            self.export_button.setEnabled(False)
            self.export_button.setText("Exporting…")
        return self._export_task

    def cancel_export(self) -> None:
        if self._export_task is not None and not self._export_task.done():
            self._export_task.cancel()
        self._export_task = None

    async def _export(self, path: Path, query: HistoryQuery) -> None:
        try:
            count = await self.worker.export_csv(path, query)
        except (OSError, *_STORAGE_ERRORS) as exc:
            reason = getattr(exc, "strerror", None) or exc
            self._export_failed(f"Could not write {path}: {reason}")
            return
        finally:
            if self._export_task in (None, asyncio.current_task()):  # not replaced by a newer one
                self.export_button.setEnabled(True)
                self.export_button.setText("Export CSV…")
        self.exportFinished.emit(str(path), count)

    def _export_failed(self, message: str) -> None:
        self.exportFailed.emit(message)
        dialogs.show_error(self, "Export failed", message)
