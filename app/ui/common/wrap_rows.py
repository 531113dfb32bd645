"""Widgets in rows that wrap to the width they are given, in Qt's own box layouts.

A card's header and buttons must wrap in a narrow window instead of being cut off. A Python
``QLayout`` subclass would do it, but Qt calls its size methods many times per layout pass, which
cost a card a few milliseconds to build (over the budget from response to painted card). Here the
rows are plain ``QHBoxLayout``s; Python runs only in :meth:`WrapRows.rewrap`, when the card's
width changes, and moves widgets between rows only when the fit changes.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget


class WrapRows(QVBoxLayout):
    def __init__(self, widgets: list[QWidget], *, spacing: int = 6, gaps: dict[int, int] | None = None,
                 line_spacing: int = 4) -> None:
        """``gaps``: extra space before the widget at that index when it is not first on a row."""
        super().__init__()
        self.setSpacing(line_spacing)
        self._widgets = widgets
        self._spacing = spacing
        self._gaps = gaps or {}
        self._rows: list[QHBoxLayout] = []
        self._counts: list[int] = []
        self._place([len(widgets)])

    def set_widgets(self, widgets: list[QWidget], width: int) -> None:
        """Hold ``widgets`` instead (the old ones are taken out, not deleted), wrapped to ``width``."""
        for row in self._rows:
            while row.count():
                row.takeAt(0)
        self._widgets, self._counts = widgets, []
        self.rewrap(width)

    def one_line_width(self) -> int:
        """The width that holds every widget on one row."""
        widths = [w.sizeHint().width() for w in self._widgets]
        return sum(widths) + self._spacing * (len(widths) - 1) + sum(self._gaps.values())

    def narrowest(self) -> int:
        """One widget per row: the widest widget's minimum."""
        return max((w.minimumSizeHint().width() for w in self._widgets), default=0)

    def row_count(self) -> int:
        return len(self._counts)

    def rewrap(self, width: int) -> None:
        """Fill rows greedily up to ``width`` px; a widget wider than a row gets one alone."""
        counts: list[int] = []
        used = 0
        for index, widget in enumerate(self._widgets):
            wanted = widget.sizeHint().width()
            extra = self._spacing + self._gaps.get(index, 0)
            if counts and used + extra + wanted <= width:
                counts[-1] += 1
                used += extra + wanted
            else:
                counts.append(1)
                used = wanted
        if counts != self._counts:
            self._place(counts)

    def _place(self, counts: list[int]) -> None:
        for row in self._rows:
            while row.count():
                row.takeAt(0)
        while len(self._rows) < len(counts):
            row = QHBoxLayout()
            row.setSpacing(self._spacing)
            self._rows.append(row)
            self.addLayout(row)
        index = 0
        for row, count in zip(self._rows, counts):
            for position in range(count):
                if position and self._gaps.get(index):
                    row.addSpacing(self._gaps[index])
                row.addWidget(self._widgets[index])
                index += 1
            row.addStretch(1)
        for row in self._rows[len(counts):]:
            row.setDirection(QBoxLayout.Direction.LeftToRight)  # (empty rows take no room)
        self._counts = counts


class NarrowingWrapRows(WrapRows):
    """For a parent that sizes itself by its layout's minimum (a scroll area's content): the
    rows' current fit must not stop it from giving less, and so from ever asking for a rewrap.
    (A Python ``minimumSize`` costs a call per layout pass: the link card, placed by its slot,
    does not need it.)"""

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt name
        """As narrow as one widget per row."""
        size = super().minimumSize()
        margins = self.contentsMargins()
        return QSize(self.narrowest() + margins.left() + margins.right(), size.height())
