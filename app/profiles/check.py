"""Checking a key before it is saved: which platform it belongs to, or what is wrong with it.

:func:`check_key` asks ``GET /v1/account`` (whose key is this: the platform's name and id) and
then ``GET /v1/accounts?limit=1`` (may it work with connected accounts: an empty list is a new
platform, accepted with a note; a business without Connect gets an error). Each way that fails
gets its own :class:`KeyProblem` and a plain explanation with what to do: a mistyped key, a
revoked or expired one, a publishable key, the key of a business that is not a Connect
platform, a restricted key without Connect permission, no answer at all, or any other error.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from app.stripe.errors import (
    APIConnectionError,
    AuthenticationError,
    LinkdeskError,
    PermissionDeniedError,
    StripeError,
    ValidationError,
)
from app.stripe.keys import ApiKey

from .model import MAX_PLATFORM_NAME, clean_text
from .texts import RESTRICTED_KEY_ADVICE



class KeyProblem(enum.Enum):
    NOT_A_KEY = "not_a_key"
    PUBLISHABLE_KEY = "publishable_key"
    WRONG_KEY = "wrong_key"
    REVOKED_KEY = "revoked_key"
    NOT_A_PLATFORM = "not_a_platform"
    NO_CONNECT_PERMISSION = "no_connect_permission"
    UNREACHABLE = "unreachable"
    STRIPE_ERROR = "stripe_error"


@dataclass(frozen=True, slots=True)
class KeyCheck:
    """A key that works: whose it is."""

    key: ApiKey
    platform_id: str
    platform_name: str | None
    request_id: str | None = None
    # False when the list of connected accounts came back empty: a platform that has just
    # enabled Connect. (A business without Connect gets an error from Stripe instead.)
    has_accounts: bool = True

    @property
    def platform(self) -> str:
        return f"{self.platform_name} ({self.platform_id})" if self.platform_name else self.platform_id

    @property
    def note(self) -> str | None:
        """What to tell the user besides "the key works", or None."""
        if self.has_accounts:
            return None
        return f"no connected accounts yet in {self.key.mode} mode; they appear once sellers connect."


class KeyCheckFailed(LinkdeskError):
    """The key does not do what Linkdesk needs; ``explanation`` says why and what to do."""

    def __init__(self, problem: KeyProblem, explanation: str, *, error: StripeError | None = None) -> None:
        request = f" (request {error.request_id})" if error is not None and error.request_id else ""
        super().__init__(explanation + request)
        self.problem = problem
        self.explanation = explanation
        self.error = error
        self.request_id = error.request_id if error is not None else None


def parse_key(text: str) -> ApiKey:
    """The key typed or pasted, or KeyCheckFailed (publishable or not a key) before anything
    is sent. The message never repeats the input."""
    value = text.strip() if isinstance(text, str) else ""
    try:
        return ApiKey(value)
    except ValidationError:
        if value.startswith("pk_"):
            raise KeyCheckFailed(KeyProblem.PUBLISHABLE_KEY, _explain_publishable()) from None
        raise KeyCheckFailed(
            KeyProblem.NOT_A_KEY,
            "That is not a Stripe secret or restricted key: those start with sk_test_, sk_live_, rk_test_ "
            "or rk_live_ followed by letters and digits. " + RESTRICTED_KEY_ADVICE,
        ) from None


async def check_key(key: ApiKey, *, api_base: str, stripe_version: str | None = None, **client_options: Any) -> KeyCheck:
    """Ask Stripe (or the sandbox at ``api_base``) whose ``key`` is and whether it may work with
    connected accounts. ``client_options`` go to :class:`StripeClient` (``transport``, ``clock``,
    ``max_retries``...). Raises KeyCheckFailed; cancelling the task cancels the requests."""
    from app.stripe.client import DEFAULT_STRIPE_VERSION, StripeClient

    async with StripeClient(key, api_base=api_base, stripe_version=stripe_version or DEFAULT_STRIPE_VERSION,
                            **client_options) as client:
        try:
            account = await client.retrieve_platform_account()
        except StripeError as error:
            raise _failure(error, key, stage="account") from None
        platform_id = account.id
        name = clean_text(account.business_name or account.dashboard_display_name, MAX_PLATFORM_NAME)
        try:
            connected = await client.list_accounts(limit=1)
        except StripeError as error:
            raise _failure(error, key, stage="accounts", platform=name or platform_id) from None
        # An empty list is a platform with no connected accounts yet (it has just enabled
        # Connect); a business that is not a platform gets Stripe's "Only Stripe Connect
        # platforms can work with other accounts" error instead, which _failure explains.
        return KeyCheck(key=key, platform_id=platform_id, platform_name=name, has_accounts=bool(connected.data))


def _failure(error: StripeError, key: ApiKey, *, stage: str, platform: str | None = None) -> KeyCheckFailed:
    message = (error.message or "").lower()
    if isinstance(error, AuthenticationError):
        if "publishable" in message:
            return KeyCheckFailed(KeyProblem.PUBLISHABLE_KEY, _explain_publishable(), error=error)
        if error.code == "api_key_expired":
            return KeyCheckFailed(
                KeyProblem.REVOKED_KEY,
                f"Stripe says the key {key.redacted} has expired or was revoked: it was rolled or deleted in "
                "the Dashboard. Copy the current key from Dashboard → Developers → API keys (or make a new "
                "restricted key) and enter it again.",
                error=error,
            )
        return KeyCheckFailed(
            KeyProblem.WRONG_KEY,
            f"Stripe does not know the key {key.redacted}: it may be mistyped or cut short, belong to "
            f"another account, or have been deleted. Copy it again from Dashboard → Developers → API keys"
            + (" (with “Viewing test data” on, for a test key)." if key.mode == "test" else "."),
            error=error,
        )
    if "only stripe connect" in message:  # Stripe's "Only Stripe Connect platforms can work with other accounts"
        return KeyCheckFailed(KeyProblem.NOT_A_PLATFORM, _explain_not_a_platform(key, platform), error=error)
    if isinstance(error, PermissionDeniedError):
        if key.kind == "restricted" or "permission" in message:
            return KeyCheckFailed(
                KeyProblem.NO_CONNECT_PERMISSION,
                f"The restricted key {key.redacted} may not work with connected accounts"
                + (f" of {platform}" if platform else "")
                + ". In Dashboard → Developers → API keys, edit it: give it write access to Connect "
                "(“All Connect resources”) and read access to Accounts, then check it again.",
                error=error,
            )
    if isinstance(error, APIConnectionError):
        return KeyCheckFailed(KeyProblem.UNREACHABLE, error.explanation, error=error)
    return KeyCheckFailed(
        KeyProblem.STRIPE_ERROR,
        f"The key could not be checked: {error.explanation}" if error.explanation else error.message,
        error=error,
    )


def _explain_publishable() -> str:
    return ("That is a publishable key (pk_…), which only browsers and apps use to collect card details; "
            "it cannot make Account Links. " + RESTRICTED_KEY_ADVICE)


def _explain_not_a_platform(key: ApiKey, platform: str | None) -> str:
    owner = f"“{platform}”" if platform else "the account this key belongs to"
    return (f"Stripe says {owner} is not a Connect platform, so it cannot work with connected accounts "
            f"({key.mode} mode). Use the key of your Connect platform (the account your sellers are "
            "connected to), or set up Connect in Dashboard → Connect first.")
