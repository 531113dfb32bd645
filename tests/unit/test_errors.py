"""Stripe's answers become the right exception, with its fields and a plain-language explanation."""

from __future__ import annotations

import httpx
import pytest

from app.stripe.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    IdempotencyError,
    InvalidRequestError,
    PermissionDeniedError,
    RateLimitError,
    StripeError,
    UntrustedAnswerError,
    error_from_response,
    excerpt,
)
from app.stripe.explain import explain
from app.stripe.keys import ApiKey
from app.stripe.validation import LinkRequest
from fake_stripe_api import ACCOUNT, LINK_URL, LIVE_SECRET, TEST_SECRET, FakeStripe, make_client, ok, stripe_error

REQUEST = LinkRequest(ACCOUNT, "account_onboarding", "https://e.com/refresh", "https://e.com/return")


async def failing_call(reply, secret: str = TEST_SECRET, request: LinkRequest = REQUEST) -> StripeError:
    fake = FakeStripe(reply)
    async with make_client(fake, secret=secret, max_retries=0) as client:
        with pytest.raises(StripeError) as caught:
            await client.create_account_link(request)
    return caught.value


@pytest.mark.parametrize(
    ("status", "error_type", "expected"),
    [
        (400, "invalid_request_error", InvalidRequestError),
        (401, "invalid_request_error", AuthenticationError),
        (403, "invalid_request_error", PermissionDeniedError),
        (404, "invalid_request_error", InvalidRequestError),
        (400, "idempotency_error", IdempotencyError),
        (409, "idempotency_error", IdempotencyError),
        (409, "invalid_request_error", APIError),
        (429, "rate_limit_error", RateLimitError),
        (500, "api_error", APIError),
        (503, "api_error", APIError),
        (402, "card_error", APIError),
    ],
)
async def test_status_and_type_choose_the_class_and_fields_are_kept(status, error_type, expected):
    error = await failing_call(
        stripe_error(status, type=error_type, code="some_code", message="Stripe says no.", param="type", request_id="req_X1")
    )
    assert type(error) is expected
    assert (error.http_status, error.code, error.message, error.param, error.request_id, error.error_type) == (
        status, "some_code", "Stripe says no.", "type", "req_X1", error_type,
    )
    assert error.doc_url == "https://stripe.com/docs/error-codes/some_code"
    assert error.json_body["error"]["message"] == "Stripe says no."
    assert "req_X1" in str(error) and "Stripe says no." in str(error)
    assert error.explanation


async def test_connection_and_timeout_errors():
    refused = await failing_call(httpx.ConnectError("[Errno 111] Connection refused"))
    assert type(refused) is APIConnectionError and "Connection refused" in refused.message
    assert "could not reach" in refused.explanation.lower()
    timeout = await failing_call(httpx.ReadTimeout("timed out"))
    assert type(timeout) is APITimeoutError and timeout.retryable_by_user
    assert "in time" in timeout.explanation


# --- the situations an operator meets --------------------------------------------------------

SITUATIONS = [
    pytest.param(
        stripe_error(403, code="account_invalid", message=(
            "The provided key 'sk_test_*********************4abc' does not have access to account "
            f"'{ACCOUNT}' (or that account does not exist). Application access may have been revoked."
        )),
        TEST_SECRET, PermissionDeniedError, [ACCOUNT, "not be connected", "live mode"],
        id="403 account_invalid",
    ),
    pytest.param(
        stripe_error(404, code="resource_missing", param="account", message=f"No such account: '{ACCOUNT}'"),
        TEST_SECRET, InvalidRequestError, [ACCOUNT, "cannot find", "mistyped"],
        id="404 resource_missing",
    ),
    pytest.param(
        stripe_error(400, param="type", message=(
            "You cannot create `account_update` type Account Links for accounts with access to a Stripe-hosted Dashboard."
        )),
        TEST_SECRET, InvalidRequestError, [f"Account {ACCOUNT} cannot take an update link", "account_onboarding"],
        id="account_update not allowed",
    ),
    pytest.param(
        stripe_error(400, param="return_url", message="Livemode requests must always be redirected via HTTPS."),
        LIVE_SECRET, InvalidRequestError, ["https://", "Live-mode"],
        id="http url in live mode",
    ),
    pytest.param(
        stripe_error(400, code="url_invalid", param="refresh_url", message="Not a valid URL"),
        TEST_SECRET, InvalidRequestError, ["refresh_url", "full address"],
        id="url_invalid",
    ),
    pytest.param(
        stripe_error(403, message=(
            "The provided key 'rk_live_*********************wxyz' does not have the required permissions for this "
            "endpoint on account 'acct_1Plat'. Having the 'rak_account_link_write' permission would allow this "
            "request to continue."
        )),
        "rk_live_51HxRestrictedKeyAbCdEfGhwxyz", PermissionDeniedError, ["rk_live_…wxyz", "Connect", "restricted"],
        id="restricted key without Connect",
    ),
    pytest.param(
        stripe_error(400, message=(
            f"The account {ACCOUNT} was a test account created with a testmode key, and therefore can only be "
            "used with testmode keys"
        )),
        LIVE_SECRET, InvalidRequestError, [f"Account {ACCOUNT} is a test-mode account", "live key", "sk_test_"],
        id="test account with live key",
    ),
    pytest.param(
        stripe_error(429, type="rate_limit_error", code="rate_limit", message="Too many requests."),
        TEST_SECRET, RateLimitError, ["limiting", "try again"],
        id="rate limited",
    ),
    pytest.param(
        stripe_error(429, code="lock_timeout", message="This object cannot be accessed right now."),
        TEST_SECRET, RateLimitError, ["same moment", ACCOUNT],
        id="lock timeout",
    ),
    pytest.param(
        stripe_error(401, message="Invalid API Key provided: sk_test_*****************4abc"),
        TEST_SECRET, AuthenticationError, ["refused the API key", "Developers → API keys"],
        id="bad key",
    ),
    pytest.param(
        stripe_error(401, code="api_key_expired", message="Expired API Key provided: sk_test_****4abc"),
        TEST_SECRET, AuthenticationError, ["expired", "roll"],
        id="expired key",
    ),
    pytest.param(
        stripe_error(400, type="idempotency_error", message="Keys for idempotent requests can only be used with the same parameters they were first used with."),
        TEST_SECRET, IdempotencyError, ["Idempotency-Key", "Make the link again"],
        id="idempotency",
    ),
    pytest.param(
        stripe_error(500, type="api_error", message="An unknown error occurred"),
        TEST_SECRET, APIError, ["Stripe had a problem", "status.stripe.com"],
        id="stripe side",
    ),
]


@pytest.mark.parametrize(("reply", "secret", "error_class", "phrases"), SITUATIONS)
async def test_each_situation_is_explained_with_a_fix(reply, secret, error_class, phrases):
    error = await failing_call(reply, secret=secret)
    assert type(error) is error_class
    for phrase in phrases:
        assert phrase in error.explanation
    assert secret not in error.explanation and secret not in str(error) and secret not in repr(error)


def test_live_account_with_a_test_key_is_explained():
    error = InvalidRequestError(
        "No such account: 'acct_1'; a similar object exists in live mode, but a test mode key was used to make this request.",
        http_status=404, code="resource_missing", param="account",
    )
    text = explain(error, key=ApiKey(TEST_SECRET), account="acct_1")
    assert "live mode" in text and "live key" in text


def test_unknown_error_falls_back_to_stripe_words():
    error = InvalidRequestError("Received unknown parameter: foo", http_status=400, param="foo")
    assert explain(error, key=ApiKey(TEST_SECRET)) == "Stripe refused the value of foo: Received unknown parameter: foo"


# --- bodies that are not Stripe's JSON -------------------------------------------------------

PROXY_PAGE = """<!DOCTYPE html><html><head><title>502 Bad Gateway</title>
<style>body { font-family: sans-serif; }</style><script>var x = "<b>";</script></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx/1.25.3</center>
<p>The upstream at https://internal.example.net/stripe did not answer &amp; was retried.</p></body></html>"""


async def test_proxy_html_page_is_an_api_error_with_a_short_excerpt():
    error = await failing_call(httpx.Response(502, text=PROXY_PAGE, headers={"Content-Type": "text/html"}))
    assert type(error) is APIError
    assert error.http_status == 502 and error.error_type is None and error.request_id is None
    assert "<" not in error.message.replace("<url>", "") and "font-family" not in error.message
    assert "502 Bad Gateway" in error.message and "nginx/1.25.3" in error.message
    assert len(error.message) < 200
    assert "proxy" in error.explanation


@pytest.mark.parametrize(
    "body", [b'{"error": {"type": "api_error", "message": "Internal ser', b"", b"\xff\xfe\x00garbage", b"[1, 2]", b'{"error": "nope"}']
)
async def test_truncated_or_odd_error_bodies_never_crash(body):
    error = await failing_call(httpx.Response(500, content=body))
    assert type(error) is APIError and error.http_status == 500


async def test_truncated_success_body_does_not_reveal_the_link_url():
    body = ('{"object": "account_link", "created": 1700000000, "expires_at": 1700000300, "url": "' + LINK_URL).encode()
    error = await failing_call(httpx.Response(200, content=body, headers={"Request-Id": "req_cut"}))
    assert type(error) is UntrustedAnswerError and error.request_id == "req_cut"
    for text in (str(error), repr(error), error.explanation):
        assert LINK_URL not in text and "TqckGNUHg2mG" not in text


async def test_success_body_without_link_fields_is_an_api_error():
    error = await failing_call(ok({"object": "account_link", "created": 1}))
    assert type(error) is UntrustedAnswerError and error.http_status == 200
    assert isinstance(error, APIError) and error.problem == "expires_at is not a whole number"


def test_excerpt_strips_tags_collapses_space_and_cuts():
    text = excerpt("<h1>Hello</h1>\n\n  <p>world &lt;3</p>" + " word" * 100)
    assert text.startswith("Hello world <3 word")
    assert len(text) <= 120 and text.endswith("…")


def test_excerpt_keeps_a_lone_less_than_and_drops_a_cut_tag():
    assert excerpt("Upstream says 1 < 2 <di") == "Upstream says 1 < 2"
    assert excerpt("<html>" + "x" * 10_000_000) == "x" * 119 + "…"


def test_error_from_response_on_valid_json():
    error = error_from_response(404, '{"error": {"type": "invalid_request_error", "code": "resource_missing"}}', "req_1")
    assert type(error) is InvalidRequestError and error.request_id == "req_1"
    assert str(error) == "Stripe gave no message (code resource_missing, HTTP 404, request req_1)"


async def test_a_server_echoing_the_key_does_not_leak_it():
    error = await failing_call(stripe_error(401, message=f"Invalid API Key provided: {TEST_SECRET}"))
    assert TEST_SECRET not in str(error) and TEST_SECRET not in error.explanation
    assert TEST_SECRET not in str(error.json_body)
    assert "sk_test_…4abc" in error.message
