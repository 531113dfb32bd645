"""Stripe's form encoding for v1 requests (bodies of POSTs and query strings of GETs).

Nested mappings become bracketed keys (``collection_options[fields]=eventually_due``), lists
become indexed keys (``expand[0]=...``), booleans ``true``/``false``, and ``None`` values are
left out. The output is byte-identical to what Stripe's Python SDK sends for the same
parameters (the SDK percent-encodes with ``urlencode`` and then turns ``%5B``/``%5D`` back into
literal brackets, which Stripe accepts and which keeps the strings readable). Datetimes are not
converted (pass Unix seconds), and unlike the SDK a ``None`` inside a list is dropped rather
than sent as the text "None".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote_plus

# Characters quote_plus leaves alone, plus the brackets the SDK restores afterwards.
_NEEDS_NO_QUOTING = re.compile(r"[A-Za-z0-9_.~\[\]-]*")


def flatten(params: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """``(key, value)`` pairs in the order given, with Stripe's bracket keys."""
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if value is None:
            continue
        if isinstance(value, Mapping):
            yield from flatten(value, name)
        elif isinstance(value, (list, tuple)):
            yield from flatten(dict(enumerate(value)), name)
        elif isinstance(value, bool):
            yield name, "true" if value else "false"
        else:
            yield name, str(value)


def encode_form(params: Mapping[str, Any]) -> str:
    """``application/x-www-form-urlencoded`` text as Stripe's SDK writes it.

    The SDK's ``urlencode(...).replace("%5B", "[").replace("%5D", "]")`` equals quoting each
    part with brackets marked safe (a ``%5B`` can only come from a quoted ``[``); ids and enum
    values, most of a request, need no quoting at all.
    """
    return "&".join(f"{_quote(key)}={_quote(value)}" for key, value in flatten(params))


def _quote(text: str) -> str:
    return text if _NEEDS_NO_QUOTING.fullmatch(text) else quote_plus(text, safe="[]")
