"""One exception hierarchy for everything that can go wrong talking to Stripe.

Every API error carries the HTTP status, Stripe's ``code``, ``message``, ``param``, ``doc_url``
and the ``Request-Id``, plus :attr:`StripeError.explanation`: the situation in plain words with
what to do about it. No exception text ever contains an API key or an Account Link URL.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from app.stripe.safety import plain_text


class LinkdeskError(Exception):
    """Base of every error Linkdesk raises on purpose."""


class ValidationError(LinkdeskError, ValueError):
    """Input that was refused before any request was sent. ``field`` names the input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class StripeError(LinkdeskError):
    """An error answered by (or on the way to) the Stripe API."""

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        code: str | None = None,
        param: str | None = None,
        doc_url: str | None = None,
        request_id: str | None = None,
        error_type: str | None = None,
        json_body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.code = code
        self.param = param
        self.doc_url = doc_url
        self.request_id = request_id
        self.error_type = error_type
        self.json_body = json_body
        self.explanation: str = message  # replaced by the client with app.stripe.explain
        self.retry_after: float | None = None  # seconds, from a Retry-After header when sent

    def __str__(self) -> str:
        parts = [self.message]
        if self.code:
            parts.append(f"code {self.code}")
        if self.http_status:
            parts.append(f"HTTP {self.http_status}")
        if self.request_id:
            parts.append(f"request {self.request_id}")
        return parts[0] if len(parts) == 1 else f"{parts[0]} ({', '.join(parts[1:])})"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, http_status={self.http_status!r}, "
            f"code={self.code!r}, param={self.param!r}, request_id={self.request_id!r})"
        )

    @property
    def retryable_by_user(self) -> bool:
        """True when trying again later may work (network trouble, rate limits, Stripe's side)."""
        return False


class AuthenticationError(StripeError):
    """401: the key is wrong, revoked or expired."""


class PermissionDeniedError(StripeError):
    """403: the key may not do this (restricted key, account not connected to this platform)."""


class InvalidRequestError(StripeError):
    """400/404: Stripe refused the parameters; ``param`` names the one at fault when known."""


class IdempotencyError(StripeError):
    """The Idempotency-Key was reused with other parameters."""


class RateLimitError(StripeError):
    """429: too many requests (``rate_limit``) or lock contention (``lock_timeout``)."""

    @property
    def retryable_by_user(self) -> bool:
        return True


class APIError(StripeError):
    """Stripe's side failed (5xx), or the answer was not Stripe's JSON (a proxy's HTML page)."""

    @property
    def retryable_by_user(self) -> bool:
        return True


class UntrustedAnswerError(APIError):
    """A 2xx answer Stripe never sends: not JSON, nested too deep, too large, a field of the
    wrong type or out of range, or a link that is not a Stripe address. ``problem`` says
    which, in words (it never quotes a hostile value)."""

    def __init__(self, message: str, *, problem: str = "", link_refused: bool = False, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.problem = problem or message
        self.link_refused = link_refused  # True when the refused value was the link's URL


class APIConnectionError(StripeError):
    """The request never got an answer: DNS, refused or dropped connection, TLS."""

    @property
    def retryable_by_user(self) -> bool:
        return True


class APITimeoutError(APIConnectionError):
    """No answer within the configured timeout."""


# --- Mapping an HTTP answer to the hierarchy above (used by app.stripe.client) -------------

_EXCERPT_CHARS = 120
_DROPPED_BLOCKS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[A-Za-z/!][^>]*(?:>|$)")  # also a tag cut off by truncation
_EXCERPT_SOURCE_CHARS = 16_384  # enough for any error page's visible start; bounds the work
_URL = re.compile(r"https?://\S+", re.IGNORECASE)


def excerpt(text: str, limit: int = _EXCERPT_CHARS) -> str:
    """A short, single-line, tag-free extract of a body that was not Stripe's JSON.

    Addresses are masked: a truncated Account Link response would otherwise show its URL.
    """
    import html  # (not at import: the window's first paint does not need it)

    text = html.unescape(_TAG.sub(" ", _DROPPED_BLOCKS.sub(" ", text[:_EXCERPT_SOURCE_CHARS])))
    return plain_text(_URL.sub("<url>", text), limit=limit)


_MAX_ERROR_BODY = 65_536  # Stripe's error bodies are a few hundred bytes
_FIELD_LIMITS = {"message": 1_000, "doc_url": 300}


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def error_from_response(status: int, text: str, request_id: str | None = None,
                        scrub: Callable[[str], str] | None = None) -> StripeError:
    """The exception for a non-2xx answer whose body is ``text``.

    Stripe's ``{"error": {...}}`` body gives type, code, message, param and doc_url; anything
    else (a proxy's HTML page, a truncated body) becomes an :class:`APIError` quoting an excerpt.
    ``scrub`` (the client's: the key, whole or in pieces, and link URLs) is applied to each
    field after decoding and to the excerpt, so no escape or markup can hide the key from it.
    """
    scrub = scrub or (lambda value: value)
    try:
        import json

        body = json.loads(text[:_MAX_ERROR_BODY], parse_constant=_no_constant)
    except (ValueError, RecursionError):  # not JSON, NaN/Infinity, nested too deeply, huge ints
        body = None
    details = body.get("error") if isinstance(body, dict) else None
    if not isinstance(details, dict):
        shown = scrub(excerpt(scrub(text)))
        message = "The answer was not Stripe's JSON" + (f": “{shown}”" if shown else " (empty body)")
        return APIError(message, http_status=status, request_id=request_id)

    def field(name: str) -> str | None:
        # Only text is kept, as one plain line: a list, a number or an escape sequence in an
        # error body is not Stripe's and must not reach a terminal.
        value = details.get(name)
        return plain_text(scrub(value), limit=_FIELD_LIMITS.get(name, 200)) or None if isinstance(value, str) else None

    error_type = field("type")
    return _error_class(status, error_type)(
        field("message") or "Stripe gave no message",
        http_status=status,
        code=field("code"),
        param=field("param"),
        doc_url=field("doc_url"),
        request_id=request_id,
        error_type=error_type,
        json_body={"error": {k: field(k) for k in ("type", "code", "message", "param", "doc_url")}},
    )


def _error_class(status: int, error_type: str | None) -> type[StripeError]:
    if error_type == "idempotency_error":
        return IdempotencyError
    return {
        400: InvalidRequestError,
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: InvalidRequestError,
        429: RateLimitError,
    }.get(status, APIError)
