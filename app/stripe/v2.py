"""Accounts v2 on the wire: the JSON request body, the answers' checks, v2's errors in words.

Qt-free and free of I/O; :class:`app.stripe.client.StripeClient` sends what this module builds.
What was checked against which page of Stripe's documentation is in docs/accounts-v2.md.

* :class:`LinkRequestV2` is ``POST /v2/core/account_links``: ``account`` plus a ``use_case``
  object. It has no ``configurations`` field at all: from API version ``2026-09-30.endive`` on
  Stripe picks them and refuses a request that names them, and Linkdesk pins a later version.
* :func:`encode_json` writes the body; :func:`account_query` the ``include`` values.
* :func:`check_link_url` accepts only ``https://accounts.stripe.com/…`` (the token is after the
  ``#``; the URL is kept whole).
* :func:`explain_v2` puts v2-only refusals in plain words, else defers to app.stripe.explain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from app.stripe import safety
from app.stripe.errors import StripeError, ValidationError
from app.stripe.explain import explain
from app.stripe.keys import ApiKey
from app.stripe.models import COLLECTION_FIELDS, FUTURE_REQUIREMENTS, LINK_TYPES
from app.stripe.v2_models import ACCOUNT_INCLUDES
from app.stripe.accounts_api import ACCOUNTS_API_ENV, ACCOUNTS_APIS, choose_accounts_api  # noqa: F401 - re-exported
from app.stripe.validation import LinkRequest, normalize_account_id, validate_url

ACCOUNT_LINKS_PATH = "/v2/core/account_links"
ACCOUNTS_PATH = "/v2/core/accounts"
JSON_CONTENT_TYPE = "application/json"
LINK_HOSTS = tuple(sorted(safety.ACCOUNTS_V2_LINK_HOSTS))


@dataclass(frozen=True, slots=True)
class LinkRequestV2:
    """The parameters of ``POST /v2/core/account_links``, before or after :meth:`validated`.

    ``use_case`` is ``account_onboarding`` or ``account_update``; ``return_url`` is optional in
    v2 (without it Stripe shows its own "done" page).
    """

    account: str
    use_case: str
    refresh_url: str
    return_url: str | None = None
    collection_fields: str | None = None  # use_case.<type>.collection_options.fields
    future_requirements: str | None = None  # use_case.<type>.collection_options.future_requirements

    def validated(self, live: bool) -> "LinkRequestV2":
        """A normalised copy, or ValidationError naming the first field at fault."""
        return_url = self.return_url.strip() if isinstance(self.return_url, str) else self.return_url
        return replace(
            self,
            account=normalize_account_id(self.account),
            use_case=_choice("use_case", self.use_case, LINK_TYPES, required=True),  # type: ignore[arg-type]
            refresh_url=validate_url("refresh_url", self.refresh_url, live=live),
            return_url=validate_url("return_url", return_url, live=live) if return_url else None,
            collection_fields=_choice("collection_fields", self.collection_fields, COLLECTION_FIELDS),
            future_requirements=_choice("future_requirements", self.future_requirements, FUTURE_REQUIREMENTS),
        )

    @classmethod
    def from_link_request(cls, request: LinkRequest) -> "LinkRequestV2":
        """The window's form speaks v1's LinkRequest; an empty return URL means none."""
        return cls(request.account, request.type, request.refresh_url, request.return_url or None,
                   request.collection_fields, request.future_requirements)

    @property
    def type(self) -> str:
        """The v1 name of the same choice (the history and the form speak it)."""
        return self.use_case

    def as_history_request(self) -> LinkRequest:
        """The same request in the v1 shape app.history stores today (an absent return_url is
        stored as ""; the column is NOT NULL). The API that made the link is recorded apart."""
        return LinkRequest(self.account, self.use_case, self.refresh_url, self.return_url or "",
                           self.collection_fields, self.future_requirements)

    def to_body(self) -> dict[str, Any]:
        """The JSON body. Absent options are left out (not sent as null); never ``configurations``."""
        inner: dict[str, Any] = {"refresh_url": self.refresh_url}
        if self.return_url:
            inner["return_url"] = self.return_url
        options = {
            name: value
            for name, value in (("fields", self.collection_fields), ("future_requirements", self.future_requirements))
            if value is not None
        }
        if options:
            inner["collection_options"] = options
        return {"account": self.account, "use_case": {"type": self.use_case, self.use_case: inner}}


def _choice(field: str, value: str | None, allowed: tuple[str, ...], *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    cleaned = value.strip() if isinstance(value, str) else value
    if cleaned not in allowed:
        raise ValidationError(field, f"must be one of: {', '.join(allowed)}.")
    return cleaned


def encode_json(body: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON, keys in the order given (what the unit tests pin byte for byte)."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def account_query() -> dict[str, Any]:
    """``include[0]=…`` values for ``GET /v2/core/accounts/{id}`` (indexed, as Stripe's SDKs send)."""
    return {"include": list(ACCOUNT_INCLUDES)}


def check_link_url(url: str) -> str:
    """The URL if it is ``https://accounts.stripe.com/…``; ValueError (app.stripe.safety.UnsafeLink)
    otherwise, never echoing it: the URL is a secret. The exact host parse is app.stripe.safety's."""
    return safety.check_link_url(url, safety.ACCOUNTS_V2_LINK_HOSTS)


# --- v2 errors in plain words --------------------------------------------------------------------


def explain_v2(error: StripeError, *, key: ApiKey | None = None, account: str | None = None) -> str:
    """What happened on a v2 endpoint, and what to do. The v2 error body has the same envelope
    as v1 (``{"error": {"type", "code", "message"}}``), so the shared classes apply; only the
    situations that exist in v2 alone are worded here."""
    message = (error.message or "").lower()
    the_account = f"account {account}" if account else "this account"
    if "accounts v2 is not enabled" in message or (error.code or "") == "accounts_v2_not_enabled":
        return (
            "Your platform does not use Accounts v2 yet, so Stripe refused the v2 request. "
            "Choose Accounts v1 for this connection (--accounts-api v1)."
        )
    if "configurations" in (error.param or "") or "configurations" in message:
        return (
            "Stripe refused the configurations of this link. With this API version Stripe picks which "
            "configurations a link onboards; if the account has none yet, add one to it in the Dashboard "
            "or through the API, then make the link again."
        )
    if error.http_status == 404 and (error.code in ("not_found", "resource_missing") or "not found" in message):
        other = "live" if key is not None and key.mode == "test" else "test"
        return (
            f"Stripe cannot find {the_account} through Accounts v2 for this key: the id may be mistyped, the "
            f"account may not be connected to your platform, it may exist only in {other} mode, or (for an "
            "account made with v1) Stripe may not have made it reachable through v2 yet (up to 10 minutes)."
        )
    if error.http_status == 400 and "account_update" in message and ("cannot" in message or "use_case.type" in message):
        return (
            f"{the_account[0].upper() + the_account[1:]} cannot take an update link: update links are for "
            "accounts whose requirements your platform collects and that have no Stripe Dashboard. "
            "Make an onboarding link instead."
        )
    return explain(error, key=key, account=account)


@dataclass(frozen=True, slots=True)
class Detection:
    """What :func:`app.stripe.client.StripeClient.detect_accounts_api` could tell.
    ``api`` is "v1" when v2 is ruled out, "v2" when only v2 can be right, None when both work
    (then the setting decides: Stripe serves every account through both APIs)."""

    api: str | None
    reason: str
