"""Linkdesk's asynchronous client for the few Stripe v1 endpoints it uses.

Qt-free; one ``httpx.AsyncClient`` per :class:`StripeClient`. It behaves like Stripe's own SDKs
where it matters: form encoding, a pinned ``Stripe-Version``, an ``Idempotency-Key`` on every
POST that stays the same across that request's retries, and retries with exponential backoff on
exactly the answers Stripe calls retryable. Input is checked before anything is sent, errors come
back as :mod:`app.stripe.errors` classes with a plain-language ``explanation``, and neither the
key nor a link URL reaches a log line or exception text.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import functools
import json
import logging
import math
import platform
import random as _random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx

from app import __version__
from app.clock import Clock, SystemClock
from app.stripe.encoding import encode_form
from app.stripe.errors import APIConnectionError, APIError, APITimeoutError, StripeError, error_from_response, excerpt
from app.stripe.explain import explain
from app.stripe.keys import ApiKey
from app.stripe.models import Account, AccountLink, AccountList
from app.stripe.validation import (
    LinkRequest,
    list_params,
    normalize_account_id,
    normalize_api_base,
    validate_idempotency_key,
)

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.stripe.com"
DEFAULT_STRIPE_VERSION = "2026-10-28.endive"
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 5.0
# A longer Retry-After is not waited out: the operator sees the error (and the wait) at once.
MAX_RETRY_AFTER = 30.0
USER_AGENT = f"linkdesk/{__version__} httpx/{httpx.__version__} python/{platform.python_version()}"

# Failures after which the request may not have reached Stripe, or its answer was lost.
# (UnsupportedProtocol, LocalProtocolError, DecodingError would fail the same way again.)
_RETRYABLE_TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError)
_FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

T = TypeVar("T")
Build = Callable[[dict[str, Any], httpx.Headers, float], T]  # (JSON, response headers, arrival)
OnRetry = Callable[[int, int], None]  # (this try's number, how many tries in all): "try 2 of 3"


class StripeClient:
    """Account Links and Accounts on the Stripe API (or anything that speaks it: stripe-mock,
    a proxy, Linkdesk's sandbox). Use ``async with`` or call :meth:`aclose`."""

    def __init__(
        self,
        api_key: ApiKey,
        *,
        api_base: str = DEFAULT_API_BASE,
        stripe_version: str = DEFAULT_STRIPE_VERSION,
        max_retries: int = 2,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        random: Callable[[], float] = _random.random,
    ) -> None:
        self._key = api_key
        self.api_base = normalize_api_base(api_base, live=api_key.live)
        self.stripe_version = stripe_version
        self.max_retries = max(0, int(max_retries))
        self._clock = clock if clock is not None else SystemClock()
        self._sleep = sleep
        self._random = random
        self._http = httpx.AsyncClient(
            headers={
                "Authorization": f"Bearer {api_key.secret}",
                "Stripe-Version": stripe_version,
                "User-Agent": USER_AGENT,
            },
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            transport=transport,
            follow_redirects=False,
        )

    @property
    def api_key(self) -> ApiKey:
        return self._key

    @property
    def mode(self) -> str:
        """The key's mode: "test" or "live"."""
        return self._key.mode

    def __repr__(self) -> str:
        return f"StripeClient(api_key={self._key!r}, api_base={self.api_base!r})"

    async def __aenter__(self) -> "StripeClient":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool. Safe to call twice."""
        await self._http.aclose()

    # --- endpoints ------------------------------------------------------------------------

    async def create_account_link(self, request: LinkRequest, *, idempotency_key: str | None = None,
                                  on_retry: OnRetry | None = None) -> AccountLink:
        """``POST /v1/account_links``. The link keeps the response's Request-Id and the
        ``clock.monotonic()`` instant its response arrived (the start of its countdown).
        ``on_retry(attempt, attempts)`` is called before each retry is sent ("try 2 of 3")."""
        link = request.validated(live=self._key.live)
        key = validate_idempotency_key(idempotency_key) if idempotency_key is not None else str(uuid.uuid4())
        return await self._call(
            "POST",
            "/v1/account_links",
            _build_link,
            params=link.to_params(),
            idempotency_key=key,
            account=link.account,
            on_retry=on_retry,
        )

    async def retrieve_account(self, account_id: str, *, on_retry: OnRetry | None = None,
                               timeout: float | None = None) -> Account:
        """``GET /v1/accounts/{id}``; ``account_id`` may be a pasted Dashboard address.
        ``timeout`` (seconds per try) lets an interactive look-up give up sooner than the
        client's default; ``on_retry`` as for :meth:`create_account_link`."""
        account = normalize_account_id(account_id)
        return await self._call("GET", f"/v1/accounts/{account}", _build_account, account=account,
                                on_retry=on_retry, timeout=timeout)

    async def list_accounts(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created: int | Mapping[str, int] | None = None,
    ) -> AccountList:
        """``GET /v1/accounts``, newest first. ``created`` is a Unix time or e.g. ``{"gte": t}``."""
        params = list_params(limit, starting_after, ending_before, created)
        return await self._call(
            "GET",
            "/v1/accounts",
            lambda data, headers, _: AccountList.from_api(data, request_id=headers.get("request-id")),
            params=params,
        )

    async def retrieve_platform_account(self) -> Account:
        """``GET /v1/account``: the platform's own account (checks the key, names the platform)."""
        return await self._call("GET", "/v1/account", _build_account)

    # --- transport ------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        build: Build[T],
        *,
        params: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        account: str | None = None,
        on_retry: OnRetry | None = None,
        timeout: float | None = None,
    ) -> T:
        """Send, decode, build the model; any StripeError leaves with its explanation."""
        try:
            response, received = await self._send(method, path, params, idempotency_key,
                                                  on_retry=on_retry, timeout=timeout)
            return self._decode(response, build, received)
        except StripeError as error:
            error.explanation = explain(error, key=self._key, account=account)
            raise

    async def _send(
        self, method: str, path: str, params: Mapping[str, Any] | None, idempotency_key: str | None,
        *, on_retry: OnRetry | None = None, timeout: float | None = None,
    ) -> tuple[httpx.Response, float]:
        """The request with its retries. Returns a 2xx response and the monotonic instant it
        arrived, or raises the StripeError of the last attempt."""
        url = _endpoint(self.api_base, path)
        headers = content = None
        if method == "POST":
            headers = {"Content-Type": _FORM_CONTENT_TYPE, "Idempotency-Key": idempotency_key or str(uuid.uuid4())}
            content = encode_form(params or {})
        elif params and (query := encode_form(params)):
            url = httpx.URL(f"{url}?{query}")
        retries = 0
        extra: dict[str, Any] = {} if timeout is None else {"timeout": httpx.Timeout(timeout)}
        while True:
            try:
                response = await self._http.request(method, url, content=content, headers=headers, **extra)
            except httpx.RequestError as exc:
                error: StripeError = _connection_error(exc)
                retryable = isinstance(exc, _RETRYABLE_TRANSPORT_ERRORS)
                log.debug("%s %s failed: %s", method, path, type(exc).__name__)
            else:
                received = self._clock.monotonic()
                request_id = response.headers.get("request-id")
                log.debug("%s %s -> %s %s", method, path, response.status_code, request_id)
                if response.is_success:
                    return response, received
                error = error_from_response(response.status_code, self._scrub(response.text), request_id)
                error.retry_after = _retry_after(response.headers)
                retryable = _should_retry(response)
            if not retryable or retries >= self.max_retries or (error.retry_after or 0.0) > MAX_RETRY_AFTER:
                raise error
            retries += 1
            delay = self._backoff(retries, error.retry_after)
            log.debug("retry %d of %s %s in %.2f s (%s)", retries, method, path, delay, type(error).__name__)
            await self._sleep(delay)
            if on_retry is not None:
                on_retry(retries + 1, self.max_retries + 1)

    def _decode(self, response: httpx.Response, build: Build[T], received: float) -> T:
        """The model built from a 2xx body; a body that is not the expected JSON is an APIError."""
        try:
            data = json.loads(response.content)
            if not isinstance(data, dict):
                raise TypeError("not an object")
            return build(data, response.headers, received)
        except (ValueError, TypeError, KeyError):
            shown = excerpt(self._scrub(response.text))
            raise APIError(
                f"The answer was not the expected JSON: “{shown}”",
                http_status=response.status_code,
                request_id=response.headers.get("request-id"),
            ) from None

    def _backoff(self, retry: int, retry_after: float | None) -> float:
        """0.5 s doubling up to 5 s, jittered down by up to half but never under 0.5 s (as
        Stripe's SDKs do), and never sooner than the server's Retry-After."""
        delay = min(INITIAL_RETRY_DELAY * 2 ** (retry - 1), MAX_RETRY_DELAY)
        delay = max(INITIAL_RETRY_DELAY, delay * (0.5 + 0.5 * self._random()))
        return max(delay, retry_after or 0.0)

    def _scrub(self, text: str) -> str:
        """Error bodies are echoed in messages; a server echoing the key must not leak it."""
        secret = self._key.secret
        return text.replace(secret, self._key.redacted) if secret in text else text


@functools.lru_cache(maxsize=256)
def _endpoint(api_base: str, path: str) -> httpx.URL:
    """Parsed once: URL parsing is a measurable part of a request's CPU time."""
    return httpx.URL(api_base + path)


def _should_retry(response: httpx.Response) -> bool:
    """Stripe-Should-Retry decides when present; else 409 (conflict), 429 and 5xx."""
    advice = response.headers.get("stripe-should-retry")
    if advice in ("true", "false"):
        return advice == "true"
    status = response.status_code
    return status in (409, 429) or status >= 500


def _retry_after(headers: httpx.Headers) -> float | None:
    """Retry-After in seconds (the HTTP-date form is not used by Stripe and is ignored)."""
    try:
        seconds = float(headers.get("retry-after", ""))
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _connection_error(exc: httpx.RequestError) -> APIConnectionError:
    # httpx's messages name the host or OS error, never headers: safe to quote.
    reason = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        error: APIConnectionError = APITimeoutError(f"No answer from the API in time ({reason})")
    else:
        error = APIConnectionError(f"Could not talk to the API ({reason})")
    error.__cause__ = exc
    return error


def _build_link(data: dict[str, Any], headers: httpx.Headers, received: float) -> AccountLink:
    """The link, counted down from its arrival, or from its making when Stripe replayed an
    earlier request's link (``Idempotent-Replayed``: that request's answer was lost, or the
    operator retried with the same key), so a countdown never outlasts the link. The age is
    taken from the server's own clock (``Date`` minus ``created``), plus 1 s for their rounding."""
    link = AccountLink.from_api(data, request_id=headers.get("request-id"), received_monotonic=received)
    server_now = _http_date(headers.get("date")) if headers.get("idempotent-replayed") == "true" else None
    if server_now is None:
        return link
    age = max(0.0, server_now - link.created + 1.0)
    return dataclasses.replace(link, received_monotonic=received - age)


def _build_account(data: dict[str, Any], headers: httpx.Headers, received: float) -> Account:
    return Account.from_api(data)


def _http_date(value: str | None) -> float | None:
    try:
        return email.utils.parsedate_to_datetime(value).timestamp() if value else None
    except (TypeError, ValueError):
        return None
