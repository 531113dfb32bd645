"""Looking a connected account up from the window (the Look up button and Enter).

A pasted Dashboard address is reduced to its ``acct_`` id first; refused input is marked at the
account field and nothing is sent. The request can be cancelled (Esc) like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.stripe.errors import StripeError, ValidationError
from app.stripe.validation import normalize_account_id
from app.ui.account.panel import ACCOUNT_UNKNOWN
from app.ui.common.widgets import plain_tooltip
from app.ui.links.flow import CancelledByOperator

LOOKUP_TIMEOUT = 10.0  # seconds per try: the operator is waiting on a call (a create waits longer)

if TYPE_CHECKING:
    from app.stripe.models import Account
    from app.ui.common.host import WindowHost


async def lookup_account(w: "WindowHost") -> "Account | None":
    """Look the account typed in ``w`` up and show its summary; None when refused or failed."""
    if w.services is None or w.busy:
        return None
    w.clear_errors()
    try:
        account_id = normalize_account_id(w.account_panel.account_text())
    except ValidationError as exc:
        w.mark_field("account", exc.message)
        return None
    w.set_busy(True, f"Looking up {account_id}…", action="lookup")
    w.account_panel.last_failure = None
    cancelled = False
    try:
        client = w.services.client
        v2 = getattr(w.services.connection, "accounts_api", "v1") == "v2"
        retrieve = client.retrieve_account_v2 if v2 else client.retrieve_account
        account = await w.flow.cancellable(retrieve(account_id, on_retry=w.report_retry, timeout=LOOKUP_TIMEOUT))
    except CancelledByOperator:
        cancelled = True
        return None
    except StripeError as exc:
        w.account_panel.last_failure = (account_id, exc)
        shown = w.account_panel.account
        if shown is not None and shown.id != account_id:  # not the account asked for: do not keep it
            w.account_panel.clear_account()
            w.form.set_account(None)
        if exc.http_status in (403, 404):  # said once, at the field: this id is not one of yours
            from app.ui.shell.error_banner import describe_error

            profiles_ui = getattr(w, "profiles_ui", None)
            if profiles_ui is not None:  # a test/live mix-up is named with the platform
                profiles_ui.name_mixup(exc)
            message, details = describe_error(exc)
            w.clear_errors()
            w.mark_field("account", message or ACCOUNT_UNKNOWN)
            w.account_panel.error.setToolTip(plain_tooltip("\n".join(x for x in (f"Stripe: {exc.message}", details) if x)))
        else:
            w.show_error(exc, retry=w.request_lookup if exc.retryable_by_user else None, about="lookup")
        return None
    finally:
        w.set_busy(False, action="lookup")
        if cancelled:
            w.show_cancelled("lookup", f"Look-up of {account_id} cancelled. The summary was not changed.")
    w.account_panel.set_account_text(account.id)
    directory = getattr(w, "directory", None)
    if directory is not None:  # a new account ends the watch of the last; its index row is refreshed
        directory.account_shown(account.id)
        directory.account_seen(account)
    w.account_panel.show_account(account, now_wall=w.services.clock.time())
    w.form.set_account(account)
    w.status(f"{account.display_name} ({account.id})")
    return account
