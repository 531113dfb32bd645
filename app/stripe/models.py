"""Typed, immutable views of the Stripe objects Linkdesk uses.

Each ``from_api`` takes the decoded JSON of a response, keeps the fields listed in
stripe-facts.md, ignores unknown ones and tolerates absent optional ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

LINK_TYPES = ("account_onboarding", "account_update")
COLLECTION_FIELDS = ("currently_due", "eventually_due")
FUTURE_REQUIREMENTS = ("omit", "include")


def _str_tuple(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, (list, tuple)) else ()


def _dig(data: Mapping[str, Any] | None, *path: str) -> Any:
    cur: Any = data
    for key in path:
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(key)
    return cur


@dataclass(frozen=True, slots=True)
class AccountLink:
    """A created Account Link. ``url`` is a bearer secret: it is kept out of ``repr``."""

    url: str = field(repr=False)
    created: int
    expires_at: int
    object: str = "account_link"
    request_id: str | None = None
    # time.monotonic()-style instant at which the response arrived (see app.countdown)
    received_monotonic: float = 0.0

    @classmethod
    def from_api(
        cls, data: Mapping[str, Any], *, request_id: str | None = None, received_monotonic: float = 0.0
    ) -> "AccountLink":
        return cls(
            url=str(data["url"]),
            created=int(data["created"]),
            expires_at=int(data["expires_at"]),
            object=str(data.get("object", "account_link")),
            request_id=request_id,
            received_monotonic=received_monotonic,
        )

    @property
    def ttl(self) -> int:
        return max(0, self.expires_at - self.created)

    def api_fields(self) -> dict[str, Any]:
        """The link's fields as the API returned them (for ``--json``)."""
        return {"object": self.object, "created": self.created, "expires_at": self.expires_at, "url": self.url}


@dataclass(frozen=True, slots=True)
class RequirementError:
    requirement: str
    code: str
    reason: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> "RequirementError":
        return cls(
            requirement=str(data.get("requirement") or ""),
            code=str(data.get("code") or ""),
            reason=str(data.get("reason") or ""),
        )


@dataclass(frozen=True, slots=True)
class Requirements:
    currently_due: tuple[str, ...] = ()
    eventually_due: tuple[str, ...] = ()
    past_due: tuple[str, ...] = ()
    pending_verification: tuple[str, ...] = ()
    errors: tuple[RequirementError, ...] = ()
    disabled_reason: str | None = None
    current_deadline: int | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any] | None) -> "Requirements":
        if not isinstance(data, Mapping):
            return cls()
        deadline = data.get("current_deadline")
        return cls(
            currently_due=_str_tuple(data.get("currently_due")),
            eventually_due=_str_tuple(data.get("eventually_due")),
            past_due=_str_tuple(data.get("past_due")),
            pending_verification=_str_tuple(data.get("pending_verification")),
            errors=tuple(RequirementError.from_api(e) for e in data.get("errors") or () if isinstance(e, Mapping)),
            disabled_reason=data.get("disabled_reason") or None,
            current_deadline=int(deadline) if deadline is not None else None,
        )

    @property
    def is_empty(self) -> bool:
        return not (
            self.currently_due or self.eventually_due or self.past_due or self.pending_verification
            or self.errors or self.disabled_reason
        )


@dataclass(frozen=True, slots=True)
class Controller:
    type: str | None = None  # "account" | "application"
    requirement_collection: str | None = None  # "stripe" | "application"
    stripe_dashboard_type: str | None = None  # "express" | "full" | "none"

    @classmethod
    def from_api(cls, data: Mapping[str, Any] | None) -> "Controller":
        if not isinstance(data, Mapping):
            return cls()
        return cls(
            type=data.get("type"),
            requirement_collection=data.get("requirement_collection"),
            stripe_dashboard_type=_dig(data, "stripe_dashboard", "type"),
        )


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    type: str | None = None  # standard | express | custom | none
    controller: Controller = Controller()
    business_name: str | None = None  # business_profile.name
    dashboard_display_name: str | None = None  # settings.dashboard.display_name
    email: str | None = None
    country: str | None = None
    created: int | None = None
    charges_enabled: bool = False
    payouts_enabled: bool = False
    details_submitted: bool = False
    requirements: Requirements = Requirements()
    future_requirements: Requirements = Requirements()
    # Read-only, and left out of hashing and equality like the dicts Stripe sends it as.
    metadata: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False, compare=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> "Account":
        created = data.get("created")
        return cls(
            id=str(data["id"]),
            type=data.get("type"),
            controller=Controller.from_api(data.get("controller")),
            business_name=_dig(data, "business_profile", "name"),
            dashboard_display_name=_dig(data, "settings", "dashboard", "display_name"),
            email=data.get("email"),
            country=data.get("country"),
            created=int(created) if created is not None else None,
            charges_enabled=bool(data.get("charges_enabled")),
            payouts_enabled=bool(data.get("payouts_enabled")),
            details_submitted=bool(data.get("details_submitted")),
            requirements=Requirements.from_api(data.get("requirements")),
            future_requirements=Requirements.from_api(data.get("future_requirements")),
            metadata=MappingProxyType(dict(data.get("metadata") or {})),
        )

    @property
    def display_name(self) -> str:
        """business_profile.name, else settings.dashboard.display_name, else email, else id."""
        return self.business_name or self.dashboard_display_name or self.email or self.id

    @property
    def allows_account_update(self) -> bool:
        """Stripe allows ``account_update`` only where the platform collects requirements and
        the account has no Stripe-hosted Dashboard (legacy: a Custom account)."""
        c = self.controller
        if c.requirement_collection is not None or c.stripe_dashboard_type is not None:
            return c.requirement_collection == "application" and c.stripe_dashboard_type == "none"
        return self.type == "custom"

    @property
    def account_update_refusal(self) -> str | None:
        """Why ``account_update`` is not allowed, in words, or None when it is."""
        if self.allows_account_update:
            return None
        return (
            "Update links need an account whose requirements your platform collects and that has "
            "no Stripe Dashboard (for example a Custom account). This account can only take "
            "onboarding links."
        )


@dataclass(frozen=True, slots=True)
class AccountList:
    data: tuple[Account, ...]
    has_more: bool
    url: str = "/v1/accounts"
    request_id: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any], *, request_id: str | None = None) -> "AccountList":
        return cls(
            data=tuple(Account.from_api(a) for a in data.get("data") or ()),
            has_more=bool(data.get("has_more")),
            url=str(data.get("url") or "/v1/accounts"),
            request_id=request_id,
        )
