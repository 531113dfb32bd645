"""Live-mode safety without a window: the first-live-link question, the https rule (nothing
sent), and test/live mix-ups named with the platform, against the sandbox."""

from __future__ import annotations

import httpx
import pytest

from app.profiles.model import Profile, new_profile_id, sandbox_profile
from app.profiles.safety import LiveGate, check_live_redirects, explain_mode_mixup
from app.sandbox import DEMO_ACCOUNTS
from app.sandbox.seed import MODE_BOUND_ACCOUNTS
from app.stripe.client import StripeClient
from app.stripe.errors import StripeError, ValidationError
from app.stripe.keys import ApiKey
from app.stripe.validation import LinkRequest

LIVE_KEY = ApiKey("sk_live_" + "51Sl3Fq8Yt6Rw2Mp0wxyz")
TEST_KEY = ApiKey("sk_test_" + "51St7Gz4Xk9Qe5Hv0wxyz")


def profile(key: ApiKey, name: str = "Acme") -> Profile:
    return Profile(name=name, id=new_profile_id(), key_hint=key.redacted, platform_name="Acme Market",
                   platform_id="acct_1AcmePlatform01")


def test_the_first_live_link_of_a_session_asks_once_per_profile():
    gate, live, test = LiveGate(), profile(LIVE_KEY), profile(TEST_KEY)
    assert not gate.needs_confirmation(test) and not gate.needs_confirmation(sandbox_profile())
    assert gate.needs_confirmation(live)
    question = gate.question(live, "acct_1Seller000001", "Harbor Street Bakery")
    assert "LIVE" in question and "Acme Market (acct_1AcmePlatform01)" in question
    assert "Harbor Street Bakery (acct_1Seller000001)" in question
    gate.confirm(live)
    assert not gate.needs_confirmation(live)
    assert gate.needs_confirmation(profile(LIVE_KEY, "Other platform"))  # each live profile asks once
    gate.forget()
    assert gate.needs_confirmation(live)


async def test_live_mode_refuses_http_redirects_before_sending():
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(500))
    request = LinkRequest("acct_1Seller000001", "account_onboarding", "http://acme.example.com/r",
                          "https://acme.example.com/b")
    with pytest.raises(ValidationError) as info:
        check_live_redirects(request, profile(LIVE_KEY))
    assert info.value.field == "refresh_url" and "https" in info.value.message
    assert check_live_redirects(request, profile(TEST_KEY)).refresh_url == "http://acme.example.com/r"
    async with StripeClient(LIVE_KEY, transport=transport) as client:
        with pytest.raises(ValidationError):
            await client.create_account_link(request)
    assert sent == []


async def stripe_error(key: ApiKey, server, call) -> StripeError:
    async with StripeClient(key, api_base=server.url, max_retries=0) as client:
        with pytest.raises(StripeError) as info:
            await call(client)
    return info.value


async def test_a_test_account_with_the_live_key_names_the_mixup_and_the_platform(make_sandbox):
    server = make_sandbox(live=True)
    test_only = MODE_BOUND_ACCOUNTS["test_only"]
    error = await stripe_error(LIVE_KEY, server, lambda c: c.retrieve_account(test_only))
    text = explain_mode_mixup(error, profile(LIVE_KEY), test_only)
    assert text == (f"Account {test_only} exists in test mode; you are using the live key of Acme Market "
                    "(acct_1AcmePlatform01). Switch to a test-mode profile of that platform to work with it.")
    link = LinkRequest(test_only, "account_onboarding", "https://e.example.com/r", "https://e.example.com/b")
    error = await stripe_error(LIVE_KEY, server, lambda c: c.create_account_link(link))
    assert "exists in test mode; you are using the live key of Acme Market" in explain_mode_mixup(error, profile(LIVE_KEY))


async def test_a_live_account_with_the_test_key_names_the_reverse(make_sandbox):
    server = make_sandbox(live=True)
    live_only = MODE_BOUND_ACCOUNTS["live_only"]
    error = await stripe_error(TEST_KEY, server, lambda c: c.retrieve_account(live_only))
    assert explain_mode_mixup(error, profile(TEST_KEY), live_only).startswith(
        f"Account {live_only} exists in live mode; you are using the test key of Acme Market")


async def test_other_errors_are_not_called_a_mixup(make_sandbox):
    server = make_sandbox(live=True)
    unknown = await stripe_error(LIVE_KEY, server, lambda c: c.retrieve_account("acct_1NoSuchAccount00"))
    assert explain_mode_mixup(unknown, profile(LIVE_KEY)) is None
    refused = await stripe_error(TEST_KEY, server, lambda c: c.create_account_link(LinkRequest(
        DEMO_ACCOUNTS["express_ok"], "account_update", "https://e.example.com/r", "https://e.example.com/b")))
    assert explain_mode_mixup(refused, profile(TEST_KEY)) is None
