"""Our form encoding is byte-identical to what Stripe's Python SDK sends.

Three levels of proof: the encoder against the SDK's own encoding steps; our client's request
body against what the SDK hands its HTTP layer (a custom ``stripe.HTTPClient``, the SDK's hook);
and the bytes on the wire when the SDK's own ``HTTPXClient`` runs over an ``httpx.MockTransport``.
"""

from __future__ import annotations

import functools
import json
import random
import types
from urllib.parse import urlencode

import httpx
import pytest
import stripe
from stripe._encode import _api_encode

from app.stripe.encoding import encode_form, flatten
from app.stripe.validation import LinkRequest
from fake_stripe_api import TEST_SECRET, FakeStripe, account_json, link_json, make_client, ok

PARAM_SETS = [
    {},
    {"account": "acct_1", "type": "account_onboarding"},
    {"refresh_url": "https://e.com/r?a=1&b=[x]&c=d e+f%20#frag", "return_url": "https://é.example/ü?q=€"},
    {"collection_options": {"fields": "eventually_due", "future_requirements": "include"}},
    {"collection_options": {"fields": None, "future_requirements": "omit"}, "skip": None},
    {"collection_options": {"fields": None}},
    {"limit": 100, "created": {"gt": 1, "gte": 2, "lt": 3, "lte": 4}, "starting_after": "acct_9"},
    {"flag": True, "other": False, "n": 0, "empty": ""},
    {"expand": ["data.requirements", "data.controller"]},
    {"items": [{"price": "p_1", "quantity": 2}, {"price": "p_2"}], "nested": {"deep": {"deeper": "x"}}},
    {"metadata": {"order id": "A&B=C", "emoji": "🙂"}},
]


def sdk_encode(params: dict) -> str:
    """The SDK's steps, as in stripe._api_requestor._args_for_request_with_retries."""
    return urlencode(list(_api_encode(params))).replace("%5B", "[").replace("%5D", "]")


@pytest.mark.parametrize("params", PARAM_SETS)
def test_encoder_matches_the_sdk_encoder(params):
    assert encode_form(params) == sdk_encode(params)


def test_encoder_matches_the_sdk_on_random_text():
    """Quoting fast path vs the SDK's urlencode-then-restore-brackets, on awkward characters."""
    rng = random.Random(20261028)
    alphabet = "aZ09_.-~ []%5BD+&=?/#:;,'\"<>\\\t\né€🙂\x00"
    for _ in range(500):
        words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(4)]
        params = {words[0]: words[1], "nested": {words[2]: words[3]}, "list": [words[1], words[3]]}
        assert encode_form(params) == sdk_encode(params), params


def test_nested_brackets_are_literal_and_none_is_omitted():
    params = {"collection_options": {"fields": "eventually_due", "future_requirements": None}, "x": None}
    assert encode_form(params) == "collection_options[fields]=eventually_due"
    assert list(flatten({"a": [1, [2, 3]]})) == [("a[0]", "1"), ("a[1][0]", "2"), ("a[1][1]", "3")]


# --- whole requests ---------------------------------------------------------------------------

REQUESTS = [
    LinkRequest("acct_1Mt0CORHFI4mz9Rw", "account_onboarding", "https://e.com/refresh", "https://e.com/return"),
    LinkRequest(
        "acct_1Mt0CORHFI4mz9Rw",
        "account_update",
        "https://shop.example.com/connect/refresh?acct=acct_1Mt0CORHFI4mz9Rw&t=[1]",
        "https://shop.example.com/connect/return?next=/dashböard&x=a+b%2F&y=€",
        collection_fields="eventually_due",
        future_requirements="include",
    ),
    LinkRequest(
        "acct_2", "account_onboarding", "http://localhost:3000/r", "http://localhost:3000/ok", future_requirements="omit"
    ),
]


class CapturingHTTPClient(stripe.HTTPClient):
    """The SDK's documented extension point: records what the SDK would put on the wire."""

    name = "capture"

    def __init__(self, body: dict) -> None:
        super().__init__()
        self.body = body
        self.calls: list[tuple[str, str, dict, str | None]] = []

    async def request_async(self, method, url, headers, post_data=None):
        self.calls.append((method, url, dict(headers), post_data))
        return json.dumps(self.body).encode(), 200, {"Request-Id": "req_sdk"}

    async def close_async(self) -> None:
        pass


async def our_request(call, reply: dict) -> httpx.Request:
    """The one request our client sends for ``call``, answered with ``reply``."""
    fake = FakeStripe(ok(reply))
    async with make_client(fake) as client:
        await call(client)
    (request,) = fake.requests
    return request


@pytest.mark.parametrize("request_", REQUESTS)
async def test_link_body_matches_what_the_sdk_sends(request_):
    ours = await our_request(lambda client: client.create_account_link(request_), link_json())
    sdk_http = CapturingHTTPClient(link_json())
    sdk = stripe.StripeClient(TEST_SECRET, http_client=sdk_http, max_network_retries=0)
    await sdk.v1.account_links.create_async(request_.to_params())
    ((method, url, headers, body),) = sdk_http.calls
    assert ours.content.decode() == body
    assert (ours.method, str(ours.url)) == (method.upper(), url)
    assert ours.headers["content-type"] == headers["Content-Type"]
    assert "collect=" not in body and "collect" not in ours.content.decode().split("=")


async def test_list_query_matches_what_the_sdk_sends():
    async def list_call(client):
        await client.list_accounts(limit=3, starting_after="acct_9", created={"gte": 1_700_000_000, "lt": 1_800_000_000})

    ours = await our_request(list_call, {"object": "list", "data": []})
    sdk_http = CapturingHTTPClient({"object": "list", "data": [], "has_more": False, "url": "/v1/accounts"})
    sdk = stripe.StripeClient(TEST_SECRET, http_client=sdk_http, max_network_retries=0)
    await sdk.v1.accounts.list_async(
        {"limit": 3, "starting_after": "acct_9", "created": {"gte": 1_700_000_000, "lt": 1_800_000_000}}
    )
    ((_, url, _, _),) = sdk_http.calls
    assert str(ours.url) == url
    assert ours.url.raw_path == httpx.URL(url).raw_path


def sdk_httpx_client(handler) -> stripe.HTTPXClient:
    """The SDK's own httpx client, built on a MockTransport through its ``_lib`` hook."""
    lib = types.SimpleNamespace(
        AsyncClient=functools.partial(httpx.AsyncClient, transport=httpx.MockTransport(handler)), Client=httpx.Client
    )
    return stripe.HTTPXClient(_lib=lib)


# The SDK passes its body as httpx's deprecated data=<str>; that warning is the SDK's, not ours.
@pytest.mark.filterwarnings("ignore:Use 'content=:DeprecationWarning")
@pytest.mark.parametrize("request_", REQUESTS)
async def test_wire_bytes_match_the_sdk_over_httpx(request_):
    ours = await our_request(lambda client: client.create_account_link(request_), link_json())
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok(link_json())

    sdk_http = sdk_httpx_client(handler)
    try:
        sdk = stripe.StripeClient(TEST_SECRET, http_client=sdk_http, max_network_retries=0)
        await sdk.v1.account_links.create_async(request_.to_params())
    finally:
        await sdk_http.close_async()
    (theirs,) = seen
    assert ours.content == theirs.content
    assert ours.url.raw_path == theirs.url.raw_path
    for header in ("content-type", "stripe-version", "authorization", "content-length"):
        assert ours.headers[header] == theirs.headers[header], header


async def test_retrieve_path_matches_the_sdk():
    ours = await our_request(
        lambda client: client.retrieve_account("acct_1Mt0CORHFI4mz9Rw"), account_json("acct_1Mt0CORHFI4mz9Rw")
    )
    sdk_http = CapturingHTTPClient(account_json("acct_1Mt0CORHFI4mz9Rw"))
    sdk = stripe.StripeClient(TEST_SECRET, http_client=sdk_http, max_network_retries=0)
    await sdk.v1.accounts.retrieve_async("acct_1Mt0CORHFI4mz9Rw")
    ((method, url, _, body),) = sdk_http.calls
    assert (ours.method, str(ours.url), ours.content) == (method.upper(), url, b"")
    assert body is None

