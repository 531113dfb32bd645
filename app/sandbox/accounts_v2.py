"""The v2 view (``v2.core.account``) of a sandbox account, built from its v1 spec.

As on Stripe, a platform's accounts are reachable through both APIs; see app/sandbox/v2.py for the
choices made where Stripe's pages say nothing (configurations per account, requirement names).
"""

from __future__ import annotations

import time
from typing import Any

from .accounts import DAY, AccountSpec
from .seed import DEMO_SPECS

CONFIGURATIONS = ("customer", "merchant", "recipient")
_CONFIG_OVERRIDES = {
    DEMO_SPECS["custom_eu"].id: ("customer", "merchant"),
    DEMO_SPECS["custom_errors"].id: ("recipient",),
    DEMO_SPECS["express_ok"].id: ("merchant", "recipient"),
}
_CONFIG_BY_TYPE = {"custom": ("merchant",), "express": ("recipient",), "standard": ("customer", "merchant"),
                   "none": ("merchant",)}


def rfc3339(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds % 1 * 1000):03d}Z"


def configurations_of(spec: AccountSpec) -> tuple[str, ...]:
    return _CONFIG_OVERRIDES.get(spec.id) or _CONFIG_BY_TYPE.get(spec.type, ("merchant",))


def dashboard_of(spec: AccountSpec) -> str:
    if spec.dashboard is not None:
        return spec.dashboard
    return {"custom": "none", "express": "express", "standard": "full"}.get(spec.type, "none")


def requirements_collector_of(spec: AccountSpec) -> str:
    if spec.collection is not None:
        return spec.collection
    return "application" if spec.type == "custom" else "stripe"


def _responsibilities(spec: AccountSpec) -> dict[str, str]:
    dashboard = dashboard_of(spec)
    platform = spec.controller == "application"
    return {
        "fees_collector": ("application_express" if dashboard == "express" else "application")
        if platform and dashboard != "full" else "stripe",
        "losses_collector": "application" if platform and dashboard != "full" else "stripe",
        "requirements_collector": requirements_collector_of(spec),
    }


def _restricts(configs: tuple[str, ...], status: str) -> list[dict[str, Any]]:
    capability = {"merchant": "card_payments", "recipient": "stripe_balance.stripe_transfers"}
    return [{"capability": capability[c], "configuration": c, "deadline": {"status": status}}
            for c in configs if c in capability]


def _entries(spec: AccountSpec, configs: tuple[str, ...]) -> list[dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}

    def add(path: str, status: str, awaiting: str = "user") -> None:
        entries.setdefault(path, {
            "awaiting_action_from": awaiting,
            "description": path,
            "errors": [],
            "impact": {"restricts_capabilities": _restricts(configs, status)},
            "minimum_deadline": {"status": status},
            "reference": None,
            "requested_reasons": [{"code": "routine_onboarding"}],
        })

    for path in spec.past_due:
        add(path, "past_due")
    for path in spec.currently_due:
        add(path, "currently_due")
    for path in spec.pending_verification:
        add(path, "currently_due", awaiting="stripe")
    for path in spec.eventually_due:
        add(path, "eventually_due")
    for path, code, reason in spec.errors:
        add(path, "currently_due")
        entries[path]["errors"].append({"code": code, "description": reason})
    return list(entries.values())


def _summary(entries: list[dict[str, Any]], deadline: int | None) -> dict[str, Any]:
    statuses = {e["minimum_deadline"]["status"] for e in entries}
    status = next((s for s in ("past_due", "currently_due", "eventually_due") if s in statuses), None)
    if status is None:
        return {"minimum_deadline": None}
    return {"minimum_deadline": {"status": status, "time": rfc3339(deadline) if deadline is not None else None}}


def _configuration(spec: AccountSpec, name: str) -> dict[str, Any]:
    status = "active" if spec.charges_enabled else (
        "pending" if spec.pending_verification or spec.disabled_reason == "under_review" else "restricted")
    details = [] if status == "active" else [{"code": "requirements_past_due" if spec.past_due else
                                              "requirements_pending_verification" if status == "pending" else
                                              "restricted_other", "resolution": "provide_info"}]
    capability = {"status": status, "status_details": details}
    applied = {"applied": True}
    if name == "merchant":
        return {**applied, "capabilities": {"card_payments": capability}}
    if name == "recipient":
        return {**applied, "capabilities": {"stripe_balance": {"stripe_transfers": capability}}}
    return applied


def account_v2_json(spec: AccountSpec, seed_now: int, includes: set[str], *, livemode: bool = False) -> dict[str, Any]:
    """The ``v2.core.account`` object for ``spec``; include-dependent hashes are null unless
    named in ``includes``."""
    day0 = seed_now - seed_now % DAY
    configs = configurations_of(spec)
    entries = _entries(spec, configs)
    deadline = None if spec.deadline_days is None else day0 + spec.deadline_days * DAY
    future_deadline = None if spec.future_deadline_days is None else day0 + spec.future_deadline_days * DAY
    future_entries = [
        {"awaiting_action_from": "user", "description": path, "errors": [],
         "impact": {"restricts_capabilities": _restricts(configs, "eventually_due")},
         "minimum_deadline": {"status": "eventually_due"}, "reference": None,
         "requested_reasons": [{"code": "future_requirements"}]}
        for path in spec.future_eventually_due
    ]
    configuration = {
        name: (_configuration(spec, name) if name in configs and f"configuration.{name}" in includes else None)
        for name in CONFIGURATIONS
    }
    entity = spec.business_type if spec.business_type in ("company", "individual") else "company"
    return {
        "id": spec.id,
        "object": "v2.core.account",
        "applied_configurations": list(configs),
        "closed": False,
        "configuration": configuration if any(f"configuration.{n}" in includes for n in CONFIGURATIONS) else None,
        "contact_email": spec.email,
        "created": rfc3339(spec.created),
        "dashboard": dashboard_of(spec),
        "defaults": {
            "currency": spec.currency,
            "locales": ["en-US"],
            "responsibilities": _responsibilities(spec),
        } if "defaults" in includes else None,
        "display_name": spec.display_name or spec.name,
        "future_requirements": {
            "entries": future_entries,
            "minimum_transition_date": rfc3339(future_deadline) if future_deadline is not None else None,
            "summary": _summary(future_entries, future_deadline),
        } if "future_requirements" in includes else None,
        "identity": {
            "business_details": {"registered_name": spec.name} if entity == "company" else None,
            "country": spec.country,
            "entity_type": entity,
            "individual": None,
        } if "identity" in includes else None,
        "livemode": livemode,
        "metadata": dict(spec.metadata),
        "requirements": {"entries": entries, "summary": _summary(entries, deadline)} if "requirements" in includes else None,
    }


