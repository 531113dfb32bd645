"""One directory sync on a thread of its own, so that the thread that started it (the window's
Qt thread) spends nothing on it: no JSON decoding, no page building, no SQLite writes.

The thread runs its own plain asyncio event loop (never one from the process's event-loop
policy, which under qasync would be a Qt loop) with its own :class:`app.stripe.StripeClient` (same key and
API base) and its own connection to the index file (WAL: the window's connection keeps reading
while this one writes). Progress is handed to ``on_progress`` on the sync's thread: the caller
moves it to its own thread (e.g. ``loop.call_soon_threadsafe``).

The key's rate limiter belongs to the owner's loop (an asyncio lock cannot be shared across
loops): :class:`ForeignLimiter` makes the sync's client wait for it there, so the window and
the sync share one budget per key, as :mod:`app.stripe.ratelimit` intends.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from pathlib import Path
from typing import Any, Callable

from app.directory.index import DirectoryIndex
from app.directory.sync import DirectorySync, SyncProgress, SyncResult


class ForeignLimiter:
    """A rate limiter living on another event loop, used from this one (same interface)."""

    def __init__(self, limiter: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._limiter = limiter
        self._loop = loop

    @property
    def rate(self) -> float:
        return float(self._limiter.rate)

    async def acquire(self) -> None:
        waiting = asyncio.run_coroutine_threadsafe(self._limiter.acquire(), self._loop)
        try:
            await asyncio.wrap_future(waiting)
        except asyncio.CancelledError:
            waiting.cancel()
            raise

    def on_rate_limited(self, retry_after: float | None) -> None:
        self._loop.call_soon_threadsafe(self._limiter.on_rate_limited, retry_after)


class BackgroundSync:
    def __init__(
        self,
        *,
        api_key: Any,
        api_base: str,
        index_path: Path,
        full: bool = False,
        rate_limiter: Any = None,
        owner_loop: asyncio.AbstractEventLoop | None = None,
        on_progress: Callable[[SyncProgress], None] | None = None,
        client_options: dict[str, Any] | None = None,
    ) -> None:
        self._api_key = api_key
        self._api_base = api_base
        self._path = Path(index_path)
        self._full = full
        self._limiter = ForeignLimiter(rate_limiter, owner_loop) if rate_limiter is not None and owner_loop else None
        self._on_progress = on_progress
        self._client_options = client_options or {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[SyncResult] | None = None
        self._sync: DirectorySync | None = None
        self._ready = threading.Event()
        self.future: concurrent.futures.Future[SyncResult] = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._main, name="directory-sync", daemon=True)

    def start(self) -> "concurrent.futures.Future[SyncResult]":
        self._thread.start()
        return self.future

    def cancel(self) -> None:
        """Stop after the requests in flight (what was fetched stays; the next sync resumes)."""
        self._call(lambda: self._sync.cancel() if self._sync is not None else None)

    def abort(self) -> None:
        """Stop now, abandoning the requests in flight (closing the window). Still resumable:
        every page written is written with its cursor."""
        self._call(lambda: self._task.cancel() if self._task is not None else None)

    def join(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _call(self, action: Callable[[], object]) -> None:
        self._ready.wait(5)
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(action)
            except RuntimeError:  # the loop closed meanwhile: the sync has ended anyway
                pass

    def _main(self) -> None:
        if not self.future.set_running_or_notify_cancel():
            return
        try:
            # A selector loop by name: under ``qasync.run`` the process's event-loop policy
            # builds Qt event loops, and one built here, off the Qt thread, cannot run
            # ("QApplication::exec: Must be called from the main thread").
            with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:
                result = runner.run(self._run())
        except BaseException as exc:  # noqa: BLE001 - handed to whoever awaits the future
            self.future.set_exception(exc)
        else:
            self.future.set_result(result)
        finally:
            self._ready.set()

    async def _run(self) -> SyncResult:
        from app.stripe.client import StripeClient

        self._loop = asyncio.get_running_loop()
        try:
            with DirectoryIndex.open(self._path) as index:
                options = dict(self._client_options)
                if self._limiter is not None:
                    options["rate_limiter"] = self._limiter
                async with StripeClient(self._api_key, api_base=self._api_base, **options) as client:
                    self._sync = DirectorySync(client, index, progress=self._on_progress)
                    self._task = asyncio.current_task()  # type: ignore[assignment]
                    self._ready.set()
                    return await self._sync.run(full=self._full)
        finally:
            self._ready.set()
