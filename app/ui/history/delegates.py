"""How the History table draws an account: the name gives way, the id is never cut.

A plain cell elides at its end, so "Harbor Street Bakery (acct_1LdCustomDue0001)" in a narrow
column loses the id, the one part an operator may need to read out or search for. Here the name is
elided first, in its middle ("Harbor…Bakery": both ends of a name tell sellers apart better than
its first word), and the id stays whole while the column is wide enough for it. The whole name is
in the cell's tooltip (the model's).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from app.history.entry import HistoryEntry

CELL_PADDING = 10  # what the style keeps free inside a cell, left and right together


def account_cell_text(name: str | None, account_id: str, width: int, fm: QFontMetrics) -> str:
    """``name (acct_…)`` fitted into ``width`` px: the name is elided first; only when the id
    alone does not fit is the id elided (in its middle, keeping its distinctive end)."""
    def elide(text: str, px: int, mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight) -> str:
        return fm.elidedText(text, mode, max(0, px))

    if not name:
        return elide(account_id, width, Qt.TextElideMode.ElideMiddle)
    suffix = f" ({account_id})"
    whole = name + suffix
    if fm.horizontalAdvance(whole) <= width:
        return whole
    room = width - fm.horizontalAdvance(suffix)
    if room >= fm.horizontalAdvance("Wi…"):
        return elide(name, room, Qt.TextElideMode.ElideMiddle) + suffix
    return elide(account_id, width, Qt.TextElideMode.ElideMiddle)


class AccountDelegate(QStyledItemDelegate):
    """For the Account column; the row's entry comes from ``entry_role``."""

    def __init__(self, entry_role: int, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self._role = entry_role

    def initStyleOption(self, option: QStyleOptionViewItem,  # noqa: N802 - Qt name
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        entry = index.data(self._role)
        if isinstance(entry, HistoryEntry):
            option.text = account_cell_text(entry.account_name or entry.account_email, entry.account_id,
                                            option.rect.width() - CELL_PADDING, option.fontMetrics)
