"""The account in one line (what to do now), and what the seller should have ready for the call.

An operator on a call reads a verdict first ("3 items due by 14 Dec — an onboarding link
collects them") and the checklist after it. The window and ``linkdesk account`` both print
:func:`account_verdict`'s line, so they never disagree. No Qt here.

Rules, most decisive first:

1. Rejected (``disabled_reason`` ``rejected.*``): do not send a link; creating one anyway asks for
   confirmation naming the reason (:attr:`Verdict.confirm_reason`).
2. Paused by the platform, or under Stripe's review / on a watch list with nothing to collect:
   nothing a link can fix.
3. Onboarding not started (no details submitted, something due): send an onboarding link.
4. Rejected information, past-due or currently-due items: count them (each thing once) and say by
   when; an onboarding link collects them.
5. Stripe is verifying what was sent: nothing to collect now.
6. Nothing due now but items due later (or future requirements): a link with "Only what is due
   now" would open an empty flow, so :attr:`Verdict.fields` says "eventually_due" (and
   :attr:`Verdict.future` "include" for future requirements).
7. Nothing due: no link needed.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from app.requirements import describe_disabled_reason, describe_requirement
from app.stripe.models import Account, Requirements

# What the window colours the line with (a key into its severity colours).
ERROR, WARNING, INFO, OK = "error", "warning", "info", "ok"


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: str  # rejected | paused | review | not_started | due | verifying | due_later | nothing_due
    text: str  # one line: the state, a dash, what to do
    severity: str  # error | warning | info | ok
    confirm_reason: str | None = None  # creating a link asks first, naming this
    fields: str | None = None  # the collection_options[fields] a link should use, when not the default
    future: str | None = None  # "include" when only future requirements are due
    warning: str | None = None  # why the form preselected what it did (shown beside the choice)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _short_date(unix: int) -> str:
    """``14 Dec`` (local); the year too when it is not this year's."""
    when = _dt.datetime.fromtimestamp(unix)
    text = f"{when.day} {when.strftime('%b')}"
    return text if when.year == _dt.datetime.now().year else f"{text} {when.year}"


def _labels(paths: tuple[str, ...]) -> set[str]:
    """Each thing once: ``dob.day``/``dob.month``/``dob.year`` are one "Date of birth", and an
    acceptance's ``.date``/``.ip``/``.user_agent`` are one acceptance."""
    return {describe_requirement(p.removesuffix(".ip").removesuffix(".user_agent").removesuffix(".date"))
            for p in paths}


def due_count(req: Requirements) -> int:
    """How many distinct things are wanted now: rejected information, past due, due now."""
    return len(_labels(tuple(e.requirement for e in req.errors) + req.past_due + req.currently_due))


def later_count(account: Account) -> int:
    req, future = account.requirements, account.future_requirements
    now = set(req.past_due) | set(req.currently_due)
    later = tuple(p for p in req.eventually_due if p not in now)
    ahead = future.currently_due + future.eventually_due + future.past_due
    return len(_labels(later) | _labels(ahead))


def account_verdict(account: Account) -> Verdict:
    """What to do about ``account``, in one line (see the module's rules)."""
    req = account.requirements
    reason = req.disabled_reason or ""
    if reason.startswith("rejected."):
        words = describe_disabled_reason(reason) or "Rejected"
        return Verdict("rejected", f"{words} — do not send a link", ERROR, confirm_reason=words)
    if reason == "platform_paused":
        return Verdict("paused", "Paused by your platform — unpause it in the Dashboard; a link will not help", INFO)
    wanted = due_count(req)
    if reason in ("under_review", "listed", "other") and not wanted:
        return Verdict("review", "Stripe is reviewing — nothing to collect now", INFO)
    if wanted and not account.details_submitted:
        return Verdict("not_started", "Onboarding not started — send an onboarding link", WARNING)
    if wanted:
        if req.past_due:
            when = "past due"
        elif req.current_deadline:
            when = f"due by {_short_date(req.current_deadline)}"
        else:
            when = "due now"
        rejected = len(_labels(tuple(e.requirement for e in req.errors)))
        lead = f"{_plural(wanted, 'item')} {when}"
        if rejected and not req.past_due:
            lead = f"{lead} ({rejected} rejected)"
        return Verdict("due", f"{lead} — an onboarding link collects them", ERROR if req.past_due else WARNING)
    if req.pending_verification:
        return Verdict("verifying", "Stripe is verifying what was sent — nothing to collect now", INFO)
    later = later_count(account)
    if later:
        future = account.future_requirements
        has_future = bool(future.currently_due or future.eventually_due or future.past_due)
        why = ("Nothing is due now, so “Only what is due now” would open an empty flow: "
               "“Everything” collects what is due later.")
        return Verdict("due_later", f"Nothing due now; {_plural(later, 'item')} due later — "
                       "a link with “Everything” collects them early", INFO,
                       fields="eventually_due", future="include" if has_future else None, warning=why)
    return Verdict("nothing_due", "Nothing due — no link needed", OK)


# -- what the seller should have ready -------------------------------------------------------

_BUSINESS = "Business"
# Leaf of a path (after its subject) -> the thing to have at hand.
_READY_LEAVES: tuple[tuple[str, str], ...] = (
    ("verification.additional_document", "Proof of address (utility bill or bank statement)"),
    ("verification.proof_of_liveness", "A phone with a camera (selfie check)"),
    ("verification.document", "ID document (passport, driving licence or ID card)"),
    ("id_number", "Government ID number"),
    ("ssn_last_4", "Last 4 digits of the SSN"),
    ("dob", "Date of birth"),
    ("address", "Home address"),
    ("first_name", "Legal name"),
    ("last_name", "Legal name"),
    ("email", "Email address"),
    ("phone", "Phone number"),
    ("relationship", "Job title and ownership share"),
    ("political_exposure", "Politically exposed person declaration"),
    ("nationality", "Nationality"),
)
_COMPANY_LEAVES: tuple[tuple[str, str], ...] = (
    ("tax_id", "Company tax ID"),
    ("vat_id", "VAT number"),
    ("registration_number", "Company registration number"),
    ("address", "Registered business address"),
    ("name", "Registered company name"),
    ("phone", "Business phone number"),
    ("structure", "Legal structure"),
    ("ownership_declaration", "Names of all owners (ownership declaration)"),
    ("owners_provided", "Names of all owners (ownership declaration)"),
    ("directors_provided", "Names of all directors"),
    ("executives_provided", "Names of all executives"),
    ("verification.document", "Company registration document"),
)
_WHOLE_READY: dict[str, tuple[str, str] | None] = {
    "external_account": (_BUSINESS, "Bank details for payouts (account and routing numbers)"),
    "business_profile.url": (_BUSINESS, "Business website (or a product description)"),
    "business_profile.mcc": (_BUSINESS, "What the business sells (its category)"),
    "business_profile.product_description": (_BUSINESS, "What the business sells (its category)"),
    "business_profile.name": (_BUSINESS, "Business name"),
    "business_type": (_BUSINESS, "Business type (individual or company)"),
    "tos_acceptance.date": None,  # accepted in the flow itself: nothing to prepare
    "tos_acceptance.ip": None,
    "tos_acceptance.user_agent": None,
}
_PEOPLE = {"individual": "Account holder", "representative": "Representative",
           "owners": "Owners", "directors": "Directors", "executives": "Executives"}


def _ready_item(path: str) -> tuple[str, str] | None:
    """(group, thing) for one requirement path; None for what needs nothing prepared."""
    if path in _WHOLE_READY:
        return _WHOLE_READY[path]
    head, _, rest = path.partition(".")
    if head == "business_profile" or head == "settings":
        return _BUSINESS, describe_requirement(path).split(" (")[0]
    if head == "company":
        for leaf, thing in _COMPANY_LEAVES:
            if rest == leaf or rest.startswith(leaf + "."):
                return _BUSINESS, thing
        return _BUSINESS, describe_requirement(path).split(" (")[0]
    group = _PEOPLE.get(head) or (f"Person …{head[-4:]}" if head.startswith("person_") else None)
    if group is not None and rest:
        for leaf, thing in _READY_LEAVES:
            if rest == leaf or rest.startswith(leaf + "."):
                return group, thing
        return group, describe_requirement(path).split(" (")[0]
    return _BUSINESS, describe_requirement(path)


def have_ready(account: Account, *, fields: str | None = None) -> list[tuple[str, list[str]]]:
    """What the seller should have at hand for the link, grouped (business first, then each
    person), each thing once: rejected information and due items are merged. ``fields`` is the
    collection the link will use ("eventually_due" adds what is due later)."""
    req = account.requirements
    paths = [e.requirement for e in req.errors] + list(req.past_due) + list(req.currently_due)
    if fields == "eventually_due" or not paths:
        paths += list(req.eventually_due)
        future = account.future_requirements
        paths += list(future.past_due + future.currently_due + future.eventually_due)
    groups: dict[str, list[str]] = {}
    for path in paths:
        item = _ready_item(path)
        if item is None:
            continue
        group, thing = item
        things = groups.setdefault(group, [])
        if thing not in things:
            things.append(thing)
    order = sorted(groups, key=lambda g: (g != _BUSINESS, g))
    return [(group, groups[group]) for group in order]


def have_ready_text(account: Account, *, fields: str | None = None) -> str:
    """The list as plain text (the Copy button; ``linkdesk account``)."""
    lines = [f"Have ready for {account.display_name}:"]
    for group, things in have_ready(account, fields=fields):
        lines.append(f"{group}:")
        lines += [f"  - {thing}" for thing in things]
    return "\n".join(lines)
