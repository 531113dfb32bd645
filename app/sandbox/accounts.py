"""Connected accounts as compact specs, turned into Stripe's full JSON only when asked for.

An :class:`AccountSpec` holds what differs between accounts (controller, requirement state,
names); :func:`account_json` builds the whole object with every key of Stripe's ``account``
fixture, so the client sees the same shape as from api.stripe.com. Building lazily keeps a
50,000-account seed cheap: a list page builds at most 100 objects.
"""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass, field
from typing import Any

DAY = 86_400


def ts(iso: str) -> int:
    """Unix seconds for a UTC ``YYYY-MM-DDTHH:MM:SS`` (keeps the seed table readable)."""
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%S"))


@dataclass(frozen=True, slots=True)
class AccountSpec:
    id: str
    created: int
    type: str  # standard | express | custom | none
    controller: str  # "account" | "application"
    collection: str | None  # requirement_collection; None = legacy controller shape
    dashboard: str | None  # stripe_dashboard.type; None = legacy controller shape
    country: str
    currency: str
    name: str | None = None
    display_name: str | None = None
    email: str | None = None
    business_type: str | None = "company"
    url: str | None = None
    mcc: str | None = None
    product_description: str | None = None
    charges_enabled: bool = True
    payouts_enabled: bool = True
    details_submitted: bool = True
    currently_due: tuple[str, ...] = ()
    eventually_due: tuple[str, ...] = ()  # in addition to currently_due
    past_due: tuple[str, ...] = ()
    pending_verification: tuple[str, ...] = ()
    errors: tuple[tuple[str, str, str], ...] = ()  # (requirement, code, reason)
    disabled_reason: str | None = None
    deadline_days: int | None = None  # current_deadline, days after the seed's "now"
    future_eventually_due: tuple[str, ...] = ()
    future_deadline_days: int | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def allows_account_update(self) -> bool:
        """Stripe's rule: the platform collects requirements and there is no Stripe Dashboard."""
        if self.collection is None or self.dashboard is None:
            return self.type == "custom"
        return self.collection == "application" and self.dashboard == "none"


def _controller(spec: AccountSpec) -> dict[str, Any]:
    if spec.collection is None or spec.dashboard is None:
        return {"is_controller": spec.controller == "application", "type": spec.controller}
    out: dict[str, Any] = {}
    if spec.controller == "application":
        payer = {"full": "account", "express": "application_express"}.get(spec.dashboard, "application")
        out["fees"] = {"payer": payer}
        out["is_controller"] = True
        out["losses"] = {"payments": "stripe" if spec.dashboard == "full" else "application"}
    else:
        out["is_controller"] = False
    out["requirement_collection"] = spec.collection
    out["stripe_dashboard"] = {"type": spec.dashboard}
    out["type"] = spec.controller
    return out


def _requirements(
    *, currently_due: tuple[str, ...], eventually_due: tuple[str, ...], past_due: tuple[str, ...],
    pending: tuple[str, ...], errors: tuple[tuple[str, str, str], ...],
    disabled_reason: str | None, deadline: int | None,
) -> dict[str, Any]:
    return {
        "alternatives": [],
        "current_deadline": deadline,
        "currently_due": sorted(set(currently_due) | set(past_due)),
        "disabled_reason": disabled_reason,
        "errors": [{"code": c, "reason": r, "requirement": q} for q, c, r in errors],
        "eventually_due": sorted(set(currently_due) | set(past_due) | set(eventually_due)),
        "past_due": sorted(past_due),
        "pending_verification": sorted(pending),
    }


def _capability(spec: AccountSpec) -> str:
    if spec.charges_enabled:
        return "active"
    return "pending" if spec.pending_verification or spec.disabled_reason == "under_review" else "inactive"


def account_json(spec: AccountSpec, seed_now: int) -> dict[str, Any]:
    """The full Stripe ``account`` object for ``spec``; deadlines count from ``seed_now``."""
    day0 = seed_now - seed_now % DAY

    def deadline(days: int | None) -> int | None:
        return None if days is None else day0 + days * DAY

    tos_date = spec.created + 600 if spec.details_submitted else None
    return {
        "business_profile": {
            "annual_revenue": {"amount": None, "currency": None, "fiscal_year_end": None},
            "estimated_worker_count": None,
            "mcc": spec.mcc,
            "minority_owned_business_designation": None,
            "name": spec.name,
            "product_description": spec.product_description,
            "support_address": {
                "city": None, "country": None, "line1": None, "line2": None,
                "postal_code": None, "state": None,
            },
            "support_email": spec.email if spec.details_submitted else None,
            "support_phone": None,
            "support_url": None,
            "url": spec.url,
        },
        "business_type": spec.business_type,
        "capabilities": {"card_payments": _capability(spec), "transfers": _capability(spec)},
        "charges_enabled": spec.charges_enabled,
        "controller": _controller(spec),
        "country": spec.country,
        "created": spec.created,
        "default_currency": spec.currency,
        "details_submitted": spec.details_submitted,
        "email": spec.email,
        "external_accounts": {
            "data": [],
            "has_more": False,
            "object": "list",
            "url": f"/v1/accounts/{spec.id}/external_accounts",
        },
        "future_requirements": _requirements(
            currently_due=(), eventually_due=spec.future_eventually_due, past_due=(), pending=(),
            errors=(), disabled_reason=None, deadline=deadline(spec.future_deadline_days),
        ),
        "id": spec.id,
        "metadata": dict(spec.metadata),
        "object": "account",
        "payouts_enabled": spec.payouts_enabled,
        "requirements": _requirements(
            currently_due=spec.currently_due, eventually_due=spec.eventually_due,
            past_due=spec.past_due, pending=spec.pending_verification, errors=spec.errors,
            disabled_reason=spec.disabled_reason, deadline=deadline(spec.deadline_days),
        ),
        "settings": {
            "bacs_debit_payments": {"display_name": None, "service_user_number": None},
            "branding": {"icon": None, "logo": None, "primary_color": None, "secondary_color": None},
            "card_issuing": {"tos_acceptance": {"date": None, "ip": None}},
            "card_payments": {
                "decline_on": {"avs_failure": True, "cvc_failure": True},
                "statement_descriptor_prefix": None,
                "statement_descriptor_prefix_kana": None,
                "statement_descriptor_prefix_kanji": None,
            },
            "dashboard": {"display_name": spec.display_name or spec.name, "timezone": "Etc/UTC"},
            "invoices": {"default_account_tax_ids": None, "hosted_payment_method_save": None},
            "payments": {
                "statement_descriptor": (spec.name or "").upper()[:22] or None,
                "statement_descriptor_kana": None,
                "statement_descriptor_kanji": None,
                "statement_descriptor_prefix_kana": None,
                "statement_descriptor_prefix_kanji": None,
            },
            "payouts": {
                "debit_negative_balances": spec.controller == "application",
                "schedule": {"delay_days": 2, "interval": "daily"},
                "statement_descriptor": None,
            },
            "sepa_debit_payments": {},
        },
        "tos_acceptance": {
            "date": tos_date,
            "ip": "203.0.113.24" if tos_date else None,
            "user_agent": "Mozilla/5.0 (X11; Linux x86_64)" if tos_date else None,
        },
        "type": spec.type,
    }
