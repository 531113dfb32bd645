"""Build the app's services once, at startup, and hand them out by constructor.

The command line and the window share this: which key and API base to use (falling back to the
built-in sandbox when no key is set up), the Stripe client, the history store and the clock.
Nothing here imports Qt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from app.clock import Clock, SystemClock
from app.paths import AppPaths
from app.preferences import Preferences

if TYPE_CHECKING:  # imported lazily at run time: start-up speed matters for the window
    from app.history.store import HistoryStore
    from app.sandbox import SandboxServer
    from app.stripe.client import StripeClient
    from app.stripe.keys import ApiKey

DEFAULT_API_BASE = "https://api.stripe.com"
KEY_ENV = "STRIPE_API_KEY"
API_BASE_ENV = "LINKDESK_API_BASE"


@dataclass
class Connection:
    """Which Stripe (or sandbox) to talk to, and with which key."""

    api_key: "ApiKey"
    api_base: str
    profile: str  # "sandbox" when the built-in sandbox serves, else "default"
    sandbox: "SandboxServer | None" = None

    @property
    def mode(self) -> str:
        return self.api_key.mode

    @property
    def is_sandbox(self) -> bool:
        return self.sandbox is not None

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None


def open_connection(
    *,
    api_base: str | None = None,
    use_sandbox: bool = False,
    environ: Mapping[str, str] = os.environ,
    clock: Clock | None = None,
) -> Connection:
    """Pick the key and server.

    ``--sandbox`` (or no key at all, with no ``--api-base``) starts the built-in sandbox on a
    free loopback port. Otherwise the key comes from ``STRIPE_API_KEY``. An invalid key raises
    ``ValidationError("api_key", ...)`` whose text never contains the key.
    """
    from app.stripe.keys import ApiKey

    raw_key = (environ.get(KEY_ENV) or "").strip()
    base = api_base or environ.get(API_BASE_ENV) or None
    if use_sandbox or (not raw_key and base is None):
        from app.sandbox import DEMO_API_KEY, SandboxServer

        wall = (clock or SystemClock()).time
        server = SandboxServer(clock=wall).start()
        return Connection(ApiKey(DEMO_API_KEY), server.url, "sandbox", server)
    if not raw_key:
        # An API base without a key: stripe-mock accepts any sk_test_ key.
        raw_key = "sk_test_linkdesk_no_key_set"
    return Connection(ApiKey(raw_key), base or DEFAULT_API_BASE, "default")


@dataclass
class Services:
    """Everything the UI and the command line need, built once and passed in."""

    clock: Clock
    paths: AppPaths
    connection: Connection
    client: "StripeClient"
    preferences: Preferences = field(default_factory=Preferences)
    _history: "HistoryStore | None" = field(default=None, repr=False)

    @property
    def history(self) -> "HistoryStore":
        """Opened on first use, so that start-up does not wait for the disk."""
        if self._history is None:
            from app.history.store import HistoryStore

            self._history = HistoryStore.open(
                self.paths.data_dir,
                clock=self.clock,
                store_urls=self.preferences.store_urls,
                retention_days=self.preferences.retention_days,
            )
        return self._history

    def set_store_urls(self, enabled: bool) -> None:
        """Change and save the preference; turning it off erases every stored URL at once."""
        self.preferences = self.preferences.replace(store_urls=enabled)
        self.preferences.save(self.paths.preferences_file)
        if self._history is not None:
            self._history.set_store_urls(enabled)

    async def aclose(self) -> None:
        """Close the client, the history and the sandbox; safe to call twice."""
        await self.client.aclose()
        if self._history is not None:
            from sqlite3 import Error as SQLiteError

            try:
                self._history.erase_urls_written_here()
            except SQLiteError:
                pass  # another instance holds the lock; the next open erases what has expired
            self._history.close()
            self._history = None
        self.connection.close()


def build_services(
    *,
    data_dir: str | None = None,
    api_base: str | None = None,
    use_sandbox: bool = False,
    clock: Clock | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Services:
    from app.stripe.client import StripeClient

    clock = clock or SystemClock()
    connection = open_connection(api_base=api_base, use_sandbox=use_sandbox, environ=environ, clock=clock)
    try:
        client = StripeClient(connection.api_key, api_base=connection.api_base, clock=clock)
    except BaseException:
        connection.close()
        raise
    paths = AppPaths.resolve(data_dir)
    return Services(
        clock=clock, paths=paths, connection=connection, client=client,
        preferences=Preferences.load(paths.preferences_file),
    )
