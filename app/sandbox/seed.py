"""The sandbox's fixed demo accounts, its platform account, and synthetic accounts for scale.

Demo accounts (``DEMO_ACCOUNTS``: name -> id; the ids are part of the app's contract):

* ``custom_due``      Harbor Street Bakery, custom, platform collects, no dashboard; currently_due
                      with a deadline 14 days out -> both link types allowed.
* ``custom_pastdue``  Copper Kettle Catering, custom; past_due, disabled (requirements.past_due).
* ``custom_pending``  Maple & Thread Tailoring, custom (CA); documents pending_verification.
* ``custom_rejected`` QuickCash Electronics Outlet, custom; disabled rejected.fraud.
* ``custom_errors``   Blue Lantern Books, custom; a rejected ID document in requirements.errors[].
* ``custom_eu``       Atelier Brandt GmbH, custom (DE); complete, future_requirements pending.
* ``custom_legacy``   Fjord & Pine Outfitters, custom (NO) with the legacy controller shape
                      (no requirement_collection / stripe_dashboard): update allowed by ``type``.
* ``express_new``     no business name, only an email; express, onboarding not started.
* ``express_ok``      Lumen Yoga Studio, express (GB); complete, future requirements ahead.
* ``express_pastdue`` Tidewater Surf School, express (AU); bank account past_due, disabled.
* ``standard_ok``     Northwind Coffee Roasters, standard via OAuth (controller.type account).
* ``standard_new``    Orchard Lane Ceramics, standard created by the platform (controller.type
                      application, full dashboard), not yet onboarded.
* ``standard_review`` "Kestrel Analytics" only as dashboard display name; disabled under_review.
* ``embedded_only``   Saffron Street Kitchen, type none: no dashboard but Stripe collects ->
                      onboarding only (the case a type-based rule gets wrong).

``express_new`` and ``standard_new`` share the same ``created`` second, so list order has to fall
back on the id, as Stripe's does. Synthetic accounts are ``acct_1Syn`` + 12 digits; only their
number is stored, everything else is derived from it.
"""

from __future__ import annotations

from dataclasses import replace

from .accounts import AccountSpec, ts

DEMO_API_KEY = "sk_test_linkdesk_sandbox"

_ONBOARDING_INDIVIDUAL = (
    "business_profile.mcc", "business_profile.url", "external_account",
    "individual.address.city", "individual.address.line1", "individual.address.postal_code",
    "individual.address.state", "individual.dob.day", "individual.dob.month",
    "individual.dob.year", "individual.email", "individual.first_name", "individual.last_name",
    "individual.phone", "individual.ssn_last_4", "tos_acceptance.date", "tos_acceptance.ip",
)
_ONBOARDING_COMPANY = (
    "business_profile.mcc", "business_profile.url", "company.address.city",
    "company.address.line1", "company.address.postal_code", "company.name", "company.tax_id",
    "external_account", "representative.first_name", "representative.last_name",
    "tos_acceptance.date", "tos_acceptance.ip",
)

_custom = dict(type="custom", controller="application", collection="application", dashboard="none")
_express = dict(type="express", controller="application", collection="stripe", dashboard="express")

DEMO_SPECS: dict[str, AccountSpec] = {
    "custom_due": AccountSpec(
        id="acct_1LdCustomDue0001", created=ts("2024-05-21T14:02:11"), **_custom,
        country="US", currency="usd", name="Harbor Street Bakery",
        email="orders@harborstreetbakery.example.com", url="https://harborstreetbakery.example.com",
        mcc="5462", product_description="Bread, pastries and celebration cakes",
        currently_due=("business_profile.url", "company.tax_id", "external_account"),
        eventually_due=("representative.verification.additional_document",), deadline_days=14,
        metadata={"crm_id": "HSB-0042"},
    ),
    "custom_pastdue": AccountSpec(
        id="acct_1LdCustomPast001", created=ts("2023-09-02T08:45:30"), **_custom,
        country="US", currency="usd", name="Copper Kettle Catering",
        email="hello@copperkettle.example.com", mcc="5811", business_type="individual",
        charges_enabled=False, payouts_enabled=False,
        past_due=("external_account", "individual.id_number"),
        currently_due=("individual.verification.document",),
        disabled_reason="requirements.past_due",
    ),
    "custom_pending": AccountSpec(
        id="acct_1LdCustomPend001", created=ts("2025-02-11T17:20:05"), **_custom,
        country="CA", currency="cad", name="Maple & Thread Tailoring",
        email="studio@maplethread.example.com", mcc="5699", business_type="individual",
        charges_enabled=False, payouts_enabled=False,
        pending_verification=("individual.id_number", "individual.verification.document"),
        disabled_reason="requirements.pending_verification",
    ),
    "custom_rejected": AccountSpec(
        id="acct_1LdCustomRej0001", created=ts("2022-11-30T23:11:47"), **_custom,
        country="US", currency="usd", name="QuickCash Electronics Outlet",
        email="sales@quickcash-outlet.example.com", mcc="5732",
        charges_enabled=False, payouts_enabled=False, disabled_reason="rejected.fraud",
    ),
    "custom_errors": AccountSpec(
        id="acct_1LdCustomErr0001", created=ts("2024-08-08T10:31:59"), **_custom,
        country="US", currency="usd", name="Blue Lantern Books",
        email="owner@bluelanternbooks.example.com", mcc="5942", business_type="individual",
        currently_due=("individual.verification.document",),
        errors=(
            ("individual.verification.document", "verification_document_name_mismatch",
             "The name on the ID document doesn't match the name on the account."),
        ),
        deadline_days=9,
    ),
    "custom_eu": AccountSpec(
        id="acct_1LdCustomEu00001", created=ts("2021-06-17T07:05:12"), **_custom,
        country="DE", currency="eur", name="Atelier Brandt GmbH",
        email="finanzen@atelier-brandt.example.com", mcc="5712",
        future_eventually_due=("company.ownership_declaration.date", "company.ownership_declaration.ip"),
        future_deadline_days=90,
    ),
    "custom_legacy": AccountSpec(
        id="acct_1LdCustomLegacy1", created=ts("2019-01-23T12:00:41"),
        type="custom", controller="application", collection=None, dashboard=None,
        country="NO", currency="nok", name="Fjord & Pine Outfitters",
        email="post@fjordpine.example.com", mcc="5941",
    ),
    "express_new": AccountSpec(
        id="acct_1LdExpressNew001", created=ts("2025-11-03T10:15:00"), **_express,
        country="US", currency="usd", email="jamie.ortega@example.com", business_type=None,
        charges_enabled=False, payouts_enabled=False, details_submitted=False,
        currently_due=_ONBOARDING_INDIVIDUAL, past_due=_ONBOARDING_INDIVIDUAL,
        disabled_reason="requirements.past_due",
    ),
    "express_ok": AccountSpec(
        id="acct_1LdExpressOk0001", created=ts("2022-03-09T16:48:22"), **_express,
        country="GB", currency="gbp", name="Lumen Yoga Studio",
        email="namaste@lumenyoga.example.com", mcc="7997", business_type="individual",
        future_eventually_due=("individual.verification.additional_document",),
        future_deadline_days=60,
    ),
    "express_pastdue": AccountSpec(
        id="acct_1LdExpressPast01", created=ts("2023-01-15T03:27:09"), **_express,
        country="AU", currency="aud", name="Tidewater Surf School",
        email="bookings@tidewatersurf.example.com", mcc="7999", business_type="individual",
        charges_enabled=False, payouts_enabled=False, past_due=("external_account",),
        disabled_reason="requirements.past_due",
    ),
    "standard_ok": AccountSpec(
        id="acct_1LdStandardOk001", created=ts("2019-03-14T09:26:53"),
        type="standard", controller="account", collection="stripe", dashboard="full",
        country="US", currency="usd", name="Northwind Coffee Roasters",
        email="accounts@northwindcoffee.example.com", url="https://northwindcoffee.example.com",
        mcc="5499",
    ),
    "standard_new": AccountSpec(
        id="acct_1LdStandardNew01", created=ts("2025-11-03T10:15:00"),
        type="standard", controller="application", collection="stripe", dashboard="full",
        country="FR", currency="eur", name="Orchard Lane Ceramics",
        email="atelier@orchardlane.example.com", charges_enabled=False, payouts_enabled=False,
        details_submitted=False, currently_due=_ONBOARDING_COMPANY, past_due=_ONBOARDING_COMPANY,
        disabled_reason="requirements.past_due",
    ),
    "standard_review": AccountSpec(
        id="acct_1LdStandardRev01", created=ts("2024-12-02T19:59:31"),
        type="standard", controller="account", collection="stripe", dashboard="full",
        country="CA", currency="cad", display_name="Kestrel Analytics",
        email="billing@kestrel.example.com", charges_enabled=False, payouts_enabled=False,
        disabled_reason="under_review",
    ),
    "embedded_only": AccountSpec(
        id="acct_1LdNoDashStripe1", created=ts("2025-06-30T11:40:18"),
        type="none", controller="application", collection="stripe", dashboard="none",
        country="IE", currency="eur", name="Saffron Street Kitchen",
        email="team@saffronstreet.example.com", mcc="5812",
        eventually_due=("company.tax_id",),
    ),
}

DEMO_ACCOUNTS: dict[str, str] = {name: spec.id for name, spec in DEMO_SPECS.items()}

PLATFORM = AccountSpec(
    id="acct_1LdPlatform00001", created=ts("2018-10-01T09:00:00"),
    type="standard", controller="account", collection="stripe", dashboard="full",
    country="US", currency="usd", name="Linkdesk Demo Platform", display_name="Linkdesk Demo",
    email="platform@linkdesk.example.com", url="https://linkdesk.example.com", mcc="7372",
)

# The account behind a ``…_notplatform`` key: a business that never set up Connect.
NOT_A_PLATFORM = AccountSpec(
    id="acct_1LdNotPlatform01", created=ts("2020-04-02T10:30:00"),
    type="standard", controller="account", collection="stripe", dashboard="full",
    country="US", currency="usd", name="Juniper Print Shop",
    email="hello@juniperprint.example.com", url="https://juniperprint.example.com", mcc="7338",
)

# Accounts that exist in one mode only (as accounts a platform created with a test key do), so a
# key of the other mode gets Stripe's "a similar object exists in test mode" answer. They are
# not in list pages (those stay the demo set in both modes); ask for them by id.
MODE_BOUND_SPECS: dict[str, AccountSpec] = {
    "test": replace(DEMO_SPECS["custom_due"], id="acct_1LdTestOnly00001", name="Quill & Fern Stationers",
                    email="orders@quillfern.example.com", metadata={}),
    "live": replace(DEMO_SPECS["custom_due"], id="acct_1LdLiveOnly00001", name="Marlowe Bicycle Works",
                    email="shop@marlowebikes.example.com", metadata={}),
}
MODE_BOUND_ACCOUNTS: dict[str, str] = {f"{mode}_only": spec.id for mode, spec in MODE_BOUND_SPECS.items()}

# -- synthetic accounts ---------------------------------------------------------------------------

SYNTHETIC_PREFIX = "acct_1Syn"
_SYN_DIGITS = 12
_SYN_START = ts("2020-01-01T00:00:00")
_SYN_END = ts("2025-10-01T00:00:00")
_SYN_TEMPLATES = tuple(
    DEMO_SPECS[n] for n in ("custom_due", "express_ok", "standard_ok", "custom_pastdue", "embedded_only")
)
_SYN_COUNTRIES = (("US", "usd"), ("GB", "gbp"), ("DE", "eur"), ("CA", "cad"), ("AU", "aud"))


def synthetic_id(n: int) -> str:
    return f"{SYNTHETIC_PREFIX}{n:0{_SYN_DIGITS}d}"


def synthetic_number(account_id: str) -> int | None:
    """The number of a synthetic id, or None if ``account_id`` is not one."""
    digits = account_id[len(SYNTHETIC_PREFIX):]
    if account_id.startswith(SYNTHETIC_PREFIX) and len(digits) == _SYN_DIGITS and digits.isdigit():
        return int(digits)
    return None


def synthetic_step(count: int) -> int:
    """Seconds between consecutive synthetic accounts: ``count`` of them span 2020-2025."""
    return max(1, (_SYN_END - _SYN_START) // max(count, 1))


def synthetic_created(n: int, step: int) -> int:
    return _SYN_START + n * step


def synthetic_spec(n: int, step: int) -> AccountSpec:
    """Synthetic account ``n`` (1-based): one of a few demo shapes with its own name and dates."""
    template = _SYN_TEMPLATES[n % len(_SYN_TEMPLATES)]
    country, currency = _SYN_COUNTRIES[n % len(_SYN_COUNTRIES)]
    return replace(
        template,
        id=synthetic_id(n),
        created=synthetic_created(n, step),
        name=f"Synthetic Seller {n:05d}",
        display_name=None,
        email=f"seller{n:05d}@synthetic.example.com",
        country=country,
        currency=currency,
        metadata={"synthetic": str(n)},
    )
