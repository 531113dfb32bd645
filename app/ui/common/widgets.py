"""Small shared pieces of the window: field error labels, status chips, muted text.

Colours: text colours come from :mod:`app.ui.common.theme` (AA contrast on the palette in use,
light or dark, kept right when it changes); everything else takes the system palette.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from app.ui.common.palette import css_rgba
from app.ui.common.theme import error_color, secondary_color

# The light palette's error red (AA on white and Fusion's #efefef). Prefer
# :func:`app.ui.common.theme.error_color`, which also fits a dark palette.
ERROR_RED = "#c4262e"
_CHIP = (
    "QLabel {{ background-color: {bg}; border: 1px solid {border}; border-radius: 9px; padding: 1px 8px; }}"
)
_OK = (css_rgba("ok"), css_rgba("ok", 140))
_BAD = (css_rgba("bad"), css_rgba("bad", 140))


class _TextColour(QObject):
    """Keeps a label's text in ``pick(palette)`` of its parent's palette, also after the system
    switches light/dark or the label moves to another parent."""

    def __init__(self, label: QLabel, pick: Callable[[QPalette], QColor]) -> None:
        super().__init__(label)
        self._pick = pick
        self.apply(label)
        label.installEventFilter(self)

    def apply(self, label: QLabel) -> None:
        parent = label.parentWidget()
        source = parent.palette() if parent is not None else QGuiApplication.palette()
        wanted = self._pick(source)
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
    """Secondary text: the palette's placeholder grey, made AA-readable (light and dark)."""
    _TextColour(label, secondary_color)
    return label


def plain_tooltip(text: str) -> str:
    """``text`` as a tooltip that shows it literally.

    A tooltip has no text format: Qt renders it as HTML whenever it looks like HTML
    (``Qt.mightBeRichText``), so an account name such as ``<img width=2000 src=x>`` from the API
    would draw a 2000 px tooltip. Such text is escaped inside a rich-text wrapper (which Qt
    then shows as the original characters); anything else is returned as is.
    """
    from html import escape

    from PySide6.QtGui import Qt as _Qt

    if not text or not _Qt.mightBeRichText(text):
        return text
    return '<p style="white-space:pre-wrap">' + escape(text, quote=False).replace("\n", "<br>") + "</p>"


def error_text(label: QLabel) -> QLabel:
    """Error text: a red that reaches AA on the palette in use (light and dark)."""
    _TextColour(label, error_color)
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
        self.setTextFormat(Qt.TextFormat.PlainText)  # messages may quote input or the API
        error_text(self)
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
            from PySide6.QtWidgets import QStyle  # not before the form is ready (start-up speed)

            icon = widget.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            action = widget.addAction(icon, QLineEdit.ActionPosition.TrailingPosition)
            action.setToolTip(plain_tooltip(message))
            self._actions[id(widget)] = action
        elif id(widget) in self._actions:
            self._actions[id(widget)].setToolTip(plain_tooltip(message))

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
