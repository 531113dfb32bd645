"""Input checks that run before anything is sent to Stripe.

Each refusal is a :class:`ValidationError` naming the field, so the form can point at it.
Messages never echo the input: an operator may paste a key into the wrong box.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from app.stripe.errors import ValidationError
from app.stripe.models import COLLECTION_FIELDS, FUTURE_REQUIREMENTS, LINK_TYPES
from app.stripe.safety import DASHBOARD_HOSTS, MAX_URL_CHARS, is_exact_host, unprintable_char

_ACCOUNT_ID = re.compile(r"acct_[A-Za-z0-9]{1,250}")
_UNSAFE_IN_URL = re.compile(r"[\s\x00-\x1f\x7f]")
_ACCOUNT_EXAMPLE = "acct_1Nv0FGQ9RKHgCVdK"
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")
_CREATED_OPS = ("gt", "gte", "lt", "lte")


def normalize_account_id(text: str) -> str:
    """``acct_…`` from what the operator typed or pasted.

    Surrounding whitespace is trimmed and a Stripe Dashboard address such as
    ``https://dashboard.stripe.com/test/connect/accounts/acct_123/activity`` is reduced to its
    account id (the segment after ``accounts``; Dashboard paths may also start with the
    platform's own ``acct_`` id, which is not the one wanted).
    """
    value = text.strip() if isinstance(text, str) else ""
    if "/" in value:
        value = _account_id_from_url(value)
    if not _ACCOUNT_ID.fullmatch(value):
        raise ValidationError(
            "account", f"expected a connected account id like {_ACCOUNT_EXAMPLE} (or its Dashboard address)."
        )
    return value


def _account_id_from_url(text: str) -> str:
    """The account id in a Dashboard address. The host is parsed exactly: only
    dashboard.stripe.com, with no user name, password or port (``evilstripe.com``,
    ``dashboard.stripe.com.evil.com`` and ``dashboard.stripe.com@evil.com`` are refused)."""
    not_dashboard = ValidationError(
        "account", "that address is not a Stripe Dashboard page; paste the acct_ id instead."
    )
    if len(text) > MAX_URL_CHARS or unprintable_char(text) is not None or "\\" in text:
        raise not_dashboard
    try:
        parts = urlsplit(text if "://" in text else f"https://{text}")
        host = parts.hostname
        port = parts.port
    except ValueError:  # e.g. an unbalanced "[" in the host, a port that is not a number
        raise not_dashboard from None
    if (
        parts.scheme.lower() not in ("http", "https") or not is_exact_host(host, DASHBOARD_HOSTS)
        or port is not None or "@" in parts.netloc
    ):
        raise not_dashboard
    segments = [s for s in parts.path.split("/") if s]
    for before, segment in zip(segments, segments[1:]):
        if before == "accounts" and _ACCOUNT_ID.fullmatch(segment):
            return segment
    ids = [s for s in segments if _ACCOUNT_ID.fullmatch(s)]
    if len(ids) == 1:
        return ids[0]
    raise ValidationError("account", "that Dashboard address does not show one connected account; paste the acct_ id.")


def validate_url(field: str, text: str, *, live: bool) -> str:
    """An absolute http(s) URL with a host; https only when ``live``. Returns it trimmed.

    Refused: more than 2,048 characters (Stripe's limit), spaces, control, zero-width or other
    invisible characters anywhere, a user name or password (``user:pass@``), port 0.
    """
    value = text.strip() if isinstance(text, str) else ""
    if not value:
        end = "refresh" if field == "refresh_url" else "return"
        raise ValidationError(field, f"enter a full address such as https://example.com/onboarding/{end}.")
    if len(value) > MAX_URL_CHARS:
        raise ValidationError(field, f"the address is longer than {MAX_URL_CHARS:,} characters (Stripe's limit).")
    if _UNSAFE_IN_URL.search(value) or unprintable_char(value) is not None:
        raise ValidationError(
            field, "the address contains spaces, control or invisible characters (such as a zero-width space)."
        )
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for a malformed port
    except ValueError:
        raise ValidationError(field, "that is not a valid address.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(field, "enter a full address starting with https:// and a host name.")
    if "@" in parts.netloc:
        raise ValidationError(field, "the address contains a user name or password (user:pass@); remove it.")
    if port == 0:
        raise ValidationError(field, "port 0 is not a valid port; remove it or use the real one.")
    if live and scheme != "https":
        raise ValidationError(
            field, "live mode needs an https:// address (Stripe refuses http redirects in live mode)."
        )
    return value


def is_loopback_host(host: str) -> bool:
    """True for localhost and 127.0.0.0/8, ::1 (where a plain-http API base is acceptable)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _choice(field: str, value: str | None, allowed: tuple[str, ...], *, required: bool) -> str | None:
    if value is None and not required:
        return None
    cleaned = value.strip() if isinstance(value, str) else value
    if cleaned not in allowed:
        raise ValidationError(field, f"must be one of: {', '.join(allowed)}.")
    return cleaned


@dataclass(frozen=True, slots=True)
class LinkRequest:
    """The parameters of ``POST /v1/account_links``, before or after :meth:`validated`."""

    account: str
    type: str
    refresh_url: str
    return_url: str
    collection_fields: str | None = None  # collection_options[fields]
    future_requirements: str | None = None  # collection_options[future_requirements]

    def validated(self, live: bool) -> "LinkRequest":
        """A normalised copy, or ValidationError naming the first field at fault."""
        return replace(
            self,
            account=normalize_account_id(self.account),
            type=_choice("type", self.type, LINK_TYPES, required=True),
            refresh_url=validate_url("refresh_url", self.refresh_url, live=live),
            return_url=validate_url("return_url", self.return_url, live=live),
            collection_fields=_choice("collection_fields", self.collection_fields, COLLECTION_FIELDS, required=False),
            future_requirements=_choice(
                "future_requirements", self.future_requirements, FUTURE_REQUIREMENTS, required=False
            ),
        )

    def to_params(self) -> dict[str, Any]:
        """The API parameters; None values are dropped by the encoder. Never ``collect``."""
        params: dict[str, Any] = {
            "account": self.account,
            "type": self.type,
            "refresh_url": self.refresh_url,
            "return_url": self.return_url,
        }
        if self.collection_fields is not None or self.future_requirements is not None:
            params["collection_options"] = {
                "fields": self.collection_fields,
                "future_requirements": self.future_requirements,
            }
        return params


def normalize_api_base(text: str, *, live: bool) -> str:
    """The API base without trailing slash. A live key is never sent in clear over the network:
    plain http is accepted for it only on this machine (a local proxy or the sandbox)."""
    value = text.strip().rstrip("/") if isinstance(text, str) else ""
    if not value:
        raise ValidationError(
            "api_base", "is empty; leave the option out to use https://api.stripe.com, or give an address."
        )
    if len(value) > MAX_URL_CHARS or unprintable_char(value) is not None:
        raise ValidationError("api_base", "expected an address such as https://api.stripe.com.")
    try:
        parts = urlsplit(value)
        _ = parts.port
    except ValueError:
        parts = urlsplit("")
    if (
        parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment
        or _UNSAFE_IN_URL.search(value) or "@" in parts.netloc or parts.port == 0
    ):
        raise ValidationError("api_base", "expected an address such as https://api.stripe.com.")
    if live and parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValidationError("api_base", "a live key is only sent over https (or http to this machine).")
    return value


def validate_idempotency_key(value: str) -> str:
    """1 to 255 visible ASCII characters (Stripe's limit; anything else could break the header)."""
    if not isinstance(value, str) or not 0 < len(value) <= 255 or not _VISIBLE_ASCII.fullmatch(value):
        raise ValidationError("idempotency_key", "use 1 to 255 visible ASCII characters.")
    return value


def list_params(
    limit: int | None, starting_after: str | None, ending_before: str | None, created: int | Mapping[str, int] | None
) -> dict[str, Any]:
    """Checked parameters of ``GET /v1/accounts`` (None values are left for the encoder to drop)."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100):
        raise ValidationError("limit", "must be a whole number from 1 to 100.")
    if starting_after is not None and ending_before is not None:
        raise ValidationError("ending_before", "use either starting_after or ending_before, not both.")
    if created is not None and not _is_timestamp(created):
        if not isinstance(created, Mapping) or not created:
            raise ValidationError("created", "must be a Unix time or a mapping of gt/gte/lt/lte to Unix times.")
        for op, value in created.items():
            if op not in _CREATED_OPS or not _is_timestamp(value):
                raise ValidationError("created", "must map gt, gte, lt or lte to Unix times.")
    return {
        "limit": limit,
        "starting_after": _cursor("starting_after", starting_after),
        "ending_before": _cursor("ending_before", ending_before),
        "created": dict(created) if isinstance(created, Mapping) else created,
    }


def _is_timestamp(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _cursor(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalize_account_id(value)
    except ValidationError as error:
        raise ValidationError(field, error.message) from None
