"""One row of history: what was attempted, what came back, and whether the link still works.

An entry is immutable. The link URL is a bearer secret: it is kept out of ``repr`` and out of
:meth:`HistoryEntry.public_dict` (the only form the CSV export and the CLI ever print), and the
store drops it as soon as the link expires.

Two expiry instants are kept on purpose:

* ``created`` / ``expires_at`` are Stripe's unix seconds, on *Stripe's* clock. They are
  recorded as the API returned them and used only for their difference, the TTL.
* ``local_expires_at`` is *this machine's* wall time at receipt plus that TTL. Status and URL
  erasure compare it with this machine's wall clock, so a machine whose clock is hours off
  still erases a URL about TTL seconds after it arrived (comparing Stripe's ``expires_at`` with
  a slow local clock would keep the secret for hours; with a fast one, drop it at once).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from app.clock import Clock
from app.countdown import Countdown, format_mmss
from app.stripe.models import AccountLink

Status = Literal["active", "expired", "failed", "unknown"]
STATUSES: tuple[Status, ...] = ("active", "expired", "failed", "unknown")
MODES = ("test", "live")
# "unknown": the attempt was written before its request was sent and no answer was recorded (yet):
# the process is still waiting, or it died waiting. Stripe may have made the link.
OUTCOMES = ("created", "failed", "unknown")
# How long a link asked for may live, from the moment its request was sent: the client's overall
# deadline (app.stripe.client.DEFAULT_DEADLINE, plus the answer's grace) and then the link's own
# life, which no answer told us: Stripe's usual 300 s for v1, and v2's 10 minutes.
ANSWER_BOUND_S = 31
UNKNOWN_TTL_S = {"v1": 300, "v2": 600}
_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")  # a configuration's name (an enum value)
ACCOUNTS_APIS = ("v1", "v2")  # app.stripe.v2.ACCOUNTS_APIS (not imported: history stays light)


class _RequestLike(Protocol):  # app.stripe.validation.LinkRequest or app.stripe.v2.LinkRequestV2
    account: str
    type: str
    refresh_url: str
    return_url: str | None  # None: a v2 link without one (stored as "")
    collection_fields: str | None
    future_requirements: str | None


def fold(text: str) -> str:
    """Case- and width-insensitive form used for search (``Ä``/``ä``, ``ß``/``ss``, fullwidth)."""
    return unicodedata.normalize("NFKC", text).casefold()


def search_text(account_id: str, name: str | None, email: str | None, note: str | None) -> str:
    """The folded haystack stored beside each row. Fields are joined by newlines so that a
    search term never matches across two fields."""
    return fold("\n".join(part for part in (account_id, name, email, note) if part))


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """A link attempt. ``id`` is None until the store has written it."""

    account_id: str
    link_type: str  # "account_onboarding" | "account_update"
    mode: str  # "test" | "live"
    refresh_url: str
    return_url: str
    attempted_at: float  # wall clock (unix seconds) when the attempt was made
    outcome: str = "created"  # "created" | "failed"
    profile: str = "default"  # "default" | "sandbox"
    account_name: str | None = None
    account_email: str | None = None
    collection_fields: str | None = None  # None: the option was not sent
    future_requirements: str | None = None  # None: the option was not sent
    created: int | None = None  # Stripe's unix seconds
    expires_at: int | None = None  # Stripe's unix seconds
    local_expires_at: float | None = None  # this machine's wall clock; see module docstring
    request_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    note: str | None = None
    accounts_api: str = "v1"  # which Accounts API made (or was asked for) the link
    configurations: str | None = None  # v2: what the link covers, comma-separated; None for v1
    onboarding_outcome: str | None = None  # what the directory's watch saw while the link lived
    idempotency_key: str | None = None  # the Idempotency-Key sent: a retry with it gets the same link
    writer: str | None = None  # the process that wrote the attempt before sending it (app.history.writers)
    replaced_by: int | None = None  # the row whose link replaced this one while it was live (issue 19)
    url: str | None = field(default=None, repr=False)  # bearer secret while active
    id: int | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {self.mode!r}")
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, not {self.outcome!r}")
        if self.accounts_api not in ACCOUNTS_APIS:
            raise ValueError(f"accounts_api must be one of {ACCOUNTS_APIS}, not {self.accounts_api!r}")

    # -- building entries from what the UI has at hand ------------------------------------
    @classmethod
    def for_link(
        cls,
        request: _RequestLike,
        link: AccountLink,
        *,
        clock: Clock,
        mode: str,
        profile: str = "default",
        account: Any = None,
        attempted_at: float | None = None,
        note: str | None = None,
        accounts_api: str | None = None,
    ) -> "HistoryEntry":
        """A created link. ``account`` (an ``app.stripe.models.Account``) adds name and email.
        The API is the link's own (an ``AccountLinkV2`` says ``api="v2"`` and which
        configurations it covers) unless ``accounts_api`` says otherwise."""
        now_wall = clock.time()
        local_expiry = Countdown.for_link(link).expires_at_wall(clock.monotonic(), now_wall)
        return cls(
            **_request_fields(request, account),
            mode=mode,
            profile=profile,
            attempted_at=now_wall if attempted_at is None else attempted_at,
            outcome="created",
            created=link.created,
            expires_at=link.expires_at,
            local_expires_at=local_expiry,
            request_id=link.request_id,
            note=note,
            accounts_api=accounts_api or _api_of(link, request),
            configurations=_configurations(link),
            url=link.url,
        )

    @classmethod
    def for_failure(
        cls,
        request: _RequestLike,
        error: BaseException,
        *,
        clock: Clock,
        mode: str,
        profile: str = "default",
        account: Any = None,
        attempted_at: float | None = None,
        note: str | None = None,
        accounts_api: str | None = None,
    ) -> "HistoryEntry":
        """A refused or failed attempt; ``error`` is a StripeError or ValidationError. The API
        is v2 for an ``app.stripe.v2.LinkRequestV2`` unless ``accounts_api`` says otherwise
        (the window passes its connection's: its request is in v1's shape)."""
        code = getattr(error, "code", None) or type(error).__name__
        return cls(
            **_request_fields(request, account),
            mode=mode,
            profile=profile,
            attempted_at=clock.time() if attempted_at is None else attempted_at,
            outcome="failed",
            request_id=getattr(error, "request_id", None),
            error_code=str(code),
            error_message=str(getattr(error, "message", None) or error),
            note=note,
            accounts_api=accounts_api or _api_of(None, request),
        )

    @classmethod
    def for_attempt(
        cls,
        request: _RequestLike,
        idempotency_key: str,
        *,
        clock: Clock,
        mode: str,
        profile: str = "default",
        account: Any = None,
        accounts_api: str | None = None,
        writer: str | None = None,
    ) -> "HistoryEntry":
        """An attempt about to be sent: written before the request goes out, completed with
        :meth:`for_link` or :meth:`for_failure` when the answer comes. Until then its outcome is
        "unknown" and ``local_expires_at`` is the latest a link it made could expire."""
        now = clock.time()
        api = accounts_api or _api_of(None, request)
        return cls(
            **_request_fields(request, account),
            mode=mode,
            profile=profile,
            attempted_at=now,
            outcome="unknown",
            local_expires_at=now + ANSWER_BOUND_S + UNKNOWN_TTL_S.get(api, 600),
            accounts_api=api,
            idempotency_key=idempotency_key,
            writer=writer,
        )

    # -- state ----------------------------------------------------------------------------
    @property
    def ttl(self) -> float:
        if self.created is None or self.expires_at is None:
            return 0.0
        return float(max(0, self.expires_at - self.created))

    def remaining(self, now_wall: float) -> float:
        """Seconds of life left, by this machine's wall clock; 0 when failed or expired."""
        if self.outcome != "created" or self.local_expires_at is None:
            return 0.0
        return max(0.0, self.local_expires_at - now_wall)

    def status(self, now_wall: float) -> Status:
        if self.outcome in ("failed", "unknown"):
            return self.outcome  # type: ignore[return-value]
        return "active" if self.remaining(now_wall) > 0 else "expired"

    def can_reopen(self, now_wall: float) -> bool:
        """True while the link is active *and* its URL is still stored."""
        return self.url is not None and self.status(now_wall) == "active"

    def with_changes(self, **changes: Any) -> "HistoryEntry":
        return dataclasses.replace(self, **changes)

    # -- conversions ------------------------------------------------------------------------
    def to_account_link(self, clock: Clock) -> AccountLink | None:
        """The stored link, with ``received_monotonic`` set so that ``app.countdown`` shows the
        time left that this entry shows. None when it cannot be reopened."""
        now_wall = clock.time()
        if not self.can_reopen(now_wall) or self.created is None or self.expires_at is None:
            return None
        received_monotonic = clock.monotonic() - (self.ttl - self.remaining(now_wall))
        return AccountLink(
            url=self.url or "",
            created=self.created,
            expires_at=self.expires_at,
            request_id=self.request_id,
            received_monotonic=received_monotonic,
        )

    def link_request_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``app.stripe.validation.LinkRequest`` ("create again")."""
        return {
            "account": self.account_id,
            "type": self.link_type,
            "refresh_url": self.refresh_url,
            "return_url": self.return_url,
            "collection_fields": self.collection_fields,
            "future_requirements": self.future_requirements,
        }

    def link_request(self) -> Any:
        """The request to make this link again ("create again"): an
        ``app.stripe.v2.LinkRequestV2`` for a v2 entry (an empty return URL is none), else an
        ``app.stripe.validation.LinkRequest``. Not validated."""
        if self.accounts_api == "v2":
            from app.stripe.v2 import LinkRequestV2

            return LinkRequestV2(self.account_id, self.link_type, self.refresh_url, self.return_url or None,
                                 self.collection_fields, self.future_requirements)
        from app.stripe.validation import LinkRequest

        return LinkRequest(**self.link_request_fields())

    def public_dict(self, now_wall: float) -> dict[str, Any]:
        """Every field except the link URL, plus the status at ``now_wall`` (CSV, JSON)."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "url"}
        data["status"] = self.status(now_wall)
        return data


def _configurations(link: Any) -> str | None:
    """What a v2 link covers, as stored: names from the network, so only enum-like ones
    (``merchant``, a future ``storer``...); no commas, markup or control characters."""
    names = [c for c in getattr(link, "configurations", ()) or () if isinstance(c, str) and _NAME.fullmatch(c)]
    return ",".join(names) or None


def _api_of(link: Any, request: Any) -> str:
    """"v2" for a v2 link or request (``AccountLinkV2.api``; a ``LinkRequestV2`` has a
    ``use_case``), else "v1"."""
    api = getattr(link, "api", None)
    if api in ACCOUNTS_APIS:
        return api
    return "v2" if isinstance(getattr(request, "use_case", None), str) else "v1"


def _request_fields(request: _RequestLike, account: Any) -> dict[str, Any]:
    name = None
    email = None
    if account is not None:
        name = getattr(account, "business_name", None) or getattr(account, "dashboard_display_name", None)
        email = getattr(account, "email", None)
    return {
        "account_id": request.account,
        "link_type": request.type,
        "refresh_url": request.refresh_url,
        "return_url": request.return_url or "",  # the column is NOT NULL; v2 may have none
        "collection_fields": request.collection_fields,
        "future_requirements": request.future_requirements,
        "account_name": name,
        "account_email": email,
    }


# -- words shared by the history panel and the CLI -------------------------------------------
def unknown_text(entry: HistoryEntry) -> str:
    """What an attempt without a recorded answer means: ``outcome unknown: the link may exist;
    it expires by 14:05`` (local time; the latest a link it made could expire)."""
    import time as _time

    if entry.local_expires_at is None:
        return "outcome unknown: the link may exist"
    return f"outcome unknown: the link may exist; it expires by {_time.strftime('%H:%M', _time.localtime(entry.local_expires_at))}"


def status_text(entry: HistoryEntry, now_wall: float) -> str:
    """``active 4:59``, ``expired``, ``failed (code)`` or :func:`unknown_text`."""
    status = entry.status(now_wall)
    if status == "unknown":
        return unknown_text(entry)
    if status == "active":
        return f"active {format_mmss(entry.remaining(now_wall))}"
    if status == "failed" and entry.error_code:
        return f"failed ({entry.error_code})"
    return status


def type_text(entry: HistoryEntry) -> str:
    """``onboarding`` or ``update``, with `` (v2)`` for a link made through Accounts v2."""
    kind = entry.link_type.removeprefix("account_")
    return f"{kind} (v2)" if entry.accounts_api == "v2" else kind


def account_label(entry: HistoryEntry) -> str:
    """``Harbor Street Bakery (acct_…)``; the email stands in for a missing name, as it does
    for the account's display name; just the id when neither is known."""
    shown = entry.account_name or entry.account_email
    return f"{shown} ({entry.account_id})" if shown else entry.account_id
