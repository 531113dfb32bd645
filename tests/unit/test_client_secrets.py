"""Neither the API key nor a link URL reaches a log record or an exception text."""

from __future__ import annotations

import logging

import httpx
import pytest

from app.stripe.errors import StripeError, ValidationError
from app.stripe.validation import LinkRequest
from fake_stripe_api import (
    ACCOUNT,
    LINK_URL,
    TEST_SECRET,
    FakeStripe,
    account_json,
    link_json,
    make_client,
    ok,
    stripe_error,
)

REQUEST = LinkRequest(ACCOUNT, "account_onboarding", "https://e.com/refresh", "https://e.com/return")
SECRETS = (TEST_SECRET, LINK_URL, "TqckGNUHg2mG")


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


async def test_logs_at_debug_carry_method_path_status_request_id_but_no_secrets(caplog):
    caplog.set_level(logging.DEBUG)  # every logger: ours, httpx, httpcore
    fake = FakeStripe(
        httpx.ConnectError("refused"),
        stripe_error(503, type="api_error", request_id="req_busy"),
        ok(link_json(), request_id="req_link"),
        ok(account_json(), request_id="req_acct"),
        stripe_error(401, message=f"Invalid API Key provided: {TEST_SECRET}", request_id="req_401"),
    )
    async with make_client(fake) as client:
        link = await client.create_account_link(REQUEST)
        await client.retrieve_account(ACCOUNT)
        with pytest.raises(StripeError) as caught:
            await client.retrieve_platform_account()
        logging.getLogger("app.test").debug("made %r with %r; failed %r", link, client, caught.value)

    ours = [r for r in caplog.records if r.name == "app.stripe.client"]
    assert any("POST /v1/account_links -> 200 req_link" in r.getMessage() for r in ours)
    assert any(f"GET /v1/accounts/{ACCOUNT} -> 200 req_acct" in r.getMessage() for r in ours)
    assert any("retry 2 of POST /v1/account_links" in r.getMessage() for r in ours)
    assert any(r.name.startswith("httpx") for r in caplog.records)  # httpx's own lines were captured too
    for record in caplog.records:
        assert leaks(record.getMessage()) == [], record.name
    assert leaks(caplog.text) == []


async def test_exception_texts_never_contain_the_key_or_link_url():
    replies = [
        stripe_error(401, message=f"Invalid API Key provided: {TEST_SECRET}"),
        httpx.Response(502, text=f"<html><body>Bad gateway for {LINK_URL} with Bearer {TEST_SECRET}</body></html>"),
        httpx.Response(200, content=f'{{"object": "account_link", "url": "{LINK_URL}'.encode()),
        httpx.Response(200, content=f"<html>Hello {TEST_SECRET}</html>".encode()),
        httpx.ConnectError("refused"),
    ]
    for reply in replies:
        fake = FakeStripe(reply)
        async with make_client(fake, max_retries=0) as client:
            with pytest.raises(StripeError) as caught:
                await client.create_account_link(REQUEST)
        error = caught.value
        for text in (str(error), repr(error), error.explanation, error.message):
            assert leaks(text) == [], text


async def test_validation_errors_do_not_echo_a_key_pasted_in_the_wrong_field():
    fake = FakeStripe()
    async with make_client(fake) as client:
        with pytest.raises(ValidationError) as caught:
            await client.retrieve_account(TEST_SECRET)
    assert leaks(str(caught.value)) == [] and fake.requests == []


def test_link_repr_hides_its_url():
    from app.stripe.models import AccountLink

    assert leaks(repr(AccountLink.from_api(link_json()))) == []
