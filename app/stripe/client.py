"""Linkdesk's asynchronous client for the few Stripe v1 endpoints it uses.

Qt-free; one ``httpx.AsyncClient`` per :class:`StripeClient`. It behaves like Stripe's own SDKs
where it matters: form encoding, a pinned ``Stripe-Version``, an ``Idempotency-Key`` on every
POST that stays the same across that request's retries, and retries with exponential backoff on
exactly the answers Stripe calls retryable. Input is checked before anything is sent, errors come
back as :mod:`app.stripe.errors` classes with a plain-language ``explanation``, and neither the
key nor a link URL reaches a log line or exception text.

Answers are untrusted (issue 8): every request waits for the key's :class:`RateLimiter`, the
whole call (retries included) has one ``deadline``, the body is capped after decompression,
and every field is checked before a model keeps it (:mod:`app.stripe.transport`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import platform
import random as _random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx

from app import __version__
from app.clock import Clock, SystemClock
from app.redact import KeyScrubber, redact
from app.stripe.deadline import finish_by
from app.stripe.encoding import encode_form
from app.stripe.errors import APITimeoutError, RateLimitError, StripeError, error_from_response
from app.stripe.explain import explain
from app.stripe.keys import ApiKey
from app.stripe.models import Account, AccountLink, AccountList
from app.stripe.ratelimit import RateLimiter
from app.stripe.safety import request_id_or_none
from app.stripe.transport import (
    MAX_BODY,
    RETRYABLE_TRANSPORT_ERRORS,
    ApiAnswer,
    build_model,
    connection_error,
    decode_json,
    endpoint,
    link_start,
    read_capped,
    retry_after,
    should_retry,
    tls_context_for,
)
from app.stripe.v2_calls import AccountsV2Calls, OnRetry
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
DEFAULT_DEADLINE = 30.0  # a whole call, retries and rate-limit waits included (README: 30 s)
USER_AGENT = f"linkdesk/{__version__} httpx/{httpx.__version__} python/{platform.python_version()}"

_FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

T = TypeVar("T")
Build = Callable[[ApiAnswer], T]


class StripeClient(AccountsV2Calls):
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
        deadline: float = DEFAULT_DEADLINE,
        max_body: int = MAX_BODY,
        rate_limiter: RateLimiter | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        random: Callable[[], float] = _random.random,
    ) -> None:
        self._key = api_key
        # Every text and answer from the server passes it: the key echoed whole or in pieces
        # never reaches a message, the history, the directory or the screen (app.redact).
        self._key_scrubber = KeyScrubber(api_key.secret)
        self.api_base = normalize_api_base(api_base, live=api_key.live)
        self.stripe_version = stripe_version
        self.max_retries = max(0, int(max_retries))
        if not deadline > 0 or not max_body > 0:
            raise ValueError("deadline and max_body must be positive")
        self.deadline = float(deadline)
        self.max_body = int(max_body)
        self._clock = clock if clock is not None else SystemClock()
        self._limiter = rate_limiter if rate_limiter is not None else RateLimiter.for_mode(api_key.mode)
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
            verify=tls_context_for(self.api_base) if transport is None else True,
        )

    @property
    def api_key(self) -> ApiKey:
        return self._key

    @property
    def rate_limiter(self) -> RateLimiter:
        """The limiter every request of this client waits for (shared per key when passed in)."""
        return self._limiter

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
        """``POST /v1/account_links``. The link keeps the response's Request-Id and, as the start
        of its countdown, the ``clock.monotonic()`` instant its request was sent. A link whose
        URL is not an https address on connect.stripe.com is refused (UntrustedAnswerError).
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
        return await self._call("GET", f"/v1/accounts/{account}",
                                lambda answer: Account.from_api(answer.data, asked=account), account=account,
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
            lambda answer: AccountList.from_api(answer.data, request_id=answer.request_id),
            params=params,
        )

    async def retrieve_platform_account(self) -> Account:
        """``GET /v1/account``: the platform's own account (checks the key, names the platform)."""
        return await self._call("GET", "/v1/account", _build_account)

    # --- transport ------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        account: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> ApiAnswer:
        """Send one API request and return its decoded JSON object (for endpoints this class
        does not wrap, such as Accounts v2).

        ``params`` are form-encoded (the body of a POST, else the query); ``json_body`` is sent
        as JSON instead. Every POST carries an Idempotency-Key (``idempotency_key`` or a new
        one) that stays the same across retries. The request waits for the key's rate limiter,
        is retried on the answers Stripe calls retryable, and is bounded by the overall
        ``deadline``; the body is capped at ``max_body`` bytes after decompression. Raises a
        :class:`StripeError` with its ``explanation`` (naming ``account`` where it helps).
        """
        try:
            return await self._request(method, path, params, json_body, idempotency_key, headers)
        except StripeError as error:
            error.explanation = explain(error, key=self._key, account=account)
            raise

    async def _call(
        self,
        method: str,
        path: str,
        build: Build[T],
        *,
        params: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        account: str | None = None,
        body: tuple[str, bytes] | None = None,
        on_retry: OnRetry | None = None,
        timeout: float | None = None,
    ) -> T:
        """Send, decode, build the model; any StripeError leaves with its explanation.
        ``body`` is a ready (content type, bytes) pair for a POST that is not form-encoded;
        ``timeout`` (seconds per try) shortens the client's own; ``on_retry`` reports retries."""
        try:
            answer = await self._request(method, path, params, None, idempotency_key, None, body,
                                         on_retry=on_retry, timeout=timeout)
            return build_model(answer, build, self._scrub)
        except StripeError as error:
            error.explanation = explain(error, key=self._key, account=account)
            raise

    async def _request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json_body: Mapping[str, Any] | None,
        idempotency_key: str | None,
        extra_headers: Mapping[str, str] | None,
        body: tuple[str, bytes] | None = None,
        *,
        on_retry: OnRetry | None = None,
        timeout: float | None = None,
    ) -> ApiAnswer:
        """The request with its retries, within the overall deadline. ``body`` is a ready
        (content type, bytes) pair; else ``json_body`` is sent as JSON; else ``params`` are
        form-encoded (the body of a POST, the query of a GET)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.deadline
        url = endpoint(self.api_base, path)
        headers: dict[str, str] = {"Accept-Encoding": "gzip, deflate", **(extra_headers or {})}
        content: bytes | None = None
        if method == "POST":
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        if body is not None:
            headers["Content-Type"], content = body
        elif json_body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(json_body, separators=(",", ":"), allow_nan=False).encode()
        elif method == "POST":
            headers["Content-Type"] = _FORM_CONTENT_TYPE
            content = encode_form(params or {}).encode()
        elif params and (query := encode_form(params)):
            url = httpx.URL(f"{url}?{query}")
        retries = 0
        first_sent: float | None = None
        # The deadline on the injected clock too: a wait (backoff, Retry-After) is measured on
        # it, so a wait that would cross the deadline ends the call however time is kept.
        clock_deadline = self._clock.monotonic() + self.deadline
        while True:
            blocked = getattr(self._limiter, "blocked_for", 0.0)
            if isinstance(blocked, (int, float)) and blocked > 0 and loop.time() + blocked >= deadline:
                # Stripe asked (Retry-After) for a wait longer than this call has left: say so
                # now rather than sit in the limiter until the deadline calls it a timeout.
                raise _rate_limited_for(blocked)
            try:
                async with asyncio.timeout_at(deadline):
                    await self._limiter.acquire()
                sent = self._clock.monotonic()
                first_sent = sent if first_sent is None else first_sent
                # Not under timeout_at: an answer that arrived by the deadline is kept (see deadline.py).
                status, response_headers, answered = await finish_by(
                    self._attempt(method, url, headers, content, timeout), deadline)
            except TimeoutError:
                error: StripeError = APITimeoutError(
                    f"No complete answer from the API within {self.deadline:g} s"
                )
                retryable = False
                log.debug("%s %s passed its deadline", method, path)
            except httpx.RequestError as exc:
                error = connection_error(exc, self._scrub)
                retryable = isinstance(exc, RETRYABLE_TRANSPORT_ERRORS)
                log.debug("%s %s failed: %s", method, path, type(exc).__name__)
            else:
                request_id = request_id_or_none(response_headers.get("request-id"))
                log.debug("%s %s -> %s %s", method, path, status, request_id)
                if isinstance(answered, StripeError):  # the body itself was refused
                    answered.http_status, answered.request_id = status, request_id
                    raise answered
                if 200 <= status < 300:
                    data = decode_json(answered, status, request_id, self._scrub, clean=self._key_scrubber.scrub_json)
                    return ApiAnswer(data, response_headers, request_id, status, sent, first_sent)
                # Scrubbed field by field after decoding (a JSON \u escape cannot hide the key).
                error = error_from_response(status, answered.decode("utf-8", "replace"), request_id, scrub=self._scrub)
                error.retry_after = retry_after(response_headers)
                if status == 429:
                    self._limiter.on_rate_limited(error.retry_after)
                retryable = should_retry(status, response_headers)
            if not retryable or retries >= self.max_retries or (error.retry_after or 0.0) > MAX_RETRY_AFTER:
                raise error
            retries += 1
            delay = self._backoff(retries, error.retry_after)
            if loop.time() + delay >= deadline or self._clock.monotonic() + delay >= clock_deadline:
                raise error  # no time left for another attempt: end the call now, not past it
            log.debug("retry %d of %s %s in %.2f s (%s)", retries, method, path, delay, type(error).__name__)
            await self._sleep(delay)
            if on_retry is not None:
                on_retry(retries + 1, self.max_retries + 1)

    async def _attempt(
        self, method: str, url: httpx.URL, headers: Mapping[str, str], content: bytes | None,
        timeout: float | None = None,
    ) -> tuple[int, httpx.Headers, bytes | StripeError]:
        """One exchange: status, headers and the decoded body (or the StripeError refusing it:
        too large, or in an encoding not asked for). Never reads past the body cap."""
        extra: dict[str, Any] = {} if timeout is None else {"timeout": httpx.Timeout(timeout)}
        request = self._http.build_request(method, url, content=content, headers=headers, **extra)
        response = await self._http.send(request, stream=True)
        try:
            body = await read_capped(response, self.max_body)
        finally:
            await response.aclose()
        return response.status_code, response.headers, body

    def _backoff(self, retry: int, retry_after: float | None) -> float:
        """0.5 s doubling up to 5 s, jittered down by up to half but never under 0.5 s (as
        Stripe's SDKs do), and never sooner than the server's Retry-After."""
        delay = min(INITIAL_RETRY_DELAY * 2 ** (retry - 1), MAX_RETRY_DELAY)
        delay = max(INITIAL_RETRY_DELAY, delay * (0.5 + 0.5 * self._random()))
        return max(delay, retry_after or 0.0)

    def _scrub(self, text: str) -> str:
        """Text from the server is echoed in messages: a server echoing the key (whole or in
        pieces of 8+ characters; or any key, or a link URL) must not get it into an error, a
        log line or the history."""
        return redact(self._key_scrubber.scrub(text))


def _rate_limited_for(seconds: float) -> RateLimitError:
    """The error for a call that Stripe's last Retry-After keeps from being sent in time
    (nothing was sent; the callers add the explanation)."""
    error = RateLimitError(
        f"Rate limited by Stripe: no request may be sent for another {seconds:.0f} s", http_status=429,
        code="rate_limit",
    )
    error.retry_after = seconds
    return error


def _build_link(answer: ApiAnswer) -> AccountLink:
    link = AccountLink.from_api(answer.data, request_id=answer.request_id)
    return dataclasses.replace(link, received_monotonic=link_start(answer, link.created))


def _build_account(answer: ApiAnswer) -> Account:
    return Account.from_api(answer.data)
