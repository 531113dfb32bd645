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

import random
import unicodedata
from dataclasses import replace

from .accounts import AccountSpec, ts
from .identity import DEMO_API_KEY, PLATFORM_ID, PLATFORM_NAME  # noqa: F401 - the key is re-exported

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
    id=PLATFORM_ID, created=ts("2018-10-01T09:00:00"),
    type="standard", controller="account", collection="stripe", dashboard="full",
    country="US", currency="usd", name=PLATFORM_NAME, display_name="Linkdesk Demo",
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
#
# Realistic enough to exercise search: business names (some with accents, some shared by several
# accounts, as franchises are), accounts known only by an email or a dashboard display name,
# emails derived from the names, metadata on about half, and creation dates spread over ten years
# with the platform growing (later years hold more accounts than earlier ones). Everything is
# derived from the account's number, so 50,000 of them cost nothing until listed.

SYNTHETIC_PREFIX = "acct_1Syn"
_SYN_DIGITS = 12
_SYN_START = ts("2016-01-01T00:00:00")
_SYN_END = ts("2025-10-01T00:00:00")
_SYN_GROWTH = 0.5  # created = start + span * (n / count) ** growth: denser towards the present
_SYN_TEMPLATES = tuple(
    DEMO_SPECS[n] for n in ("custom_due", "express_ok", "standard_ok", "custom_pastdue", "embedded_only")
)
_SYN_COUNTRIES = (
    ("US", "usd"), ("GB", "gbp"), ("DE", "eur"), ("CA", "cad"), ("AU", "aud"), ("FR", "eur"),
    ("ES", "eur"), ("IE", "eur"), ("NO", "nok"), ("PL", "pln"), ("BR", "brl"), ("JP", "jpy"),
)
_SYN_PLACES = (
    "Harbor", "Harbour", "Maple", "Copper", "Lumen", "Saffron", "Orchard", "Northwind", "Tidewater",
    "Kestrel", "Fjord", "Blue Lantern", "Café", "Crème", "Zürich", "Nørrebro", "Señora", "Élan",
    "Łąka", "São Bento", "Ångström", "Brûlée", "Québec", "Mañana", "Göteborg", "Château", "Olive",
    "Juniper", "Riverside", "Old Mill", "Cedar", "Granite", "Sunset", "Willow", "Birch", "Ember",
)
_SYN_MIDDLES = (
    "Street", "Lane", "Hill", "Corner", "Market", "Square", "Garden", "Bay", "Park", "Bridge", "",
)
_SYN_TRADES = (
    "Bakery", "Coffee Roasters", "Books", "Yoga Studio", "Tailoring", "Bistro", "Pâtisserie",
    "Atelier", "Florist", "Brewing Co.", "Ceramics", "Surf School", "Bike Repair", "Dental Care",
    "Cleaning Services", "Photography", "Catering", "Boutique", "Fitness", "Outfitters", "Crêperie",
    "Tattoo", "Barbers", "Music Lessons", "Pet Grooming", "Auto Detailing", "Wine Bar",
)
_SYN_FIRST = (
    "José", "Zoë", "Renée", "Søren", "Chloé", "Mateus", "Aoife", "Łukasz", "Jamie", "Priya",
    "Ngozi", "Hiroshi", "Ana", "François", "Björn", "Inès", "Oliver", "Mia", "Noah", "Amélie",
)
_SYN_LAST = (
    "García", "Müller", "O'Brien", "Nguyen", "Dvořák", "Smith", "Okafor", "Tanaka", "Silva",
    "Lefèvre", "Johansson", "Kowalski", "Brown", "Martínez", "Rossi", "Ó Súilleabháin",
)
_SYN_MAILBOXES = ("hello", "orders", "info", "team", "accounts", "owner", "bookings", "contact")
_SYN_REGIONS = ("north", "south", "east", "west", "central")


def synthetic_id(n: int) -> str:
    return f"{SYNTHETIC_PREFIX}{n:0{_SYN_DIGITS}d}"


def synthetic_number(account_id: str) -> int | None:
    """The number of a synthetic id, or None if ``account_id`` is not one."""
    digits = account_id[len(SYNTHETIC_PREFIX):]
    if account_id.startswith(SYNTHETIC_PREFIX) and len(digits) == _SYN_DIGITS and digits.isdigit():
        return int(digits)
    return None


def synthetic_created(n: int, count: int) -> int:
    """Creation time of synthetic account ``n`` of ``count``: strictly increasing with ``n``,
    spread over 2016-2025 and denser in later years."""
    span = _SYN_END - _SYN_START - count  # the "+ n" below keeps equal seconds apart
    return _SYN_START + int(max(span, 0) * (n / max(count, 1)) ** _SYN_GROWTH) + n


def _slug(text: str) -> str:
    """``Café Bay Crêperie`` -> ``cafe-bay-creperie``: the ASCII form used in emails."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_ASCII_EXTRA)).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in ascii_text.lower()).split()
    return "-".join(words)


_ASCII_EXTRA = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "å": "a", "Å": "A", "æ": "ae"})


def _synthetic_names(n: int) -> tuple[str | None, str | None, str]:
    """(business name, dashboard display name, email) of account ``n``; deterministic."""
    rnd = random.Random(n * 7919 + 13)
    first, last = rnd.choice(_SYN_FIRST), rnd.choice(_SYN_LAST)
    kind = rnd.random()
    if kind < 0.08:  # onboarding not started: known by its email only
        return None, None, f"{_slug(first)}.{_slug(last)}{n % 97}@example.com"
    middle = rnd.choice(_SYN_MIDDLES)
    name = " ".join(part for part in (rnd.choice(_SYN_PLACES), middle, rnd.choice(_SYN_TRADES)) if part)
    domain = _slug(name).replace("-", "")
    email = f"{rnd.choice(_SYN_MAILBOXES)}@{domain}.example.com"
    if kind < 0.13:  # a Standard account that set only a dashboard display name
        return None, name, email
    if kind < 0.25:  # a sole trader trading under their own name
        return f"{first} {last} {rnd.choice(_SYN_TRADES)}", None, f"{_slug(first)}@{_slug(last)}.example.com"
    return name, None, email


def synthetic_spec(n: int, count: int) -> AccountSpec:
    """Synthetic account ``n`` (1-based) of ``count``: one of a few demo shapes with its own
    names, email, country, metadata and creation date."""
    template = _SYN_TEMPLATES[n % len(_SYN_TEMPLATES)]
    country, currency = _SYN_COUNTRIES[n % len(_SYN_COUNTRIES)]
    name, display_name, email = _synthetic_names(n)
    metadata = {"crm_id": f"CRM-{n:06d}", "region": _SYN_REGIONS[n % len(_SYN_REGIONS)]} if n % 2 else {}
    return replace(
        template,
        id=synthetic_id(n),
        created=synthetic_created(n, count),
        name=name,
        display_name=display_name,
        email=email,
        country=country,
        currency=currency,
        metadata=metadata,
    )
