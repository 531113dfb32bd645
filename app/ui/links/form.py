"""The options of the next Account Link, and where its input errors are shown.

Validation is the client's own (:meth:`LinkRequest.validated`), run before anything is sent; the
``ValidationError.field`` it raises, or the ``param`` of an error Stripe returns, is mapped back
to the widget that holds that value, so the message appears at the field at fault.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.request_wait import RequestWait
from app.ui.common.widgets import FieldError, muted, plain_tooltip
from app.ui.shell.error_banner import ErrorBanner

if TYPE_CHECKING:  # app.stripe loads httpx: imported after the first paint
    from app.stripe.models import Account
    from app.stripe.validation import LinkRequest

TYPE_LABELS = (
    ("account_onboarding", "Onboarding — collect what Stripe needs"),
    ("account_update", "Update — let them change saved details"),
)
FIELDS_LABELS = (
    ("currently_due", "Only what is due now"),
    ("eventually_due", "Everything, including what is due later"),
)
FUTURE_LABELS = (("omit", "Leave out"), ("include", "Include upcoming requirements"))
DEFAULTS = {"collection_fields": "currently_due", "future_requirements": "omit"}

# Stripe's ``param`` (or a ValidationError.field) -> this form's field name.
PARAM_TO_FIELD = {
    "type": "type",
    "refresh_url": "refresh_url",
    "return_url": "return_url",
    "collection_options": "collection_fields",
    "collection_options[fields]": "collection_fields",
    "collection_options[future_requirements]": "future_requirements",
    "collection_fields": "collection_fields",
    "future_requirements": "future_requirements",
}


# What the field message says when Stripe refused a value (its own words, often naming API
# parameters, stay in the banner's details and in the message's tooltip).
REFUSED_BY_STRIPE = {
    "type": "Stripe refused this link type for this account. The message at the top says why.",
    "refresh_url": "Stripe refused this address. The message at the top says why.",
    "return_url": "Stripe refused this address. The message at the top says why.",
    "collection_fields": "Stripe refused this choice. The message at the top says why.",
    "future_requirements": "Stripe refused this choice. The message at the top says why.",
}


def _combo(parent: QWidget, name: str, accessible: str, items: tuple[tuple[str, str], ...]) -> QComboBox:
    combo = QComboBox(parent, objectName=name)
    combo.setAccessibleName(accessible)
    for value, label in items:
        combo.addItem(label, value)
    # Narrow windows: the box may be narrower than its longest item (elided, whole in the
    # popup and the tooltip) instead of pushing the form wider than the column.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(14)
    combo.setToolTip(combo.currentText())
    combo.currentTextChanged.connect(combo.setToolTip)
    return combo


class LinkForm(QGroupBox):
    """Type, redirect URLs, collection options and the Create / Cancel buttons."""

    createRequested = Signal()
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Account Link", parent)
        self.setObjectName("linkForm")
        self.type = _combo(self, "typeSelector", "Link type", TYPE_LABELS)
        # (Wrapped in a narrow column rather than widen the form past it.)
        self.type_note = muted(QLabel(self, objectName="typeNote", wordWrap=True))
        self.type_note.hide()
        # Accounts v2: which configurations the account has (Stripe picks what a link covers).
        self.configurations_note = muted(QLabel(self, objectName="configurationsNote", wordWrap=True,
                                                textFormat=Qt.TextFormat.PlainText))
        self.configurations_note.hide()
        self.refresh_url = QLineEdit(self, objectName="refreshUrlInput")
        self.refresh_url.setAccessibleName("Refresh URL")
        self.refresh_url.setPlaceholderText("https://<your site>/…/refresh")
        self.refresh_url.setToolTip("Where the seller lands if the link expired or was already used; "
                                    "your page should create a fresh link.")
        self.return_url = QLineEdit(self, objectName="returnUrlInput")
        self.return_url.setAccessibleName("Return URL")
        self.return_url.setPlaceholderText("https://<your site>/…/return")
        self.return_url.setToolTip("Where the seller lands when they leave the Stripe flow. "
                                   "Reaching it does not mean onboarding is complete.")
        self.fields = _combo(self, "fieldsSelector", "Information to collect", FIELDS_LABELS)
        self.future = _combo(self, "futureRequirementsSelector", "Future requirements", FUTURE_LABELS)
        # Why "Everything" was chosen for this account (nothing due now, items due later).
        self.fields_note = muted(QLabel(self, objectName="fieldsNote", wordWrap=True,
                                        textFormat=Qt.TextFormat.PlainText))
        self.fields_note.hide()
        self._preselected = False
        self.errors = {
            "type": FieldError(self, objectName="typeError"),
            "refresh_url": FieldError(self, objectName="refreshUrlError"),
            "return_url": FieldError(self, objectName="returnUrlError"),
            "collection_fields": FieldError(self, objectName="fieldsError"),
            "future_requirements": FieldError(self, objectName="futureRequirementsError"),
        }
        self.widgets: dict[str, QWidget] = {
            "type": self.type, "refresh_url": self.refresh_url, "return_url": self.return_url,
            "collection_fields": self.fields, "future_requirements": self.future,
        }

        self.create_button = QPushButton("Create link", self, objectName="createButton")
        self.create_button.setAccessibleName("Create the Account Link")
        self.create_button.setToolTip("Create the link (Ctrl+Enter)")
        self.create_button.setAutoDefault(False)
        self.create_button.setMinimumWidth(120)
        bold = self.create_button.font()
        bold.setBold(True)
        self.create_button.setFont(bold)
        self.create_button.clicked.connect(self.createRequested)
        # "Creating the link…", then "Still waiting for Stripe (try 2 of 3)…", Cancel beside it.
        self.wait = RequestWait(self, name="createWait", cancel_name="cancelButton",
                                cancel_accessible="Cancel creating the link")
        self.wait.cancelRequested.connect(self.cancelRequested)
        self.cancel_button = self.wait.cancel_button

        # A create that failed for another reason than a field (the network, Stripe's side): said
        # at the top of the form, with Retry and the request id. The form keeps to the bottom of
        # its column, so the box grows it upwards: no field and not Create moves for it.
        self.error_box = ErrorBanner(self, prefix="create", compact=True)
        self.error_box.setAccessibleName("Error creating the link")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setVerticalSpacing(6)
        for label, field in (("&Type", "type"), ("R&efresh URL", "refresh_url"), ("&Return URL", "return_url"),
                             ("C&ollect", "collection_fields"), ("F&uture requirements", "future_requirements")):
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(self.widgets[field])
            if field == "type":
                box.addWidget(self.type_note)
                box.addWidget(self.configurations_note)
            if field == "collection_fields":
                box.addWidget(self.fields_note)
            box.addWidget(self.errors[field])
            buddy = QLabel(label, self)
            buddy.setBuddy(self.widgets[field])
            form.addRow(buddy, box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.wait, 1)
        buttons.addStretch(0)
        buttons.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error_box)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.refresh_url.textEdited.connect(lambda _t: self.clear_error("refresh_url"))
        self.return_url.textEdited.connect(lambda _t: self.clear_error("return_url"))
        self.type.currentIndexChanged.connect(lambda _i: self.clear_error("type"))
        # The operator changed what would be sent: the last create's error is over.
        for edit in (self.refresh_url, self.return_url):
            edit.textEdited.connect(lambda _t: self.error_box.clear())
        for combo in (self.type, self.fields, self.future):
            combo.activated.connect(lambda _i: self.error_box.clear())

    # -- values ------------------------------------------------------------------------------
    def request(self, account: str) -> LinkRequest:
        """The form's values as an unvalidated request; defaults are left out (None)."""
        from app.stripe.validation import LinkRequest

        fields = self.fields.currentData()
        future = self.future.currentData()
        return LinkRequest(
            account=account,
            type=self.type.currentData(),
            refresh_url=self.refresh_url.text(),
            return_url=self.return_url.text(),
            collection_fields=None if fields == DEFAULTS["collection_fields"] else fields,
            future_requirements=None if future == DEFAULTS["future_requirements"] else future,
        )

    def apply(self, request: LinkRequest) -> None:
        """Fill the form from a request (Create again, Regenerate)."""
        self.clear_errors()
        self._preselected = False
        self.fields_note.hide()
        for combo, value in ((self.type, request.type),
                             (self.fields, request.collection_fields or DEFAULTS["collection_fields"]),
                             (self.future, request.future_requirements or DEFAULTS["future_requirements"])):
            index = combo.findData(value)
            if index >= 0:
                combo.setCurrentIndex(index)
        self.refresh_url.setText(request.refresh_url)
        self.return_url.setText(request.return_url)

    def set_urls(self, refresh_url: str, return_url: str) -> None:
        self.refresh_url.setText(refresh_url)
        self.return_url.setText(return_url)

    # -- account_update availability ---------------------------------------------------------
    def set_account(self, account: Account | None) -> None:
        """Disable "Update" (with the reason shown) for an account that cannot take it."""
        model = self.type.model()
        assert isinstance(model, QStandardItemModel)
        item = model.item(self.type.findData("account_update"))
        refusal = account.account_update_refusal if account is not None else None
        item.setEnabled(refusal is None)
        item.setToolTip(plain_tooltip(refusal or ""))
        if refusal is not None and self.type.currentData() == "account_update":
            self.type.setCurrentIndex(self.type.findData("account_onboarding"))
        # One short line; the whole reason in its tooltip (and the disabled item's).
        self.type_note.setText("Update links are not available for this account." if refusal else "")
        self.type_note.setToolTip(plain_tooltip(refusal or ""))
        self.type_note.setAccessibleDescription(refusal or "")
        self.type_note.setVisible(refusal is not None)
        self.configurations_note.setText(_configurations_text(account))
        self.configurations_note.setVisible(bool(self.configurations_note.text()))
        self._preselect_for(account)

    def show_link_covers(self, words: str) -> None:
        """After an Accounts v2 link is made: which configurations Stripe says it covers."""
        base = self.configurations_note.text().split("\n")[0]
        self.configurations_note.setText(f"{base}\nThe last link covers: {words}." if base else
                                         f"The last link covers: {words}.")
        self.configurations_note.show()

    def _preselect_for(self, account: Account | None) -> None:
        """Nothing due now but items due later: "Only what is due now" would open an empty flow,
        so "Everything" is chosen (and upcoming requirements when only those are due), with why."""
        from app.stripe.models import Account as AccountV1
        from app.verdict import account_verdict

        verdict = account_verdict(account) if isinstance(account, AccountV1) else None
        if verdict is not None and verdict.fields:
            self.fields.setCurrentIndex(self.fields.findData(verdict.fields))
            if verdict.future:
                self.future.setCurrentIndex(self.future.findData(verdict.future))
            self.fields_note.setText(verdict.warning or "")
            self.fields_note.setVisible(bool(verdict.warning))
            self._preselected = True
        elif self._preselected:  # back to the defaults for an account that needs things now
            self.fields.setCurrentIndex(self.fields.findData(DEFAULTS["collection_fields"]))
            self.future.setCurrentIndex(self.future.findData(DEFAULTS["future_requirements"]))
            self.fields_note.hide()
            self._preselected = False

    def update_allowed(self) -> bool:
        model = self.type.model()
        assert isinstance(model, QStandardItemModel)
        return model.item(self.type.findData("account_update")).isEnabled()

    # -- errors ------------------------------------------------------------------------------
    def field_for_param(self, param: str | None) -> str | None:
        return PARAM_TO_FIELD.get(param or "")

    def mark(self, field: str, message: str) -> QWidget | None:
        """Show ``message`` at ``field``; returns the widget (focused) or None if not ours."""
        widget = self.widgets.get(field)
        if widget is None:
            return None
        self.errors[field].mark(widget, message[:1].upper() + message[1:])
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        return widget

    def mark_refused(self, field: str, stripe_message: str) -> QWidget | None:
        """Stripe refused the value of ``field``: a plain message there, Stripe's own as tooltip."""
        widget = self.mark(field, REFUSED_BY_STRIPE.get(field, "Stripe refused this value."))
        if widget is not None:
            self.errors[field].setToolTip(plain_tooltip(f"Stripe: {stripe_message}"))
        return widget

    def clear_error(self, field: str) -> None:
        self.errors[field].clear_error(self.widgets[field])

    def clear_errors(self) -> None:
        for field in self.errors:
            self.clear_error(field)

    def error_text(self, field: str) -> str:
        error = self.errors[field]
        return error.text() if error.is_shown() else ""

    # -- busy --------------------------------------------------------------------------------
    def set_busy(self, busy: bool, *, creating: bool = True) -> None:
        """While any request runs Create is disabled; it reads "Creating…" (with the wait line
        and Cancel beside it) only while this form's own request runs."""
        self.create_button.setEnabled(not busy)
        self.create_button.setText("Creating…" if busy and creating else "Create link")
        if busy and creating:
            self.wait.start("Creating the link…")
        elif not busy and self.wait.busy:
            self.wait.finish()

    def url_problems(self, *, live: bool) -> dict[str, str]:
        """Every URL field's problem at once (validation stops at the first)."""
        from app.stripe.errors import ValidationError
        from app.stripe.validation import validate_url

        problems: dict[str, str] = {}
        for field, edit in (("refresh_url", self.refresh_url), ("return_url", self.return_url)):
            try:
                validate_url(field, edit.text(), live=live)
            except ValidationError as exc:
                problems[field] = exc.message
        return problems


def _configurations_text(account: object) -> str:
    """For an Accounts v2 account: its configurations, and that Stripe picks what a link covers
    (the pinned API version sends no configuration choice). Empty for v1 accounts."""
    from app.stripe.v2_models import AccountV2

    if not isinstance(account, AccountV2):
        return ""
    from app.requirements_v2 import describe_configurations

    text = (f"Configurations: {describe_configurations(account.applied_configurations)}. "
            "Stripe picks which ones a link onboards.")
    gate = account.update_gate
    return text if gate.allowed is not None else f"{text} {gate.reason}"
