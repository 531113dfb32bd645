"""Nasty input refused before anything is sent: look-alike Dashboard hosts, redirect URLs with
credentials, port 0, invisible characters or 100 KB, an empty API base."""

from __future__ import annotations

import pytest

from app.stripe.errors import ValidationError
from app.stripe.validation import normalize_account_id, normalize_api_base, validate_url


@pytest.mark.parametrize(
    "text",
    [
        "https://evilstripe.com/connect/accounts/acct_123",
        "https://dashboard.evilstripe.com/connect/accounts/acct_123",
        "https://dashboard.stripe.com.evil.example/connect/accounts/acct_123",
        "https://stripe.com.evil.example/connect/accounts/acct_123",
        "https://dashboard.stripe.com@evil.example/connect/accounts/acct_123",
        "https://evil.example@dashboard.stripe.com/connect/accounts/acct_123",
        "https://dashboard.stripe.com:8443/connect/accounts/acct_123",
        "https://dashboard.stripe.com:x/connect/accounts/acct_123",
        "https://dashb\u043eard.stripe.com/connect/accounts/acct_123",  # Cyrillic o
        "https://dashboard.stripe.com\u200b/connect/accounts/acct_123",
        "https://xn--dashbard-4ng.stripe.com/connect/accounts/acct_123",
        "https://connect.stripe.com/connect/accounts/acct_123",
        "javascript://dashboard.stripe.com/connect/accounts/acct_123",
        "https://dashboard.stripe.com/connect/accounts/acct_123" + "/x" * 2_000,
    ],
)
def test_a_dashboard_address_must_be_exactly_on_dashboard_stripe_com(text):
    with pytest.raises(ValidationError) as caught:
        normalize_account_id(text)
    assert caught.value.field == "account" and "evil" not in str(caught.value)


def test_the_real_dashboard_host_still_works_in_any_case():
    assert normalize_account_id("https://DASHBOARD.stripe.com/connect/accounts/acct_123") == "acct_123"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://alice:s3cret@example.com/return", "user name or password"),
        ("https://alice@example.com/return", "user name or password"),
        ("https://example.com:0/return", "port 0"),
        ("https://exa\u200bmple.com/return", "invisible"),
        ("https://example.com\u2060/return", "invisible"),
        ("https://example.com/\u202ereturn", "invisible"),
        ("https://example.com/" + "a" * 2_100, "longer than 2,048"),
        ("https://example.com/" + "a" * 100_000, "longer than 2,048"),
        ("https://example.com:99999/return", "not a valid address"),
    ],
)
def test_redirect_urls_refused_with_the_reason(url, words):
    with pytest.raises(ValidationError) as caught:
        validate_url("return_url", url, live=False)
    assert caught.value.field == "return_url" and words in caught.value.message
    assert "s3cret" not in caught.value.message and "alice" not in caught.value.message  # never echoed


def test_a_url_of_exactly_the_limit_is_accepted():
    url = "https://example.com/" + "a" * (2_048 - len("https://example.com/"))
    assert validate_url("return_url", url, live=True) == url


@pytest.mark.parametrize("text", ["", "   ", "/"])
def test_an_empty_api_base_is_refused_not_replaced_by_stripes(text):
    with pytest.raises(ValidationError) as caught:
        normalize_api_base(text, live=False)
    assert caught.value.field == "api_base" and "empty" in caught.value.message


@pytest.mark.parametrize(
    "text", ["http://user:pw@127.0.0.1:12111", "http://127.0.0.1:0", "https://api.str\u200bipe.com"]
)
def test_an_api_base_with_credentials_port_0_or_invisible_characters_is_refused(text):
    with pytest.raises(ValidationError):
        normalize_api_base(text, live=False)
