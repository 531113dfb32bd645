"""Integration fixtures: a real sandbox on 127.0.0.1 with a clock the test controls.

* ``sandbox_clock`` -- the :class:`app.clock.FakeClock` whose ``time`` drives the sandbox
  (link ``created``/``expires_at``, idempotency expiry, the rate-limit bucket).
* ``sandbox`` -- a started :class:`app.sandbox.SandboxServer` (demo accounts, no rate limit),
  stopped after the test.
* ``make_sandbox(**options)`` -- more servers with other options (live, rate_limit, synthetic
  accounts...), all on ``sandbox_clock`` unless given another clock, all stopped after the test.
* ``api`` -- a plain ``httpx.Client`` on ``sandbox`` carrying the demo key (no app.stripe code).
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterator

import httpx
import pytest

from app.clock import FakeClock
from app.sandbox import DEMO_API_KEY, SandboxServer


@pytest.fixture
def sandbox_clock() -> FakeClock:
    return FakeClock(wall=1_767_225_600.0)  # 2026-01-01T00:00:00Z


@pytest.fixture
def make_sandbox(sandbox_clock: FakeClock) -> Iterator[Callable[..., SandboxServer]]:
    servers: list[SandboxServer] = []

    def make(**options: Any) -> SandboxServer:
        options.setdefault("clock", sandbox_clock.time)
        server = SandboxServer(**options)
        servers.append(server)
        return server.start()

    yield make
    for server in servers:
        server.stop()
    leftovers = [t.name for t in threading.enumerate() if t.name.startswith("sandbox")]
    assert not leftovers, f"sandbox threads still running: {leftovers}"


@pytest.fixture
def sandbox(make_sandbox: Callable[..., SandboxServer]) -> SandboxServer:
    return make_sandbox()


@pytest.fixture
def logged_sandbox(make_sandbox: Callable[..., SandboxServer]) -> SandboxServer:
    """A sandbox that logs each request it serves; ``.lines`` is that log (request line and
    status), so a test can tell exactly what reached the server, or that nothing did."""
    lines: list[str] = []
    server = make_sandbox(log=lines.append)
    server.lines = lines  # type: ignore[attr-defined]
    return server


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    # verify=False: plain http on loopback, and it spares each client ~20 ms of CA loading
    with httpx.Client(
        base_url=sandbox.url, headers={"Authorization": f"Bearer {DEMO_API_KEY}"}, timeout=10.0,
        verify=False,
    ) as client:
        yield client
