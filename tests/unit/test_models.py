"""The typed results: fixture objects parse, unknown fields are ignored, results are immutable."""

import dataclasses
from urllib.parse import urlsplit

import pytest

from app.stripe.models import Account, AccountLink
from app.stripe.safety import UnsafeLink


def test_stripe_fixture_account_parses(stripe_fixture):
    account = Account.from_api(stripe_fixture("account.json"))
    assert account.id.startswith("acct_")
    assert account.display_name == "site@stripe.com"  # no business or dashboard name: the email
    assert "external_account" in account.requirements.currently_due
    assert account.requirements.disabled_reason == "requirements.past_due"


def test_stripe_fixture_link_parses_and_hides_its_url(stripe_fixture):
    data = stripe_fixture("account_link.json")
    # Stripe's OpenAPI fixture points at one of its development hosts, not connect.stripe.com.
    host = urlsplit(data["url"]).hostname
    link = AccountLink.from_api(data, request_id="req_1", received_monotonic=5.0, hosts=frozenset({host}))
    assert link.url == data["url"] and link.ttl == 0  # the fixture's created == expires_at
    assert data["url"] not in repr(link)


def test_stripe_fixture_link_is_refused_on_the_default_hosts(stripe_fixture):
    """Only connect.stripe.com is a v1 link host: the fixture's development host is not."""
    with pytest.raises(UnsafeLink, match="host is not connect.stripe.com"):
        AccountLink.from_api(stripe_fixture("account_link.json"))


def test_unknown_fields_ignored_absent_ones_tolerated():
    account = Account.from_api({"id": "acct_1", "brand_new_field": {"x": 1}})
    assert account.requirements.is_empty and account.display_name == "acct_1"
    assert not account.allows_account_update


def test_results_are_immutable_metadata_included():
    account = Account.from_api({"id": "acct_1", "metadata": {"crm": "42"}})
    with pytest.raises(dataclasses.FrozenInstanceError):
        account.email = "x@example.com"  # type: ignore[misc]
    with pytest.raises(TypeError):
        account.metadata["crm"] = "43"  # type: ignore[index]
    assert hash(account) == hash(Account.from_api({"id": "acct_1", "metadata": {"crm": "other"}}))
