"""Faults that tests queue up for the next N requests: the failures the client must survive.

Kinds and options (every kind also takes ``method=`` and ``path=`` to hit only matching
requests, e.g. ``path="/v1/account_links"``):

* ``"500"``      Stripe's ``api_error`` JSON. ``should_retry=True|False`` adds the
                 ``Stripe-Should-Retry`` header (omitted by default); ``status=`` (500..599).
* ``"502_html"`` a proxy's HTML error page (text/html, no Request-Id: Stripe never saw it).
* ``"429"``      ``code="rate_limit"`` (default) or ``"lock_timeout"``; ``should_retry=``.
* ``"400"``      Stripe refusing the request: an ``invalid_request_error`` naming ``param=``, with
                 ``message=`` and ``code=`` (e.g. an account closed between its look-up and its
                 link: ``param="account"``). ``status=`` (400..499, default 400).
* ``"timeout"``  wait ``delay`` seconds (default 60) and then answer normally; the wait ends at
                 once when the server stops.
* ``"drop"``     close the connection without answering. ``after_processing=True`` carries the
                 request out first (a link is created, its idempotent result saved) and loses
                 only the answer.
* ``"truncate"`` carry the request out, send the headers and part of the body, close.

A fault stands for something in front of Stripe's API, so a refused request (500, 502, 429,
plain drop) is not saved under its Idempotency-Key: a retry with the same key runs for real.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from . import errors

_OPTIONS: dict[str, dict[str, Any]] = {
    "500": {"should_retry": None, "status": 500},
    "502_html": {},
    "429": {"code": "rate_limit", "should_retry": None},
    "400": {"status": 400, "param": None, "code": None,
            "message": "This request was refused (a fault injected into the sandbox)."},
    "timeout": {"delay": 60.0},
    "drop": {"after_processing": False},
    "truncate": {},
}
KINDS = tuple(_OPTIONS)


@dataclass(slots=True)
class Fault:
    kind: str
    remaining: int
    opts: dict[str, Any] = field(default_factory=dict)
    method: str | None = None
    path: str | None = None

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method.upper() == method.upper()) and (
            self.path is None or self.path == path
        )


class FaultQueue:
    """Faults waiting for requests, first in first out; thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, kind: str, count: int = 1, **opts: Any) -> None:
        if kind not in _OPTIONS:
            raise ValueError(f"unknown fault kind {kind!r}; choose from {', '.join(KINDS)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        method, path = opts.pop("method", None), opts.pop("path", None)
        unknown = set(opts) - set(_OPTIONS[kind])
        if unknown:
            raise TypeError(f"fault {kind!r} takes no option(s) {', '.join(sorted(unknown))}")
        merged = {**_OPTIONS[kind], **opts}
        if kind == "429" and merged["code"] not in ("rate_limit", "lock_timeout"):
            raise ValueError("a 429 fault's code is 'rate_limit' or 'lock_timeout'")
        if kind == "500" and not 500 <= int(merged["status"]) <= 599:
            raise ValueError("a 500 fault's status must be 5xx")
        if kind == "400" and not 400 <= int(merged["status"]) <= 499:
            raise ValueError("a 400 fault's status must be 4xx")
        with self._lock:
            self._faults.append(Fault(kind, count, merged, method, path))

    def take(self, method: str, path: str) -> Fault | None:
        """Consume one use of the first fault that matches this request."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return Fault(fault.kind, 1, dict(fault.opts), fault.method, fault.path)
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> int:
        """Requests still to be hit by a fault."""
        with self._lock:
            return sum(f.remaining for f in self._faults)


def error_for(fault: Fault) -> errors.ApiError:
    """The Stripe-shaped refusal of a ``"500"``, ``"429"`` or ``"400"`` fault."""
    if fault.kind == "400":
        return errors.ApiError(int(fault.opts["status"]), str(fault.opts["message"]),
                               code=fault.opts["code"], param=fault.opts["param"])
    if fault.kind == "500":
        exc = errors.api_error(int(fault.opts["status"]))
    else:
        exc = errors.lock_timeout() if fault.opts["code"] == "lock_timeout" else errors.rate_limited(livemode=True)
    should_retry = fault.opts.get("should_retry")
    if should_retry is not None:
        exc.headers["Stripe-Should-Retry"] = "true" if should_retry else "false"
    return exc
