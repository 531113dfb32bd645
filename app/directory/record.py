"""What the directory keeps of an account: enough to find it and to show its status at a glance.

Whole account objects are not kept (they are large and change). A list page's accounts are read
one by one and tolerantly (:meth:`AccountSummary.from_api`, issue 18): every value is type- and
range-checked (the network is untrusted, and these strings end up in a popup and on a terminal),
but a value that fails its check is dropped, or clipped when it is only too long, and the rest of
the account kept. Only an item without a usable ``acct_`` id is skipped (:func:`decode_page`
counts them): one odd account must not keep the whole page, and the directory, from syncing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from typing import Any, Mapping

from app.directory.text import clean
from app.stripe.models import Account

PAGE_MAX = 100  # Stripe's largest page; items past it are skipped
_MAX_COUNT = 10_000
_MAX_METADATA = 50  # values kept (searchable) of an account's metadata
_TYPES = frozenset({"standard", "express", "custom", "none"})
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
        """The summary of one account object from a list page, or None when it has no usable
        id (no ``acct_`` id, not an object): a hostile page cannot plant rows. Anything else
        that is wrong is dropped or clipped, never the account: a 1,001-character name is
        clipped, 1,001 requirement entries are counted, a country that is not two letters or
        an unknown type is left out."""
        account_id = usable_id(data)
        if account_id is None:
            return None
        profile = _obj(data.get("business_profile"))
        dashboard = _obj(_obj(data.get("settings")).get("dashboard"))
        controller = _obj(data.get("controller"))
        req, future = _obj(data.get("requirements")), _obj(data.get("future_requirements"))
        metadata = data.get("metadata")
        meta: tuple[str, ...] = ()
        if isinstance(metadata, Mapping):
            values = (clean(v) for _, v in zip(range(_MAX_METADATA), metadata.values()))
            meta = tuple(v for v in values if v)
        return cls(
            id=account_id,
            business_name=clean(profile.get("name")),
            display_name=clean(dashboard.get("display_name")),
            email=clean(data.get("email"), 320),
            country=_country(data.get("country")),
            type=_type(data.get("type")),
            controller_type=_token(controller.get("type")),
            requirement_collection=_token(controller.get("requirement_collection")),
            dashboard_type=_token(_obj(controller.get("stripe_dashboard")).get("type")),
            charges_enabled=data.get("charges_enabled") is True,
            payouts_enabled=data.get("payouts_enabled") is True,
            details_submitted=data.get("details_submitted") is True,
            disabled_reason=clean(req.get("disabled_reason"), 80),
            currently_due=_list_count(req.get("currently_due")),
            past_due=_list_count(req.get("past_due")),
            eventually_due=_list_count(req.get("eventually_due")),
            pending_verification=_list_count(req.get("pending_verification")),
            errors=_list_count(req.get("errors")),
            deadline=_earliest(_time(req.get("current_deadline")), _time(future.get("current_deadline"))),
            metadata=meta,
            created=_time(data.get("created")),
            refreshed_at=float(refreshed_at),
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


def usable_id(data: object) -> str | None:
    """The ``acct_`` id of an account object from the network, or None if it has none usable."""
    if not isinstance(data, Mapping):
        return None
    account_id = data.get("id")
    if not isinstance(account_id, str) or not account_id.startswith("acct_") or len(account_id) > 64:
        return None
    if not account_id[5:].isalnum() or not account_id.isascii():
        return None
    return account_id


def decode_page(data: Mapping[str, Any], *, refreshed_at: float) -> tuple[list[AccountSummary], bool, list[str]]:
    """A ``GET /v1/accounts`` page: its accounts (each decoded on its own), ``has_more``, and a
    fingerprint of each item skipped (no usable id, or past the 100 a page holds), so that an
    item seen on two pages is counted once. Raises ValueError when the page itself is not a
    list of accounts."""
    items = data.get("data")
    if not isinstance(items, list):
        raise ValueError("data: not a list of accounts")
    accounts: list[AccountSummary] = []
    skipped: list[str] = []
    for i, item in enumerate(items):
        summary = AccountSummary.from_api(item, refreshed_at=refreshed_at) if i < PAGE_MAX else None
        if summary is not None:
            accounts.append(summary)
        else:
            skipped.append(hashlib.blake2b(repr(item)[:4096].encode(), digest_size=8).hexdigest())
    return accounts, data.get("has_more") is True, skipped


def _obj(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list_count(value: object) -> int:
    return min(len(value), _MAX_COUNT) if isinstance(value, list) else 0


def _token(value: object, limit: int = 20) -> str | None:
    """A lower-case identifier such as ``application`` or ``none``, else None."""
    if not isinstance(value, str) or not 0 < len(value) <= limit or not value.isascii():
        return None
    return value if value.replace("_", "").isalpha() and value.islower() else None


def _type(value: object) -> str | None:
    folded = value.lower() if isinstance(value, str) and len(value) <= 20 else None
    return folded if folded in _TYPES else None


def _country(value: object) -> str | None:
    """An ISO 3166-1 alpha-2 code (``US``); anything else is not a country Stripe sends."""
    if isinstance(value, str) and len(value) == 2 and value.isascii() and value.isalpha():
        return value.upper()
    return None


FIELDS = tuple(f.name for f in fields(AccountSummary))
_DIGESTED = FIELDS[:-1]  # all but refreshed_at
