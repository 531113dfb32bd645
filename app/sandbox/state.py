"""The sandbox's state: the account index, saved idempotent results, the rate-limit bucket.

Accounts are kept as one list of ids sorted the way Stripe lists them (``created`` descending,
ties by id descending) plus a parallel list of negated ``created`` values, so a ``created``
filter is two bisections and a cursor is a dict lookup: listing 50,000 accounts costs the
same as listing 14.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

from .accounts import AccountSpec, account_json
from .seed import (
    DEMO_SPECS, MODE_BOUND_SPECS, NOT_A_PLATFORM, PLATFORM, synthetic_created, synthetic_id, synthetic_number,
    synthetic_spec,
)


class AccountStore:
    """Connected accounts (demo and synthetic) in Stripe's list order."""

    def __init__(self, *, demo: bool, synthetic: int, seed_now: int) -> None:
        self.seed_now = seed_now
        self._demo: dict[str, AccountSpec] = {s.id: s for s in DEMO_SPECS.values()} if demo else {}
        # id -> (spec, the one mode it exists in); never listed
        self._mode_bound = {s.id: (s, mode) for mode, s in MODE_BOUND_SPECS.items()} if demo else {}
        self._synthetic = max(0, int(synthetic))
        rows = [(s.created, s.id) for s in self._demo.values()]
        rows.extend((synthetic_created(n, self._synthetic), synthetic_id(n)) for n in range(1, self._synthetic + 1))
        rows.sort(reverse=True)
        ids = [row[1] for row in rows]
        # (ids, negated created, position of each id): replaced whole when an account is added,
        # so a page built on another thread reads one consistent version.
        self._index = (ids, [-row[0] for row in rows], {account_id: i for i, account_id in enumerate(ids)})
        self._added: dict[str, AccountSpec] = {}  # accounts created or changed while running
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._index[0])

    @property
    def platform_id(self) -> str:
        return PLATFORM.id

    def spec(self, account_id: str) -> AccountSpec | None:
        """A connected account's spec (never the platform's), or None."""
        if account_id in self._added:
            return self._added[account_id]
        if account_id in self._demo:
            return self._demo[account_id]
        if account_id in self._mode_bound:
            return self._mode_bound[account_id][0]
        n = synthetic_number(account_id)
        if n is not None and 1 <= n <= self._synthetic:
            return synthetic_spec(n, self._synthetic)
        return None

    def get(self, account_id: str) -> dict[str, Any] | None:
        """The JSON of a connected account or of the platform itself, or None."""
        if account_id == PLATFORM.id:
            return self.platform()
        spec = self.spec(account_id)
        return None if spec is None else account_json(spec, self.seed_now)

    def other_mode(self, account_id: str, *, livemode: bool) -> str | None:
        """"test" or "live" when ``account_id`` exists only in that mode and the caller's key is
        of the other one; else None."""
        bound = self._mode_bound.get(account_id)
        if bound is None or bound[1] == ("live" if livemode else "test"):
            return None
        return bound[1]

    def platform(self, *, connect: bool = True) -> dict[str, Any]:
        """The key owner's own account: the platform, or (``connect=False``) a business that
        has not set up Connect."""
        data = account_json(PLATFORM if connect else NOT_A_PLATFORM, self.seed_now)
        data["controller"] = {"type": "account"}  # nobody's connected account: it controls itself
        return data

    def position(self, account_id: str) -> int | None:
        return self._index[2].get(account_id)

    # -- test hooks: the world changing while a client pages or watches ------------------------

    def add(self, spec: AccountSpec) -> None:
        """A new connected account (as if created through the API while a client is paging)."""
        with self._lock:
            if spec.id in self._index[2] or spec.id == PLATFORM.id:
                raise ValueError(f"{spec.id} already exists")
            ids, neg = list(self._index[0]), list(self._index[1])
            # Stripe's order: created descending, ties by id descending.
            at = bisect_left(neg, -spec.created)
            while at < len(ids) and neg[at] == -spec.created and ids[at] > spec.id:
                at += 1
            ids.insert(at, spec.id)
            neg.insert(at, -spec.created)
            self._added[spec.id] = spec
            self._index = (ids, neg, {account_id: i for i, account_id in enumerate(ids)})

    def update(self, account_id: str, **changes: object) -> AccountSpec:
        """Change an account's fields (onboarding progress: details submitted, items done...)."""
        with self._lock:
            spec = self.spec(account_id)
            if spec is None:
                raise KeyError(account_id)
            if "created" in changes or "id" in changes:
                raise ValueError("an account's id and created never change")
            spec = dataclasses.replace(spec, **changes)  # type: ignore[arg-type]
            self._added[account_id] = spec
            return spec

    def page(
        self,
        *,
        limit: int,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created_min: int | None = None,
        created_max: int | None = None,
    ) -> tuple[list[dict[str, Any]], bool]:
        """One page, newest first. ``has_more`` looks backwards when paging with
        ``ending_before``, as Stripe's does. Raises ``KeyError(name)`` for an unknown cursor."""
        all_ids, neg_created, position = self._index  # one consistent version
        if starting_after is not None and starting_after not in position:
            raise KeyError("starting_after")
        if ending_before is not None and ending_before not in position:
            raise KeyError("ending_before")
        lo = 0 if created_max is None else bisect_left(neg_created, -created_max)
        hi = len(all_ids) if created_min is None else bisect_right(neg_created, -created_min)
        if ending_before is not None:
            end = min(hi, position[ending_before])
            start = max(lo, end - limit)
            has_more = start > lo
        else:
            start = lo if starting_after is None else max(lo, position[starting_after] + 1)
            end = min(hi, start + limit)
            has_more = end < hi
        ids = all_ids[start:end] if start < end else []
        return [self.get(account_id) for account_id in ids], has_more  # type: ignore[misc]


@dataclass(frozen=True, slots=True)
class SavedResult:
    fingerprint: tuple[Any, ...]
    status: int
    body: bytes
    request_id: str
    saved_at: float


class IdempotencyStore:
    """Results saved under an Idempotency-Key for 24 hours (Stripe's window), bounded in size."""

    def __init__(self, clock: Callable[[], float], *, ttl: float = 86_400.0, max_entries: int = 10_000):
        self._clock = clock
        self._ttl = ttl
        self._max = max_entries
        self._saved: OrderedDict[tuple[str, str], SavedResult] = OrderedDict()

    def lookup(self, scope: str, key: str) -> SavedResult | None:
        saved = self._saved.get((scope, key))
        if saved is not None and self._clock() - saved.saved_at > self._ttl:
            del self._saved[(scope, key)]
            return None
        return saved

    def save(self, scope: str, key: str, result: SavedResult) -> None:
        self._saved[(scope, key)] = result
        while len(self._saved) > self._max:
            self._saved.popitem(last=False)


class TokenBucket:
    """``rate`` requests per second with a burst of one second's worth, timed on ``clock``
    (so tests drive it with a fake clock instead of sleeping)."""

    def __init__(self, rate: float, clock: Callable[[], float]) -> None:
        if rate <= 0:
            raise ValueError("rate_limit must be positive (or None to disable it)")
        self._rate = float(rate)
        self._clock = clock
        self._tokens = float(rate)
        self._last = clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = self._clock()
            elapsed = max(0.0, now - self._last)  # a wall clock may step backwards
            self._last = now
            self._tokens = min(self._rate, self._tokens + elapsed * self._rate)
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False


class SlidingWindow:
    """At most ``rate`` requests in any one-second window, timed on ``clock``: the strict
    limit Stripe states ("25 requests per second in test mode"), with no burst above it.
    A refused request does not count (it was not served)."""

    def __init__(self, rate: float, clock: Callable[[], float], window: float = 1.0) -> None:
        if rate <= 0:
            raise ValueError("rate_limit must be positive (or None to disable it)")
        self._max = max(1, int(rate))
        self._window = float(window)
        self._clock = clock
        self._served: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = self._clock()
            served = self._served
            while served and (served[0] <= now - self._window or served[0] > now):  # (a clock stepped back)
                served.popleft()
            if len(served) >= self._max:
                return False
            served.append(now)
            return True


RATE_LIMIT_MODELS = ("bucket", "window")


def rate_limiter_for(model: str, rate: float, clock: Callable[[], float]) -> "TokenBucket | SlidingWindow":
    """The sandbox's limiter: ``"bucket"`` (a burst of one second's worth, then ``rate`` per
    second: lenient) or ``"window"`` (at most ``rate`` in any one-second window: strict)."""
    if model == "window":
        return SlidingWindow(rate, clock)
    if model == "bucket":
        return TokenBucket(rate, clock)
    raise ValueError(f"rate_limit_model must be one of {', '.join(RATE_LIMIT_MODELS)}")
