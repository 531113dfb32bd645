import pytest

from app.requirements import (
    describe_controller,
    describe_disabled_reason,
    describe_requirement,
    format_deadline,
    requirement_sections,
)
from app.stripe.models import Account, Controller, RequirementError, Requirements



@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("external_account", "Bank account for payouts"),
        ("individual.verification.document", "ID document (person)"),
        ("tos_acceptance.date", "Terms of service acceptance"),
        ("representative.address.city", "Address (representative)"),
        ("company.tax_id", "Tax ID (company)"),
        ("person_1AbCdEfGh1234.verification.document", "ID document (person …1234)"),
        ("business_profile.support_phone", "Customer support phone"),
    ],
)
def test_known_paths_read_as_words(path, words):
    assert describe_requirement(path) == words


def test_unknown_paths_fall_back_to_readable_words():
    assert describe_requirement("some_section.new_field_x") == "New field x (some section)"
    assert describe_requirement("brand_new_thing") == "Brand new thing"
    assert describe_requirement("individual.future_field") == "Future field (person)"
    assert describe_requirement("company.new_thing.sub_part") == "New thing sub part (company)"
    # never raises, never loses the text
    assert describe_requirement("") == ""


def test_disabled_reason_words_and_fallback():
    assert "past due" in describe_disabled_reason("requirements.past_due")
    assert describe_disabled_reason(None) is None
    assert describe_disabled_reason("rejected.something_new") == "Disabled: rejected something new"


def test_sections_order_merge_and_keep_raw_paths():
    now = 1_767_225_600.0
    req = Requirements(
        currently_due=("individual.dob.day", "individual.dob.month", "external_account"),
        eventually_due=("external_account", "company.tax_id"),
        past_due=("tos_acceptance.date",),
        pending_verification=("individual.verification.document",),
        errors=(RequirementError("individual.id_number", "invalid_value_other", "The ID number did not match."),),
        disabled_reason="requirements.past_due",
        current_deadline=int(now + 3 * 86_400 + 60),
    )
    sections = requirement_sections(req, now_wall=now)
    assert [s.key for s in sections] == [
        "disabled", "errors", "past_due", "currently_due", "pending_verification", "eventually_due"
    ]
    due = sections[3]
    assert due.title == "Due now" and "in 3 days" in due.note
    # the three dob parts would read the same: one line, both raw paths kept for the tooltip
    assert [i.label for i in due.items] == ["Date of birth (person)", "Bank account for payouts"]
    assert due.items[0].path == "individual.dob.day, individual.dob.month"
    assert sections[1].items[0].detail == "The ID number did not match."
    # past_due items are not repeated under "Due now"
    pastdue_too = requirement_sections(Requirements(currently_due=("a.b", "c"), past_due=("a.b",)), now_wall=now)
    assert [[i.path for i in s.items] for s in pastdue_too] == [["a.b"], ["c"]]
    # eventually_due does not repeat what is already due now
    assert [i.path for i in sections[5].items] == ["company.tax_id"]


def test_no_requirements_no_sections():
    assert requirement_sections(Requirements(), now_wall=0) == []


def test_deadline_in_past_reads_ago():
    assert format_deadline(1000, now_wall=1000 + 7200).endswith("(2 hours ago)")
    assert format_deadline(None, now_wall=0) is None


def test_controller_description_from_stripe_fixture(stripe_fixture):
    account = Account.from_api(stripe_fixture("account.json"))
    assert describe_controller(account) == "Standard account — full Stripe Dashboard"
    custom = Account(id="acct_1", type="custom",
                     controller=Controller("application", "application", "none"))
    assert describe_controller(custom) == "Custom account — your platform collects requirements, no Stripe Dashboard"
    fixture_sections = requirement_sections(account.requirements, now_wall=0)
    labels = [i.label for s in fixture_sections for i in s.items]
    assert "Bank account for payouts" in labels and "Terms of service acceptance" in labels


def test_accounts_of_type_none_are_called_connected_accounts():
    from app.requirements import describe_controller
    from app.stripe.models import Account

    account = Account.from_api({"id": "acct_1", "type": "none", "controller": {
        "requirement_collection": "stripe", "stripe_dashboard": {"type": "none"}}})
    assert describe_controller(account) == "Connected account — Stripe collects requirements, no Stripe Dashboard"
    assert describe_controller(Account.from_api({"id": "acct_2", "type": "express"})).startswith("Express account")


def test_a_deadline_no_calendar_can_show_is_left_out():
    from app.requirements import format_deadline

    assert format_deadline(10**18, now_wall=0.0) is None
    assert format_deadline(2**63, now_wall=0.0) is None
