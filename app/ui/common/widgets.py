"""Small shared pieces of the window: field error labels, status chips, muted text.

Colours: only status accents (red, green, amber) that read on light and dark palettes alike;
everything else takes the system palette.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel, QLineEdit, QStyle, QWidget

ERROR_RED = "#e5484d"  # readable on white and on a dark grey window
_CHIP = (
    "QLabel {{ background-color: {bg}; border: 1px solid {border}; border-radius: 9px; padding: 1px 8px; }}"
)
_OK = ("rgba(40, 167, 69, 0.16)", "rgba(40, 167, 69, 0.55)")
_BAD = ("rgba(220, 53, 69, 0.14)", "rgba(220, 53, 69, 0.55)")


class _Muted(QObject):
    """Keeps a label in the placeholder colour, also after the system switches light/dark."""

    def __init__(self, label: QLabel) -> None:
        super().__init__(label)
        self.apply(label)
        label.installEventFilter(self)

    @staticmethod
    def apply(label: QLabel) -> None:
        parent = label.parentWidget()
        source = parent.palette() if parent is not None else QGuiApplication.palette()
        wanted = source.color(QPalette.ColorRole.PlaceholderText)
        palette = label.palette()
        if palette.color(QPalette.ColorRole.WindowText) != wanted:  # (setPalette re-enters here)
            palette.setColor(QPalette.ColorRole.WindowText, wanted)
            label.setPalette(palette)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        changes = (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange, QEvent.Type.ParentChange)
        if event.type() in changes and isinstance(obj, QLabel):
            self.apply(obj)
        return False


def muted(label: QLabel) -> QLabel:
    """Secondary text: the palette's placeholder colour (right on light and dark themes)."""
    _Muted(label)
    return label


def chip(text: str, meaning: str, ok: bool) -> QLabel:
    """A rounded status pill: tinted background, palette text, a tick or a cross.

    ``text`` is short (it sits in a row of three); ``meaning`` is the full statement, given
    as tooltip and accessible name.
    """
    label = QLabel(("✓ " if ok else "✕ ") + text)
    label.setObjectName("statusChip")
    bg, border = _OK if ok else _BAD
    label.setStyleSheet(_CHIP.format(bg=bg, border=border))
    label.setAccessibleName(meaning)
    label.setToolTip(meaning)
    return label


class FieldError(QLabel):
    """The message under an input that was refused; :meth:`mark` also flags the input itself.

    Line edits get a warning icon at their end and the message as accessible description, so a
    screen reader announces it on focus; the label shows it to everybody.
    """

    def __init__(self, parent: QWidget | None = None, *, objectName: str = "") -> None:  # noqa: N803
        super().__init__(parent)
        self.setObjectName(objectName)
        self.setWordWrap(True)
        self.setStyleSheet(f"QLabel {{ color: {ERROR_RED}; }}")
        self._actions: dict[int, QAction] = {}
        self.hide()

    def mark(self, widget: QWidget, message: str) -> None:
        self.setText(message)
        self.setToolTip("")
        # Read out of context too (a screen reader's list of labels): it names its field.
        field = widget.accessibleName()
        self.setAccessibleName(f"Error in {field}: {message}" if field else f"Error: {message}")
        self.show()
        widget.setProperty("invalid", True)
        widget.setAccessibleDescription(message)
        if isinstance(widget, QLineEdit) and id(widget) not in self._actions:
            icon = widget.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            action = widget.addAction(icon, QLineEdit.ActionPosition.TrailingPosition)
            action.setToolTip(message)
            self._actions[id(widget)] = action
        elif id(widget) in self._actions:
            self._actions[id(widget)].setToolTip(message)

    def clear_error(self, widget: QWidget) -> None:
        self.clear()
        self.setToolTip("")
        self.hide()
        widget.setProperty("invalid", False)
        widget.setAccessibleDescription("")
        action = self._actions.pop(id(widget), None)
        if action is not None and isinstance(widget, QLineEdit):
            widget.removeAction(action)

    def is_shown(self) -> bool:
        return not self.isHidden() and bool(self.text())
