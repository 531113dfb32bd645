"""Which Stripe Accounts API a connection uses (v1 or v2): the option and the variable that choose
it. Apart from :mod:`app.stripe.v2` so that every command can read the choice without loading
the v2 encoders and models (start-up: bench/startup.py)."""

from __future__ import annotations

from typing import Any

from app.stripe.errors import ValidationError

ACCOUNTS_API_ENV = "LINKDESK_ACCOUNTS_API"
ACCOUNTS_APIS = ("v1", "v2")


def choose_accounts_api(flag: str | None, environ: dict[str, str] | Any) -> str:
    """``--accounts-api`` wins over ``LINKDESK_ACCOUNTS_API``; v1 when neither is set."""
    for field, value in (("--accounts-api", flag), (ACCOUNTS_API_ENV, environ.get(ACCOUNTS_API_ENV))):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        cleaned = value.strip().lower()
        if cleaned not in ACCOUNTS_APIS:
            # Names itself: the window's start-up message shows only the message.
            raise ValidationError(field, f"{field} must be v1 or v2 (the Stripe Accounts API your platform uses).")
        return cleaned
    return "v1"
