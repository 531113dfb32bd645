"""Checks on what comes back from the network, before any of it is shown, stored or opened.

An API base can be a proxy, a mock or a compromised host, so an answer is untrusted text:

* :func:`link_url_problem` / :func:`check_link_url` -- a link URL is accepted only as ``https``
  on one of Stripe's link hosts, parsed exactly: no look-alike, IDN or punycode host, no user
  name or password, no port, nothing unprintable. A QR code in front of a seller must only ever
  point at Stripe.
* :func:`plain_text` -- API text (names, requirement strings, error messages) without control
  characters or bidirectional overrides, so it cannot clear a terminal, forge a line or reorder
  what is shown around it.
* :func:`request_id_or_none` -- a ``Request-Id`` header only when it looks like Stripe's.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

#: Hosts of v1 Account Links (``POST /v1/account_links``).
ACCOUNT_LINK_HOSTS: frozenset[str] = frozenset({"connect.stripe.com"})
#: Hosts of Accounts v2 links (``POST /v2/core/account_links``).
ACCOUNTS_V2_LINK_HOSTS: frozenset[str] = frozenset({"accounts.stripe.com"})
#: Hosts of Stripe Dashboard pages an operator may paste instead of an account id.
DASHBOARD_HOSTS: frozenset[str] = frozenset({"dashboard.stripe.com"})

MAX_URL_CHARS = 2_048
_PRINTABLE_ASCII_URL = re.compile(r"[\x21-\x7e]+")  # no space, no control, nothing outside ASCII
_REQUEST_ID = re.compile(r"req_[A-Za-z0-9]{1,64}")
# Bidirectional embeddings, overrides and isolates (format characters that reorder text).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


class UnsafeLink(ValueError):
    """A link URL that is not a Stripe address. ``reason`` says why (never quoting the URL)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def link_url_problem(value: object, hosts: frozenset[str] = ACCOUNT_LINK_HOSTS) -> str | None:
    """Why ``value`` is not an acceptable link on one of ``hosts``, or None when it is.

    The reason never quotes the URL: a hostile value must not reach a message either.
    """
    if not isinstance(value, str):
        return "the link is not text"
    if not value:
        return "the link is empty"
    if len(value) > MAX_URL_CHARS:
        return f"the link is longer than {MAX_URL_CHARS} characters"
    if not _PRINTABLE_ASCII_URL.fullmatch(value):
        return "the link contains spaces, control or non-ASCII characters"
    if not value.startswith("https://"):
        return "the link is not an https:// address"
    if "\\" in value:
        return "the link contains a backslash"
    rest = value[len("https://"):]
    end = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    authority, path = rest[:end], rest[end:]
    if "@" in authority:
        return "the link carries a user name or password"
    if ":" in authority:
        return "the link names a port"
    if authority not in hosts:
        return "the link's host is not " + " or ".join(sorted(hosts))
    if not path.startswith("/") or len(path) < 2:
        return "the link has no path"
    # A second, independent parse must agree (guards against parser differences).
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return "the link is not a valid address"
    if parts.scheme != "https" or parts.hostname != authority or port is not None or parts.username is not None:
        return "the link is not a valid address"
    return None


def check_link_url(value: object, hosts: frozenset[str] = ACCOUNT_LINK_HOSTS) -> str:
    """``value`` when it is an https link on one of ``hosts``; else :class:`UnsafeLink`."""
    problem = link_url_problem(value, hosts)
    if problem is not None:
        raise UnsafeLink(problem)
    assert isinstance(value, str)
    return value


def is_exact_host(host: str | None, hosts: frozenset[str]) -> bool:
    """True when ``host`` (as parsed, lower-cased) is exactly one of ``hosts``: no suffix match,
    so ``evilstripe.com`` and ``dashboard.stripe.com.evil.com`` are refused."""
    return isinstance(host, str) and host in hosts


def unprintable_char(text: str) -> str | None:
    """The first control, format (zero-width, bidi), separator or unassigned character in
    ``text``, or None. Ordinary spaces count too: no URL or id contains one."""
    for char in text:
        if char in _ZERO_WIDTH or char in _BIDI:
            return char
        category = unicodedata.category(char)
        if category[0] in "CZ":  # Cc, Cf, Cs, Co, Cn; Zs, Zl, Zp
            return char
    return None


def plain_text(text: str, *, limit: int | None = None) -> str:
    """``text`` as one line of plain text: control characters and line breaks become spaces,
    bidirectional overrides and zero-width characters are dropped, runs of spaces collapse.
    Cut to ``limit`` characters (with an ellipsis) when given."""
    if not isinstance(text, str):
        text = str(text)
    if text.isprintable() and "  " not in text:
        cleaned = text.strip()
    else:
        out = []
        for char in text:
            category = unicodedata.category(char)
            if category == "Cc" or category in ("Zl", "Zp") or char.isspace():
                out.append(" ")
            elif category[0] != "C" and char not in _ZERO_WIDTH:  # format, private, unassigned
                out.append(char)
        cleaned = " ".join("".join(out).split())
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: max(0, limit - 1)].rstrip() + "…"
    return cleaned


def request_id_or_none(value: object) -> str | None:
    """A ``Request-Id`` header's value when it looks like Stripe's (``req_`` and a short
    letters-and-digits tail); anything else (a key echoed back, a forged line) is dropped."""
    if isinstance(value, str) and _REQUEST_ID.fullmatch(value):
        return value
    return None
