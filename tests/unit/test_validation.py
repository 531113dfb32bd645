from dataclasses import replace

import pytest

from app.stripe.errors import ValidationError
from app.stripe.validation import (
    LinkRequest,
    list_params,
    normalize_account_id,
    normalize_api_base,
    validate_idempotency_key,
    validate_url,
)


def refused(call, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- account ids --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("acct_1Mt0CORHFI4mz9Rw", "acct_1Mt0CORHFI4mz9Rw"),
        ("  acct_123\t\n", "acct_123"),
        ("https://dashboard.stripe.com/test/connect/accounts/acct_123/activity", "acct_123"),
        ("https://dashboard.stripe.com/connect/accounts/acct_123", "acct_123"),
        ("https://dashboard.stripe.com/test/connect/accounts/acct_123?tab=profile", "acct_123"),
        ("dashboard.stripe.com/connect/accounts/acct_9Z/", "acct_9Z"),
        # multi-account Dashboards prefix the path with the platform's own id
        ("https://dashboard.stripe.com/acct_1Platform/test/connect/accounts/acct_1Child/activity", "acct_1Child"),
        ("https://dashboard.stripe.com/acct_1Child", "acct_1Child"),
    ],
)
def test_account_id_is_normalised(text, expected):
    assert normalize_account_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "acct_",
        "acct_12-3",
        "acct 123",
        "cus_123",
        "ACCT_123",
        "acct_123 acct_456",
        "sk_live_51HxSecretPastedIntoTheWrongBox",
        "https://example.com/connect/accounts/acct_123",
        "https://dashboard.stripe.com/test/connect/accounts",
        "https://dashboard.stripe.com/acct_1A/acct_1B",
        "https://[dashboard.stripe.com/connect/accounts/acct_1",
        None,
    ],
)
def test_bad_account_ids_are_refused_without_echo(text):
    error = refused(normalize_account_id, text)
    assert error.field == "account"
    if text and len(text.strip()) > 8:  # longer than the example's prefix
        assert text.strip() not in str(error)


# --- URLs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/return",
        "http://localhost:3000/onboarding/refresh?x=1",
        "https://shop.example.co.uk:8443/a/b#frag",
        "HTTPS://EXAMPLE.COM/",
        "http://127.0.0.1/r",
    ],
)
def test_good_urls_pass_in_test_mode(url):
    assert validate_url("return_url", url, live=False) == url


def test_url_is_trimmed():
    assert validate_url("refresh_url", "  https://example.com/r \n", live=True) == "https://example.com/r"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "example.com/return",
        "/relative/path",
        "ftp://example.com/file",
        "javascript:alert(1)",
        "https://",
        "https:///path-only",
        "https://exa mple.com/",
        "https://example.com/a b",
        "https://example.com/\x00",
        "https://example.com/\x7f",
        "https://example.com:99999/",
        "https://example.com:port/",
        "https://[::1/unbalanced",
        None,
    ],
)
def test_bad_urls_are_refused(url):
    assert refused(validate_url, "return_url", url, live=False).field == "return_url"


def test_live_mode_needs_https():
    error = refused(validate_url, "refresh_url", "http://example.com/r", live=True)
    assert error.field == "refresh_url"
    assert "https" in error.message
    assert validate_url("refresh_url", "https://example.com/r", live=True)


# --- LinkRequest --------------------------------------------------------------------------

GOOD = LinkRequest("acct_123", "account_onboarding", "https://e.com/refresh", "https://e.com/return")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"account": "cus_1"}, "account"),
        ({"type": "custom_account_verification"}, "type"),
        ({"type": ""}, "type"),
        ({"refresh_url": "nope"}, "refresh_url"),
        ({"return_url": "ftp://e.com"}, "return_url"),
        ({"collection_fields": "everything"}, "collection_fields"),
        ({"future_requirements": "yes"}, "future_requirements"),
    ],
)
def test_each_field_is_checked(changes, field):
    assert refused(replace(GOOD, **changes).validated, live=False).field == field


def test_validated_returns_a_normalised_copy():
    raw = LinkRequest(
        " https://dashboard.stripe.com/test/connect/accounts/acct_42/activity ",
        " account_update ",
        " https://e.com/refresh ",
        "https://e.com/return",
        collection_fields="eventually_due",
        future_requirements="include",
    )
    ok = raw.validated(live=True)
    assert ok == LinkRequest(
        "acct_42", "account_update", "https://e.com/refresh", "https://e.com/return", "eventually_due", "include"
    )
    assert raw.account.startswith(" ")  # the original is untouched (frozen)


def test_live_request_with_http_url_names_the_field():
    request = LinkRequest("acct_1", "account_onboarding", "https://e.com/r", "http://e.com/back")
    assert request.validated(live=False).return_url == "http://e.com/back"
    assert refused(request.validated, live=True).field == "return_url"


def test_params_omit_unset_options_and_never_collect():
    assert GOOD.to_params() == {
        "account": "acct_123",
        "type": "account_onboarding",
        "refresh_url": "https://e.com/refresh",
        "return_url": "https://e.com/return",
    }
    with_fields = replace(GOOD, collection_fields="eventually_due").to_params()
    assert with_fields["collection_options"] == {"fields": "eventually_due", "future_requirements": None}
    assert "collect" not in with_fields


# --- other inputs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "live", "expected"),
    [
        ("https://api.stripe.com", True, "https://api.stripe.com"),
        ("https://api.stripe.com/", True, "https://api.stripe.com"),
        ("http://localhost:12111//", False, "http://localhost:12111"),
        ("http://127.0.0.1:8080", True, "http://127.0.0.1:8080"),
        ("https://proxy.example.com/stripe/", False, "https://proxy.example.com/stripe"),
    ],
)
def test_api_base(text, live, expected):
    assert normalize_api_base(text, live=live) == expected


@pytest.mark.parametrize(
    ("text", "live"),
    [
        ("api.stripe.com", False),
        ("ftp://x.com", False),
        ("https://x.com?a=1", False),
        ("https://x.com/a b", False),
        ("https://[::1", False),
        ("https://x.com:http", False),
        ("http://proxy.corp", True),
    ],
)
def test_bad_api_base(text, live):
    assert refused(normalize_api_base, text, live=live).field == "api_base"


def test_idempotency_key_limits():
    assert validate_idempotency_key("a" * 255) == "a" * 255
    for bad in ("", "a" * 256, "has space", "new\nline", "é"):
        assert refused(validate_idempotency_key, bad).field == "idempotency_key"


def test_list_params():
    assert list_params(100, " acct_1 ", None, {"gte": 5, "lt": 9}) == {
        "limit": 100,
        "starting_after": "acct_1",
        "ending_before": None,
        "created": {"gte": 5, "lt": 9},
    }
    assert list_params(None, None, "acct_2", 7)["created"] == 7
    cases = [
        ((0, None, None, None), "limit"),
        ((101, None, None, None), "limit"),
        ((True, None, None, None), "limit"),
        ((None, "cus_1", None, None), "starting_after"),
        ((None, None, "nope", None), "ending_before"),
        ((None, "acct_1", "acct_2", None), "ending_before"),
        ((None, None, None, {"eq": 1}), "created"),
        ((None, None, None, {"gte": "yesterday"}), "created"),
        ((None, None, None, {}), "created"),
        ((None, None, None, -1), "created"),
    ]
    for args, field in cases:
        assert refused(list_params, *args).field == field
