"""HistoryEntry: built from what the UI has, status by the local clock, URL kept out of sight."""

from dataclasses import dataclass

import pytest

from app.clock import FakeClock
from app.countdown import Countdown
from app.history import HistoryEntry
from app.history.entry import account_label, fold, search_text, status_text
from app.stripe.errors import InvalidRequestError, ValidationError
from app.stripe.models import Account, AccountLink

URL = "https://connect.stripe.com/setup/c/acct_1LdCustomDue0001/Zq8sVb2LmN4x"


@dataclass(frozen=True)
class Request:  # the fields of app.stripe.validation.LinkRequest
    account: str = "acct_1LdCustomDue0001"
    type: str = "account_update"
    refresh_url: str = "https://platform.example/refresh"
    return_url: str = "https://platform.example/return"
    collection_fields: str | None = "eventually_due"
    future_requirements: str | None = None


def link(clock: FakeClock, *, ttl: int = 300, server_created: int = 1_700_000_000, age: float = 0.0) -> AccountLink:
    return AccountLink(
        url=URL, created=server_created, expires_at=server_created + ttl,
        request_id="req_123", received_monotonic=clock.monotonic() - age,
    )


def test_for_link_uses_local_wall_clock_not_stripes_even_when_hours_apart():
    clock = FakeClock(wall=1_000_000_000)  # years behind Stripe's "created"
    account = Account(id="acct_1LdCustomDue0001", business_name="Harbor Street Bakery", email="ops@harbor.example")
    entry = HistoryEntry.for_link(Request(), link(clock, age=10), clock=clock, mode="test", account=account)
    assert entry.local_expires_at == pytest.approx(1_000_000_000 + 290)
    assert (entry.created, entry.expires_at) == (1_700_000_000, 1_700_000_300)
    assert entry.remaining(clock.time()) == pytest.approx(290)
    assert entry.account_name == "Harbor Street Bakery"
    assert entry.account_email == "ops@harbor.example"
    assert entry.collection_fields == "eventually_due" and entry.future_requirements is None
    assert entry.request_id == "req_123" and entry.outcome == "created" and entry.url == URL


def test_status_moves_from_active_to_expired_and_reopen_needs_the_url():
    clock = FakeClock()
    entry = HistoryEntry.for_link(Request(), link(clock), clock=clock, mode="live")
    assert entry.status(clock.time()) == "active"
    assert entry.can_reopen(clock.time())
    assert status_text(entry, clock.time()) == "active 5:00"
    assert not entry.with_changes(url=None).can_reopen(clock.time())
    clock.advance(299.5)
    assert status_text(entry, clock.time()) == "active 0:01"
    clock.advance(0.5)
    assert entry.status(clock.time()) == "expired"
    assert not entry.can_reopen(clock.time())
    assert status_text(entry, clock.time()) == "expired"


def test_for_failure_keeps_code_message_and_request_id():
    clock = FakeClock()
    error = InvalidRequestError("No such account: 'acct_x'", http_status=404, code="resource_missing", request_id="req_9")
    entry = HistoryEntry.for_failure(Request(account="acct_x"), error, clock=clock, mode="test")
    assert (entry.outcome, entry.error_code, entry.request_id) == ("failed", "resource_missing", "req_9")
    assert entry.error_message == "No such account: 'acct_x'"
    assert entry.status(clock.time()) == "failed" and entry.url is None
    assert status_text(entry, clock.time()) == "failed (resource_missing)"
    local = HistoryEntry.for_failure(Request(), ValidationError("return_url", "must use https"), clock=clock, mode="live")
    assert (local.error_code, local.error_message) == ("ValidationError", "must use https")


def test_url_is_not_in_repr_nor_in_public_dict():
    clock = FakeClock()
    entry = HistoryEntry.for_link(Request(), link(clock), clock=clock, mode="test")
    assert URL not in repr(entry)
    public = entry.public_dict(clock.time())
    assert "url" not in public and URL not in str(public)
    assert public["status"] == "active" and public["refresh_url"] == "https://platform.example/refresh"


def test_to_account_link_resumes_the_countdown_where_the_entry_is():
    clock = FakeClock()
    entry = HistoryEntry.for_link(Request(), link(clock), clock=clock, mode="test")
    clock.advance(100)
    reopened = entry.to_account_link(clock)
    assert reopened is not None and reopened.url == URL
    assert Countdown.for_link(reopened).remaining(clock.monotonic()) == pytest.approx(200)
    clock.advance(200)
    assert entry.to_account_link(clock) is None


def test_a_v1_link_is_recorded_as_v1_without_configurations_and_made_again_as_v1():
    from app.history.entry import type_text
    from app.stripe.validation import LinkRequest

    clock = FakeClock(wall=1_800_000_000.0)
    entry = HistoryEntry.for_link(Request(), link(clock), clock=clock, mode="test")
    assert (entry.accounts_api, entry.configurations, entry.onboarding_outcome) == ("v1", None, None)
    assert type_text(entry) == "update"
    assert entry.link_request() == LinkRequest(**entry.link_request_fields())
    assert HistoryEntry.for_failure(Request(), ValidationError("x", "y"), clock=clock, mode="test").accounts_api == "v1"


def test_link_request_fields_recreate_the_request():
    clock = FakeClock()
    entry = HistoryEntry.for_link(Request(), link(clock), clock=clock, mode="test")
    assert Request(**entry.link_request_fields()) == Request()


def test_invalid_mode_or_outcome_is_refused():
    with pytest.raises(ValueError):
        HistoryEntry("acct_1", "account_onboarding", "prod", "https://a", "https://b", 0.0)
    with pytest.raises(ValueError):
        HistoryEntry("acct_1", "account_onboarding", "test", "https://a", "https://b", 0.0, outcome="ok")


def test_search_text_is_folded_and_one_field_per_line():
    assert fold("STRASSE") == fold("straße")
    text = search_text("acct_1ABC", "Café Ärger", "Ops@Example.com", None)
    assert text == "acct_1abc\ncafé ärger\nops@example.com"
    assert account_label(HistoryEntry("acct_1", "account_onboarding", "test", "a", "b", 0.0)) == "acct_1"


def test_account_label_prefers_the_name_then_the_email():
    base = HistoryEntry("acct_1", "account_onboarding", "test", "a", "b", 0.0)
    assert account_label(base.with_changes(account_email="jo@example.com")) == "jo@example.com (acct_1)"
    named = base.with_changes(account_name="Harbor Street Bakery", account_email="jo@example.com")
    assert account_label(named) == "Harbor Street Bakery (acct_1)"
