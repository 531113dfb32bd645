"""A local, stateful, Stripe-compatible server for exactly the endpoints Linkdesk uses.

It is the app's demo mode (no key set up: use ``DEMO_API_KEY`` against ``SandboxServer.url``)
and the integration tests' peer. Stdlib only, no Qt. See :mod:`app.sandbox.seed` for the demo
accounts, :mod:`app.sandbox.faults` for fault injection and :mod:`app.sandbox.errors` for the
Stripe error shapes it answers with.

    with SandboxServer() as sandbox:
        httpx.post(sandbox.url + "/v1/account_links", auth=..., data={...})
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .seed import DEMO_ACCOUNTS, DEMO_API_KEY
    from .server import SandboxServer

__all__ = ["DEMO_ACCOUNTS", "DEMO_API_KEY", "SandboxServer"]


def __getattr__(name: str) -> Any:
    """Loaded on first use: a command that only needs the demo key (``from app.sandbox.seed
    import DEMO_API_KEY``) must not pay for the server, its API and its faults (~30 ms)."""
    if name == "SandboxServer":
        from .server import SandboxServer

        return SandboxServer
    if name in ("DEMO_ACCOUNTS", "DEMO_API_KEY"):
        from . import seed

        return getattr(seed, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
