"""Look a connected account up and summarise it for the operator.

The summary answers the questions asked on an onboarding call: who is this, can they take
payments and payouts, and what does Stripe still need from them (in plain words via
:mod:`app.requirements`, Stripe's raw path in each item's tooltip).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.widgets import FieldError, chip, muted, plain_tooltip

if TYPE_CHECKING:  # imported on the first look-up, after the window is shown
    from app.stripe.models import Account
    from app.stripe.v2_models import AccountV2

_SEVERITY = {"error": QColor(220, 53, 69), "warning": QColor(230, 150, 20), "info": QColor(60, 130, 220)}


def _country_name(code: str | None) -> str | None:
    """``US`` -> ``United States`` (Qt's own table); the code itself when Qt does not know it."""
    if not code:
        return None
    territory = QLocale.codeToTerritory(code)
    return QLocale.territoryToString(territory) if territory != QLocale.Country.AnyTerritory else code


def _dot(colour: QColor) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)

ACCOUNT_UNKNOWN = "Stripe does not know this account for your platform."
ACCOUNT_REFUSED = "Stripe refused this account. The message at the top says why."


class _WrappingDelegate(QStyledItemDelegate):
    """Row heights for word-wrapped text: QTreeView asks its delegate without a width, so long
    lines (the reason a document was rejected) would be cut short with "…"."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        view = self.parent()
        assert isinstance(view, QTreeWidget)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        depth, parent = 0, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        width = view.viewport().width() - depth * view.indentation()
        opt.rect = QRect(0, 0, max(1, width), 1 << 16)
        opt.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        return view.style().sizeFromContents(QStyle.ContentsType.CT_ItemViewItem, opt, QSize(), view)


class RequirementsTree(QTreeWidget):
    """As tall as its lines, which wrap to its width (the left column scrolls when they do not fit)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requirementsTree")
        self.setItemDelegate(_WrappingDelegate(self))
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def fit(self) -> None:
        """Lay the rows out again for the current width and take exactly their height."""
        self.doItemsLayout()
        total, item = 0, self.topLevelItem(0)
        while item is not None:
            total += max(self.sizeHintForIndex(self.indexFromItem(item)).height(), 1)
            item = self.itemBelow(item)
        self.setFixedHeight(total + 2 * self.frameWidth() + 4)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit()


class AccountSummary(QFrame):
    """Name, contact, controller, status chips and the requirements tree of one account."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accountSummary")
        self.setAccessibleName("Account summary")
        self.name = QLabel(self, objectName="accountName", textFormat=Qt.TextFormat.PlainText, wordWrap=True)
        font = QFont(self.name.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.name.setFont(font)
        self.meta = muted(QLabel(self, objectName="accountMeta", textFormat=Qt.TextFormat.PlainText, wordWrap=True))
        self.meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.controller = QLabel(self, objectName="accountController", textFormat=Qt.TextFormat.PlainText,
                                 wordWrap=True)
        self.chips = QHBoxLayout()
        self.chips.setSpacing(6)
        self.chips.addStretch(1)
        self.tree = RequirementsTree(self)
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("Requirements")
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(14)
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.NoSelection)
        heading = QLabel("What Stripe still needs", self)
        bold = QFont(heading.font())
        bold.setBold(True)
        heading.setFont(bold)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.name)
        layout.addWidget(self.meta)
        layout.addWidget(self.controller)
        layout.addLayout(self.chips)
        layout.addSpacing(4)
        layout.addWidget(heading)
        layout.addWidget(self.tree)
        self._chip_widgets: list[QLabel] = []

    def show_account(self, account: Account, *, now_wall: float) -> None:
        from app.requirements import describe_controller, requirement_sections  # after first paint
        from app.stripe.v2_models import AccountV2

        if isinstance(account, AccountV2):
            self._show_v2(account, now_wall=now_wall)
            return
        self._show_identity(account)
        self.controller.setText(describe_controller(account))
        chips = [
            chip("Charges", "Charges enabled" if account.charges_enabled else "Charges disabled",
                 account.charges_enabled),
            chip("Payouts", "Payouts enabled" if account.payouts_enabled else "Payouts disabled",
                 account.payouts_enabled),
            chip("Details submitted", "Details submitted" if account.details_submitted
                 else "Details not submitted", account.details_submitted),
        ]
        self._set_chips(chips)
        self._fill_tree(requirement_sections(account.requirements, now_wall=now_wall),
                        requirement_sections(account.future_requirements, now_wall=now_wall))
        self.setAccessibleDescription(self.text())

    def _show_v2(self, account: "AccountV2", *, now_wall: float) -> None:
        """An Accounts v2 account: its configurations stand where v1's status chips are."""
        from app.requirements_v2 import describe_account_v2, describe_configurations, requirement_sections_v2

        self._show_identity(account)
        self.controller.setText(describe_account_v2(account))
        words = [describe_configurations((c,)) for c in account.applied_configurations]
        chips = [chip(word, f"{word} configuration applied", True) for word in words]
        if account.closed:
            chips.append(chip("Closed", "The account is closed", False))
        self._set_chips(chips)
        self._fill_tree(requirement_sections_v2(account.requirements, now_wall=now_wall),
                        requirement_sections_v2(account.future_requirements, now_wall=now_wall))
        self.setAccessibleDescription(self.text())

    def _show_identity(self, account: "Account | AccountV2") -> None:
        self.name.setText(account.display_name)
        meta = [x for x in (account.id, _country_name(account.country)) if x]
        # An account known only by its email has it as its name already: not twice.
        email = account.email if account.email and account.email != account.display_name else None
        self.meta.setText("  ·  ".join(meta) + (f"\n{email}" if email else ""))

    def _set_chips(self, chips: list[QLabel]) -> None:
        for widget in self._chip_widgets:
            self.chips.removeWidget(widget)
            widget.deleteLater()
        self._chip_widgets = chips
        for index, widget in enumerate(chips):
            self.chips.insertWidget(index, widget)

    def _fill_tree(self, sections: list, future: list) -> None:
        self.tree.clear()
        for section in future:
            sections.append(replace(section, key=f"future_{section.key}", severity="info",
                                    title=f"Future requirements — {section.title}"))
        if not sections:
            item = QTreeWidgetItem(self.tree, ["Nothing due — Stripe needs no more information."])
            item.setIcon(0, _dot(QColor(40, 167, 69)))
            self.tree.fit()
            return
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for section in sections:
            title = section.title if section.key == "disabled" else f"{section.title} ({len(section.items)})"
            top = QTreeWidgetItem(self.tree, [f"{title} — {section.note}" if section.note else title])
            top.setIcon(0, _dot(_SEVERITY[section.severity]))
            top.setFont(0, bold)
            top.setData(0, Qt.ItemDataRole.UserRole, section.key)
            if section.key == "disabled":
                top.setToolTip(0, plain_tooltip(f"disabled_reason: {section.items[0].path}"))
                continue
            for req in section.items:
                text = f"{req.label} — {req.detail}" if req.detail else req.label
                child = QTreeWidgetItem(top, [text])
                child.setToolTip(0, plain_tooltip(req.path))
                child.setData(0, Qt.ItemDataRole.UserRole, req.path)
        self.tree.expandAll()
        self.tree.fit()

    def text(self) -> str:
        """Everything the summary shows, as plain text (accessibility, tests, copying)."""
        lines = [self.name.text(), self.meta.text(), self.controller.text()]
        lines += [w.accessibleName() for w in self._chip_widgets]
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            lines.append(top.text(0))
            lines += [f"  {top.child(j).text(0)}" for j in range(top.childCount())]
        return "\n".join(line for line in lines if line)


class AccountPanel(QGroupBox):
    """The account id input, the Look up button and the summary. Emits ``lookupRequested``."""

    lookupRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Connected account", parent)
        self.setObjectName("accountPanel")
        self.input = QLineEdit(self, objectName="accountInput")
        self.input.setPlaceholderText("acct_… or a Stripe Dashboard address")
        self.input.setAccessibleName("Connected account id or Dashboard address")
        self.input.setClearButtonEnabled(True)
        self.input.returnPressed.connect(self.lookupRequested)
        self.button = QPushButton("Look up", self, objectName="lookupButton")
        self.button.setAccessibleName("Look up the account")
        self.button.setToolTip("Look the account up (Enter)")
        self.button.setAutoDefault(False)
        self.button.clicked.connect(self.lookupRequested)
        self.error = FieldError(self, objectName="accountError")
        self.stale_note = muted(QLabel(self, objectName="accountStaleNote", wordWrap=True,
                                       textFormat=Qt.TextFormat.PlainText))
        self.stale_note.hide()
        self.summary = AccountSummary(self)
        self.summary.hide()
        self.placeholder = muted(QLabel(
            "Enter a connected account id (or paste its Dashboard address) and press Enter to see "
            "who it is and what Stripe still needs from them.", self, wordWrap=True, objectName="accountPlaceholder"))

        row = self.input_row = QHBoxLayout()  # others may add a button beside Look up
        row.setSpacing(6)
        row.addWidget(self.input, 1)
        row.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.stale_note)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.summary)
        self.account: Account | None = None
        self.input.textChanged.connect(self._update_stale)

    def account_text(self) -> str:
        return self.input.text()

    def set_account_text(self, text: str) -> None:
        self.input.setText(text)

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(not busy)
        self.button.setText("Looking up…" if busy else "Look up")

    def show_account(self, account: Account, *, now_wall: float) -> None:
        self.account = account
        self.error.clear_error(self.input)
        self.placeholder.hide()
        self.summary.show_account(account, now_wall=now_wall)
        self.summary.show()
        self._update_stale()

    def clear_account(self) -> None:
        self.account = None
        self.summary.hide()
        self.placeholder.show()
        self._update_stale()

    def is_stale(self) -> bool:
        """True while the box names another account than the summary shows (not looked up yet)."""
        text = self.input.text().strip()
        return self.account is not None and bool(text) and self.account.id not in text

    def _update_stale(self) -> None:
        stale = self.is_stale()
        self.summary.setEnabled(not stale)  # greyed: it is about the previous account
        if stale:
            assert self.account is not None
            self.stale_note.setText(f"Press Enter to look this account up. The summary below is still "
                                    f"for {self.account.display_name}.")
        self.stale_note.setVisible(stale)
