"""Dialogs awaited without a nested event loop, and the first-live-link confirmation.

:func:`await_dialog` is the one way the window waits for a dialog: it shows it (non-modal, or
window-modal with ``modal=True``) and awaits its ``finished`` signal; ``exec()`` is never used
inside a coroutine (it would re-enter the qasync loop). Cancelling the await rejects the dialog.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

if TYPE_CHECKING:
    from app.profiles.model import Profile


async def await_dialog(dialog: QDialog, *, modal: bool = False) -> int:
    """Show ``dialog`` and wait until it is closed; its result (Accepted / Rejected)."""
    future: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def finished(result: int) -> None:
        if not future.done():
            future.set_result(int(result))

    dialog.finished.connect(finished)
    dialog.setWindowModality(Qt.WindowModality.WindowModal if modal else Qt.WindowModality.NonModal)
    dialog.show()
    dialog.activateWindow()
    try:
        return await future
    except asyncio.CancelledError:
        dialog.reject()
        raise
    finally:
        dialog.finished.disconnect(finished)


def live_confirmation(parent: QWidget, profile: "Profile", question: str) -> QMessageBox:
    """The question before the first live link of a session (Cancel is the default button)."""
    box = QMessageBox(QMessageBox.Icon.Warning, f"LIVE — {profile.name}", question,
                      QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("liveConfirmDialog")
    box.setTextFormat(Qt.TextFormat.PlainText)
    create = box.addButton("Create live link", QMessageBox.ButtonRole.AcceptRole)
    create.setObjectName("liveConfirmButton")
    box.button(QMessageBox.StandardButton.Cancel).setObjectName("liveCancelButton")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box


async def confirm_live(parent: QWidget, profile: "Profile", question: str) -> bool:
    box = live_confirmation(parent, profile, question)
    try:
        await await_dialog(box, modal=True)
        return box.clickedButton() is not None and box.clickedButton().objectName() == "liveConfirmButton"
    finally:
        box.deleteLater()
