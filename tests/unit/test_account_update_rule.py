"""Which accounts may take an ``account_update`` link (stripe-facts.md, "Which type is allowed").

Every combination of controller properties is checked, and the legacy types without them, so
that flipping an ``and`` to ``or`` or letting a legacy Express account take updates fails here.
"""

from __future__ import annotations

import itertools

import pytest

from app.stripe.models import Account

COLLECTIONS = ("application", "stripe", None)
DASHBOARDS = ("none", "express", "full", None)
LEGACY_TYPES = ("custom", "express", "standard", "none", None)


def account(collection: str | None, dashboard: str | None, account_type: str | None = None) -> Account:
    controller: dict[str, object] = {"type": "application"}
    if collection is not None:
        controller["requirement_collection"] = collection
    if dashboard is not None:
        controller["stripe_dashboard"] = {"type": dashboard}
    data: dict[str, object] = {"id": "acct_1Rule", "controller": controller}
    if account_type is not None:
        data["type"] = account_type
    return Account.from_api(data)


@pytest.mark.parametrize(
    ("collection", "dashboard", "account_type"),
    [combo for combo in itertools.product(COLLECTIONS, DASHBOARDS, LEGACY_TYPES) if combo[:2] != (None, None)],
)
def test_controller_properties_decide_whatever_the_type(collection, dashboard, account_type):
    """Only application-collected requirements AND no Stripe Dashboard allow updates; the
    legacy ``type`` is ignored once the controller says anything."""
    acct = account(collection, dashboard, account_type)
    expected = collection == "application" and dashboard == "none"
    assert acct.allows_account_update is expected
    assert (acct.account_update_refusal is None) is expected


@pytest.mark.parametrize(("account_type", "expected"), [
    ("custom", True), ("express", False), ("standard", False), ("none", False), (None, False),
])
def test_legacy_accounts_without_controller_properties_go_by_type(account_type, expected):
    acct = account(None, None, account_type)
    assert acct.allows_account_update is expected
    bare = Account.from_api({"id": "acct_1Bare", **({"type": account_type} if account_type else {})})
    assert bare.allows_account_update is expected


def test_the_refusal_says_which_link_type_to_use_instead():
    refusal = account("stripe", "express").account_update_refusal
    assert refusal is not None and "onboarding links" in refusal
