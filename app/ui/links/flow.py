"""Creating links from the window: validate, send, record, show — and regenerate, present, reopen.

Order matters: the attempt is written to history *before* its card is shown, so a crash right
after the card appears never loses a link the seller may already be opening. Failures are
written too. Each network call runs as an inner task that Esc / Cancel can cancel without
cancelling the caller; shutdown cancels the caller, which cancels the inner task with it.

Retry and idempotency: Stripe saves the result of a key once its endpoint started executing —
errors included — and replays it for the same key. So the banner's Retry reuses the key only
when the outcome is unknown (see :func:`reuses_idempotency_key`): then a replay returns the link
the lost answer carried instead of minting a second one. After an error Stripe itself answered,
the same key would only replay that error: Retry uses a fresh key.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Any, Awaitable

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from app.stripe.errors import (
    APIConnectionError,
    LinkdeskError,
    StripeError,
    ValidationError,
)
from app.stripe.models import Account, AccountLink
from app.stripe.validation import LinkRequest
from app.ui.links.card import LinkCard
from app.ui.links.presenting import Presenting
from app.ui.links.recording import Recording
from app.ui.links.sellers import CardSource, Sellers, seller_names  # noqa: F401 - CardSource re-exported

if TYPE_CHECKING:
    from app.history.entry import HistoryEntry
    from app.ui.common.host import WindowHost


class CancelledByOperator(LinkdeskError):
    """Recorded in history when the operator cancels a request (it may have reached Stripe)."""

    code = "cancelled"  # what HistoryEntry.for_failure records as the error code

    def __init__(self, message: str = "Cancelled by the operator before Stripe answered.") -> None:
        super().__init__(message)
        self.message = message


def new_idempotency_key() -> str:
    return f"linkdesk-{uuid.uuid4()}"


def reuses_idempotency_key(error: BaseException | None) -> bool:
    """Whether a retry after ``error`` sends the same Idempotency-Key.

    Yes when nobody knows whether Stripe carried the request out: no answer at all
    (:class:`APIConnectionError`, timeouts included), an error page without Stripe's
    ``Request-Id`` (a proxy in front of Stripe answered; Stripe may have run it), or a success
    whose body could not be read (the link exists). No when Stripe answered with an error: it saved
    that result under the key, and the same key would only replay it.
    """
    if isinstance(error, APIConnectionError):
        return True
    if isinstance(error, StripeError):
        status = error.http_status or 0
        return 200 <= status < 300 or not error.request_id
    return False


class LinkFlow(Sellers, Presenting, Recording):
    """The window's link operations. Holds no widgets of its own; works through ``window``
    (any :class:`~app.ui.common.host.WindowHost`)."""

    def __init__(self, window: "WindowHost") -> None:
        self.w = window
        self.sources: dict[LinkCard, CardSource] = {}
        self.present_window: Any = None
        self.last_attempt: tuple[LinkRequest, Account | None, str] | None = None
        self.last_error: BaseException | None = None  # what the last attempt failed with
        self.closing_tasks: list[asyncio.Task[None]] = []  # refreshes cancelled with present mode
        self.recorded_keys: set[str] = set()  # Idempotency-Keys whose outcome is in history
        self.open_attempts: dict[str, int] = {}  # Idempotency-Key -> its history row, written before sending
        self.names: dict[str, tuple[str | None, str | None]] = {}  # Idempotency-Key -> the account's (name, email)

    # -- the inner, cancellable request --------------------------------------------------------
    async def cancellable(self, coro: Awaitable[Any]) -> Any:
        """Run ``coro`` as the window's request in flight; raises CancelledByOperator on Esc."""
        inner = asyncio.ensure_future(coro)
        self.w.inflight = inner
        try:
            return await inner
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if inner.cancelled() and (current is None or not current.cancelling()):
                raise CancelledByOperator() from None
            raise
        finally:
            if self.w.inflight is inner:
                self.w.inflight = None

    # -- create ------------------------------------------------------------------------------
    def account_for(self, account_id: str) -> Account | None:
        account = self.w.account_panel.account
        return account if account is not None and account.id == account_id else None

    async def create(self, request: LinkRequest | None = None, *, retry_key: str | None = None,
                     retry_of: "HistoryEntry | None" = None, known: tuple[str | None, str | None] | None = None,
                     keep_others: bool | None = None) -> LinkCard | None:
        """The Create button: returns the new card, or None when refused, failed or cancelled.
        ``retry_of`` is a history attempt of unknown outcome sent again with its key (its row is
        completed rather than a new one written). ``known`` is the account's (name, email) as a
        card or a history row knew them, kept when the account is not the one looked up.

        One live link per seller: the new link replaces the live ones of the same account and
        profile (:meth:`replace_older`). ``keep_others`` (None: Shift is held) keeps them, after a
        confirmation that says why that is risky."""
        w = self.w
        if keep_others is None:  # read now, while the key that started this is still down
            keep_others = bool(QGuiApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier)
        if w.services is None or w.busy:
            return None
        w.clear_errors()
        raw = request or w.form.request(w.account_panel.account_text())
        live = w.services.connection.mode == "live"
        try:
            if getattr(w.services.connection, "accounts_api", "v1") == "v2":  # return URL optional
                from app.stripe.v2 import LinkRequestV2

                req = LinkRequestV2.from_link_request(raw).validated(live=live).as_history_request()
            else:
                req = raw.validated(live=live)
        except ValidationError as exc:
            # Every URL problem at once (validation stops at the first), focus on the first.
            problems = w.form.url_problems(live=live) if request is None else {}
            for field, message in problems.items():
                if field != exc.field:
                    w.mark_field(field, message)
            w.mark_field(exc.field, exc.message)
            return None
        if request is None and self.account_for(req.account) is None:
            # Ctrl+Enter with an id typed but not looked up (the summary on screen may be another
            # account's): look it up first; the form may change with it (Update not allowed).
            if await w.lookup_account() is not None:
                return (await self.create(retry_key=retry_key, keep_others=keep_others)
                        if self.account_for(req.account) else None)
            if not create_may_follow(w.account_panel.last_failure, req.account):
                return None
            # Not unknown to Stripe, only not readable here (a key that may not read accounts, an
            # answer that could not be decoded): Stripe's answer to the link itself decides.
        account = self.account_for(req.account)
        if account is not None and not await self.confirmed(account):
            w.status("No link was created.")
            return None
        names = (seller_names(account) if account is not None
                 else known or (self.names.get(retry_key) if retry_key else None) or (None, None))
        if keep_others and self.live_cards_for(req.account) and not await self.confirmed_second(
                names[0] or names[1] or req.account):
            w.status("No link was created.")
            return None
        if not await w.confirm_live_link(req, account):  # the first live link of a session asks
            return None
        problem = await self.history_cannot_record()
        if problem is not None:  # a link Stripe made must never go unrecorded for a known reason
            w.show_message("The history cannot be written, so no link was requested.", str(problem))
            return None
        key = retry_key or new_idempotency_key()
        self.last_attempt = (req, account, key)
        self.last_error = None
        w.set_busy(True, "Creating the link…", action="create")
        cancelled = False
        try:
            self.names[key] = names
            if not await self.open_attempt(req, account, key, retry_of):
                return None  # not written: nothing is sent (said in the window)
            card = await self.cancellable(self.mint(req, account, key, replace=not keep_others))
        except CancelledByOperator as exc:
            cancelled = True
            self.record_failure(req, account, exc, key)
            return None
        except asyncio.CancelledError:  # the window is closing: keep the attempt on record
            if key not in self.recorded_keys and key in self.open_attempts:
                closed = CancelledByOperator("Linkdesk was closed before Stripe answered.")
                self.record_failure(req, account, closed, key)
            raise
        except StripeError as exc:
            self.last_error = exc
            w.show_error(exc, retry=self.retry if exc.retryable_by_user else None)
            return None
        finally:
            w.set_busy(False, action="create")
            if cancelled:
                w.show_cancelled("create", f"Creating the link for {account.display_name if account else req.account} "
                                 "was cancelled. No link was shown; if Stripe made one, it expires unused.")
        self.remember_urls(req)
        self.after_created(card)
        return card

    async def confirmed(self, account: Any) -> bool:
        """A rejected or closed account: ask first, naming the reason (non-modal, awaited)."""
        from app.ui.common.dialogs import ask

        reason = confirm_reason(account)
        if reason is None:
            return True
        return await ask(
            self.w.account_panel, title="Create a link for this account?",
            text=f"{account.display_name}: {reason}.",
            details="Stripe will not onboard this account; a link would only show the seller that. "
                    "Create one anyway?",
            accept="Create anyway", reject="Don't create")

    def after_created(self, card: LinkCard) -> None:
        """The link is what the operator sends next: Copy is focused (and, by default, done).
        An Accounts v2 link also says which configurations it covers."""
        from app.ui.links.link_list import COPY_NEW_LINKS_KEY

        w = self.w
        copied = str(w.settings.value(COPY_NEW_LINKS_KEY, "true")).lower() == "true"
        if copied:
            card.copy()
        message = (f"Link created for {card.account_name}{' and copied' if copied else ''}. "
                   f"It expires in {card.link.ttl / 60:.0f} minutes.")
        covers = getattr(card.link, "configurations", None)
        if covers:
            from app.requirements_v2 import describe_configurations

            w.form.show_link_covers(describe_configurations(covers))
            message += f" It covers: {describe_configurations(covers)}."
        card.focus_primary()
        w.status(message)

    async def history_cannot_record(self) -> Exception | None:
        """A storage problem (read-only or full disk, a data folder that cannot be made) that
        would keep a new link from being recorded, found before anything is sent; else None.
        Cheap: a statvfs and an empty write transaction on the already open store."""
        from app.history.errors import HistoryStorageError

        services = self.w.services
        assert services is not None
        try:
            (await services.open_history()).check_writable()
        except HistoryStorageError as exc:
            return exc
        except Exception:  # noqa: BLE001 - other history troubles are reported where they occur
            return None
        return None

    def retry(self) -> None:
        """Banner → Retry: the same request; the same Idempotency-Key only when the last outcome
        is unknown (Stripe then replays the link it made), a fresh one otherwise."""
        if self.last_attempt is not None:
            req, _account, key = self.last_attempt
            same = reuses_idempotency_key(self.last_error)
            self.w.spawn(self.create(req, retry_key=key if same else None), "retry")

    async def mint(self, req: LinkRequest, account: Account | None, key: str, *, replace: bool = True,
                   presented: bool = False) -> LinkCard:
        """Send, record, show; the new card replaces the live ones of its account and profile
        unless ``replace`` is False (``presented``: present mode asked, and shows it itself).
        Raises StripeError (after recording it) or CancelledError.

        The card is built while Stripe answers (all but the link's own parts): after the answer
        only the history write (well under a millisecond), binding the link (its QR code) and
        the insertion are left.
        """
        send = asyncio.ensure_future(self.send(req, key))
        card: LinkCard | None = None
        try:
            await asyncio.sleep(0)  # the request goes out before the card is built
            name, email = self.names.get(key) or seller_names(account)
            card = self.prepare_card(req, account, name, email)
            link = await send
        except BaseException as exc:
            send.cancel()  # Esc or shutdown came while the card was being built
            if card is not None:
                self.discard(card)
            if isinstance(exc, StripeError):
                self.recorded_keys.add(key)
                self.record_failure(req, account, exc, key)
            raise
        self.recorded_keys.add(key)
        if self.w.inflight is asyncio.current_task():
            self.w.inflight = None  # the link exists: Esc can no longer take it away
        recording = asyncio.ensure_future(self.record_link(req, link, account, key))
        await asyncio.sleep(0)  # the write runs (on the worker only if another instance holds the lock)...
        card.bind(link)  # ...while the QR code is drawn here, if it does
        entry = await recording
        self.names.pop(key, None)
        profile = self.w.services.connection.profile if self.w.services is not None else None
        source = self.sources[card] = CardSource(req, account, entry.id if entry else None, name, email, profile)
        await asyncio.sleep(0)  # Qt may paint between the card's build and its insertion
        self.w.links.add(card)
        await asyncio.sleep(0)  # the card paints before the rest of the window settles
        if replace:  # ...and before the older cards it replaces change
            self.replace_older(card, source, presented=presented)
        return card

    async def send(self, req: LinkRequest, key: str) -> AccountLink:
        """The Account Link request itself, v1 or v2 as the profile says."""
        services = self.w.services
        assert services is not None
        if getattr(services.connection, "accounts_api", "v1") == "v2":
            from app.stripe.v2 import LinkRequestV2

            return await services.client.create_account_link_v2(
                LinkRequestV2.from_link_request(req), idempotency_key=key, on_retry=self.w.report_retry)
        return await services.client.create_account_link(req, idempotency_key=key, on_retry=self.w.report_retry)

    def remember_urls(self, req: LinkRequest) -> None:
        # Written only when they changed: each write has QSettings rewrite its file on the Qt
        # thread (milliseconds), and most links reuse the URLs of the one before.
        settings, key = self.w.settings, self.w.settings_prefix()
        for name, value in (("refresh_url", req.refresh_url), ("return_url", req.return_url)):
            if settings.value(f"{key}/{name}") != value:
                settings.setValue(f"{key}/{name}", value)

    # -- cards -------------------------------------------------------------------------------
    def add_card(self, link: AccountLink, source: CardSource) -> LinkCard:
        card = self.make_card(link, source)
        self.w.links.add(card)
        return card

    def make_card(self, link: AccountLink, source: CardSource) -> LinkCard:
        """A wired card showing ``link``, not yet shown."""
        card = self.prepare_card(source.request, source.account, source.name)
        card.bind(link)
        self.sources[card] = source
        return card

    def prepare_card(self, req: LinkRequest, account: Account | None, name: str | None = None,
                     email: str | None = None) -> LinkCard:
        """A wired card for ``req``, its link not bound yet (see :meth:`LinkCard.bind`), polished
        so that showing it later costs no style work. Titled with the account's name, else its
        email, else (no name ever known) its id."""
        w = self.w
        assert w.services is not None and w.clipboard_guard is not None
        card = LinkCard(
            None,
            account_name=name or (account.display_name if account else None) or email or req.account,
            account_id=req.account,
            link_type=req.type,
            clock=w.services.clock,
            clipboard_guard=w.clipboard_guard,
        )
        card.ensurePolished()
        w.links.prepare(card)
        card.regenerateRequested.connect(lambda c=card: w.spawn(self.regenerate(c), "regenerate"))
        card.presentRequested.connect(lambda c=card: self.present(c))
        card.statusMessage.connect(w.status)
        return card

    def discard(self, card: LinkCard) -> None:
        """A card prepared for a link that never came."""
        self.sources.pop(card, None)
        card.close()
        self.w.links.discard(card)  # its slot, and the card with it
        card.deleteLater()

    def card_for_history(self, history_id: int | None) -> LinkCard | None:
        for card, source in self.sources.items():
            if history_id is not None and source.history_id == history_id:
                return card
        return None

    def copy_newest(self) -> bool:
        card = self.w.links.newest_active()
        if card is None:
            self.w.status("No active link to copy. Create one first.")
            return False
        card.copy()
        return True

def confirm_reason(account: Any) -> str | None:
    """Why creating a link for ``account`` must be confirmed first (rejected by Stripe, closed),
    or None. The same verdict the summary shows (:mod:`app.verdict`); a v2 account, when closed."""
    from app.stripe.models import Account as AccountV1

    if isinstance(account, AccountV1):
        from app.verdict import account_verdict

        return account_verdict(account).confirm_reason
    return "The account is closed" if getattr(account, "closed", False) else None


def create_may_follow(failure: "tuple[str, StripeError] | None", account_id: str) -> bool:
    """Whether a link may still be asked for after the look-up of ``account_id`` failed: yes
    unless Stripe said the account is unknown to this platform (404, ``account_invalid``). A key
    that may create links but not read accounts, or an account answer that could not be read,
    leaves the decision to Stripe's answer to the link itself."""
    if failure is None or failure[0] != account_id:
        return False
    exc = failure[1]
    return not (exc.http_status == 404 or exc.code in ("account_invalid", "resource_missing"))
