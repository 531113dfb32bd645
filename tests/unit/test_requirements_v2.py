"""v2 requirement entries in v1's plain words and sections."""

from __future__ import annotations

from app.requirements_v2 import describe_account_v2, describe_configurations, describe_requirement_v2, requirement_sections_v2
from app.stripe.v2_models import AccountV2, RequirementsV2

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def entry(description, status="currently_due", awaiting="user", errors=(), restricts=()):
    return {"description": description, "awaiting_action_from": awaiting, "minimum_deadline": {"status": status},
            "errors": [{"code": c, "description": d} for c, d in errors],
            "impact": {"restricts_capabilities": [{"capability": c, "configuration": g} for c, g in restricts]}}


def sections(*entries, summary=None):
    req = RequirementsV2.from_api({"entries": list(entries), "summary": {"minimum_deadline": summary}})
    return requirement_sections_v2(req, now_wall=NOW)


def test_sections_in_v1_order_with_v1_titles():
    out = sections(
        entry("individual.dob.day", "eventually_due"), entry("individual.dob.month", "eventually_due"),
        entry("external_account", "past_due"),
        entry("company.tax_id", errors=[("invalid_tax_id", "The tax ID did not match.")]),
        entry("individual.verification.document", awaiting="stripe"),
        entry("identity.business_details.registered_name", "some_new_status"),
        summary={"status": "currently_due", "time": "2026-01-15T00:00:00.000Z"},
    )
    assert [(s.key, s.title, s.severity) for s in out] == [
        ("errors", "Rejected information", "error"), ("past_due", "Past due", "error"),
        ("currently_due", "Due now", "warning"), ("pending_verification", "Being verified by Stripe", "info"),
        ("eventually_due", "Due later", "info"),
    ]
    errors, past, now, pending, later = out
    assert errors.items[0].detail == "The tax ID did not match." and errors.items[0].label == "Tax ID (company)"
    assert past.items[0].label == "Bank account for payouts"
    assert [i.label for i in now.items] == ["Tax ID (company)", "Business name"]  # unknown status reads as due now
    assert now.note is not None and "(in 14 days)" in now.note
    assert pending.items[0].label == "ID document (person)"
    assert len(later.items) == 1 and later.items[0].path == "individual.dob.day, individual.dob.month"


def test_nothing_due_means_no_sections_and_not_included_is_empty():
    assert sections() == []
    assert requirement_sections_v2(RequirementsV2.from_api(None), now_wall=NOW) == []


def test_a_past_deadline_reads_as_ago_and_eventual_deadlines_are_not_shown_as_due_now():
    past = sections(entry("x.y", "currently_due"), summary={"status": "past_due", "time": "2025-12-30T00:00:00Z"})
    assert "ago" in past[0].note
    later = sections(entry("x.y", "currently_due"), summary={"status": "eventually_due", "time": "2026-03-01T00:00:00Z"})
    assert later[0].note is None


def test_words_for_configurations_and_the_account():
    assert describe_configurations(()) == "No configuration yet"
    assert describe_configurations(("merchant", "money_manager")) == "Merchant, Money manager"
    assert describe_requirement_v2("representative.first_name") == "First name (representative)"
    account = AccountV2.from_api({"id": "acct_1", "dashboard": "express", "applied_configurations": ["recipient"],
                                  "defaults": {"responsibilities": {"requirements_collector": "stripe"}}})
    assert describe_account_v2(account) == (
        "Connected account (Accounts v2) — Stripe collects requirements, Express Dashboard; configurations: Recipient"
    )
