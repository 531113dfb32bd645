"""How the main window tells the operator what happens: errors (at the field they belong to, or
in the banner, said once), messages, the status bar, the busy state of each action with its
"try 2 of 3" and what was cancelled. Mixed into :class:`~app.ui.shell.main_window.MainWindow`,
whose ``banner``, ``account_panel``, ``form``, ``actions_by_name`` and ``profiles_ui`` it uses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from app.ui.common.widgets import plain_tooltip

if TYPE_CHECKING:
    from app.ui.shell.error_banner import ErrorBanner


class WindowFeedback:
    """The feedback half of the main window (see the module docstring)."""

    busy = False
    busy_action: str | None = None
    _retry: Callable[[], None] | None = None

    def report_unexpected(self, exc: BaseException) -> None:
        """The one error path for what nobody expected: a banner, and the traceback in the log."""
        import logging

        self.unexpected.append(exc)
        logging.getLogger("linkdesk").error("Unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
        self.banner.show_error(exc)

    def show_error(self, exc: BaseException, *, retry: Callable[[], None] | None = None,
                   about: str | None = None) -> None:
        """Show ``exc`` where the operator looks: at the field Stripe named, else by the control
        of the request it is ``about`` ("lookup": under the account field; "create": at the top
        of the form; by default the request in flight), else in the window's banner."""
        from app.stripe.errors import StripeError
        from app.ui.shell.error_banner import describe_error

        param = getattr(exc, "param", None)
        field = "account" if param == "account" else self.form.field_for_param(param)
        if isinstance(exc, StripeError) and param and field is not None and retry is None:
            # Said once, where it belongs: at the field Stripe refused, in plain words; Stripe's
            # own message (which names API parameters) and the request id are its tooltip.
            message, details = describe_error(exc)
            tip = "\n".join(x for x in (f"Stripe: {exc.message}", details) if x)
            self._retry = None
            self.clear_error_boxes()
            if field == "account":
                self.mark_field("account", message)
                self.account_panel.error.setToolTip(plain_tooltip(tip))
            else:
                self.form.mark(field, message)
                self.form.errors[field].setToolTip(plain_tooltip(tip))
            return
        self._retry = retry
        self.profiles_ui.name_mixup(exc)  # a test/live mix-up named with the platform
        box = self.error_box_for(about or self.busy_action)
        if box is not self.banner:
            self.banner.clear()
        box.show_error(exc, retry=retry is not None)

    def error_box_for(self, about: str | None) -> "ErrorBanner":
        """Where an error about ``about`` ("lookup", "create", or None) is shown."""
        return {"lookup": self.account_panel.error_box, "create": self.form.error_box}.get(about or "", self.banner)

    def show_message(self, message: str, details: str = "") -> None:
        self._retry = None
        self.banner.show_message(message, details)

    def _run_retry(self) -> None:
        retry, self._retry = self._retry, None
        self.clear_error_boxes()
        if retry is not None:
            retry()

    def mark_field(self, field: str, message: str) -> None:
        if field == "account":
            self.account_panel.error.mark(self.account_panel.input, message[:1].upper() + message[1:])
            self.account_panel.input.setFocus()
        elif self.form.mark(field, message) is None:
            self.show_message(message)

    def clear_error_boxes(self) -> None:
        """The banner and the boxes of the look-up and the create (not the field messages)."""
        for box in (self.banner, self.account_panel.error_box, self.form.error_box):
            box.clear()

    def clear_errors(self) -> None:
        self.clear_error_boxes()
        self.account_panel.error.clear_error(self.account_panel.input)
        self.form.clear_errors()

    def status(self, message: str, timeout_ms: int = 8000) -> None:
        self.statusBar().showMessage(message, timeout_ms)

    def set_busy(self, busy: bool, message: str = "", *, action: str = "create") -> None:
        """One request at a time, shown on its own control (with a wait line and Cancel)."""
        self.busy = busy
        self.busy_action = action if busy else None
        if busy:  # a new request: what the last one said (e.g. "cancelled") is over
            self.account_panel.wait.clear()
            self.form.wait.clear()
        self.form.set_busy(busy, creating=action == "create")
        self.account_panel.set_busy(busy, looking_up=action == "lookup", text=message)
        self.actions_by_name["cancelAction"].setEnabled(busy)
        self.actions_by_name["createAction"].setEnabled(not busy)
        if message:
            self.status(message, 0)
        elif not busy:
            self.statusBar().clearMessage()

    def report_retry(self, attempt: int, attempts: int) -> None:
        """Try ``attempt`` of ``attempts``, said at the busy control (present mode has its own)."""
        if self.busy:
            (self.account_panel.wait if self.busy_action == "lookup" else self.form.wait).retrying(attempt, attempts)
            self.status(f"Still waiting for Stripe (try {attempt} of {attempts})…", 0)

    def show_cancelled(self, action: str, text: str) -> None:
        """Say what was cancelled, at its control and in the status bar, until the next request."""
        (self.account_panel.wait if action == "lookup" else self.form.wait).cancelled(text)
        self.status(text, 0)
