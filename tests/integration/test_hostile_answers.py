"""Hostile answers over real loopback HTTP (tests/hostile_server.py), through the StripeClient.

Each category of issue 8 ends in a clean StripeError with the request id where one was sent:
no traceback, no hostile URL in the result, nothing of the key in any text or log record.
"""

from __future__ import annotations

import logging
import time
import tracemalloc

import pytest

from app.stripe import APITimeoutError, ApiKey, LinkRequest, StripeClient, StripeError, UntrustedAnswerError
from hostile_server import (
    ACCOUNT,
    BAD_LINK_URLS,
    GOOD_LINK_URL,
    HOSTILE_ACCOUNTS,
    HOSTILE_LINK_BODIES,
    HostileServer,
    Reply,
    always,
    gzip_bomb,
    json_reply,
    link_body,
    raw_reply,
)

SECRET = "sk_test_51Hk3Pw8Qy5Ld2Gs7Jx0Zz9Q"
REQUEST = LinkRequest(ACCOUNT, "account_onboarding", "https://example.com/reauth", "https://example.com/return")


@pytest.fixture
def serve():
    servers: list[HostileServer] = []

    def start(reply_or_script) -> HostileServer:
        script = always(reply_or_script) if isinstance(reply_or_script, Reply) else reply_or_script
        server = HostileServer(script).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def client_for(server: HostileServer, **options) -> StripeClient:
    return StripeClient(ApiKey(SECRET), api_base=server.url, max_retries=0, **options)


async def fails(server: HostileServer, call: str = "link", **options) -> StripeError:
    async with client_for(server, **options) as client:
        with pytest.raises(StripeError) as caught:
            if call == "link":
                await client.create_account_link(REQUEST)
            else:
                await client.retrieve_account(ACCOUNT)
    return caught.value


def leaked(error: StripeError, logs: pytest.LogCaptureFixture, *secrets: str) -> list[str]:
    """Which ``secrets`` appear in the error or in a record of Linkdesk's own loggers (httpcore's
    DEBUG traces of raw headers go to no handler of the app)."""
    texts = [str(error), repr(error), error.message, error.explanation, str(error.json_body)]
    texts += [r.getMessage() for r in logs.records if r.name.split(".")[0] in ("app", "linkdesk")]
    return [s for s in secrets if any(s in t for t in texts)]


@pytest.mark.parametrize("kind", sorted(BAD_LINK_URLS))
async def test_a_bad_link_url_never_reaches_the_result(serve, logs, kind):
    url = BAD_LINK_URLS[kind]
    server = serve(json_reply(link_body(url=url), request_id="req_BadUrl01"))
    error = await fails(server)
    assert isinstance(error, UntrustedAnswerError) and error.link_refused
    assert "not a Stripe address" in error.message and error.request_id == "req_BadUrl01"
    hostile = [url] if isinstance(url, str) and len(url) > 12 else []
    assert leaked(error, logs, SECRET, *hostile) == []


@pytest.mark.parametrize("kind", sorted(HOSTILE_LINK_BODIES))
async def test_hostile_json_is_a_clean_error(serve, logs, kind):
    server = serve(raw_reply(HOSTILE_LINK_BODIES[kind], request_id="req_BadJson1"))
    error = await fails(server)
    assert isinstance(error, UntrustedAnswerError) and error.request_id == "req_BadJson1"
    assert leaked(error, logs, SECRET, GOOD_LINK_URL) == []


@pytest.mark.parametrize("kind", sorted(HOSTILE_ACCOUNTS))
async def test_hostile_account_fields_are_named(serve, kind):
    body, field = HOSTILE_ACCOUNTS[kind]
    error = await fails(serve(json_reply(body)), call="account")
    assert isinstance(error, UntrustedAnswerError) and error.problem.startswith(field)


async def test_a_trickling_server_cannot_hold_a_request_past_its_deadline(serve):
    server = serve(Reply(body=b'{"object": "account_link"' + b" " * 200 + b"}", trickle=0.05,
                         headers={"Request-Id": "req_Slow0001"}))
    started = time.monotonic()
    error = await fails(server, deadline=1.0)
    elapsed = time.monotonic() - started
    assert isinstance(error, APITimeoutError) and "within 1 s" in error.message
    assert 0.9 < elapsed < 3.0


async def test_a_gzip_bomb_costs_neither_memory_nor_time(serve):
    bomb = gzip_bomb(1024)  # 1 MB on the wire, 1 GB inflated
    server = serve(Reply(body=bomb, headers={"Content-Encoding": "gzip", "Request-Id": "req_Bomb0001"}))
    tracemalloc.start()
    started = time.monotonic()
    try:
        error = await fails(server)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 3.0
    assert isinstance(error, UntrustedAnswerError) and "larger than 2 MB" in error.message
    assert peak < 40_000_000  # the cap plus buffers; inflating it all would take a gigabyte


async def test_a_key_echoed_in_the_request_id_never_reaches_the_link_or_an_error(serve, logs):
    def echo(request_line: str, headers: dict[str, str], body: bytes) -> Reply:
        key = headers["authorization"].removeprefix("Bearer ")
        status = 200 if "account_links" in request_line else 400
        payload = link_body() if status == 200 else {"error": {"message": f"bad key {key}", "type": "x"}}
        return json_reply(payload, status=status, request_id=key, **{"X-Echo": key})

    server = serve(echo)
    async with client_for(server) as client:
        link = await client.create_account_link(REQUEST)
        assert link.request_id is None and link.url == GOOD_LINK_URL
        with pytest.raises(StripeError) as caught:
            await client.retrieve_account(ACCOUNT)
    assert caught.value.request_id is None
    assert leaked(caught.value, logs, SECRET) == []


async def test_a_malformed_header_quoting_the_key_does_not_leak_it(serve, logs):
    def broken(request_line: str, headers: dict[str, str], body: bytes) -> Reply:
        key = headers["authorization"].removeprefix("Bearer ")
        return Reply(body=b"{}", headers={f"Bad Header {key}\x01": "x"})

    error = await fails(serve(broken))
    assert leaked(error, logs, SECRET) == []
    assert all(c.isprintable() for c in error.message)


# -- a deadline that passes once the answer is in does not turn it into a failure (issue 18) ----
async def test_an_answer_that_arrived_while_the_loop_was_busy_past_the_deadline_is_kept(serve):
    """The order is forced, not timed: the server answers only once the event loop is blocked,
    and the loop stays blocked until the whole answer is in the socket and the deadline has
    passed. When the loop comes back, the answer and the deadline are both due."""
    import asyncio
    import threading

    loop_blocked = threading.Event()

    def script(request_line, headers, body):
        loop_blocked.wait(10)
        return json_reply(link_body(), request_id="req_Late0001")

    server = serve(script)
    deadline = 0.5
    started = time.monotonic()

    async def block_the_loop_past_the_deadline() -> None:
        while not server.requests:  # the request has gone out; its answer is held back
            await asyncio.sleep(0.005)
        loop_blocked.set()
        assert server.replied.wait(10)  # blocking on purpose: the loop sees nothing meanwhile
        time.sleep(max(0.0, started + deadline + 0.2 - time.monotonic()))  # like a 69 s decode

    async with client_for(server, deadline=deadline) as client:
        blocker = asyncio.ensure_future(block_the_loop_past_the_deadline())
        link = await client.create_account_link(REQUEST)
        await blocker
    assert time.monotonic() - started > deadline  # the deadline had passed when the answer was read
    assert link.url == GOOD_LINK_URL and link.request_id == "req_Late0001"
