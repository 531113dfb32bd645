"""The client on the two Accounts v2 endpoints (httpx.MockTransport): what it sends, what it
returns, how v2 errors come back, and that retries keep one Idempotency-Key."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import httpx
import pytest

from app.clock import FakeClock
from app.stripe.errors import APIError, IdempotencyError, InvalidRequestError, PermissionDeniedError, UntrustedAnswerError
from app.stripe.v2 import LinkRequestV2
from app.stripe.v2_models import AccountLinkV2, AccountV2
from fake_stripe_api import ACCOUNT, FakeStripe, Sleeps, make_client, ok
from test_v2_request_body import V2_URL, v2_link_json

REQUEST = LinkRequestV2(ACCOUNT, "account_onboarding", "https://e.com/refresh", "https://e.com/return")


def v2_error(status: int, *, type: str = "invalid_request_error", code: str | None = None,
             message: str = "Something went wrong.", request_id: str = "req_v2err", **headers: str) -> httpx.Response:
    error = {"type": type, "message": message}
    if code:
        error["code"] = code
    return httpx.Response(status, json={"error": error}, headers={"Request-Id": request_id, **headers})


async def test_retrieve_sends_the_include_values_and_reads_the_account():
    body = {"id": ACCOUNT, "object": "v2.core.account", "applied_configurations": ["merchant"], "dashboard": "none",
            "display_name": "Harbor Street Bakery", "created": "2024-05-21T14:02:11.000Z",
            "defaults": {"responsibilities": {"requirements_collector": "application"}}}
    fake = FakeStripe(ok(body))
    async with make_client(fake) as client:
        account = await client.retrieve_account_v2(f" https://dashboard.stripe.com/test/connect/accounts/{ACCOUNT} ")
    (sent,) = fake.requests
    assert sent.method == "GET" and sent.url.path == f"/v2/core/accounts/{ACCOUNT}"
    assert parse_qsl(sent.url.query.decode()) == [
        ("include[0]", "configuration.customer"), ("include[1]", "configuration.merchant"),
        ("include[2]", "configuration.recipient"), ("include[3]", "defaults"), ("include[4]", "identity"),
        ("include[5]", "requirements"),
    ]
    assert "idempotency-key" not in sent.headers and sent.content == b""
    assert isinstance(account, AccountV2) and account.name == "Harbor Street Bakery"
    assert account.update_gate.allowed is True


async def test_create_returns_the_v2_link_with_its_countdown_start():
    clock = FakeClock(mono=100.0)
    fake = FakeStripe(ok(v2_link_json(), request_id="req_v2ok"))
    async with make_client(fake, clock=clock) as client:
        link = await client.create_account_link_v2(REQUEST)
    assert isinstance(link, AccountLinkV2)
    assert (link.url, link.ttl, link.request_id, link.received_monotonic) == (V2_URL, 600, "req_v2ok", 100.0)
    assert link.configurations == ("merchant",)
    sent = fake.requests[0]
    assert sent.headers["stripe-version"] == "2026-10-28.endive"
    assert 0 < len(sent.headers["idempotency-key"]) <= 255


async def test_retries_resend_the_same_body_and_idempotency_key():
    sleeps = Sleeps()
    fake = FakeStripe(httpx.ReadError("reset"), v2_error(500, type="api_error"), v2_error(429, code="rate_limit"),
                      ok(v2_link_json()))
    async with make_client(fake, sleep=sleeps, max_retries=3) as client:
        await client.create_account_link_v2(REQUEST, idempotency_key="op-42")
    assert len(fake.requests) == 4
    assert {r.headers["idempotency-key"] for r in fake.requests} == {"op-42"}
    assert len({r.content for r in fake.requests}) == 1
    assert sleeps.delays == [0.5, 1.0, 2.0]


async def test_stripe_should_retry_false_is_obeyed():
    fake = FakeStripe(v2_error(500, type="api_error", **{"Stripe-Should-Retry": "false"}), ok(v2_link_json()))
    async with make_client(fake) as client:
        with pytest.raises(APIError) as raised:
            await client.create_account_link_v2(REQUEST)
    assert len(fake.requests) == 1 and raised.value.request_id == "req_v2err"


@pytest.mark.parametrize(
    "reply,cls,words",
    [
        (v2_error(404, code="not_found", message="The resource wasn't found."), InvalidRequestError, "through Accounts v2"),
        (v2_error(400, message="Accounts v2 is not enabled for your platform."), InvalidRequestError, "--accounts-api v1"),
        (v2_error(400, code="parameter_unknown",
                  message="Received unknown parameter: use_case.account_onboarding.configurations"),
         InvalidRequestError, "Stripe picks"),
        (v2_error(400, type="idempotency_error", message="Idempotency key reused."), IdempotencyError, "Idempotency-Key"),
        (v2_error(403, message="The provided key does not have access."), PermissionDeniedError, "not allowed"),
    ],
)
async def test_v2_errors_come_back_as_the_same_classes_with_words_and_request_id(reply, cls, words):
    fake = FakeStripe(reply)
    async with make_client(fake) as client:
        with pytest.raises(cls) as raised:
            await client.create_account_link_v2(REQUEST)
    assert raised.value.request_id == "req_v2err"
    assert words in raised.value.explanation


async def test_a_link_on_another_host_is_refused_without_echoing_it():
    evil = {**v2_link_json(), "url": "https://evil.example/r/acct_1#alu_secret_token"}
    fake = FakeStripe(ok(evil))
    async with make_client(fake) as client:
        with pytest.raises(APIError) as raised:
            await client.create_account_link_v2(REQUEST)
    assert "alu_secret_token" not in str(raised.value) and "alu_secret_token" not in raised.value.explanation


async def test_a_replayed_link_counts_down_from_its_making():
    clock = FakeClock(mono=1_000.0)
    fake = FakeStripe(ok(v2_link_json(), **{"Idempotent-Replayed": "true", "Date": "Thu, 01 Jan 2026 00:04:00 GMT"}))
    async with make_client(fake, clock=clock) as client:
        link = await client.create_account_link_v2(REQUEST)
    assert link.received_monotonic == 1_000.0 - 241.0  # 4 minutes old, plus 1 s for rounding


async def test_detection_rules_v2_out_only_when_stripe_says_so():
    not_enabled = v2_error(400, message="Accounts v2 is not enabled for your platform.")
    for reply, api in ((not_enabled, "v1"), (v2_error(404, code="not_found"), "v1"), (ok({"id": ACCOUNT}), None)):
        async with make_client(FakeStripe(reply)) as client:
            assert (await client.detect_accounts_api(ACCOUNT)).api == api
    async with make_client(FakeStripe(v2_error(401, message="Invalid API Key provided"))) as client:
        with pytest.raises(Exception) as raised:
            await client.detect_accounts_api(ACCOUNT)
    assert raised.value.http_status == 401


# -- an answer about another account than the one asked for is refused (issue 18) ---------------
OTHER = "acct_1OtherAccount0001"


async def test_a_v2_link_for_another_account_is_refused_naming_both():
    fake = FakeStripe(ok({**v2_link_json(), "account": OTHER}, request_id="req_v2other"))
    async with make_client(fake) as client:
        with pytest.raises(UntrustedAnswerError) as raised:
            await client.create_account_link_v2(REQUEST)
    error = raised.value
    assert error.request_id == "req_v2other"
    assert OTHER in error.problem and ACCOUNT in error.problem
    assert V2_URL not in str(error) and V2_URL not in error.explanation


async def test_a_v2_link_whose_account_is_not_an_id_is_refused_without_echoing_it():
    fake = FakeStripe(ok({**v2_link_json(), "account": "\x1b]0;pwned\x07"}))
    async with make_client(fake) as client:
        with pytest.raises(UntrustedAnswerError) as raised:
            await client.create_account_link_v2(REQUEST)
    assert "pwned" not in str(raised.value) and "\x1b" not in raised.value.explanation


async def test_a_v2_account_answer_for_another_account_is_refused():
    body = {"id": OTHER, "object": "v2.core.account", "display_name": "Someone Else Ltd"}
    fake = FakeStripe(ok(body, request_id="req_v2acct"))
    async with make_client(fake) as client:
        with pytest.raises(UntrustedAnswerError) as raised:
            await client.retrieve_account_v2(ACCOUNT)
    assert raised.value.request_id == "req_v2acct"
    assert OTHER in raised.value.problem and ACCOUNT in raised.value.problem
    assert "Someone Else" not in raised.value.explanation


async def test_a_v1_account_answer_for_another_account_is_refused_the_same_way():
    body = {"id": OTHER, "object": "account", "business_profile": {"name": "Someone Else Ltd"}}
    fake = FakeStripe(ok(body, request_id="req_v1acct"))
    async with make_client(fake) as client:
        with pytest.raises(UntrustedAnswerError) as raised:
            await client.retrieve_account(ACCOUNT)
    assert raised.value.request_id == "req_v1acct"
    assert OTHER in raised.value.problem and ACCOUNT in raised.value.problem
