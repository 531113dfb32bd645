"""A layout that places its items left to right and wraps to a new line when the width runs out.

Used for a card's buttons and header: in a narrow window they wrap instead of being cut off. An
item wider than a whole line (a long name) gets the whole line and elides itself. A
``QSpacerItem`` keeps its width as a gap (to set Regenerate apart) but is dropped at the start of
a line.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, *, spacing: int = 6, line_spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._cache: dict[object, object] = {}  # sizes, cleared by invalidate() (Qt calls it)
        self._spacing = spacing
        self._line_spacing = line_spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    # -- QLayout ---------------------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt name
        self._items.append(item)
        self.invalidate()

    def invalidate(self) -> None:
        self._cache.clear()
        super().invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        self._cache.clear()
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        key = ("hfw", width)
        if key not in self._cache:
            self._cache[key] = self._place(QRect(0, 0, width, 0), apply=False)
        return self._cache[key]  # type: ignore[return-value]

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._place(rect, apply=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        """Everything on one line."""
        if "hint" not in self._cache:
            self._cache["hint"] = self._one_line()
        return QSize(self._cache["hint"])  # type: ignore[call-overload]

    def _one_line(self) -> QSize:
        visible = self._visible()
        width = sum(i.sizeHint().width() for i in visible) + self._spacing * max(0, len(visible) - 1)
        height = max((i.sizeHint().height() for i in visible), default=0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802
        """As narrow as its widest item's minimum (one item per line)."""
        if "min" not in self._cache:
            self._cache["min"] = self._narrowest()
        return QSize(self._cache["min"])  # type: ignore[call-overload]

    def _narrowest(self) -> QSize:
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    # -- placing ---------------------------------------------------------------------------------
    def _visible(self) -> list[QLayoutItem]:
        out = []
        for item in self._items:
            widget = item.widget()
            if widget is not None and widget.isHidden():
                continue
            out.append(item)
        return out

    def line_count(self, width: int) -> int:
        """How many lines the items take at ``width`` (tests, and the card's own checks)."""
        lines: list[int] = []
        self._place(QRect(0, 0, width, 0), apply=False, lines=lines)
        return len(lines)

    def _place(self, rect: QRect, *, apply: bool, lines: list[int] | None = None) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line_height = area.x(), area.y(), 0
        row: list[tuple[QLayoutItem, int]] = []

        def flush() -> None:
            nonlocal row
            for item, left in row:
                hint = item.sizeHint()
                width = min(hint.width(), area.right() - left + 1)
                if apply:
                    item.setGeometry(QRect(QPoint(left, y + (line_height - hint.height()) // 2),
                                           QSize(max(width, item.minimumSize().width()), hint.height())))
            if row and lines is not None:
                lines.append(len(row))
            row = []

        for item in self._visible():
            spacer = item.spacerItem() is not None and item.widget() is None
            hint = item.sizeHint()
            if spacer:
                if row:  # a gap only between items of one line
                    x += hint.width()
                continue
            if row and x + hint.width() > area.right() + 1:
                flush()
                x, y = area.x(), y + line_height + self._line_spacing
                line_height = 0
            row.append((item, x))
            policy = item.widget().sizePolicy() if item.widget() is not None else None
            shrinks = policy is not None and policy.horizontalPolicy() != QSizePolicy.Policy.Fixed
            used = min(hint.width(), area.width()) if shrinks else hint.width()
            x += used + self._spacing
            line_height = max(line_height, hint.height())
        flush()
        return y + line_height - rect.y() + m.bottom()
