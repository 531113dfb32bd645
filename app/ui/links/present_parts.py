"""Present mode's pieces without a window: sizes per screen, the seller's words, the platform name.

* :func:`present_metrics`: how big the code and each text are for a window of a given size.
  Text scales with the screen's shorter side (30 px for the smallest text on a 1080p screen,
  readable from about 2 m); on a wide screen the code sits beside the text and takes nearly the
  whole height.
* :func:`page_host`: the host the link opens on (``connect.stripe.com``), so the seller knows
  the page is Stripe's.
* :func:`spoken_time_left`: what a screen reader says about the countdown (changes once a minute,
  not four times a second).
* :class:`PlatformName`: who is asking: "Sandbox" in the sandbox, else the platform's name
  from ``GET /v1/account`` (asked once, remembered; never in the way of opening present mode).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from app.countdown import LinkState

if TYPE_CHECKING:
    from app.stripe.client import StripeClient

SANDBOX_PLATFORM = "Sandbox"
MAX_NAME_CHARS = 80


@dataclass(frozen=True)
class PresentMetrics:
    """Sizes in pixels for one window size."""

    wide: bool  # the code beside the text (else above it)
    margin: int
    spacing: int
    qr_side: int  # the code's widget, a square
    text_px: int  # the smallest text the seller reads
    title_px: int  # the platform's and the account's names
    countdown_px: int
    control_px: int  # the operator's controls
    control_height: int


def present_metrics(width: int, height: int) -> PresentMetrics:
    """The layout for a ``width`` × ``height`` window (a whole screen, normally)."""
    width, height = max(1, width), max(1, height)
    short = min(width, height)
    text_px = max(16, round(short * 30 / 1080))  # 30 px at 1080p, 21 px at 768
    title_px = round(text_px * 1.5)
    countdown_px = round(text_px * 2.4)
    control_px = max(16, round(text_px * 0.8))
    control_height = max(48, round(control_px * 2.6))  # a big target: 2.6 lines of its text
    margin = max(12, round(short * 0.04))
    spacing = max(8, round(short * 0.025))
    wide = width >= height * 1.2
    if wide:
        # The code takes the height; the text column keeps at least ~40 % of the width.
        qr_side = min(height - 2 * margin, round((width - 2 * margin - spacing) * 0.6))
    else:
        # Above: three lines of names; below: instruction, countdown, "take your time", host, a message.
        reserve = 3 * title_px + countdown_px + 6 * text_px + 7 * spacing
        qr_side = min(width - 2 * margin, height - 2 * margin - reserve)
    return PresentMetrics(wide, margin, spacing, max(120, qr_side), text_px, title_px, countdown_px,
                          control_px, control_height)


def page_host(url: str) -> str:
    """The host name of ``url`` ("connect.stripe.com"), "" if it has none."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host if all(c.isalnum() or c in ".-" for c in host) else ""


def clean_name(name: str | None) -> str:
    """A name from the network made safe to show: no control characters, one line, not too long."""
    if not name:
        return ""
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in str(name))
    text = " ".join(text.split())
    return text if len(text) <= MAX_NAME_CHARS else text[: MAX_NAME_CHARS - 1].rstrip() + "…"


def spoken_time_left(state: LinkState, remaining: float) -> str:
    """The countdown for a screen reader: whole minutes, then "less than a minute"."""
    if state is LinkState.EXPIRED:
        return "The code has expired."
    if remaining < 60 or state is LinkState.WARNING:
        return "Less than a minute left to scan the code."
    minutes = math.ceil(remaining / 60)
    return f"About {minutes} minutes left to scan the code."


class PlatformName:
    """Who is asking, for present mode: known at once in the sandbox, else asked once.

    :attr:`known` is what there is now (None until ``GET /v1/account`` has answered, or if it
    failed); :meth:`load` asks (at most once at a time; a failure is kept quiet and asked
    again next time, as present mode is fine without the name).
    """

    def __init__(self, client: "StripeClient | None", *, sandbox: bool) -> None:
        self._client = client
        self._known: str | None = SANDBOX_PLATFORM if sandbox else None
        self._asked = sandbox

    @property
    def known(self) -> str | None:
        return self._known

    async def load(self) -> str | None:
        if self._asked or self._client is None:
            return self._known
        self._asked = True
        try:
            account = await self._client.retrieve_platform_account()
        except BaseException as exc:  # optional: present mode shows no platform without it
            self._asked = False
            if not isinstance(exc, Exception):
                raise  # cancelled (or exiting): not ours to swallow
            return None
        name = clean_name(account.business_name or account.dashboard_display_name)
        self._known = name or None
        return self._known
