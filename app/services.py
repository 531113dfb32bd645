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
from app.stripe.ratelimit import RateLimiterPool

if TYPE_CHECKING:  # imported lazily at run time: start-up speed matters for the window
    import concurrent.futures

    from app.history.store import HistoryStore
    from app.history.worker import HistoryWorker
    from app.profiles.model import Profile
    from app.profiles.registry import ProfileRegistry
    from app.profiles.secrets import KeyStore
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
    profile: str  # what history records: "sandbox", "environment", "default" or a profile's name
    sandbox: "SandboxServer | None" = None
    accounts_api: str = "v1"  # "v1" | "v2": which Accounts API the platform uses (app.stripe.v2)
    source: "Profile | None" = None  # the profile it was opened from (None: --api-base alone)

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


def accounts_api_override(flag: str | None, environ: Mapping[str, str]) -> str | None:
    """``--accounts-api``, else ``LINKDESK_ACCOUNTS_API``, else None (the profile's setting
    decides). A bad value raises ValidationError naming the option or variable."""
    from app.stripe.accounts_api import ACCOUNTS_API_ENV, choose_accounts_api

    given = [v for v in (flag, environ.get(ACCOUNTS_API_ENV)) if isinstance(v, str) and v.strip()]
    return choose_accounts_api(flag, environ) if given else None


def open_connection(
    *,
    api_base: str | None = None,
    use_sandbox: bool = False,
    environ: Mapping[str, str] = os.environ,
    clock: Clock | None = None,
    accounts_api: str | None = None,
) -> Connection:
    """Pick the key and server.

    ``--sandbox`` (or no key at all, with no ``--api-base``) starts the built-in sandbox on a
    free loopback port. Otherwise the key comes from ``STRIPE_API_KEY``. An invalid key raises
    ``ValidationError("api_key", ...)`` whose text never contains the key.
    """
    from app.stripe.keys import ApiKey

    accounts_api = accounts_api_override(accounts_api, environ) or "v1"  # refused by name if bad
    raw_key = (environ.get(KEY_ENV) or "").strip()
    base = api_base or environ.get(API_BASE_ENV) or None
    if use_sandbox or (not raw_key and base is None):
        from app.sandbox import DEMO_API_KEY, SandboxServer

        wall = (clock or SystemClock()).time
        server = SandboxServer(clock=wall).start()
        return Connection(ApiKey(DEMO_API_KEY), server.url, "sandbox", server, accounts_api)
    if not raw_key:
        # An API base without a key: stripe-mock accepts any sk_test_ key.
        raw_key = "sk_test_linkdesk_no_key_set"
    return Connection(ApiKey(raw_key), base or DEFAULT_API_BASE, "default", accounts_api=accounts_api)


def open_profile_connection(profile: "Profile", key: "ApiKey", *, clock: Clock | None = None,
                            environ: Mapping[str, str] = os.environ,
                            accounts_api: str | None = None) -> Connection:
    """A connection for ``profile`` with its ``key``: the Sandbox profile starts the built-in
    sandbox on a free loopback port; others talk to their API base. The Accounts API is
    ``accounts_api`` (``--accounts-api``), else LINKDESK_ACCOUNTS_API, else the profile's."""
    accounts_api = accounts_api_override(accounts_api, environ) or profile.accounts_api
    if profile.is_sandbox:
        from app.sandbox import SandboxServer

        server = SandboxServer(clock=(clock or SystemClock()).time).start()
        return Connection(key, server.url, profile.history_name, server, accounts_api, source=profile)
    return Connection(key, profile.api_base, profile.history_name, accounts_api=accounts_api, source=profile)


@dataclass
class Services:
    """Everything the UI and the command line need, built once and passed in.

    The history store opens in one of two ways. The command line reads :attr:`history`, which
    opens it right there (blocking is fine in a command). The window calls
    :meth:`start_opening_history` right after its first paint and awaits :meth:`open_history`:
    the opening (quick_check, a migration and its backup) runs on the history worker thread
    (:class:`app.history.worker.HistoryWorker`), and the open store is then handed to the
    awaiting (Qt) thread, which alone uses it from then on. That store waits at most
    ``UI_BUSY_TIMEOUT_MS`` for another instance's lock; the worker retries what it refused.
    """

    clock: Clock
    paths: AppPaths
    connection: Connection
    client: "StripeClient"
    preferences: Preferences = field(default_factory=Preferences)
    profiles: "ProfileRegistry | None" = None  # every profile; None only where tests build Services by hand
    # One rate limiter per API key for the whole process: every StripeClient built here (the
    # first, and each profile switch's) takes ``rate_limiters.for_key(key)``, and the account
    # directory borrows the client's, so the window, the command line and the directory share
    # one budget per key.
    rate_limiters: RateLimiterPool = field(default_factory=RateLimiterPool)
    accounts_api_override: str | None = None  # --accounts-api / LINKDESK_ACCOUNTS_API: wins over profiles
    _history: "HistoryStore | None" = field(default=None, repr=False)
    _history_error: BaseException | None = field(default=None, repr=False)
    _history_opening: "concurrent.futures.Future[HistoryStore] | None" = field(default=None, repr=False)
    _history_worker: "HistoryWorker | None" = field(default=None, repr=False)
    _history_closed: bool = field(default=False, repr=False)

    @property
    def history(self) -> "HistoryStore":
        """The open store, for code that cannot await (the command line, tests).

        Opened here, on the calling thread, if nobody started the opening; if the window
        started it, this waits for it (the window itself awaits :meth:`open_history` first and
        never waits here). Raises what the opening raised, every time, without trying again.
        """
        if self._history is None and self._history_error is None:
            if self._history_opening is not None:
                self._adopt(self._history_opening)
            else:
                from app.history.store import HistoryStore

                try:
                    self._history = HistoryStore.open(self.paths.data_dir, **self._open_options())
                except Exception as exc:
                    self._history_error = exc
        if self._history_error is not None:
            raise self._history_error
        assert self._history is not None
        return self._history

    def check_history_writable(self) -> None:
        """Raise :class:`app.history.HistoryError` (``HistoryStorageError`` for a read-only or
        full disk, a data folder that cannot be made...) if a new link could not be recorded.
        Call it before sending a request: a link Stripe makes must never go unrecorded for a
        reason known beforehand. Opens the history if needed (see :attr:`history`); then a
        statvfs and an empty write transaction, well under a millisecond on a local disk."""
        self.history.check_writable()

    @property
    def history_worker(self) -> "HistoryWorker":
        """The history's background thread (searches, export, retried writes)."""
        if self._history_worker is None:
            from app.history.errors import HistoryError
            from app.history.worker import HistoryWorker

            if self._history_closed:  # a new thread now would never be closed
                raise HistoryError("The history is closed.")

            self._history_worker = HistoryWorker(self.paths.history_db, clock=self.clock,
                                                 store_urls=self.preferences.store_urls)
        return self._history_worker

    def _open_options(self, busy_timeout_ms: int | None = None) -> dict:
        from app.history.store import BUSY_TIMEOUT_MS

        return {"clock": self.clock, "store_urls": self.preferences.store_urls,
                "retention_days": self.preferences.retention_days,
                "busy_timeout_ms": BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms}

    def start_opening_history(self) -> None:
        """Start opening the history on the worker thread (the window, after its first paint).
        Does nothing if it is open, failed, or already opening."""
        if self._history is not None or self._history_error is not None or self._history_opening is not None:
            return
        from app.history.store import UI_BUSY_TIMEOUT_MS, HistoryStore

        self._history_opening = self.history_worker.submit(
            HistoryStore.open, self.paths.data_dir, **self._open_options(UI_BUSY_TIMEOUT_MS))

    async def open_history(self) -> "HistoryStore":
        """The store, opened off the calling thread (started if need be); raises what the
        opening raised (e.g. ``HistoryVersionError``)."""
        from app.history.worker import wait_done

        self.start_opening_history()
        opening = self._history_opening
        if self._history is None and self._history_error is None and opening is not None:
            await wait_done(opening)
            if self._history_opening is opening:  # nobody adopted it while this waited
                self._adopt(opening)
        return self.history

    def _adopt(self, opening: "concurrent.futures.Future[HistoryStore]") -> None:
        """Take the opened store over on this thread (blocks until the opening ends)."""
        self._history_opening = None
        try:
            store = opening.result()
        except Exception as exc:
            self._history_error = exc
            return
        finally:
            if self._history_worker is not None:
                self._history_worker.reap()  # the opening job has ended: its GC pause too
        store.claim()  # the worker thread that opened it never touches it again
        self._history = store

    @property
    def profile(self) -> "Profile | None":
        """The profile in use (None when only ``--api-base`` was given)."""
        return self.connection.source

    async def switch_profile(self, profile: "Profile") -> None:
        """Use ``profile`` from now on: a new connection and client, the old ones closed (so
        their requests in flight end). Raises (ProfileError, ValidationError) before anything
        changes if the profile's key cannot be had; the caller cancels its own tasks first."""
        from app.stripe.client import DEFAULT_STRIPE_VERSION, StripeClient

        if self.profiles is None:
            raise RuntimeError("these services were built without profiles")
        key = self.profiles.key_for(profile)
        connection = open_profile_connection(profile, key, clock=self.clock, environ={},
                                             accounts_api=self.accounts_api_override)
        try:
            client = StripeClient(key, api_base=connection.api_base, clock=self.clock,
                                  stripe_version=profile.stripe_version or DEFAULT_STRIPE_VERSION,
                                  rate_limiter=self.rate_limiters.for_key(key))
        except BaseException:
            connection.close()
            raise
        old_client, old_connection = self.client, self.connection
        self.client, self.connection = client, connection
        try:
            await old_client.aclose()
        finally:
            old_connection.close()

    def set_store_urls(self, enabled: bool) -> None:
        """Change and save the preference; turning it off erases every stored URL at once."""
        self.preferences = self.preferences.replace(store_urls=enabled)
        self.preferences.save(self.paths.preferences_file)
        if self._history is not None:
            self._history.set_store_urls(enabled)

    async def aclose(self) -> None:
        """Close the client, the history and the sandbox; safe to call twice."""
        await self.client.aclose()
        await self.close_history()
        self.connection.close()

    async def close_history(self) -> None:
        """Close the history: its worker thread and its store (an opening still running is
        awaited and closed). From then on the history is not opened again: :attr:`history`
        raises :class:`app.history.HistoryError`, so nothing can leave a store or a thread
        behind. Safe to call twice."""
        self._history_closed = True
        if self._history_opening is not None:  # closed while it opened: let it finish, close it
            from app.history.worker import wait_done

            opening = self._history_opening
            await wait_done(opening)
            if self._history_opening is opening:
                self._adopt(opening)
        if self._history_worker is not None:
            await self._history_worker.aclose()  # after its queued jobs; its connection closes
            self._history_worker = None
        if self._history is not None:
            from sqlite3 import Error as SQLiteError

            from app.history.store import BUSY_TIMEOUT_MS

            # The window is closed by now: waiting for another instance's lock freezes nothing,
            # and URLs must not outlive the process that wrote them.
            try:
                self._history.set_busy_timeout(BUSY_TIMEOUT_MS)
                self._history.erase_urls_written_here()
            except SQLiteError:
                pass  # another instance held the lock for 5 s; the next open erases what has expired
            self._history.close()
            self._history = None
        if self._history_error is None:
            from app.history.errors import HistoryError

            self._history_error = HistoryError("The history is closed.")


def build_services(
    *,
    data_dir: str | None = None,
    api_base: str | None = None,
    use_sandbox: bool = False,
    clock: Clock | None = None,
    environ: Mapping[str, str] = os.environ,
    profile: str | None = None,
    keystore: "KeyStore | None" = None,
    accounts_api: str | None = None,
) -> Services:
    """Services for one run. The profile: ``--sandbox``; else as
    :meth:`ProfileRegistry.choose` says (STRIPE_API_KEY, ``profile`` or LINKDESK_PROFILE, the
    default); else ``api_base`` alone (stripe-mock, as before profiles); else the Sandbox.
    ``api_base`` also overrides a chosen profile's API base. Raises ProfileError (unknown name,
    key missing, no keyring) or ValidationError (a malformed STRIPE_API_KEY) before any
    request. The Accounts API: ``accounts_api`` (``--accounts-api``), else LINKDESK_ACCOUNTS_API,
    else the profile's setting, else v1."""
    from app.profiles.registry import API_BASE_ENV as _BASE_ENV, ProfileRegistry
    from app.profiles.secrets import KeyVault
    from app.profiles.store import SettingsStore
    from app.stripe.client import DEFAULT_STRIPE_VERSION, StripeClient

    clock = clock or SystemClock()
    override = accounts_api_override(accounts_api, environ)  # a bad value: refused before anything starts
    paths = AppPaths.resolve(data_dir)
    registry = ProfileRegistry(SettingsStore.for_paths(paths), KeyVault(keystore), environ=environ)
    chosen = registry.sandbox if use_sandbox else registry.choose(profile)
    base = api_base or environ.get(_BASE_ENV) or None
    if chosen is None and base is not None:
        connection = open_connection(api_base=base, environ=environ, clock=clock, accounts_api=override)
    else:
        chosen = chosen or registry.sandbox
        if api_base and not chosen.is_sandbox:
            chosen = chosen.replace(api_base=api_base)
        connection = open_profile_connection(chosen, registry.key_for(chosen), clock=clock, environ=environ,
                                             accounts_api=override)
    version = (chosen.stripe_version if chosen else None) or DEFAULT_STRIPE_VERSION
    rate_limiters = RateLimiterPool()  # the process's one pool (see Services.rate_limiters)
    try:
        client = StripeClient(connection.api_key, api_base=connection.api_base, clock=clock, stripe_version=version,
                              rate_limiter=rate_limiters.for_key(connection.api_key))
    except BaseException:
        connection.close()
        raise
    return Services(
        clock=clock, paths=paths, connection=connection, client=client,
        preferences=Preferences.load(paths.preferences_file), profiles=registry, rate_limiters=rate_limiters,
        accounts_api_override=override,
    )
