"""Typed, immutable views of the Stripe objects Linkdesk uses.

Each ``from_api`` takes the decoded JSON of a response, keeps the fields listed in
stripe-facts.md, ignores unknown ones and tolerates absent optional ones. Every kept value is
type- and range-checked (:mod:`app.stripe.decode`): a value Stripe never sends raises
:class:`app.stripe.decode.DecodeError` naming the field, and a link URL that is not an https
address on Stripe's link host raises :class:`app.stripe.safety.UnsafeLink`. Text is kept as one
line of plain text (no control characters).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from app.stripe import decode as d
from app.stripe.safety import ACCOUNT_LINK_HOSTS, check_link_url

LINK_TYPES = ("account_onboarding", "account_update")
COLLECTION_FIELDS = ("currently_due", "eventually_due")
FUTURE_REQUIREMENTS = ("omit", "include")


# Stripe's links live 300 s; no document fixes it. A link whose expires_at is implausible
# (before created, or more than MAX_PLAUSIBLE_TTL after it) is counted down from this instead.
FALLBACK_TTL = 300
MAX_PLAUSIBLE_TTL = 86_400


@dataclass(frozen=True, slots=True)
class AccountLink:
    """A created Account Link. ``url`` is a bearer secret: it is kept out of ``repr``."""

    url: str = field(repr=False)
    created: int
    expires_at: int
    object: str = "account_link"
    request_id: str | None = None
    # time.monotonic()-style instant from which the countdown runs (see app.countdown): when
    # the request that made the link was sent, so a slow answer never lengthens the countdown.
    received_monotonic: float = 0.0
    # False when the answer's expires_at was implausible and expires_at is created + FALLBACK_TTL.
    expiry_trusted: bool = True

    @classmethod
    def from_api(
        cls,
        data: Mapping[str, Any],
        *,
        request_id: str | None = None,
        received_monotonic: float = 0.0,
        hosts: frozenset[str] = ACCOUNT_LINK_HOSTS,
    ) -> "AccountLink":
        """The link in ``data``; ``hosts`` are the hosts its URL may be on."""
        data = d.obj(data, "the answer")
        kind = data.get("object", "account_link")
        if kind != "account_link":
            d.fail("object", "is not account_link")
        created = d.timestamp(data.get("created"), "created")
        expires_at = d.timestamp(data.get("expires_at"), "expires_at")
        # An expiry before the link was made, or more than a day after, is not believed: the
        # link keeps Stripe's usual lifetime instead, for the countdown, the card and the history.
        trusted = 0 <= expires_at - created <= MAX_PLAUSIBLE_TTL
        return cls(
            url=check_link_url(data.get("url"), hosts),
            created=created,
            expires_at=expires_at if trusted else created + FALLBACK_TTL,
            request_id=request_id,
            received_monotonic=received_monotonic,
            expiry_trusted=trusted,
        )

    @property
    def ttl(self) -> int:
        """Seconds the link lives: ``expires_at - created`` (never negative)."""
        return max(0, self.expires_at - self.created)

    def api_fields(self) -> dict[str, Any]:
        """The link's fields as the API returned them (for ``--json``), but for an implausible
        ``expires_at``, which reads ``created`` + :data:`FALLBACK_TTL` (see ``expiry_trusted``)."""
        return {"object": self.object, "created": self.created, "expires_at": self.expires_at, "url": self.url}


@dataclass(frozen=True, slots=True)
class RequirementError:
    requirement: str
    code: str
    reason: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any], field: str = "errors[]") -> "RequirementError":
        return cls(
            requirement=d.opt_text(data, "requirement", f"{field}.requirement") or "",
            code=d.opt_text(data, "code", f"{field}.code") or "",
            reason=d.opt_text(data, "reason", f"{field}.reason") or "",
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
    def from_api(cls, data: Mapping[str, Any] | None, field: str = "requirements") -> "Requirements":
        if data is None:
            return cls()
        data = d.obj(data, field)
        return cls(
            currently_due=d.text_list(data, "currently_due", f"{field}.currently_due"),
            eventually_due=d.text_list(data, "eventually_due", f"{field}.eventually_due"),
            past_due=d.text_list(data, "past_due", f"{field}.past_due"),
            pending_verification=d.text_list(data, "pending_verification", f"{field}.pending_verification"),
            errors=tuple(
                RequirementError.from_api(e, f"{field}.errors[{i}]")
                for i, e in enumerate(d.obj_list(data, "errors", f"{field}.errors"))
            ),
            disabled_reason=d.opt_text(data, "disabled_reason", f"{field}.disabled_reason") or None,
            current_deadline=d.opt_timestamp(data, "current_deadline", f"{field}.current_deadline"),
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
        if data is None:
            return cls()
        data = d.obj(data, "controller")
        dashboard = d.opt_obj(data, "stripe_dashboard", "controller.stripe_dashboard") or {}
        return cls(
            type=d.opt_token(data, "type", "controller.type"),
            requirement_collection=d.opt_token(data, "requirement_collection", "controller.requirement_collection"),
            stripe_dashboard_type=d.opt_token(dashboard, "type", "controller.stripe_dashboard.type"),
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
    def from_api(cls, data: Mapping[str, Any], field: str = "", *, asked: str | None = None) -> "Account":
        """The account in ``data``; ``field`` prefixes the names in errors (``data[3].``). With
        ``asked``, only if it is that account (:func:`app.stripe.decode.same_account`)."""
        data = d.obj(data, field.rstrip(".") or "the answer")
        if asked is not None:
            d.same_account(data.get("id"), f"{field}id", asked)
        profile = d.opt_obj(data, "business_profile", f"{field}business_profile") or {}
        settings = d.opt_obj(data, "settings", f"{field}settings") or {}
        dashboard = d.opt_obj(settings, "dashboard", f"{field}settings.dashboard") or {}
        return cls(
            id=d.identifier(data.get("id"), f"{field}id", "acct_"),
            type=d.opt_token(data, "type", f"{field}type"),
            controller=Controller.from_api(data.get("controller")),
            business_name=d.opt_text(profile, "name", f"{field}business_profile.name") or None,
            dashboard_display_name=d.opt_text(dashboard, "display_name", f"{field}settings.dashboard.display_name")
            or None,
            email=d.opt_text(data, "email", f"{field}email") or None,
            country=d.opt_text(data, "country", f"{field}country", limit=8) or None,
            created=d.opt_timestamp(data, "created", f"{field}created"),
            charges_enabled=d.flag(data, "charges_enabled", f"{field}charges_enabled"),
            payouts_enabled=d.flag(data, "payouts_enabled", f"{field}payouts_enabled"),
            details_submitted=d.flag(data, "details_submitted", f"{field}details_submitted"),
            requirements=Requirements.from_api(data.get("requirements"), f"{field}requirements"),
            future_requirements=Requirements.from_api(data.get("future_requirements"), f"{field}future_requirements"),
            metadata=MappingProxyType(d.string_map(data, "metadata", f"{field}metadata")),
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
        data = d.obj(data, "the answer")
        items = d.obj_list(data, "data", "data", limit=100)  # Stripe's largest page
        return cls(
            data=tuple(Account.from_api(a, f"data[{i}].") for i, a in enumerate(items)),
            has_more=d.flag(data, "has_more", "has_more"),
            url=d.opt_text(data, "url", "url", limit=200) or "/v1/accounts",
            request_id=request_id,
        )
