"""One exception hierarchy for everything that can go wrong talking to Stripe.

Every API error carries the HTTP status, Stripe's ``code``, ``message``, ``param``, ``doc_url``
and the ``Request-Id``, plus :attr:`StripeError.explanation`: the situation in plain words with
what to do about it. No exception text ever contains an API key or an Account Link URL.
"""

from __future__ import annotations

from typing import Any


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


class APIConnectionError(StripeError):
    """The request never got an answer: DNS, refused or dropped connection, TLS."""

    @property
    def retryable_by_user(self) -> bool:
        return True


class APITimeoutError(APIConnectionError):
    """No answer within the configured timeout."""
