"""Writing the window's link attempts to history: the attempt before its request is sent (and
History's Retry of one left open), a created link (committed before its card is
shown: on the Qt thread, or on the history worker when another instance holds the lock, awaited)
and a failure or cancellation (at once, on the Qt thread). Mixed into
:class:`~app.ui.links.flow.LinkFlow`, whose ``w`` (a :class:`~app.ui.common.host.WindowHost`)
it uses. A write that fails is said in the window; the link itself is never lost with it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    import asyncio

    from app.history.entry import HistoryEntry
    from app.stripe.models import Account, AccountLink
    from app.stripe.validation import LinkRequest
    from app.ui.common.host import WindowHost


class Recording:
    """The history half of the link operations."""

    w: "WindowHost"

    def _not_saved(self, exc: Exception) -> None:
        self.w.show_message("The link was not saved to history.", f"{type(exc).__name__}: {exc}")

    open_attempts: dict[str, int]  # Idempotency-Key -> the row written before sending it
    names: dict[str, tuple[str | None, str | None]]  # Idempotency-Key -> the account's (name, email)

    def _named(self, entry: "HistoryEntry", key: str | None) -> "HistoryEntry":
        """``entry`` with the account's name and email as a card or a history row knew them, when
        the account itself was not at hand (a link made from a card or from History)."""
        if key is None or entry.account_name is not None or entry.account_email is not None:
            return entry
        name, email = self.names.get(key) or (None, None)
        return entry.with_changes(account_name=name, account_email=email) if name or email else entry

    async def record_replaced(self, old_id: int, new_id: int) -> None:
        """History: row ``old_id``'s link was replaced by row ``new_id``'s (issue 19)."""
        s = self.w.services
        assert s is not None
        try:
            await s.history_worker.write(await s.open_history(), lambda store: store.set_replaced_by(old_id, new_id))
        except Exception as exc:  # noqa: BLE001 - the links are fine; say so
            self._not_saved(exc)
            return
        self.w.history_changed()

    async def open_attempt(self, req: LinkRequest, account: Account | None, key: str,
                           retry_of: "HistoryEntry | None" = None) -> bool:
        """Write the attempt before its request is sent (outcome unknown, its Idempotency-Key,
        this process as the one waiting), so that a Linkdesk that dies waiting leaves a row
        saying the link may exist. A retry of such a row claims it instead. On this thread when
        the file is free (a fraction of a millisecond), on the history worker when another
        instance holds the lock (awaited: the Qt thread never waits for it). False, said in the
        window, when the file cannot be written (a read-only or full disk): then nothing is sent.
        Without any history (a file from a newer Linkdesk, said at start), links are made as
        before and the window says they were not saved."""
        from app.history import writers
        from app.history.entry import HistoryEntry
        from app.history.errors import HistoryStorageError

        s = self.w.services
        assert s is not None
        me = writers.current()
        try:
            main = await s.open_history()
            if retry_of is not None and retry_of.id is not None:
                entry_id = retry_of.id
                saved = await s.history_worker.write(main, lambda store: store.claim_attempt(entry_id, me))
            else:
                entry = HistoryEntry.for_attempt(
                    req, key, clock=s.clock, mode=s.connection.mode, profile=s.connection.profile, account=account,
                    accounts_api=getattr(s.connection, "accounts_api", "v1"), writer=me)
                entry = self._named(entry, key)
                saved = await s.history_worker.open_attempt(main, entry)
        except HistoryStorageError as exc:  # a link must not be made that could not be recorded
            self.w.show_message("The history cannot be written, so no link was requested.", str(exc))
            return False
        except Exception:  # noqa: BLE001 - no history at all (a newer file...): said when the link is not saved
            return True
        if saved is None:  # a retried row that has an outcome by now
            self.w.status("That attempt has been completed meanwhile; see History.")
            self.w.history_changed()
            return False
        self.open_attempts[key] = saved.id  # type: ignore[assignment]
        return True

    def retry_attempt(self, entry: "HistoryEntry") -> "asyncio.Task[Any] | None":
        """History → Retry on an attempt of unknown outcome: the same request with the same
        Idempotency-Key, so that Stripe answers with the link it made then (within 24 h)."""
        w = self.w
        if entry.outcome != "unknown" or not entry.idempotency_key or w.services is None:
            return None
        from app.stripe.validation import LinkRequest

        request = LinkRequest(**entry.link_request_fields())
        w.account_panel.set_account_text(entry.account_id)
        w.show_links()
        return w.spawn(self.create(request, retry_key=entry.idempotency_key, retry_of=entry,  # type: ignore[attr-defined]
                                   known=(entry.account_name, entry.account_email)), "retry attempt")

    def _record(self, make: Callable[[], "HistoryEntry"], key: str | None = None) -> "HistoryEntry | None":
        """A failed attempt, written at once on this thread (it may run while the window is
        closing) into the row written before its request; a locked file fails fast here rather
        than freezing the window."""
        try:
            entry = self.w.services.history.complete(  # type: ignore[union-attr]
                self.open_attempts.pop(key, None) if key is not None else None, make())
        except Exception as exc:  # noqa: BLE001 - nothing else is lost; say so
            self._not_saved(exc)
            return None
        self.w.history_changed()
        return entry

    async def record_link(self, req: LinkRequest, link: AccountLink, account: Account | None,
                          key: str | None = None) -> "HistoryEntry | None":
        """A created link, committed (into the row written before its request) before its card
        is shown. The write takes well under a millisecond; when another instance holds the
        lock it is retried on the history worker (awaited, never blocking the Qt thread)
        instead of failing."""
        from app.history.entry import HistoryEntry

        s = self.w.services
        assert s is not None
        entry = HistoryEntry.for_link(
            req, link, clock=s.clock, mode=s.connection.mode, profile=s.connection.profile, account=account)
        entry = self._named(entry, key)
        if s.profile is not None and not s.profile.store_urls:
            entry = entry.with_changes(url=None)  # this profile keeps no link URL in history
        try:
            attempt_id = self.open_attempts.pop(key, None) if key is not None else None
            saved = await s.history_worker.complete(await s.open_history(), attempt_id, entry)
        except Exception as exc:  # noqa: BLE001 - the link itself is fine; say so
            self._not_saved(exc)
            return None
        self.w.history_changed()
        return saved

    def record_failure(self, req: LinkRequest, account: Account | None, exc: BaseException,
                       key: str | None = None) -> None:
        from app.history.entry import HistoryEntry

        s = self.w.services
        assert s is not None
        self._record(lambda: self._named(HistoryEntry.for_failure(
            req, exc, clock=s.clock, mode=s.connection.mode, profile=s.connection.profile, account=account,
            accounts_api=getattr(s.connection, "accounts_api", "v1")), key), key)
