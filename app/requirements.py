"""Stripe requirement paths and account states in words an account manager understands.

Stripe reports what an account still needs as dotted paths (``individual.verification.document``,
``external_account``). An operator on a call needs "ID document (person)" and "Bank account for
payouts". This module does that translation with a table of the common paths, a composition rule
for people and companies (``<what> (<whose>)``), and a fallback that turns any other path into
readable words, so an unknown path is never hidden. The raw path is kept beside every label (the
window shows it in a tooltip). No Qt here: the CLI and tests use it too.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from app.stripe.models import Account, Requirements

# Whole paths that read best as one phrase.
_WHOLE: dict[str, str] = {
    "external_account": "Bank account for payouts",
    "business_type": "Business type",
    "business_profile.name": "Business name",
    "business_profile.url": "Business website",
    "business_profile.mcc": "Business category (MCC)",
    "business_profile.product_description": "Description of products or services",
    "business_profile.support_phone": "Customer support phone",
    "business_profile.support_email": "Customer support email",
    "business_profile.support_url": "Customer support website",
    "business_profile.support_address": "Customer support address",
    "business_profile.annual_revenue": "Annual revenue",
    "business_profile.estimated_worker_count": "Number of employees",
    "tos_acceptance.date": "Terms of service acceptance",
    "tos_acceptance.ip": "Terms of service acceptance (IP address)",
    "tos_acceptance.user_agent": "Terms of service acceptance (browser)",
    "settings.payments.statement_descriptor": "Statement descriptor",
    "settings.card_payments.statement_descriptor_prefix": "Statement descriptor prefix",
    "company.owners_provided": "Confirmation that all owners are listed",
    "company.directors_provided": "Confirmation that all directors are listed",
    "company.executives_provided": "Confirmation that all executives are listed",
    "relationship.representative": "Account representative",
    "representative": "Account representative",
    "owners": "Business owners",
    "directors": "Directors",
    "executives": "Executives",
}

# Who a path is about: its first segment.
_SUBJECTS: dict[str, str] = {
    "individual": "person",
    "representative": "representative",
    "company": "company",
    "owners": "owner",
    "directors": "director",
    "executives": "executive",
    "business_profile": "business profile",
    "settings": "settings",
}

# What is needed: the rest of the path, after the subject.
_LEAVES: dict[str, str] = {
    "verification.document": "ID document",
    "verification.additional_document": "Additional ID document",
    "verification.proof_of_liveness": "Selfie check",
    "verification.document.front": "ID document",
    "verification.document.back": "ID document",
    "verification.additional_document.front": "Additional ID document",
    "verification.additional_document.back": "Additional ID document",
    "verification.document_type": "ID document type",
    "dob.day": "Date of birth",
    "dob.month": "Date of birth",
    "dob.year": "Date of birth",
    "dob": "Date of birth",
    "first_name": "First name",
    "last_name": "Last name",
    "maiden_name": "Maiden name",
    "full_name_aliases": "Other names",
    "email": "Email address",
    "phone": "Phone number",
    "id_number": "Government ID number",
    "ssn_last_4": "Last 4 digits of SSN",
    "political_exposure": "Politically exposed person declaration",
    "nationality": "Nationality",
    "address": "Address",
    "address.line1": "Address",
    "address.line2": "Address",  # the parts of an address read as one line
    "address.city": "Address",
    "address.state": "Address",
    "address.postal_code": "Address",
    "address.country": "Address",
    "relationship.title": "Job title",
    "relationship.owner": "Ownership",
    "relationship.percent_ownership": "Ownership percentage",
    "relationship.executive": "Executive role",
    "relationship.director": "Director role",
    "name": "Legal name",
    "tax_id": "Tax ID",
    "vat_id": "VAT number",
    "registration_number": "Registration number",
    "structure": "Legal structure",
    "ownership_declaration.date": "Ownership declaration",
    "ownership_declaration.ip": "Ownership declaration (IP address)",
}

_DISABLED_REASONS: dict[str, str] = {
    "requirements.past_due": "Disabled: required information is past due",
    "requirements.pending_verification": "Disabled while Stripe verifies the information provided",
    "listed": "Disabled: the account matches a watch list and is under review",
    "platform_paused": "Paused by your platform",
    "paused.inactivity": "Paused for inactivity",
    "under_review": "Disabled while Stripe reviews the account",
    "rejected.fraud": "Rejected by Stripe (suspected fraud)",
    "rejected.incomplete_verification": "Rejected: verification was never completed",
    "rejected.listed": "Rejected: the account matches a watch list",
    "rejected.other": "Rejected by Stripe",
    "rejected.platform_fraud": "Rejected by your platform (fraud)",
    "rejected.platform_other": "Rejected by your platform",
    "rejected.platform_terms_of_service": "Rejected by your platform (terms of service)",
    "rejected.terms_of_service": "Rejected for breaking Stripe's terms of service",
    "action_required.requested_capabilities": "Action required: the requested capabilities need information",
    "other": "Disabled (see the Stripe Dashboard for why)",
}

_PERSON_ID = re.compile(r"^person_[A-Za-z0-9]+$")


def readable_words(segment: str) -> str:
    """``support_phone`` -> ``support phone``; digits and case kept as they are."""
    return segment.replace("_", " ").strip()


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fallback(path: str) -> str:
    """Any other ``a.b_c``: the last parts become the phrase, the first part says whose."""
    parts = [p for p in path.split(".") if p]
    if not parts:
        return path
    if len(parts) == 1:
        return _capitalise(readable_words(parts[0]))
    head, rest = parts[0], parts[1:]
    what = " ".join(readable_words(p) for p in rest)
    return f"{_capitalise(what)} ({readable_words(head)})"


def describe_requirement(path: str) -> str:
    """One requirement path in plain words, e.g. ``individual.verification.document`` ->
    ``ID document (person)``. Never raises; unknown paths fall back to readable words."""
    path = (path or "").strip()
    if path in _WHOLE:
        return _WHOLE[path]
    head, _, rest = path.partition(".")
    subject = _SUBJECTS.get(head)
    if subject is None and _PERSON_ID.match(head):
        subject = f"person …{head[-4:]}"
    if subject is not None and rest:
        leaf = _LEAVES.get(rest)
        if leaf is None:
            leaf = _capitalise(" ".join(readable_words(p) for p in rest.split(".") if p))
        return f"{leaf} ({subject})"
    return _fallback(path)


def describe_disabled_reason(reason: str | None) -> str | None:
    """``requirements.past_due`` -> words; unknown reasons fall back to readable words."""
    if not reason:
        return None
    return _DISABLED_REASONS.get(reason) or f"Disabled: {readable_words(reason.replace('.', ' '))}"


def format_deadline(deadline: int | None, *, now_wall: float) -> str | None:
    """``by Mon 14 Dec 2026, 17:00 (in 3 days)`` in local time; None without a deadline."""
    if deadline is None:
        return None
    try:
        when = _dt.datetime.fromtimestamp(deadline).strftime("%a %d %b %Y, %H:%M")
    except (OverflowError, OSError, ValueError):  # a time no calendar shows: say nothing wrong
        return None
    delta = deadline - now_wall
    days = abs(delta) / 86_400
    if days >= 1:
        span = f"{int(days)} day{'s' if int(days) != 1 else ''}"
    else:
        hours = max(1, int(abs(delta) / 3_600))
        span = f"{hours} hour{'s' if hours != 1 else ''}"
    relative = f"in {span}" if delta >= 0 else f"{span} ago"
    return f"by {when} ({relative})"


@dataclass(frozen=True, slots=True)
class RequirementItem:
    label: str  # plain words
    path: str  # Stripe's raw path (tooltip)
    detail: str | None = None  # e.g. the reason of a requirement error


@dataclass(frozen=True, slots=True)
class RequirementSection:
    key: str  # past_due | currently_due | eventually_due | pending_verification | errors | disabled
    title: str
    severity: str  # "error" | "warning" | "info"
    items: tuple[RequirementItem, ...]
    note: str | None = None  # e.g. the deadline of what is due now


def _items(paths: tuple[str, ...]) -> tuple[RequirementItem, ...]:
    """Labels for paths, merging paths that read the same (``dob.day``/``dob.month``...)."""
    seen: dict[str, list[str]] = {}
    for path in paths:
        seen.setdefault(describe_requirement(path), []).append(path)
    return tuple(RequirementItem(label, ", ".join(group)) for label, group in seen.items())


def requirement_sections(req: Requirements, *, now_wall: float) -> list[RequirementSection]:
    """What the account still needs, most urgent first; empty when nothing is due."""
    out: list[RequirementSection] = []
    reason = describe_disabled_reason(req.disabled_reason)
    if reason:
        out.append(RequirementSection("disabled", reason, "error",
                                      (RequirementItem(reason, req.disabled_reason or ""),)))
    if req.errors:
        items = tuple(
            RequirementItem(describe_requirement(e.requirement), e.requirement, e.reason or e.code)
            for e in req.errors
        )
        out.append(RequirementSection("errors", "Rejected information", "error", items))
    if req.past_due:
        out.append(RequirementSection("past_due", "Past due", "error", _items(req.past_due)))
    # Stripe lists what is past due in currently_due too: show each thing once, where it is worst.
    now_due = tuple(p for p in req.currently_due if p not in req.past_due)
    if now_due:
        deadline = format_deadline(req.current_deadline, now_wall=now_wall)
        out.append(RequirementSection("currently_due", "Due now", "warning", _items(now_due), deadline))
    if req.pending_verification:
        out.append(RequirementSection("pending_verification", "Being verified by Stripe", "info",
                                      _items(req.pending_verification)))
    later = tuple(p for p in req.eventually_due if p not in req.currently_due and p not in req.past_due)
    if later:
        out.append(RequirementSection("eventually_due", "Due later", "info", _items(later)))
    return out


def describe_controller(account: Account) -> str:
    """Who collects requirements and which dashboard the account uses, in one line."""
    c = account.controller
    # Stripe's type "none" (an account configured through controller properties), or a type
    # this version does not know, is not a kind an operator would name: call it what it is.
    kind = (account.type or "").capitalize() if account.type in ("standard", "express", "custom") else "Connected"
    collects = {"application": "your platform collects requirements",
                "stripe": "Stripe collects requirements"}.get(c.requirement_collection or "")
    dashboard = {"full": "full Stripe Dashboard", "express": "Express Dashboard",
                 "none": "no Stripe Dashboard"}.get(c.stripe_dashboard_type or "")
    if collects is None and account.type == "custom":
        collects = "your platform collects requirements"
    if dashboard is None:
        dashboard = {"custom": "no Stripe Dashboard", "express": "Express Dashboard",
                     "standard": "full Stripe Dashboard"}.get(account.type or "")
    details = ", ".join(x for x in (collects, dashboard) if x)
    return f"{kind} account — {details}" if details else f"{kind} account"
