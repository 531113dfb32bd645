"""The account's verdict line and the "Have ready" list, for every sandbox demo account."""

from __future__ import annotations

import pytest

from app.sandbox.accounts import account_json
from app.sandbox.seed import DEMO_SPECS
from app.stripe.models import Account
from app.verdict import account_verdict, have_ready, have_ready_text

NOW = 1_790_000_000


def demo(name: str) -> Account:
    return Account.from_api(account_json(DEMO_SPECS[name], NOW))


@pytest.mark.parametrize(
    ("name", "kind", "starts"),
    [
        ("custom_due", "due", "3 items due by "),
        ("custom_pastdue", "due", "3 items past due"),
        ("custom_pending", "verifying", "Stripe is verifying what was sent"),
        ("custom_rejected", "rejected", "Rejected by Stripe (suspected fraud) — do not send a link"),
        ("custom_errors", "due", "1 item due by "),
        ("custom_eu", "due_later", "Nothing due now; 1 item due later"),
        ("custom_legacy", "nothing_due", "Nothing due — no link needed"),
        ("express_new", "not_started", "Onboarding not started — send an onboarding link"),
        ("express_ok", "due_later", "Nothing due now; 1 item due later"),
        ("express_pastdue", "due", "1 item past due"),
        ("standard_ok", "nothing_due", "Nothing due — no link needed"),
        ("standard_new", "not_started", "Onboarding not started"),
        ("standard_review", "review", "Stripe is reviewing — nothing to collect now"),
        ("embedded_only", "due_later", "Nothing due now; 1 item due later"),
    ],
)
def test_every_demo_account_has_a_verdict_that_says_what_to_do(name, kind, starts):
    verdict = account_verdict(demo(name))
    assert verdict.kind == kind
    assert verdict.text.startswith(starts), verdict.text
    assert " — " in verdict.text  # the state, then what to do
    assert "\n" not in verdict.text


def test_only_rejected_accounts_ask_for_confirmation_naming_the_reason():
    asking = {name for name in DEMO_SPECS if account_verdict(demo(name)).confirm_reason}
    assert asking == {"custom_rejected"}
    assert "suspected fraud" in account_verdict(demo("custom_rejected")).confirm_reason


def test_nothing_due_now_but_due_later_suggests_everything_with_the_reason():
    eu = account_verdict(demo("custom_eu"))  # only future requirements
    assert (eu.fields, eu.future) == ("eventually_due", "include")
    kitchen = account_verdict(demo("embedded_only"))  # eventually_due today
    assert (kitchen.fields, kitchen.future) == ("eventually_due", None)
    assert "empty flow" in kitchen.warning
    assert account_verdict(demo("custom_due")).fields is None


def test_have_ready_groups_business_and_people_and_lists_each_document_once():
    books = have_ready(demo("custom_errors"))  # the ID document is both due and rejected
    assert books == [("Account holder", ["ID document (passport, driving licence or ID card)"])]
    bakery = dict(have_ready(demo("custom_due")))
    assert list(bakery) == ["Business"]
    assert "Company tax ID" in bakery["Business"]
    assert any(t.startswith("Bank details") for t in bakery["Business"])
    new = dict(have_ready(demo("express_new")))
    holder = new["Account holder"]
    assert holder.count("Date of birth") == 1 and holder.count("Home address") == 1
    assert len(holder) == len(set(holder))
    # what the seller accepts in the flow itself needs nothing prepared
    assert not any("terms" in t.lower() for things in new.values() for t in things)


def test_have_ready_text_is_plain_and_names_the_account():
    text = have_ready_text(demo("custom_due"))
    assert text.splitlines()[0] == "Have ready for Harbor Street Bakery:"
    assert "  - Company tax ID" in text.splitlines()
