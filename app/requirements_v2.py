"""An Accounts v2 account's requirements and set-up in the same plain words as a v1 account's.

v2 lists requirements as ``requirements.entries[]`` (what is needed, who must act, the soonest
deadline status, what it restricts, errors) instead of v1's ``currently_due``/``past_due``/…
lists. :func:`requirement_sections_v2` sorts the entries into the same
:class:`app.requirements.RequirementSection` keys, titles and severities that the window and the
command line already show for v1, so an operator reads one vocabulary for both APIs. No Qt here.
"""

from __future__ import annotations

from app.requirements import RequirementItem, RequirementSection, describe_requirement, format_deadline, readable_words
from app.stripe.v2_models import AccountV2, RequirementEntry, RequirementsV2

# v2 names of things v1 calls differently, so describe_requirement's table applies to both.
_V2_PATHS: dict[str, str] = {
    "identity.business_details.registered_name": "Business name",
    "identity.business_details.url": "Business website",
    "identity.business_details.phone": "Business phone number",
    "identity.business_details.id_numbers": "Tax ID (company)",
    "identity.business_details.address": "Address (company)",
    "identity.business_details.structure": "Legal structure (company)",
    "identity.individual.id_numbers": "Government ID number (person)",
    "identity.individual.date_of_birth": "Date of birth (person)",
    "identity.individual.address": "Address (person)",
    "identity.individual.verification.document": "ID document (person)",
    "identity.attestations.terms_of_service.account": "Terms of service acceptance",
    "configuration.recipient.default_outbound_destination": "Bank account for payouts",
    "configuration.merchant.mcc": "Business category (MCC)",
    "configuration.merchant.statement_descriptor": "Statement descriptor",
}

_CONFIGURATION_WORDS = {"merchant": "Merchant", "customer": "Customer", "recipient": "Recipient"}


def describe_requirement_v2(path: str) -> str:
    """A v2 requirement description in words (v1's table and fallback for everything else)."""
    path = (path or "").strip()
    return _V2_PATHS.get(path) or describe_requirement(path)


def _detail(entry: RequirementEntry) -> str | None:
    if entry.errors:
        return "; ".join(e.description or readable_words(e.code) for e in entry.errors)
    if entry.restricts:
        what = ", ".join(
            readable_words(r.capability) + (f" ({r.configuration})" if r.configuration else "") for r in entry.restricts
        )
        return f"Restricts {what} if not provided"
    return None


def _items(entries: list[RequirementEntry], *, with_errors: bool = False) -> tuple[RequirementItem, ...]:
    """Labels for entries, merging entries that read the same (as v1 merges dob.day/month/year)."""
    merged: dict[str, tuple[list[str], str | None]] = {}
    for entry in entries:
        label = describe_requirement_v2(entry.description)
        paths, detail = merged.setdefault(label, ([], _detail(entry) if with_errors else None))
        paths.append(entry.description)
    return tuple(RequirementItem(label, ", ".join(paths), detail) for label, (paths, detail) in merged.items())


def requirement_sections_v2(req: RequirementsV2, *, now_wall: float) -> list[RequirementSection]:
    """What the account still needs, most urgent first, with v1's section keys and titles:
    errors, past_due, currently_due (with the soonest deadline), pending_verification (entries
    Stripe is acting on) and eventually_due. Empty when nothing is due."""
    buckets: dict[str, list[RequirementEntry]] = {
        "past_due": [], "currently_due": [], "pending_verification": [], "eventually_due": [],
    }
    for entry in req.entries:
        if entry.awaiting_action_from == "stripe":
            buckets["pending_verification"].append(entry)
        elif entry.minimum_deadline_status in ("past_due", "eventually_due"):
            buckets[entry.minimum_deadline_status].append(entry)
        else:  # currently_due, or a status this version does not know: treat as due now
            buckets["currently_due"].append(entry)
    out: list[RequirementSection] = []
    with_errors = [e for e in req.entries if e.errors]
    if with_errors:
        out.append(RequirementSection("errors", "Rejected information", "error", _items(with_errors, with_errors=True)))
    if buckets["past_due"]:
        out.append(RequirementSection("past_due", "Past due", "error", _items(buckets["past_due"])))
    if buckets["currently_due"]:
        deadline = None
        if req.minimum_deadline is not None and req.minimum_deadline_status in ("currently_due", "past_due"):
            deadline = format_deadline(int(req.minimum_deadline), now_wall=now_wall)
        out.append(RequirementSection("currently_due", "Due now", "warning", _items(buckets["currently_due"]), deadline))
    if buckets["pending_verification"]:
        out.append(RequirementSection("pending_verification", "Being verified by Stripe", "info",
                                      _items(buckets["pending_verification"])))
    if buckets["eventually_due"]:
        out.append(RequirementSection("eventually_due", "Due later", "info", _items(buckets["eventually_due"])))
    return out


def describe_configurations(configurations: tuple[str, ...]) -> str:
    """``("merchant", "recipient")`` -> ``Merchant, Recipient``; unknown names in readable words."""
    if not configurations:
        return "No configuration yet"
    return ", ".join(_CONFIGURATION_WORDS.get(c) or readable_words(c).capitalize() for c in configurations)


def describe_account_v2(account: AccountV2) -> str:
    """Who collects requirements and which dashboard, in v1's words, plus the configurations."""
    collects = {"application": "your platform collects requirements",
                "stripe": "Stripe collects requirements"}.get(account.requirements_collector or "")
    dashboard = {"full": "full Stripe Dashboard", "express": "Express Dashboard",
                 "none": "no Stripe Dashboard"}.get(account.dashboard or "")
    details = ", ".join(x for x in (collects, dashboard) if x)
    head = f"Connected account (Accounts v2) — {details}" if details else "Connected account (Accounts v2)"
    closed = " — closed" if account.closed else ""
    return f"{head}{closed}; configurations: {describe_configurations(account.applied_configurations)}"
