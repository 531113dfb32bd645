"""A scripted stand-in for the Stripe API behind ``httpx.MockTransport`` (client unit tests).

``FakeStripe(*replies)`` answers each request with the next reply (the last one repeats); a
reply is an ``httpx.Response``, an exception to raise, or an ``async`` callable taking the
request. Every request is kept in ``.requests``. ``Sleeps`` records backoff delays instead of
sleeping.
"""

from __future__ import annotations

from typing import Any

import httpx

from app.clock import FakeClock
from app.stripe.client import StripeClient
from app.stripe.keys import ApiKey

TEST_SECRET = "sk_test_51Hx9TestKeyNotRealAbCdEfGh4abc"
LIVE_SECRET = "sk_live_51Hx9LiveKeyNotRealAbCdEfGh9xyz"
LINK_URL = "https://connect.stripe.com/setup/c/acct_1Mt0CORHFI4mz9Rw/TqckGNUHg2mG"
ACCOUNT = "acct_1Mt0CORHFI4mz9Rw"


def link_json(created: int = 1_700_000_000, ttl: int = 300) -> dict[str, Any]:
    return {"object": "account_link", "created": created, "expires_at": created + ttl, "url": LINK_URL}


def account_json(account_id: str = ACCOUNT, **extra: Any) -> dict[str, Any]:
    return {"id": account_id, "object": "account", "type": "custom", "country": "US", **extra}


def ok(body: Any, request_id: str = "req_ok123", **headers: str) -> httpx.Response:
    return httpx.Response(200, json=body, headers={"Request-Id": request_id, **headers})


def stripe_error(
    status: int,
    *,
    type: str = "invalid_request_error",
    code: str | None = None,
    message: str = "Something went wrong.",
    param: str | None = None,
    request_id: str = "req_err456",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    error: dict[str, Any] = {"type": type, "message": message, "doc_url": f"https://stripe.com/docs/error-codes/{code}"}
    if code:
        error["code"] = code
    if param:
        error["param"] = param
    return httpx.Response(status, json={"error": error}, headers={"Request-Id": request_id, **(headers or {})})


class FakeStripe:
    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies) or [ok(link_json())]
        self.requests: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self._handle)

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, BaseException):
            raise reply
        if callable(reply):
            return await reply(request)
        # a fresh copy: the client marks the responses it has read and closed
        return httpx.Response(reply.status_code, headers=reply.headers, content=reply.content)


class Sleeps:
    """An injected ``sleep`` that returns at once and remembers each delay."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def make_client(fake: FakeStripe, secret: str = TEST_SECRET, **options: Any) -> StripeClient:
    options.setdefault("sleep", Sleeps())
    options.setdefault("random", lambda: 1.0)
    options.setdefault("clock", FakeClock())
    return StripeClient(ApiKey(secret), transport=fake.transport, **options)
