"""The directory sync's requests (a mixin of :class:`app.directory.sync.DirectorySync`): each
waits for the limiters, is asked again after a 429 (:class:`app.directory.guards.RateLimitWaits`),
and a list page is decoded account by account (:func:`app.directory.record.decode_page`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from app.directory.record import AccountSummary, decode_page
from app.stripe.errors import (
    InvalidRequestError,
    PermissionDeniedError,
    RateLimitError,
    StripeError,
    UntrustedAnswerError,
)
from app.stripe.validation import list_params

if TYPE_CHECKING:
    import asyncio

    from app.clock import Clock
    from app.directory.guards import RateLimitWaits
    from app.directory.index import DirectoryIndex

PAGE = 100
_EARLIEST = 1_293_840_000  # 2011-01-01: no Connect account is older


class SyncCancelled(Exception):
    pass


class PageFetcher:
    """Requests on behalf of a sync; the attributes are the sync's."""

    _client: Any
    _index: "DirectoryIndex"
    _limiter: Any
    _clock: "Clock"
    _cancel: "asyncio.Event"
    _waits: "RateLimitWaits"
    _requests: int
    _skipped_items: set[str]
    _skipped_lookups: int

    def _save(self, accounts: list[AccountSummary], window: Any = None) -> None:
        raise NotImplementedError

    async def _request(self, call: Callable[[], Any]) -> Any:
        """``call()`` (one client call, with the client's own retries), asked again after a
        429: after ``Retry-After`` when Stripe names one, else after a growing backoff, with
        the next try's time in the progress. 429s in a row for more than the sync waits (or a
        wait longer than that) end the sync with :class:`SyncRateLimited`."""
        while True:
            if self._cancel.is_set():
                raise SyncCancelled()
            if self._limiter is not None:
                await self._limiter.acquire()
            if self._cancel.is_set():
                raise SyncCancelled()
            self._requests += 1
            sent = self._clock.monotonic()
            try:
                result = await call()
            except RateLimitError as error:
                if self._limiter is not None:
                    self._limiter.on_rate_limited(error.retry_after)
                await self._waits.wait(error, sent)
                continue
            self._waits.answered()
            return result

    async def _list(self, *, lo: int | None, hi: int | None, cursor: str | None) -> tuple[list[AccountSummary], bool]:
        """One page of ``created`` in [lo, hi], each account decoded on its own; the items
        without a usable id are counted in ``skipped``. Bounds below 0 (accounts created at
        0, the epoch) are clamped: the list takes no negative time."""
        if hi is not None and hi < 0:
            return [], False
        lo = None if lo is None else max(0, lo)
        created = {k: v for k, v in (("gte", lo), ("lte", hi)) if v is not None}
        params = list_params(PAGE, cursor, None, created or None)
        answer = await self._request(lambda: self._client.request("GET", "/v1/accounts", params=params))
        try:
            accounts, has_more, skipped = decode_page(answer.data, refreshed_at=self._clock.time())
        except ValueError as problem:
            raise UntrustedAnswerError(f"The account list was not what Stripe sends: {problem}",
                                       problem=str(problem), http_status=answer.status,
                                       request_id=answer.request_id) from None
        self._skipped_items.update(skipped)
        return accounts, has_more

    async def _platform_created(self) -> int:
        """Where to stop cutting windows: the platform's own creation (a restricted key may not
        read it; then 2011). Accounts older than that are still fetched, by the open window."""
        self._requests += 1
        try:  # (not asked again after a 429: the first page's own waits are the ones shown)
            platform = await self._client.retrieve_platform_account()
        except StripeError:  # a restricted key, a 429, ...
            return _EARLIEST
        return max(_EARLIEST, platform.created or _EARLIEST)

    async def _refresh_looked_up(self, started: float) -> None:
        ids = self._index.looked_up(refreshed_before=started)
        for account_id in ids:
            try:
                account = await self._request(lambda: self._client.retrieve_account(account_id))
            except (PermissionDeniedError, InvalidRequestError):
                continue  # gone or disconnected; a full sync removes it
            except UntrustedAnswerError:
                self._skipped_lookups += 1  # an answer Stripe never sends: its row stays as it was
                continue
            self._save([AccountSummary.from_account(account, refreshed_at=self._clock.time())])

