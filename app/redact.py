"""Last line of defence for secrets in text that leaves the process (the log file).

API keys and Account Link URLs are kept out of messages by construction (``ApiKey`` redacts
itself, ``AccountLink`` hides its URL from ``repr``); this catches what nobody foresaw, such as an
unexpected exception whose text or traceback quotes one.
"""

from __future__ import annotations

import logging
import re

_KEY = re.compile(r"\b((?:sk|rk)_(?:test|live)_)[A-Za-z0-9_]*([A-Za-z0-9]{4})\b")
# The URL's last character is not sentence punctuation: "…at https://…/abc." keeps its full stop.
# v1 links on connect.stripe.com; Accounts v2 links on accounts.stripe.com (token after the "#").
_LINK = re.compile(
    r"https://(?:connect\.stripe\.com/(?:setup|express|d)|accounts\.stripe\.com/r)/[^\s\"'<>)]*[^\s\"'<>).,;:!?]"
)


def redact(text: str) -> str:
    """Keys become ``sk_test_…abcd``; Account Link URLs become ``<account link URL>``."""
    text = _KEY.sub(lambda m: f"{m.group(1)}…{m.group(2)}", text)
    return _LINK.sub("<account link URL>", text)


class RedactingFormatter(logging.Formatter):
    """A formatter whose whole output (message and traceback) goes through :func:`redact`."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
