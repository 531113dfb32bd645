"""A local, stateful, Stripe-compatible server for exactly the endpoints Linkdesk uses.

It is the app's demo mode (no key set up: use ``DEMO_API_KEY`` against ``SandboxServer.url``)
and the integration tests' peer. Stdlib only, no Qt. See :mod:`app.sandbox.seed` for the demo
accounts, :mod:`app.sandbox.faults` for fault injection and :mod:`app.sandbox.errors` for the
Stripe error shapes it answers with.

    with SandboxServer() as sandbox:
        httpx.post(sandbox.url + "/v1/account_links", auth=..., data={...})
"""

from .seed import DEMO_ACCOUNTS, DEMO_API_KEY
from .server import SandboxServer

__all__ = ["DEMO_ACCOUNTS", "DEMO_API_KEY", "SandboxServer"]
