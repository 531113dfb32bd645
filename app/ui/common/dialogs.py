"""Questions the window asks without blocking: a non-modal dialog awaited on the qasync loop.

``QDialog.exec()`` runs a nested event loop: under qasync that re-enters the asyncio loop, and
every request, countdown and timer stalls or misbehaves meanwhile. :func:`ask` shows the dialog
non-modally and awaits its answer instead; the rest of the window keeps running.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


async def ask(parent: QWidget, *, title: str, text: str, details: str = "", accept: str,
              reject: str = "Cancel", name: str = "confirmDialog") -> bool:
    """True when the operator chose ``accept``; False for ``reject``, Esc or closing. The safe
    answer (``reject``) is the default button. Cancelling the awaiting task closes the dialog."""
    box = QMessageBox(parent)
    box.setObjectName(name)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    if details:
        box.setInformativeText(details)
    yes = box.addButton(accept, QMessageBox.ButtonRole.AcceptRole)
    yes.setObjectName("confirmAcceptButton")
    no = box.addButton(reject, QMessageBox.ButtonRole.RejectRole)
    no.setObjectName("confirmRejectButton")
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.setWindowModality(Qt.WindowModality.NonModal)
    answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    box.finished.connect(lambda _result: answer.done() or answer.set_result(box.clickedButton() is yes))
    box.show()
    try:
        return await answer
    finally:
        box.finished.disconnect()
        box.close()
        box.deleteLater()
