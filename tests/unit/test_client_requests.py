"""What the client sends and what it returns, for each endpoint."""

from __future__ import annotations

import uuid
from dataclasses import replace

import httpx
import pytest

import app
from app.clock import FakeClock
from app.stripe.client import DEFAULT_STRIPE_VERSION, StripeClient
from app.stripe.errors import ValidationError
from app.stripe.keys import ApiKey
from app.stripe.models import Account, AccountLink, AccountList
from app.stripe.validation import LinkRequest
from fake_stripe_api import (
    ACCOUNT,
    LINK_URL,
    LIVE_SECRET,
    TEST_SECRET,
    FakeStripe,
    account_json,
    link_json,
    make_client,
    ok,
)

REQUEST = LinkRequest(ACCOUNT, "account_onboarding", "https://e.com/refresh", "https://e.com/return")


async def test_create_link_returns_the_typed_link_with_request_id_and_sending_instant():
    clock = FakeClock(mono=4_321.5)

    async def answer_later(request: httpx.Request) -> httpx.Response:
        clock.advance(0.25)  # time passes while Stripe works
        return ok(link_json(created=1_700_000_000, ttl=300), request_id="req_abc")

    fake = FakeStripe(answer_later)
    async with make_client(fake, clock=clock) as client:
        link = await client.create_account_link(REQUEST)
    assert isinstance(link, AccountLink)
    assert (link.url, link.created, link.expires_at, link.ttl) == (LINK_URL, 1_700_000_000, 1_700_000_300, 300)
    assert link.request_id == "req_abc"
    assert link.received_monotonic == 4_321.5  # counted from the send: a slow answer never adds time
    with pytest.raises(AttributeError):
        link.url = "changed"  # type: ignore[misc]


async def test_post_headers_and_form_body():
    fake = FakeStripe(ok(link_json()))
    async with make_client(fake) as client:
        await client.create_account_link(REQUEST)
    (request,) = fake.requests
    assert request.method == "POST"
    assert str(request.url) == "https://api.stripe.com/v1/account_links"
    assert request.headers["authorization"] == f"Bearer {TEST_SECRET}"
    assert request.headers["stripe-version"] == DEFAULT_STRIPE_VERSION == "2026-10-28.endive"
    assert request.headers["user-agent"].startswith(f"linkdesk/{app.__version__} ")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert uuid.UUID(request.headers["idempotency-key"]).version == 4
    assert request.content == (
        b"account=acct_1Mt0CORHFI4mz9Rw&type=account_onboarding"
        b"&refresh_url=https%3A%2F%2Fe.com%2Frefresh&return_url=https%3A%2F%2Fe.com%2Freturn"
    )


async def test_each_post_gets_its_own_idempotency_key_unless_given():
    fake = FakeStripe(ok(link_json()))
    async with make_client(fake) as client:
        await client.create_account_link(REQUEST)
        await client.create_account_link(REQUEST)
        await client.create_account_link(REQUEST, idempotency_key="link-for-order-42")
    keys = [r.headers["idempotency-key"] for r in fake.requests]
    assert keys[0] != keys[1]
    assert keys[2] == "link-for-order-42"


async def test_collection_options_are_sent_in_brackets():
    fake = FakeStripe(ok(link_json()))
    request = LinkRequest(
        ACCOUNT, "account_update", "https://e.com/r", "https://e.com/b", "eventually_due", "include"
    )
    async with make_client(fake) as client:
        await client.create_account_link(request)
    body = fake.requests[0].content.decode()
    assert body.endswith("&collection_options[fields]=eventually_due&collection_options[future_requirements]=include")
    assert "collect=" not in body


async def test_stripe_version_and_api_base_are_configurable():
    fake = FakeStripe(ok(account_json()))
    async with make_client(fake, api_base="http://localhost:12111/", stripe_version="2025-01-27.acacia") as client:
        await client.retrieve_platform_account()
        assert client.api_base == "http://localhost:12111"
    (request,) = fake.requests
    assert str(request.url) == "http://localhost:12111/v1/account"
    assert request.headers["stripe-version"] == "2025-01-27.acacia"


async def test_timeouts_reach_the_transport():
    fake = FakeStripe(ok(account_json()))
    async with make_client(fake, timeout=12.5, connect_timeout=3.0) as client:
        await client.retrieve_platform_account()
    assert fake.requests[0].extensions["timeout"] == {"connect": 3.0, "read": 12.5, "write": 12.5, "pool": 12.5}


async def test_default_timeouts_are_30_and_10_seconds():
    fake = FakeStripe(ok(account_json()))
    async with StripeClient(ApiKey(TEST_SECRET), transport=fake.transport) as client:
        await client.retrieve_platform_account()
    assert fake.requests[0].extensions["timeout"] == {"connect": 10.0, "read": 30.0, "write": 30.0, "pool": 30.0}


async def test_retrieve_account_accepts_a_dashboard_address():
    fake = FakeStripe(ok(account_json("acct_77", business_profile={"name": "Harbor Street Bakery"})))
    async with make_client(fake) as client:
        account = await client.retrieve_account(" https://dashboard.stripe.com/test/connect/accounts/acct_77/activity ")
    (request,) = fake.requests
    assert (request.method, str(request.url)) == ("GET", "https://api.stripe.com/v1/accounts/acct_77")
    assert "idempotency-key" not in request.headers and "content-type" not in request.headers
    assert isinstance(account, Account)
    assert (account.id, account.display_name) == ("acct_77", "Harbor Street Bakery")


async def test_list_accounts_sends_filters_and_returns_a_typed_page():
    page = {"object": "list", "url": "/v1/accounts", "has_more": True, "data": [account_json("acct_2"), account_json("acct_1")]}
    fake = FakeStripe(ok(page, request_id="req_list"))
    async with make_client(fake) as client:
        result = await client.list_accounts(limit=2, ending_before="acct_3", created={"gte": 1_700_000_000})
    (request,) = fake.requests
    assert request.url.raw_path == b"/v1/accounts?limit=2&ending_before=acct_3&created[gte]=1700000000"
    assert isinstance(result, AccountList)
    assert [a.id for a in result.data] == ["acct_2", "acct_1"]
    assert (result.has_more, result.request_id) == (True, "req_list")


async def test_list_accounts_without_filters_has_no_query():
    fake = FakeStripe(ok({"object": "list", "data": [], "has_more": False}))
    async with make_client(fake) as client:
        result = await client.list_accounts()
    assert fake.requests[0].url.raw_path == b"/v1/accounts"
    assert result.data == ()


async def test_platform_account():
    fake = FakeStripe(ok(account_json("acct_platform", settings={"dashboard": {"display_name": "Linkdesk Demo"}})))
    async with make_client(fake) as client:
        account = await client.retrieve_platform_account()
    assert str(fake.requests[0].url) == "https://api.stripe.com/v1/account"
    assert account.display_name == "Linkdesk Demo"


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.create_account_link(LinkRequest("acct 1", "account_onboarding", "https://e.com", "https://e.com")), "account"),
        (lambda c: c.create_account_link(LinkRequest(ACCOUNT, "onboarding", "https://e.com", "https://e.com")), "type"),
        (lambda c: c.create_account_link(LinkRequest(ACCOUNT, "account_update", "e.com", "https://e.com")), "refresh_url"),
        (lambda c: c.create_account_link(LinkRequest(ACCOUNT, "account_update", "https://e.com", "https://e .com")), "return_url"),
        (lambda c: c.create_account_link(replace(REQUEST, collection_fields="all")), "collection_fields"),
        (lambda c: c.create_account_link(replace(REQUEST, future_requirements="x")), "future_requirements"),
        (lambda c: c.create_account_link(REQUEST, idempotency_key=""), "idempotency_key"),
        (lambda c: c.retrieve_account("cus_123"), "account"),
        (lambda c: c.list_accounts(limit=1000), "limit"),
        (lambda c: c.list_accounts(created={"after": 1}), "created"),
    ],
)
async def test_invalid_input_is_refused_before_any_request(call, field):
    fake = FakeStripe(ok(link_json()))
    async with make_client(fake) as client:
        with pytest.raises(ValidationError) as caught:
            await call(client)
    assert caught.value.field == field
    assert fake.requests == []


async def test_live_key_requires_https_redirects_before_sending():
    fake = FakeStripe(ok(link_json()))
    async with make_client(fake, secret=LIVE_SECRET) as client:
        assert client.mode == "live"
        with pytest.raises(ValidationError) as caught:
            await client.create_account_link(
                LinkRequest(ACCOUNT, "account_onboarding", "https://e.com/r", "http://e.com/back")
            )
    assert caught.value.field == "return_url"
    assert fake.requests == []


def test_live_key_is_not_sent_over_plain_http_to_another_host():
    with pytest.raises(ValidationError) as caught:
        StripeClient(ApiKey(LIVE_SECRET), api_base="http://proxy.example.com")
    assert caught.value.field == "api_base"


async def test_aclose_twice_is_safe_and_repr_hides_the_key():
    client = make_client(FakeStripe())
    assert TEST_SECRET not in repr(client) and "sk_test_…4abc" in repr(client)
    await client.aclose()
    await client.aclose()


async def test_request_sends_json_with_an_idempotency_key_and_returns_the_checked_answer():
    """The one request path other endpoints (Accounts v2) build on."""
    fake = FakeStripe(ok({"object": "v2.core.account_link", "n": 1}, request_id="req_json1"))
    async with make_client(fake) as client:
        answer = await client.request("POST", "/v2/core/account_links", json_body={"account": ACCOUNT, "n": [1]})
    (request,) = fake.requests
    assert request.headers["content-type"] == "application/json"
    assert request.content == b'{"account":"acct_1Mt0CORHFI4mz9Rw","n":[1]}'
    assert uuid.UUID(request.headers["idempotency-key"])
    assert answer.data == {"object": "v2.core.account_link", "n": 1} and answer.request_id == "req_json1"
    assert answer.status == 200 and answer.sent == answer.first_sent


def test_a_plain_http_base_never_loads_the_ca_bundle_but_https_does():
    """The sandbox and stripe-mock speak plain HTTP: their clients skip the 20-300 ms CA load."""
    import ssl

    from app.stripe.transport import tls_context, tls_context_for

    plain = tls_context_for("http://127.0.0.1:12112")
    assert isinstance(plain, ssl.SSLContext) and plain.cert_store_stats()["x509_ca"] == 0
    assert tls_context_for("https://api.stripe.com") is tls_context()
    assert tls_context().cert_store_stats()["x509_ca"] > 0
