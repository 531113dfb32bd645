"""Plain-language explanations of Stripe errors, each with what to do about it.

:func:`explain` recognises the situations an operator meets when making Account Links (wrong
account, wrong mode, wrong link type, bad URLs, key problems, rate limits, network trouble) from
the status, ``code``, ``param`` and, where Stripe gives nothing better, words of the message.
Texts may name the account id and the redacted key, never the key itself.
"""

from __future__ import annotations

from app.stripe.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    IdempotencyError,
    PermissionDeniedError,
    RateLimitError,
    StripeError,
    UntrustedAnswerError,
)
from app.stripe.keys import ApiKey


def explain(error: StripeError, *, key: ApiKey | None = None, account: str | None = None) -> str:
    """What happened and how to fix it, for ``error`` raised while using ``key`` on ``account``."""
    message = (error.message or "").lower()
    mode = key.mode if key else None
    the_account = f"account {account}" if account else "this account"
    subject = the_account[0].upper() + the_account[1:]

    if isinstance(error, UntrustedAnswerError):
        if error.link_refused:
            return (
                "The server returned a link that is not a Stripe address, so Linkdesk did not show, "
                "copy or store it. The API address (or a proxy on the way) is not answering like "
                "Stripe: check it before making another link."
            )
        return (
            f"The server's answer is not what Stripe sends ({error.problem}), so Linkdesk did not use "
            "it. Try again; if it persists, check the API address and any proxy between you and Stripe."
        )
    if isinstance(error, APITimeoutError):
        return "Stripe did not answer in time. Check the internet connection and try again."
    if isinstance(error, APIConnectionError):
        return (
            "Linkdesk could not reach the Stripe API, or the connection broke before the answer came "
            "(network, DNS or proxy trouble). "
            "Check the internet connection (and the API address, if you changed it), then try again."
        )
    if isinstance(error, AuthenticationError):
        if error.code == "api_key_expired":
            return (
                "This API key has expired. Create or roll a key in Dashboard → Developers → API keys "
                "and enter it again."
            )
        return (
            "Stripe refused the API key: it is wrong, was revoked or has expired. "
            "Copy the current secret key from Dashboard → Developers → API keys and enter it again."
        )
    if isinstance(error, RateLimitError):
        if error.code == "lock_timeout":
            return f"Another request was changing {the_account} at the same moment. Wait a second and try again."
        wait = f"about {error.retry_after:g} seconds" if error.retry_after else "a few seconds"
        return f"Stripe is limiting how fast this key may make requests. Wait {wait} and try again."
    if isinstance(error, IdempotencyError):
        return (
            "Stripe has seen this request's Idempotency-Key before with other parameters, so it refused it. "
            "Make the link again: a new request gets a new key."
        )
    if mode == "live" and ("testmode" in message or "test mode" in message or "test account" in message):
        return (
            f"{subject} is a test-mode account, and you are using a live key. "
            "Switch to your test key (sk_test_…) to make links for test accounts."
        )
    if mode == "test" and ("livemode" in message or "live mode" in message):
        return (
            f"{subject} exists in live mode, and you are using a test key. "
            "Switch to your live key to make links for live accounts."
        )
    if _is_unknown_account(error, message):
        other = "live" if mode == "test" else "test"
        return (
            f"Stripe cannot find {the_account} for this key: the id may be mistyped, the account may not "
            f"be connected to your platform, or it may exist only in {other} mode. Check the id and that "
            "you are using the key of the platform it is connected to."
        )
    if isinstance(error, PermissionDeniedError):
        if key is not None and key.kind == "restricted":
            return (
                f"The restricted key {key.redacted} is not allowed to do this. In Dashboard → Developers → "
                "API keys, give it write access to Connect (Account Links) and read access to Accounts, "
                "or use a secret key."
            )
        return (
            "This key is not allowed to do this for the account. "
            "Check that the account is connected to your platform."
        )
    if error.code == "url_invalid":
        which = error.param or "an address"
        return (
            f"Stripe did not accept {which} as a URL. "
            "Enter a full address such as https://example.com/onboarding/return."
        )
    if error.http_status == 400 and "https" in message:  # "Livemode requests must always be redirected via HTTPS."
        return (
            "Live-mode links must send the seller back to https:// addresses. "
            "Change the refresh and return URLs to https:// and try again."
        )
    if error.http_status == 400 and error.param == "type":
        return (
            f"{subject} cannot take an update link. Update links are only for accounts whose "
            "requirements your platform collects and that have no Stripe Dashboard (such as Custom "
            "accounts). Make an onboarding link instead (type account_onboarding)."
        )
    if isinstance(error, APIError):
        if error.error_type is None:
            return (
                "The answer did not come from Stripe's API (it looks like a proxy or gateway page). "
                "Try again; if it persists, check the API address and any proxy between you and Stripe."
            )
        return "Stripe had a problem on its side. Try again in a moment; if it persists, check status.stripe.com."
    if error.param:
        return f"Stripe refused the value of {error.param}: {error.message}"
    return error.message


def _is_unknown_account(error: StripeError, message: str) -> bool:
    if error.code == "account_invalid":
        return True
    return error.code == "resource_missing" and (error.param in ("account", "id") or "account" in message)
