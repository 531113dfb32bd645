"""What the directory keeps of an account: enough to find it and to show its status at a glance.

Whole account objects are not kept (they are large and change); a summary row is built from the
API's JSON through :class:`app.stripe.models.Account`, with every value type- and range-checked:
the network is untrusted, and these strings end up in a popup and on a terminal.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields, replace
from typing import Any, Mapping

from app.directory.text import clean
from app.stripe.models import Account

_MAX_COUNT = 10_000
_MIN_TIME, _MAX_TIME = 0, 32_503_680_000  # 1970 .. 3000: anything else is not a timestamp


def _count(items: tuple[str, ...]) -> int:
    return min(len(items), _MAX_COUNT)


def _time(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if _MIN_TIME <= value <= _MAX_TIME else None


def _earliest(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """One indexed account. Counts are of requirement entries; ``deadline`` is the earliest of
    ``requirements.current_deadline`` and ``future_requirements.current_deadline``."""

    id: str
    business_name: str | None = None
    display_name: str | None = None  # settings.dashboard.display_name
    email: str | None = None
    country: str | None = None
    type: str | None = None
    controller_type: str | None = None
    requirement_collection: str | None = None
    dashboard_type: str | None = None
    charges_enabled: bool = False
    payouts_enabled: bool = False
    details_submitted: bool = False
    disabled_reason: str | None = None
    currently_due: int = 0
    past_due: int = 0
    eventually_due: int = 0
    pending_verification: int = 0
    errors: int = 0
    deadline: int | None = None
    metadata: tuple[str, ...] = ()  # values only: that is what an operator searches by
    created: int | None = None
    refreshed_at: float = 0.0  # this machine's wall clock when the data was fetched

    @classmethod
    def from_account(cls, account: Account, *, refreshed_at: float) -> "AccountSummary":
        req, future = account.requirements, account.future_requirements
        c = account.controller
        meta = tuple(v for v in (clean(x) for x in list(account.metadata.values())[:50]) if v)
        return cls(
            id=account.id,
            business_name=clean(account.business_name),
            display_name=clean(account.dashboard_display_name),
            email=clean(account.email, 320),
            country=clean(account.country, 8),
            type=clean(account.type, 20),
            controller_type=clean(c.type, 20),
            requirement_collection=clean(c.requirement_collection, 20),
            dashboard_type=clean(c.stripe_dashboard_type, 20),
            charges_enabled=account.charges_enabled is True,
            payouts_enabled=account.payouts_enabled is True,
            details_submitted=account.details_submitted is True,
            disabled_reason=clean(req.disabled_reason, 80),
            currently_due=_count(req.currently_due),
            past_due=_count(req.past_due),
            eventually_due=_count(req.eventually_due),
            pending_verification=_count(req.pending_verification),
            errors=_count(req.errors),  # type: ignore[arg-type]
            deadline=_earliest(_time(req.current_deadline), _time(future.current_deadline)),
            metadata=meta,
            created=_time(account.created),
            refreshed_at=float(refreshed_at),
        )

    @classmethod
    def from_api(cls, data: Mapping[str, Any], *, refreshed_at: float) -> "AccountSummary | None":
        """The summary of one account object from a list page, or None if it is not one
        (no ``acct_`` id, not an object): a hostile page cannot plant rows."""
        if not isinstance(data, Mapping):
            return None
        account_id = data.get("id")
        if not isinstance(account_id, str) or not account_id.startswith("acct_") or len(account_id) > 64:
            return None
        if not account_id[5:].isalnum() or not account_id.isascii():
            return None
        try:
            account = Account.from_api(data)
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError):
            return None
        summary = cls.from_account(account, refreshed_at=refreshed_at)
        # The model is lenient (bool("false") is True, int(True) is 1): take these from the JSON.
        return replace(
            summary,
            created=_time(data.get("created")),
            charges_enabled=data.get("charges_enabled") is True,
            payouts_enabled=data.get("payouts_enabled") is True,
            details_submitted=data.get("details_submitted") is True,
        )

    @property
    def name(self) -> str:
        """What to call the account: business name, else display name, else email, else id."""
        return self.business_name or self.display_name or self.email or self.id

    @property
    def items_due(self) -> int:
        """Requirements the seller must provide now (currently_due includes past_due)."""
        return max(self.currently_due, self.past_due)

    def digest(self) -> str:
        """A fingerprint of everything but ``refreshed_at``: tells "updated" from "unchanged"."""
        values = tuple(getattr(self, name) for name in _DIGESTED)
        return hashlib.blake2b(repr(values).encode(), digest_size=8).hexdigest()

    def public_dict(self) -> dict[str, Any]:
        """The fields ``linkdesk accounts search --json`` prints."""
        return {
            "id": self.id,
            "name": self.business_name or self.display_name,
            "email": self.email,
            "country": self.country,
            "charges_enabled": self.charges_enabled,
            "payouts_enabled": self.payouts_enabled,
            "currently_due": self.currently_due,
            "deadline": self.deadline,
        }


FIELDS = tuple(f.name for f in fields(AccountSummary))
_DIGESTED = FIELDS[:-1]  # all but refreshed_at
