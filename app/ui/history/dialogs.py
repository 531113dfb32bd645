"""The History panel's dialogs: window-modal, opened with ``open()``, answered through signals.

``QMessageBox.question``, ``QInputDialog.getText``, ``QFileDialog.getSaveFileName`` and
``QMenu.exec`` each spin a nested event loop. Under qasync that loop runs asyncio callbacks and
timers re-entrantly inside the slot that opened the dialog (a search result or a task's
continuation lands in the middle of it), and a dialog opened from a coroutine would block its
task. So every dialog here is built, given an object name, opened with ``open()`` and deleted
when closed; what to do on "yes" is a callback. Tests find a dialog by its object name
(:func:`open_dialog`) and accept or reject it.

The save dialog does not ask about overwriting (Qt's own question is another nested
``QMessageBox.warning``); the panel asks with :func:`confirm_overwrite` instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QWidget,
)

CLEAR_DIALOG = "historyClearDialog"
NOTE_DIALOG = "historyNoteDialog"
EXPORT_DIALOG = "historyExportDialog"
OVERWRITE_DIALOG = "historyOverwriteDialog"
ERROR_DIALOG = "historyErrorDialog"

D = TypeVar("D", bound=QDialog)


def _open(dialog: D, name: str) -> D:
    dialog.setObjectName(name)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.open()
    return dialog


def open_dialog(parent: QWidget, name: str) -> QDialog | None:
    """The visible dialog called ``name`` under ``parent`` (a closed one may linger until its
    deferred deletion; it is not returned)."""
    shown = [d for d in parent.findChildren(QDialog, name) if d.isVisible()]
    return shown[-1] if shown else None


def _question(parent: QWidget, name: str, title: str, text: str, yes_text: str,
              on_yes: Callable[[], None]) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, parent)
    yes = box.button(QMessageBox.StandardButton.Yes)
    yes.setText(yes_text)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # a stray Enter deletes nothing
    box.buttonClicked.connect(lambda button: on_yes() if button is yes else None)
    return _open(box, name)


def confirm_clear(parent: QWidget, count: int, on_yes: Callable[[], None]) -> QMessageBox:
    noun = "entry" if count == 1 else "entries"
    return _question(parent, CLEAR_DIALOG, "Clear history",
                     f"Delete all {count:,} history {noun}? This cannot be undone.", "Delete all", on_yes)


def confirm_overwrite(parent: QWidget, path: Path, on_yes: Callable[[], None]) -> QMessageBox:
    return _question(parent, OVERWRITE_DIALOG, "Export history",
                     f"{path.name} already exists in {path.parent}. Replace it?", "Replace", on_yes)


def ask_note(parent: QWidget, current: str, on_text: Callable[[str], None]) -> QInputDialog:
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("Note")
    dialog.setLabelText("Note for this entry:")
    dialog.setInputMode(QInputDialog.InputMode.TextInput)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
    dialog.setTextValue(current)
    dialog.textValueSelected.connect(on_text)
    return _open(dialog, NOTE_DIALOG)


def ask_export_path(parent: QWidget, on_path: Callable[[Path], None]) -> QFileDialog:
    dialog = QFileDialog(parent, "Export history", "linkdesk-history.csv", "CSV files (*.csv)")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setDefaultSuffix("csv")
    dialog.setOption(QFileDialog.Option.DontConfirmOverwrite)  # see the module docstring
    dialog.fileSelected.connect(lambda path: on_path(Path(path)) if path else None)
    return _open(dialog, EXPORT_DIALOG)


def show_error(parent: QWidget, title: str, text: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    return _open(box, ERROR_DIALOG)
