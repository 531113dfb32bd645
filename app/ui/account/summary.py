"""The summary of one connected account: who it is, the verdict (what to do), its status chips,
what Stripe still needs (in plain words via :mod:`app.requirements`, Stripe's raw path in each
item's tooltip) and what the seller should have ready for the call."""

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
)
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.widgets import chip, muted, plain_tooltip
from app.ui.common.wrap_rows import NarrowingWrapRows

if TYPE_CHECKING:  # imported on the first look-up, after the window is shown
    from app.stripe.models import Account
    from app.stripe.v2_models import AccountV2

_SEVERITY = {"error": QColor(220, 53, 69), "warning": QColor(230, 150, 20), "info": QColor(60, 130, 220)}
_OK_GREEN = QColor(40, 167, 69)


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
        from PySide6.QtWidgets import QStyle  # (only once there are rows: not at start-up)

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


class SummaryScroll(QScrollArea):
    """The summary in a box of its own that takes the height the column can spare and scrolls
    the rest (a long list of requirements, "Have ready"): the form below stays in view whatever
    the account. It asks for :data:`MIN_LINES` lines and grows from there (its stretch)."""

    MIN_LINES = 6

    def __init__(self, summary: "AccountSummary", parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="accountSummaryScroll", widgetResizable=True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Its content takes focus itself (and the box scrolls to it): the box is no Tab stop.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setWidget(summary)

    def minimumSizeHint(self) -> QSize:
        content = self.widget().minimumSizeHint().width() if self.widget() is not None else 0
        # (the bar's own hint, not QStyle's PM_ScrollBarExtent: QStyle's Python type is built
        # only once rows need it, after start-up)
        scrollbar = self.verticalScrollBar().sizeHint().width()
        return QSize(content + scrollbar + 2 * self.frameWidth(),
                     self.fontMetrics().lineSpacing() * self.MIN_LINES + 2 * self.frameWidth())

    def sizeHint(self) -> QSize:
        # No more than the minimum: what the column can spare comes by stretch, and a preferred
        # height of the whole content would make the column itself scroll the form away.
        return self.minimumSizeHint()


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
        # The verdict: one line that says what to do, before the checklist.
        self.verdict = QLabel(self, objectName="accountVerdict", textFormat=Qt.TextFormat.PlainText,
                              wordWrap=True)
        verdict_font = QFont(self.verdict.font())
        verdict_font.setBold(True)
        self.verdict.setFont(verdict_font)
        self.verdict_icon = QLabel(self, objectName="accountVerdictIcon")
        self.verdict_icon.setFixedWidth(14)
        self.verdict_kind = ""
        self.confirm_reason: str | None = None
        self.chips = NarrowingWrapRows([], spacing=6)  # they wrap in a narrow column
        self.tree = RequirementsTree(self)
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("Requirements")
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(14)
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.NoSelection)
        heading = self.heading = QLabel("What Stripe still needs", self, objectName="requirementsHeading")
        bold = QFont(heading.font())
        bold.setBold(True)
        heading.setFont(bold)
        # "Have ready" for the call: what the seller should have at hand, each thing once.
        self.ready = QFrame(self, objectName="haveReady")
        self.ready_title = QLabel("Have ready for the call", self.ready, objectName="haveReadyTitle")
        self.ready_title.setFont(bold)
        self.ready_list = QLabel(self.ready, objectName="haveReadyList", textFormat=Qt.TextFormat.PlainText,
                                 wordWrap=True)
        self.ready_list.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ready_copy = QPushButton("Copy", self.ready, objectName="copyHaveReadyButton")
        self.ready_copy.setAutoDefault(False)
        self.ready_copy.setToolTip("Copy the list, to paste into a chat or an email to the seller")
        self.ready_copy.clicked.connect(self.copy_have_ready)
        self._ready_text = ""
        ready_head = QHBoxLayout()
        ready_head.setContentsMargins(0, 0, 0, 0)
        ready_head.addWidget(self.ready_title, 1)
        ready_head.addWidget(self.ready_copy)
        ready_box = QVBoxLayout(self.ready)
        ready_box.setContentsMargins(0, 4, 0, 0)
        ready_box.setSpacing(2)
        ready_box.addLayout(ready_head)
        ready_box.addWidget(self.ready_list)
        verdict_row = QHBoxLayout()
        verdict_row.setSpacing(4)
        verdict_row.addWidget(self.verdict_icon, 0, Qt.AlignmentFlag.AlignTop)
        verdict_row.addWidget(self.verdict, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.name)
        layout.addWidget(self.meta)
        layout.addLayout(verdict_row)
        layout.addWidget(self.controller)
        layout.addLayout(self.chips)
        layout.addSpacing(4)
        layout.addWidget(heading)
        layout.addWidget(self.tree)
        layout.addWidget(self.ready)
        layout.addStretch(1)  # in a taller box: the lines stay together at the top
        self._chip_widgets: list[QLabel] = []

    def show_account(self, account: "Account | AccountV2", *, now_wall: float) -> None:
        from app.requirements import (  # after first paint
            describe_controller,
            requirement_sections,
        )
        from app.stripe.v2_models import AccountV2

        if isinstance(account, AccountV2):
            self._show_v2(account, now_wall=now_wall)
            return
        self._show_identity(account)
        self.controller.setText(describe_controller(account))
        self._set_chips([
            chip("Charges", "Charges enabled" if account.charges_enabled else "Charges disabled",
                 account.charges_enabled),
            chip("Payouts", "Payouts enabled" if account.payouts_enabled else "Payouts disabled",
                 account.payouts_enabled),
            chip("Details submitted", "Details submitted" if account.details_submitted
                 else "Details not submitted", account.details_submitted),
        ])
        self._show_verdict(account)
        self._fill_tree(requirement_sections(account.requirements, now_wall=now_wall),
                        requirement_sections(account.future_requirements, now_wall=now_wall))
        self.setAccessibleDescription(self.text())

    def _show_v2(self, account: "AccountV2", *, now_wall: float) -> None:
        """An Accounts v2 account: its configurations stand where v1's status chips are, and the
        verdict comes from its requirement entries (v2 has no v1 field paths for "Have ready")."""
        from app.requirements_v2 import (
            describe_account_v2,
            describe_configurations,
            requirement_sections_v2,
        )

        self._show_identity(account)
        self.controller.setText(describe_account_v2(account))
        words = [describe_configurations((c,)) for c in account.applied_configurations]
        chips = [chip(word, f"{word} configuration applied", True) for word in words]
        if account.closed:
            chips.append(chip("Closed", "The account is closed", False))
        self._set_chips(chips)
        sections = requirement_sections_v2(account.requirements, now_wall=now_wall)
        future = requirement_sections_v2(account.future_requirements, now_wall=now_wall)
        self._show_verdict_v2(account, sections, future)
        self._fill_tree(sections, future)
        self.setAccessibleDescription(self.text())

    def _show_identity(self, account: "Account | AccountV2") -> None:
        self.name.setText(account.display_name)
        meta = [x for x in (account.id, _country_name(account.country)) if x]
        # An account known only by its email has it as its name already: not twice.
        email = account.email if account.email and account.email != account.display_name else None
        self.meta.setText("  ·  ".join(meta) + (f"\n{email}" if email else ""))

    def _set_chips(self, chips: list[QLabel]) -> None:
        for widget in self._chip_widgets:
            widget.deleteLater()
        self._chip_widgets = chips
        self.chips.set_widgets(chips, self.width())

    def _set_verdict(self, kind: str, text: str, severity: str, confirm_reason: str | None) -> None:
        self.verdict_kind = kind
        self.confirm_reason = confirm_reason
        self.verdict.setText(text)
        self.verdict.setAccessibleName(f"Verdict: {text}")
        self.verdict_icon.setPixmap(_dot(_SEVERITY.get(severity, _OK_GREEN)).pixmap(12, 12))

    def _show_verdict_v2(self, account: "AccountV2", sections: list, future: list) -> None:
        due = sum(len(s.items) for s in sections if s.severity in ("error", "warning"))
        if account.closed:
            self._set_verdict("closed", "Closed — do not send a link", "error", "The account is closed")
        elif due:
            self._set_verdict("due", f"{due} item{'s' if due != 1 else ''} due — an onboarding link collects them",
                              "warning", None)
        elif sections or future:
            self._set_verdict("verifying", "Nothing due now — Stripe is checking or will ask later", "info", None)
        else:
            self._set_verdict("nothing_due", "Nothing due — no link needed", "ok", None)
        self._ready_text = ""
        self.ready_list.setText("")
        self.ready.setVisible(False)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.chips.rewrap(event.size().width())

    def _show_verdict(self, account: Account) -> None:
        from app.verdict import account_verdict, have_ready, have_ready_text

        verdict = account_verdict(account)
        self._set_verdict(verdict.kind, verdict.text, verdict.severity, verdict.confirm_reason)
        groups = have_ready(account, fields=verdict.fields) if verdict.kind in (
            "not_started", "due", "due_later") else []
        self._ready_text = have_ready_text(account, fields=verdict.fields) if groups else ""
        lines: list[str] = []
        for group, things in groups:
            lines.append(f"{group}:")
            lines += [f"  • {thing}" for thing in things]
        self.ready_list.setText("\n".join(lines))
        self.ready_copy.setAccessibleName(f"Copy what {account.display_name} should have ready")
        self.ready.setVisible(bool(groups))

    def have_ready_text(self) -> str:
        return self._ready_text

    def copy_have_ready(self) -> None:
        from PySide6.QtGui import QGuiApplication

        if self._ready_text:
            QGuiApplication.clipboard().setText(self._ready_text)

    def _fill_tree(self, sections: list, future: list) -> None:
        self.tree.clear()
        sections = list(sections)
        for section in future:
            sections.append(replace(section, key=f"future_{section.key}", severity="info",
                                    title=f"Future requirements — {section.title}"))
        # The heading names what is below it: needs, statuses (a rejection, a review), or both.
        statuses = {"disabled", "pending_verification"}
        has_status = any(s.key in statuses for s in sections)
        has_needs = any(s.key not in statuses for s in sections)
        self.heading.setText("Account status and what Stripe still needs" if has_status and has_needs
                             else "Account status" if has_status else "What Stripe still needs")
        if not sections:
            item = QTreeWidgetItem(self.tree, ["Nothing due — Stripe needs no more information."])
            item.setIcon(0, _dot(_OK_GREEN))
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
        lines = [self.name.text(), self.meta.text(), self.verdict.text(), self.controller.text()]
        lines += [w.accessibleName() for w in self._chip_widgets]
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            lines.append(top.text(0))
            lines += [f"  {top.child(j).text(0)}" for j in range(top.childCount())]
        return "\n".join(line for line in lines if line)
