"""Countdown arithmetic for Account Links, free of Qt.

A link lives for Stripe's own TTL, ``expires_at - created`` (both from the response, so both
on Stripe's clock), counted from the monotonic instant the request that made it was sent (so a
slow answer can never make the countdown outlast the link). An implausible ``expires_at``
(before ``created``, or more than a day after it) is not trusted: the link's ``ttl`` falls back
to Stripe's usual five minutes (see ``AccountLink.ttl``). The local
wall clock plays no part, so a machine whose clock is hours wrong still shows the right time
left. Widgets call :func:`remaining` on a timer; they hold no time state of their own.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

WARNING_SECONDS = 60.0


class LinkState(enum.Enum):
    ACTIVE = "active"
    WARNING = "warning"  # the last WARNING_SECONDS
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Countdown:
    """Time left on a link, from the server's TTL and the local monotonic clock."""

    ttl: float  # expires_at - created, seconds (Stripe's clock)
    received_monotonic: float  # when the request that made the link was sent (our monotonic clock)

    @classmethod
    def for_link(cls, link: "object") -> "Countdown":
        """Build from anything with ``created``, ``expires_at`` and ``received_monotonic`` (and
        a ``ttl`` that already judged their plausibility, when it has one)."""
        ttl = getattr(link, "ttl", None)
        if not isinstance(ttl, (int, float)):
            ttl = link.expires_at - link.created  # type: ignore[attr-defined]
        return cls(
            ttl=max(0.0, float(ttl)),
            received_monotonic=float(link.received_monotonic),  # type: ignore[attr-defined]
        )

    @property
    def deadline_monotonic(self) -> float:
        return self.received_monotonic + self.ttl

    def remaining(self, now_monotonic: float) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.deadline_monotonic - now_monotonic)

    def state(self, now_monotonic: float) -> LinkState:
        left = self.remaining(now_monotonic)
        if left <= 0.0:
            return LinkState.EXPIRED
        if left <= WARNING_SECONDS:
            return LinkState.WARNING
        return LinkState.ACTIVE

    def expires_at_wall(self, now_monotonic: float, now_wall: float) -> float:
        """The expiry as a wall-clock instant on *this* machine's clock (for "expires at")."""
        return now_wall + (self.deadline_monotonic - now_monotonic)


def format_mmss(seconds: float) -> str:
    """``m:ss``, rounding up so that 0:00 appears only once the link has expired."""
    whole = max(0, math.ceil(seconds - 1e-9))
    minutes, secs = divmod(whole, 60)
    return f"{minutes}:{secs:02d}"
