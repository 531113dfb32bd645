"""Hostile answers through the client (httpx.MockTransport): each ends in a clean StripeError
with the request id, never a traceback, never the hostile URL or the key in any text."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from app.countdown import Countdown
from app.stripe.errors import APITimeoutError, StripeError, UntrustedAnswerError
from app.stripe.models import FALLBACK_TTL
from app.stripe.validation import LinkRequest
from fake_stripe_api import ACCOUNT, TEST_SECRET, FakeStripe, make_client, ok
from hostile_server import ACCOUNT as HOSTILE_ACCOUNT  # the id the hostile account bodies carry
from hostile_server import (
    BAD_LINK_URLS,
    CREATED,
    HOSTILE_ACCOUNTS,
    HOSTILE_LINK_BODIES,
    account_body,
    gzip_bomb,
    link_body,
)

REQUEST = LinkRequest(ACCOUNT, "account_onboarding", "https://e.com/refresh", "https://e.com/return")


def texts(error: StripeError) -> list[str]:
    return [str(error), repr(error), error.message, error.explanation, str(error.json_body)]


async def create_error(*replies: object, **options: object) -> StripeError:
    fake = FakeStripe(*replies)
    async with make_client(fake, **options) as client:
        with pytest.raises(StripeError) as caught:
            await client.create_account_link(REQUEST)
    return caught.value


@pytest.mark.parametrize("kind", sorted(BAD_LINK_URLS))
async def test_a_link_that_is_not_a_stripe_address_is_an_api_error_without_the_url(kind):
    url = BAD_LINK_URLS[kind]
    error = await create_error(ok(link_body(url=url), request_id="req_BadLink1"))
    assert isinstance(error, UntrustedAnswerError) and error.link_refused
    assert error.message.startswith("The server returned a link that is not a Stripe address (")
    assert error.request_id == "req_BadLink1" and error.http_status == 200
    assert "did not show, copy or store it" in error.explanation
    if isinstance(url, str) and len(url) > 12:
        for text in texts(error):
            assert url not in text and "evil" not in text and "\x1b" not in text


@pytest.mark.parametrize("kind", sorted(HOSTILE_LINK_BODIES))
async def test_hostile_json_is_a_clean_api_error_with_the_request_id(kind):
    body = HOSTILE_LINK_BODIES[kind].encode("latin-1")
    error = await create_error(httpx.Response(200, content=body, headers={"Request-Id": "req_Hostile2"}))
    assert isinstance(error, UntrustedAnswerError), kind
    assert error.request_id == "req_Hostile2" and error.http_status == 200
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
    assert len(str(error)) < 400  # an excerpt, never the body


@pytest.mark.parametrize("kind", sorted(HOSTILE_ACCOUNTS))
async def test_an_account_field_of_the_wrong_type_or_range_is_named(kind):
    body, field = HOSTILE_ACCOUNTS[kind]
    fake = FakeStripe(ok(body, request_id="req_BadAcct1"))
    async with make_client(fake) as client:
        with pytest.raises(UntrustedAnswerError) as caught:
            await client.retrieve_account(HOSTILE_ACCOUNT)
    error = caught.value
    assert error.message == f"The answer was not what Stripe sends: {error.problem}"
    assert error.problem.startswith(field + " "), error.problem
    assert error.request_id == "req_BadAcct1" and not error.link_refused


async def test_a_list_with_one_hostile_account_names_its_position():
    page = {"object": "list", "has_more": False, "data": [account_body(), account_body(email=[1])]}
    fake = FakeStripe(ok(page))
    async with make_client(fake) as client:
        with pytest.raises(UntrustedAnswerError, match=r"data\[1\]\.email is not text"):
            await client.list_accounts()


async def test_text_fields_are_kept_as_one_plain_line():
    body = account_body(business_profile={"name": "Acme\x1b]0;pwned\x07\nExpires 2099"},
                        requirements={"currently_due": ["external_account\r\nforged"]})
    async with make_client(FakeStripe(ok(body))) as client:
        account = await client.retrieve_account(HOSTILE_ACCOUNT)
    assert account.business_name == "Acme ]0;pwned Expires 2099"
    assert account.requirements.currently_due == ("external_account forged",)


@pytest.mark.parametrize(
    ("expires_at", "trusted"),
    [(CREATED + 300, True), (CREATED, True), (CREATED - 1, False), (CREATED + 86_401, False), (CREATED + 10**9, False)],
)
async def test_an_implausible_expiry_is_not_trusted_for_the_countdown(expires_at, trusted):
    async with make_client(FakeStripe(ok(link_body(expires_at=expires_at)))) as client:
        link = await client.create_account_link(REQUEST)
    assert link.expiry_trusted is trusted
    expected_ttl = expires_at - CREATED if trusted else FALLBACK_TTL
    assert link.ttl == expected_ttl and Countdown.for_link(link).ttl == expected_ttl
    assert link.expires_at == CREATED + expected_ttl  # what the card and the history keep too


async def test_a_request_id_header_echoing_the_key_is_dropped():
    echo = {"Request-Id": TEST_SECRET}
    async with make_client(FakeStripe(ok(link_body(), request_id=TEST_SECRET))) as client:
        link = await client.create_account_link(REQUEST)
    assert link.request_id is None
    error = await create_error(httpx.Response(400, json={"error": {"message": "no"}}, headers=echo))
    assert error.request_id is None
    assert all(TEST_SECRET not in text for text in texts(error))


async def test_a_key_echoed_in_a_success_body_that_is_refused_does_not_leak():
    body = json.dumps(link_body(url=f"javascript:{TEST_SECRET}", note=TEST_SECRET)).encode()
    error = await create_error(httpx.Response(200, content=body[:-5], headers={"Request-Id": "req_1"}))
    assert all(TEST_SECRET not in text for text in texts(error))


class CountingStream(httpx.AsyncByteStream):
    """A streamed body (as a real transport gives), counting what the client read of it."""

    def __init__(self, data: bytes, chunk: int = 65_536, delay: float = 0.0) -> None:
        self.data, self.chunk, self.delay, self.sent = data, chunk, delay, 0

    async def __aiter__(self):
        for start in range(0, len(self.data), self.chunk):
            if self.delay:
                await asyncio.sleep(self.delay)
            piece = self.data[start:start + self.chunk]
            self.sent += len(piece)
            yield piece


async def test_a_gzip_bomb_is_stopped_at_the_cap_without_reading_the_rest():
    bomb = gzip_bomb(1024)  # 1 MB that inflates to 1 GB
    stream = CountingStream(bomb, chunk=4_096)

    async def answer(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Encoding": "gzip", "Request-Id": "req_Bomb1"}
        return httpx.Response(200, headers=headers, stream=stream)

    started = time.perf_counter()
    error = await create_error(answer)
    assert time.perf_counter() - started < 2.0
    assert isinstance(error, UntrustedAnswerError) and "larger than 2 MB" in error.message
    assert error.request_id == "req_Bomb1"
    assert stream.sent < 64 * 1024  # about 2 KB of the bomb inflate to 2 MB; the rest is never read


async def test_a_declared_length_over_the_cap_is_refused_before_reading():
    stream = CountingStream(b"x" * 10)

    async def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": "50000000"}, stream=stream)

    error = await create_error(answer)
    assert isinstance(error, UntrustedAnswerError) and stream.sent == 0


async def test_a_content_length_of_non_ascii_digits_is_no_traceback():
    async def answer(request: httpx.Request) -> httpx.Response:
        headers = [(b"Content-Length", "\u00b2".encode("latin-1")), (b"Request-Id", b"req_Len1")]
        return httpx.Response(200, headers=headers, stream=CountingStream(json.dumps(link_body()).encode()))

    async with make_client(FakeStripe(answer)) as client:
        link = await client.create_account_link(REQUEST)
    assert link.request_id == "req_Len1"


async def test_an_unasked_for_content_encoding_is_refused():
    async def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "br"}, stream=CountingStream(b"\x00" * 10))

    error = await create_error(answer)
    assert isinstance(error, UntrustedAnswerError) and "encoding" in error.message


async def test_a_small_gzip_answer_is_read_normally():
    import gzip

    body = gzip.compress(json.dumps(link_body()).encode())

    async def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["accept-encoding"] == "gzip, deflate"
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=CountingStream(body))

    async with make_client(FakeStripe(answer)) as client:
        link = await client.create_account_link(REQUEST)
    assert link.created == CREATED


async def test_a_trickling_answer_ends_at_the_overall_deadline():
    stream = CountingStream(json.dumps(link_body()).encode(), chunk=1, delay=0.05)

    async def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=stream)

    started = time.perf_counter()
    error = await create_error(answer, deadline=0.5)
    elapsed = time.perf_counter() - started
    assert isinstance(error, APITimeoutError) and "within 0.5 s" in error.message
    assert 0.4 < elapsed < 1.5 and 0 < stream.sent < 100


async def test_the_deadline_covers_retries_too():
    async def slow_failure(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.2)
        return httpx.Response(503, json={"error": {"type": "api_error", "message": "down"}})

    fake = FakeStripe(slow_failure)
    started = time.perf_counter()
    async with make_client(fake, deadline=0.5, max_retries=50, sleep=asyncio.sleep) as client:
        with pytest.raises(StripeError):
            await client.create_account_link(REQUEST)
    assert time.perf_counter() - started < 1.5 and len(fake.requests) <= 3
