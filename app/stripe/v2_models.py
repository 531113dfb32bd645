"""Typed, immutable views of the two Accounts v2 objects Linkdesk uses.

``v2.core.account`` (``GET /v2/core/accounts/{id}``) and ``v2.core.account_link``
(``POST /v2/core/account_links``). Everything is read defensively: a value of the wrong type is
treated as absent, enums Linkdesk does not know are kept as text (Stripe's enums are "open"),
timestamps are RFC 3339 strings checked by :func:`parse_rfc3339`. Unknown fields are ignored.

:func:`account_update_gate` is v2's own rule for ``use_case.type = account_update`` as a pure
function (see docs/accounts-v2.md for the pages it follows).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from app.stripe.decode import same_account
from app.stripe.models import FALLBACK_TTL, MAX_PLAUSIBLE_TTL

CONFIGURATIONS = ("customer", "merchant", "recipient")
# include values that fill in what the summary and the update gate read (null without them).
ACCOUNT_INCLUDES = (
    "configuration.customer",
    "configuration.merchant",
    "configuration.recipient",
    "defaults",
    "identity",
    "requirements",
)
DASHBOARDS = ("full", "express", "none")

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})",
    re.ASCII,  # \d must not match other scripts' digits
)
# Earliest and latest instants accepted from the network (Stripe launched in 2011; anything past
# 2200 is a broken or hostile answer, and would overflow a countdown's arithmetic).
_MIN_TIME = 946_684_800.0  # 2000-01-01T00:00:00Z
_MAX_TIME = 7_258_118_400.0  # 2200-01-01T00:00:00Z
_MAX_TEXT = 5_000
MAX_NAMES = 100  # distinct configuration names kept from one list (Stripe has three)
MAX_ENTRIES = 1_000  # requirement entries kept from one answer (as v1's lists: app.stripe.decode.MAX_ITEMS)


def parse_rfc3339(value: Any) -> float:
    """Unix seconds for an RFC 3339 date-time such as ``2025-03-27T17:15:18.000Z``.

    Raises ValueError for anything else: another type, a date without time or offset, an
    impossible date, more than 40 characters, or an instant outside 2000..2200.
    """
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("not an RFC 3339 timestamp")
    match = _RFC3339.fullmatch(value)
    if match is None:
        raise ValueError("not an RFC 3339 timestamp")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, offset = match.group(7), match.group(8)
    if second == 60:  # a leap second reads as the last second of that minute
        second = 59
    if offset in ("Z", "z"):
        tz = _dt.timezone.utc
    else:
        sign = 1 if offset[0] == "+" else -1
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        if hours > 23 or minutes > 59:
            raise ValueError("not an RFC 3339 timestamp")
        tz = _dt.timezone(sign * _dt.timedelta(hours=hours, minutes=minutes))
    try:
        moment = _dt.datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        raise ValueError("not an RFC 3339 timestamp") from None
    seconds = moment.timestamp() + (float(fraction) if fraction else 0.0)
    if not math.isfinite(seconds) or not _MIN_TIME <= seconds <= _MAX_TIME:
        raise ValueError("timestamp out of range")
    return seconds


def _optional_time(value: Any) -> float | None:
    try:
        return parse_rfc3339(value) if value is not None else None
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    """A non-empty string, capped; anything else (numbers, lists, objects) is absent."""
    if not isinstance(value, str) or not value:
        return None
    return value[:_MAX_TEXT]


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _names(value: Any) -> tuple[str, ...]:
    """A list of enum names, deduplicated in order; non-strings dropped; at most
    :data:`MAX_NAMES` kept. Linear: a dict remembers what was seen (a list did, and 120,000
    distinct names then took 69 s of CPU while the request's deadline ran out)."""
    out: dict[str, None] = {}
    for item in _list(value):
        if isinstance(item, str) and item:
            out[item[:100]] = None
            if len(out) == MAX_NAMES:
                break
    return tuple(out)


# --- the account -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequirementErrorV2:
    code: str
    description: str


@dataclass(frozen=True, slots=True)
class RestrictedCapability:
    capability: str
    configuration: str | None
    deadline_status: str | None


@dataclass(frozen=True, slots=True)
class RequirementEntry:
    """One item of ``requirements.entries[]``."""

    description: str  # machine-readable: what is needed
    awaiting_action_from: str | None  # "user" | "stripe"
    minimum_deadline_status: str | None  # "currently_due" | "eventually_due" | "past_due"
    restricts: tuple[RestrictedCapability, ...] = ()  # impact.restricts_capabilities
    errors: tuple[RequirementErrorV2, ...] = ()

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> "RequirementEntry":
        restricts = []
        for item in _list(_map(data.get("impact")).get("restricts_capabilities")):
            item = _map(item)
            capability = _text(item.get("capability"))
            if capability:
                restricts.append(RestrictedCapability(
                    capability, _text(item.get("configuration")), _text(_map(item.get("deadline")).get("status"))
                ))
        errors = []
        for item in _list(data.get("errors")):
            item = _map(item)
            code, description = _text(item.get("code")), _text(item.get("description"))
            if code or description:
                errors.append(RequirementErrorV2(code or "", description or ""))
        return cls(
            description=_text(data.get("description")) or "",
            awaiting_action_from=_text(data.get("awaiting_action_from")),
            minimum_deadline_status=_text(_map(data.get("minimum_deadline")).get("status")),
            restricts=tuple(restricts),
            errors=tuple(errors),
        )


@dataclass(frozen=True, slots=True)
class RequirementsV2:
    """``requirements``; ``included`` is False when Stripe sent null (not asked for, or none)."""

    entries: tuple[RequirementEntry, ...] = ()
    minimum_deadline_status: str | None = None  # summary.minimum_deadline.status
    minimum_deadline: float | None = None  # summary.minimum_deadline.time, Unix seconds
    included: bool = False

    @classmethod
    def from_api(cls, data: Any) -> "RequirementsV2":
        if not isinstance(data, Mapping):
            return cls()
        summary = _map(_map(data.get("summary")).get("minimum_deadline"))
        return cls(
            entries=tuple(RequirementEntry.from_api(e) for e in _list(data.get("entries"))[:MAX_ENTRIES]
                          if isinstance(e, Mapping)),
            minimum_deadline_status=_text(summary.get("status")),
            minimum_deadline=_optional_time(summary.get("time")),
            included=True,
        )

    @property
    def is_empty(self) -> bool:
        return not self.entries


@dataclass(frozen=True, slots=True)
class AccountV2:
    id: str
    applied_configurations: tuple[str, ...] = ()
    stripe_display_name: str | None = None  # display_name as Stripe sent it
    registered_name: str | None = None  # identity.business_details.registered_name
    contact_email: str | None = None
    country: str | None = None  # identity.country, upper case
    entity_type: str | None = None  # identity.entity_type
    dashboard: str | None = None  # full | express | none
    requirements_collector: str | None = None  # defaults.responsibilities.requirements_collector
    losses_collector: str | None = None  # defaults.responsibilities.losses_collector
    created: float | None = None
    closed: bool = False
    livemode: bool | None = None
    requirements: RequirementsV2 = RequirementsV2()
    future_requirements: RequirementsV2 = RequirementsV2()
    object: str = "v2.core.account"
    metadata: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any], *, asked: str | None = None) -> "AccountV2":
        """The account in ``data``; with ``asked``, only if it is that account (else
        :class:`app.stripe.decode.DecodeError`, as v1's :meth:`app.stripe.models.Account.from_api`)."""
        account_id = data.get("id")
        if not isinstance(account_id, str) or not account_id.startswith("acct_") or len(account_id) > 255:
            raise ValueError("the answer names no account")
        if asked is not None:
            same_account(account_id, "id", asked)
        identity = _map(data.get("identity"))
        country = _text(identity.get("country"))
        responsibilities = _map(_map(data.get("defaults")).get("responsibilities"))
        metadata = {k: v for k, v in _map(data.get("metadata")).items() if isinstance(k, str) and isinstance(v, str)}
        livemode = data.get("livemode")
        return cls(
            id=account_id,
            applied_configurations=_names(data.get("applied_configurations")),
            stripe_display_name=_text(data.get("display_name")),
            registered_name=_text(_map(identity.get("business_details")).get("registered_name")),
            contact_email=_text(data.get("contact_email")),
            country=country.upper()[:2] if country else None,
            entity_type=_text(identity.get("entity_type")),
            dashboard=_text(data.get("dashboard")),
            requirements_collector=_text(responsibilities.get("requirements_collector")),
            losses_collector=_text(responsibilities.get("losses_collector")),
            created=_optional_time(data.get("created")),
            closed=data.get("closed") is True,
            livemode=livemode if isinstance(livemode, bool) else None,
            requirements=RequirementsV2.from_api(data.get("requirements")),
            future_requirements=RequirementsV2.from_api(data.get("future_requirements")),
            object=_text(data.get("object")) or "v2.core.account",
            metadata=metadata,
        )

    @property
    def name(self) -> str:
        """display_name, else the registered business name, else the email, else the id."""
        return self.stripe_display_name or self.registered_name or self.contact_email or self.id

    @property
    def display_name(self) -> str:
        """As :attr:`app.stripe.models.Account.display_name`: the name to show (never empty)."""
        return self.name

    # The v1 names app.history and the account panel read (duck-compatible with models.Account).
    @property
    def business_name(self) -> str | None:
        return self.registered_name

    @property
    def dashboard_display_name(self) -> str | None:
        return self.stripe_display_name

    @property
    def email(self) -> str | None:
        return self.contact_email

    @property
    def update_gate(self) -> "UpdateGate":
        return account_update_gate(self.dashboard, self.requirements_collector)

    @property
    def account_update_refusal(self) -> str | None:
        """Why an update link is refused, in words, or None (allowed, or Stripe decides)."""
        gate = self.update_gate
        return gate.reason if gate.allowed is False else None


# --- v2's rule for account_update --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UpdateGate:
    """``allowed`` is True, False, or None when the account does not say enough to tell (the
    form then lets Stripe decide). ``reason`` says why in words."""

    allowed: bool | None
    reason: str


_NO_DASHBOARD_HINT = "This account can only take onboarding links."


def account_update_gate(dashboard: str | None, requirements_collector: str | None) -> UpdateGate:
    """Whether ``use_case.type = account_update`` may be asked for a v2 account.

    As in v1 (``controller.requirement_collection`` and ``controller.stripe_dashboard.type``),
    an update link is for accounts whose requirements the platform collects and that have no
    Stripe-hosted Dashboard. In v2 those are ``defaults.responsibilities.requirements_collector``
    (which replaced ``requirements.collector`` in 2025-11-17) and ``dashboard``.
    """
    if dashboard in ("full", "express"):
        which = "the full Stripe Dashboard" if dashboard == "full" else "the Express Dashboard"
        return UpdateGate(False, f"Update links are only for accounts without a Stripe Dashboard; this one uses "
                                 f"{which}. {_NO_DASHBOARD_HINT}")
    if requirements_collector == "stripe":
        return UpdateGate(False, "Update links are only for accounts whose requirements your platform collects; "
                                 f"Stripe collects this account's. {_NO_DASHBOARD_HINT}")
    if requirements_collector == "application" and dashboard in ("none", None):
        return UpdateGate(True, "Your platform collects this account's requirements and it has no Stripe "
                                "Dashboard: update links are allowed.")
    if requirements_collector == "application":  # a dashboard value this version does not know
        return UpdateGate(None, f"Stripe reports a dashboard Linkdesk does not know ({dashboard}); Stripe will "
                                "decide whether an update link is allowed.")
    return UpdateGate(None, "Stripe did not say who collects this account's requirements; Stripe will decide "
                            "whether an update link is allowed.")


# --- the link ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountLinkV2:
    """A created v2 Account Link. Duck-compatible with :class:`app.stripe.models.AccountLink`
    (``url``, whole-second ``created``/``expires_at``, ``ttl``, ``request_id``,
    ``received_monotonic``, ``api_fields``) so the countdown, QR and history take it as is.
    ``url`` is a bearer secret (its token is after the ``#``): kept out of ``repr``."""

    url: str = field(repr=False)
    created: int
    expires_at: int
    account: str
    use_case: str  # account_onboarding | account_update
    configurations: tuple[str, ...] = ()  # which ones the link covers (from the answer)
    collection_fields: str | None = None
    future_requirements: str | None = None
    livemode: bool | None = None
    object: str = "v2.core.account_link"
    request_id: str | None = None
    received_monotonic: float = 0.0
    created_text: str = ""  # the RFC 3339 strings as Stripe sent them (for --json)
    expires_at_text: str = ""
    api: str = "v2"
    # As AccountLink.expiry_trusted: False when the answer's expires_at was implausible and
    # expires_at is created + FALLBACK_TTL.
    expiry_trusted: bool = True

    @classmethod
    def from_api(
        cls, data: Mapping[str, Any], *, request_id: str | None = None, received_monotonic: float = 0.0,
        asked: str | None = None,
    ) -> "AccountLinkV2":
        """The link in ``data``; with ``asked``, only if its ``account`` is that account (else
        :class:`app.stripe.decode.DecodeError`)."""
        created, expires = parse_rfc3339(data.get("created")), parse_rfc3339(data.get("expires_at"))
        # As v1 (AccountLink.from_api): an expiry before the link was made, or more than a day
        # after, is not believed, but the link Stripe made is kept, on Stripe's usual lifetime.
        trusted = 0 <= expires - created <= MAX_PLAUSIBLE_TTL
        expires_text = str(data.get("expires_at"))
        if not trusted:
            expires = math.floor(created) + FALLBACK_TTL
            expires_text = _dt.datetime.fromtimestamp(expires, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        url, account = data.get("url"), data.get("account")
        if not isinstance(url, str) or not isinstance(account, str):
            raise ValueError("the answer has no link")
        if asked is not None:
            same_account(account, "account", asked)
        use_case = _map(data.get("use_case"))
        kind = _text(use_case.get("type")) or ""
        inner = _map(use_case.get(kind)) if kind else {}
        options = _map(inner.get("collection_options"))
        livemode = data.get("livemode")
        return cls(
            url=url,
            created=math.floor(created),
            expires_at=math.floor(expires),
            account=account,
            use_case=kind,
            configurations=_names(inner.get("configurations")),
            collection_fields=_text(options.get("fields")),
            future_requirements=_text(options.get("future_requirements")),
            livemode=livemode if isinstance(livemode, bool) else None,
            object=_text(data.get("object")) or "v2.core.account_link",
            request_id=request_id,
            received_monotonic=received_monotonic,
            created_text=str(data.get("created")),
            expires_at_text=expires_text,
            expiry_trusted=trusted,
        )

    @property
    def ttl(self) -> int:
        return max(0, self.expires_at - self.created)

    @property
    def type(self) -> str:
        """The v1 name of the same choice (``account_onboarding``/``account_update``)."""
        return self.use_case

    def api_fields(self) -> dict[str, Any]:
        """The link's fields as the API returned them (for ``--json``)."""
        inner: dict[str, Any] = {"configurations": list(self.configurations)}
        if self.collection_fields or self.future_requirements:
            inner["collection_options"] = {
                "fields": self.collection_fields, "future_requirements": self.future_requirements,
            }
        return {
            "object": self.object,
            "account": self.account,
            "created": self.created_text,
            "expires_at": self.expires_at_text,
            "livemode": self.livemode,
            "url": self.url,
            "use_case": {"type": self.use_case, self.use_case: inner},
        }
