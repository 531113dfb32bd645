"""Accounts v2 objects: Stripe's documented examples parse, hostile values are refused or
dropped, RFC 3339 is checked, and v2's account_update rule holds for every combination."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from app.stripe.v2 import check_link_url, choose_accounts_api
from app.stripe.errors import ValidationError
from app.stripe.v2_models import AccountLinkV2, AccountV2, UpdateGate, account_update_gate, parse_rfc3339

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "v2"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_stripes_example_link_parses():
    link = AccountLinkV2.from_api(fixture("account_link.json"), request_id="req_1", received_monotonic=5.0)
    assert link.account == "acct_1Nv0FGQ9RKHgCVdK"
    assert link.use_case == link.type == "account_onboarding"
    assert link.configurations == ("recipient",)
    assert (link.created, link.expires_at, link.ttl) == (1_743_095_718, 1_743_096_318, 600)
    assert link.livemode is True and link.request_id == "req_1" and link.received_monotonic == 5.0
    assert check_link_url(link.url) == link.url and "#alu_" in link.url
    assert link.url not in repr(link)
    assert link.api_fields()["created"] == "2025-03-27T17:15:18.000Z"
    assert link.api_fields()["use_case"]["account_onboarding"]["configurations"] == ["recipient"]


def test_stripes_example_account_parses():
    account = AccountV2.from_api(fixture("account.json"))
    assert account.id == "acct_1Nv0FGQ9RKHgCVdK"
    assert account.applied_configurations == ("customer", "merchant")
    assert account.contact_email == "furever@example.com"
    assert account.country == "US"  # Stripe's example sends "us"
    assert account.entity_type == "company"
    assert account.dashboard == "full"
    assert account.created == parse_rfc3339("2024-11-26T16:33:03.000Z")
    assert account.registered_name is None and account.stripe_display_name is None
    assert account.name == "furever@example.com"
    assert not account.requirements.included  # not asked for in the example
    assert account.update_gate.allowed is False
    assert "Dashboard" in account.account_update_refusal


def test_account_reads_names_requirements_and_responsibilities():
    account = AccountV2.from_api({
        "id": "acct_1", "display_name": None, "dashboard": "none",
        "identity": {"business_details": {"registered_name": "Harbor Street Bakery LLC"}, "country": "gb"},
        "defaults": {"responsibilities": {"requirements_collector": "application", "losses_collector": "application"}},
        "requirements": {
            "entries": [
                {"description": "identity.business_details.id_numbers", "awaiting_action_from": "user",
                 "minimum_deadline": {"status": "past_due"},
                 "impact": {"restricts_capabilities": [{"capability": "card_payments", "configuration": "merchant",
                                                         "deadline": {"status": "past_due"}}]},
                 "errors": [{"code": "invalid_tax_id", "description": "The tax ID was not valid."}]},
                "not an entry", {"awaiting_action_from": 7},
            ],
            "summary": {"minimum_deadline": {"status": "past_due", "time": "2026-01-02T03:04:05Z"}},
        },
    })
    assert account.name == "Harbor Street Bakery LLC" and account.country == "GB"
    assert account.update_gate.allowed is True
    first, second = account.requirements.entries
    assert first.minimum_deadline_status == "past_due" and first.errors[0].description == "The tax ID was not valid."
    assert first.restricts[0].capability == "card_payments" and first.restricts[0].configuration == "merchant"
    assert second.awaiting_action_from is None and second.description == ""
    assert account.requirements.minimum_deadline == parse_rfc3339("2026-01-02T03:04:05+00:00")


@pytest.mark.parametrize("body", [{}, {"id": 5}, {"id": "cus_1"}, {"id": "acct_" + "x" * 300}])
def test_account_without_an_account_id_is_refused(body):
    with pytest.raises(ValueError):
        AccountV2.from_api(body)


def test_hostile_account_fields_are_dropped_not_trusted():
    account = AccountV2.from_api({
        "id": "acct_1", "display_name": {"x": 1}, "contact_email": ["a"], "applied_configurations": "merchant",
        "closed": "yes", "livemode": "true", "created": 1_700_000_000, "metadata": {"a": 1, "b": "c"},
        "requirements": {"entries": "many"}, "identity": [],
    })
    assert account.name == "acct_1"
    assert account.applied_configurations == () and account.closed is False and account.livemode is None
    assert account.created is None and account.metadata == {"b": "c"}
    assert account.requirements.included and account.requirements.entries == ()


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2025-03-27T17:15:18.000Z", 1_743_095_718.0),
        ("2025-03-27T17:15:18Z", 1_743_095_718.0),
        ("2025-03-27t17:15:18.5z", 1_743_095_718.5),
        ("2025-03-27T19:15:18+02:00", 1_743_095_718.0),
        ("2025-03-27T17:15:18.123456789Z", 1_743_095_718.123456789),
        ("2016-12-31T23:59:60Z", 1_483_228_799.0),
    ],
)
def test_rfc3339_accepted(text, expected):
    assert parse_rfc3339(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    "value",
    [None, 1_743_095_718, 1.5, True, [], "", "2025-03-27", "2025-03-27 17:15:18Z", "2025-03-27T17:15:18",
     "2025-02-30T00:00:00Z", "2025-03-27T25:00:00Z", "2025-03-27T17:15:18+24:00", "1970-01-01T00:00:00Z",
     "9999-12-31T23:59:59Z", "2025-03-27T17:15:18.000Z" + " " * 30, "２０２５-03-27T17:15:18Z"],
)
def test_rfc3339_refused(value):
    with pytest.raises(ValueError):
        parse_rfc3339(value)


@pytest.mark.parametrize(
    "change",
    [{"created": 1_743_095_718}, {"expires_at": 1_743_096_318}, {"url": None}, {"account": 1}],
)
def test_link_with_bad_fields_is_refused(change):
    with pytest.raises(ValueError):
        AccountLinkV2.from_api({**fixture("account_link.json"), **change})


@pytest.mark.parametrize(
    "expires_at",
    ["2025-03-27T17:05:18.000Z",  # ten minutes before created
     "2025-03-27T17:15:17Z",  # one second before created
     "2025-03-28T17:15:19Z",  # a day and a second after created
     "2199-12-31T23:59:59Z"],
)
def test_link_with_implausible_expiry_is_kept_on_the_fallback_lifetime(expires_at):
    # A link Stripe made is never lost: as in v1, the expiry is not believed and the countdown
    # runs on Stripe's usual lifetime from created.
    from app.stripe.models import FALLBACK_TTL

    data = {**fixture("account_link.json"), "expires_at": expires_at}
    link = AccountLinkV2.from_api(data, request_id="req_1", received_monotonic=5.0)
    assert link.url == data["url"] and link.account == "acct_1Nv0FGQ9RKHgCVdK"
    assert link.expiry_trusted is False
    assert (link.created, link.expires_at, link.ttl) == (1_743_095_718, 1_743_095_718 + FALLBACK_TTL, FALLBACK_TTL)
    assert link.api_fields()["expires_at"] == "2025-03-27T17:20:18Z"


@pytest.mark.parametrize("expires_at", ["2025-03-27T17:15:18.000Z", "2025-03-28T17:15:18.000Z"])
def test_link_expiry_at_the_plausible_bounds_is_trusted(expires_at):
    link = AccountLinkV2.from_api({**fixture("account_link.json"), "expires_at": expires_at})
    assert link.expiry_trusted is True
    assert link.api_fields()["expires_at"] == expires_at
    assert link.ttl in (0, 86_400)


@pytest.mark.parametrize(
    "url",
    ["http://accounts.stripe.com/r/acct_1#alu_1", "https://evil.example/r/acct_1#alu_1",
     "https://accounts.stripe.com.evil.example/r#x", "https://accounts.stripe.com:8443/r#x",
     "https://user@accounts.stripe.com/r#x", "https://accounts.stripe.com/r/\nacct#x", "javascript:alert(1)"],
)
def test_link_url_must_be_https_on_accounts_stripe_com(url):
    with pytest.raises(ValueError) as raised:
        check_link_url(url)
    assert url not in str(raised.value)


DASHBOARDS = ("full", "express", "none", None, "partner_portal")
COLLECTORS = ("application", "stripe", None, "shared")


def _expected(dashboard, collector):
    """The rule, restated as a table: a Stripe Dashboard or Stripe collecting refuses; the platform
    collecting with no (or no stated) dashboard allows; anything else is left to Stripe."""
    if dashboard in ("full", "express") or collector == "stripe":
        return False
    if collector == "application" and dashboard in ("none", None):
        return True
    return None


@pytest.mark.parametrize("dashboard,collector", list(itertools.product(DASHBOARDS, COLLECTORS)))
def test_update_gate_for_every_combination(dashboard, collector):
    gate = account_update_gate(dashboard, collector)
    assert isinstance(gate, UpdateGate)
    assert gate.allowed is _expected(dashboard, collector)
    assert gate.reason  # always says why
    if gate.allowed is False:
        assert "onboarding" in gate.reason


def test_v1_and_v2_agree_on_the_same_accounts():
    """The v1 rule (app.stripe.models.Account) and the v2 rule give the same verdict for the
    controller shapes the two APIs map onto each other."""
    from app.stripe.models import Account, Controller

    for collection, dashboard in itertools.product(("application", "stripe"), ("full", "express", "none")):
        v1 = Account("acct_1", controller=Controller("application", collection, dashboard)).allows_account_update
        assert account_update_gate(dashboard, collection).allowed is v1


@pytest.mark.parametrize(
    "flag,env,expected",
    [(None, {}, "v1"), ("v2", {}, "v2"), (None, {"LINKDESK_ACCOUNTS_API": " V2 "}, "v2"),
     ("v1", {"LINKDESK_ACCOUNTS_API": "v2"}, "v1"), ("", {"LINKDESK_ACCOUNTS_API": ""}, "v1")],
)
def test_choose_accounts_api(flag, env, expected):
    assert choose_accounts_api(flag, env) == expected


@pytest.mark.parametrize("flag,env,field", [("v3", {}, "--accounts-api"), (None, {"LINKDESK_ACCOUNTS_API": "2"}, "LINKDESK_ACCOUNTS_API")])
def test_choose_accounts_api_refuses_other_values(flag, env, field):
    with pytest.raises(ValidationError) as raised:
        choose_accounts_api(flag, env)
    assert raised.value.field == field


def test_v2_request_and_account_fit_the_history_as_it_is(clock):
    """app.history.HistoryEntry.for_link takes a v2 request (as v1's shape) and a v2 link today."""
    from app.history.entry import HistoryEntry
    from app.stripe.v2 import LinkRequestV2

    request = LinkRequestV2("acct_1Nv0FGQ9RKHgCVdK", "account_onboarding", "https://example.com/reauth")
    link = AccountLinkV2.from_api(fixture("account_link.json"), received_monotonic=clock.monotonic())
    account = AccountV2.from_api({**fixture("account.json"), "display_name": "Furever"})
    entry = HistoryEntry.for_link(request.as_history_request(), link, clock=clock, mode="test", account=account)
    assert (entry.link_type, entry.return_url, entry.account_name, entry.account_email) == (
        "account_onboarding", "", "Furever", "furever@example.com")
    assert entry.ttl == 600 and entry.url == link.url
    assert (entry.accounts_api, entry.configurations) == ("v2", ",".join(link.configurations) or None)


def test_a_v2_entry_records_the_api_and_what_the_link_covers_and_makes_a_v2_request_again(clock):
    """The history records which API made each link (issue 12), from the link itself, and a
    v2 request's failure as v2; "create again" rebuilds the v2 request."""
    from app.history.entry import HistoryEntry, type_text
    from app.stripe.errors import InvalidRequestError
    from app.stripe.v2 import LinkRequestV2

    request = LinkRequestV2("acct_1Nv0FGQ9RKHgCVdK", "account_update", "https://example.com/reauth",
                            None, "eventually_due", "include")
    link = AccountLinkV2.from_api({**fixture("account_link.json"), "use_case": {
        "type": "account_update", "account_update": {"configurations": ["merchant", "recipient"]}}})
    entry = HistoryEntry.for_link(request, link, clock=clock, mode="test")
    assert (entry.accounts_api, entry.configurations, entry.return_url) == ("v2", "merchant,recipient", "")
    assert type_text(entry) == "update (v2)"
    again = entry.link_request()
    assert again == request and isinstance(again, LinkRequestV2)
    failed = HistoryEntry.for_failure(request, InvalidRequestError("no"), clock=clock, mode="test")
    assert (failed.accounts_api, failed.configurations) == ("v2", None)
    # the window's request is in v1's shape: its connection says which API it went to
    shaped = HistoryEntry.for_failure(request.as_history_request(), InvalidRequestError("no"), clock=clock,
                                      mode="test", accounts_api="v2")
    assert shaped.accounts_api == "v2" and shaped.link_request() == request
    with pytest.raises(ValueError):
        entry.with_changes(accounts_api="v3")
    hostile = AccountLinkV2.from_api({**fixture("account_link.json"), "use_case": {"type": "account_onboarding",
        "account_onboarding": {"configurations": ["<b>x</b>", "a,b", "recipient", "\x1b[2J", 7]}}})
    assert HistoryEntry.for_link(request, hostile, clock=clock, mode="test").configurations == "recipient"
