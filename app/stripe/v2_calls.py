"""The StripeClient's Accounts v2 calls (``/v2/core/account_links``, ``/v2/core/accounts``).

They go through the client's one request path (retries, the same Idempotency-Key across them,
the deadline, the rate limiter, the body cap), so v2 behaves as v1 in all of that; what differs
(JSON bodies, v2 errors, RFC 3339 times, links on accounts.stripe.com) lives in
:mod:`app.stripe.v2` and :mod:`app.stripe.v2_models`, imported on the first v2 call only: a v1
command never loads them. Mixed into :class:`~app.stripe.client.StripeClient`.
"""

from __future__ import annotations

import dataclasses
import functools
import uuid
from typing import TYPE_CHECKING, Any, Callable

from app.stripe.errors import StripeError
from app.stripe.safety import ACCOUNTS_V2_LINK_HOSTS, check_link_url
from app.stripe.transport import ApiAnswer, link_start
from app.stripe.validation import normalize_account_id, validate_idempotency_key

if TYPE_CHECKING:
    from app.stripe.keys import ApiKey
    from app.stripe.v2 import Detection, LinkRequestV2
    from app.stripe.v2_models import AccountLinkV2, AccountV2

OnRetry = Callable[[int, int], None]


class AccountsV2Calls:
    """Accounts v2 endpoints; needs the client's ``_call`` and ``_key``."""

    _key: "ApiKey"
    _call: Any

    async def create_account_link_v2(
        self, request: LinkRequestV2, *, idempotency_key: str | None = None, on_retry: OnRetry | None = None,
    ) -> AccountLinkV2:
        """``POST /v2/core/account_links`` with a JSON body (never ``configurations``); the same
        Idempotency-Key across retries, the same retry rules as v1."""
        from app.stripe.v2 import (
            ACCOUNT_LINKS_PATH,
            JSON_CONTENT_TYPE,
            encode_json,
            explain_v2,
        )

        link = request.validated(live=self._key.live)
        key = validate_idempotency_key(idempotency_key) if idempotency_key is not None else str(uuid.uuid4())
        try:
            return await self._call(
                "POST", ACCOUNT_LINKS_PATH, functools.partial(_build_link_v2, asked=link.account),
                idempotency_key=key, account=link.account,
                body=(JSON_CONTENT_TYPE, encode_json(link.to_body())), on_retry=on_retry,
            )
        except StripeError as error:
            error.explanation = explain_v2(error, key=self._key, account=link.account)
            raise

    async def retrieve_account_v2(self, account_id: str, *, on_retry: OnRetry | None = None,
                                  timeout: float | None = None) -> AccountV2:
        """``GET /v2/core/accounts/{id}`` with the ``include`` values the summary and the update
        rule read (identity, configurations, defaults, requirements)."""
        from app.stripe.v2 import ACCOUNTS_PATH, account_query, explain_v2
        from app.stripe.v2_models import AccountV2

        account = normalize_account_id(account_id)
        try:
            return await self._call(
                "GET", f"{ACCOUNTS_PATH}/{account}", lambda answer: AccountV2.from_api(answer.data, asked=account),
                params=account_query(), account=account, on_retry=on_retry, timeout=timeout,
            )
        except StripeError as error:
            error.explanation = explain_v2(error, key=self._key, account=account)
            raise

    async def detect_accounts_api(self, account_id: str) -> Detection:
        """Which Accounts API fits, as far as Stripe's answers can tell (see app.stripe.v2.Detection).
        Only a refusal of v2 itself decides; an account found through v2 is also reachable
        through v1, so success leaves the choice to the setting."""
        from app.stripe.v2 import Detection

        try:
            await self.retrieve_account_v2(account_id)
        except StripeError as error:
            text = (error.message or "").lower()
            if "accounts v2 is not enabled" in text:
                return Detection("v1", "Stripe says Accounts v2 is not enabled for this platform.")
            if error.http_status == 404:
                return Detection("v1", "Stripe did not find this account through v2 (yet); v1 is the safe choice.")
            raise
        return Detection(None, "The account is reachable through both APIs; the connection's setting decides.")


def _build_link_v2(answer: ApiAnswer, *, asked: str) -> AccountLinkV2:
    """As :func:`_build_link`, for a v2 link whose URL must be on accounts.stripe.com and whose
    ``account`` must be ``asked``, the account the request named."""
    from app.stripe.v2_models import AccountLinkV2

    link = AccountLinkV2.from_api(answer.data, request_id=answer.request_id, asked=asked)
    check_link_url(link.url, ACCOUNTS_V2_LINK_HOSTS)
    return dataclasses.replace(link, received_monotonic=link_start(answer, link.created))
