"""Who a link is for, kept from one link to the next (issue 19), mixed into
:class:`~app.ui.links.flow.LinkFlow`: a link made again from a card or from History keeps the
account's name and email, and a new link for an account *and* profile replaces the live one
(:meth:`Sellers.replace_older`): the older card says so and loses its actions, the clipboard lets
go of its URL, an open present screen shows the new code, and History records what replaced it.
A second live link is had only on purpose (Shift), after a confirmation saying why it is risky."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.countdown import LinkState
from app.stripe.validation import LinkRequest

if TYPE_CHECKING:
    from app.history.entry import HistoryEntry
    from app.ui.common.host import WindowHost
    from app.ui.links.card import LinkCard
    from app.stripe.models import Account


@dataclass(frozen=True)
class CardSource:
    """What a card was made from, so Regenerate and Present can make another one just like it."""

    request: LinkRequest
    account: Account | None
    history_id: int | None
    name: str | None = None  # the account's name as known when the link was made (None: none was)
    email: str | None = None  # the account's email, likewise
    profile: str | None = None  # the profile the link was made with (one live link per account *and* profile)


def seller_names(account: Any) -> tuple[str | None, str | None]:
    """The name and email of an account (v1 or v2) as history keeps them; (None, None) for none."""
    if account is None:
        return None, None
    name = getattr(account, "business_name", None) or getattr(account, "dashboard_display_name", None)
    return name, getattr(account, "email", None)


class Sellers:
    """The one-live-link-per-seller half of the link operations (see the module docstring)."""

    w: "WindowHost"
    sources: "dict[LinkCard, CardSource]"
    present_window: Any

    if TYPE_CHECKING:  # LinkFlow's own, and Recording's
        async def create(self, request: LinkRequest | None = None, **kwargs: Any) -> LinkCard | None: ...
        def add_card(self, link: Any, source: CardSource) -> LinkCard: ...
        def card_for_history(self, history_id: int | None) -> LinkCard | None: ...
        def account_for(self, account_id: str) -> Any: ...
        async def record_replaced(self, old_id: int, new_id: int) -> None: ...

    async def confirmed_second(self, who: str) -> bool:
        """Shift held: a second live link for an account that has one. Asked, saying why."""
        from app.ui.common.dialogs import ask

        return await ask(
            self.w.account_panel, title="Keep the older link live too?",
            text=f"{who} already has a live link. A new one normally replaces it.",
            details="With two live links the seller may scan the older code, which may already be used "
                    "or about to expire. Keep both anyway?",
            accept="Keep both live", reject="Don't create", name="secondLinkDialog")

    async def regenerate(self, card: LinkCard, keep_others: bool | None = None) -> LinkCard | None:
        """A new link with the same settings as ``card`` (a new Idempotency-Key), for the same
        account by the same name and email; it replaces ``card`` while that one lives."""
        source = self.sources.get(card)
        if source is None:
            return None
        return await self.create(source.request, known=(source.name, source.email), keep_others=keep_others)

    # -- one live link per seller (issue 19) -----------------------------------------------------------
    def live_cards_for(self, account_id: str, profile: str | None = None) -> list[LinkCard]:
        """The cards of ``account_id`` made with ``profile`` (None: the current one) whose link
        still lives and has not been replaced, newest first."""
        if profile is None and self.w.services is not None:
            profile = self.w.services.connection.profile
        live = []
        for card in self.w.links.cards():
            source = self.sources.get(card)
            if source is None or card.account_id != account_id or source.profile != profile or card.is_replaced:
                continue
            card.tick()
            if card.state is not LinkState.EXPIRED:
                live.append(card)
        return live

    def replace_older(self, new_card: LinkCard, source: CardSource, *, presented: bool = False) -> None:
        """``new_card`` replaces the live links of its account and profile: each older card says
        so and loses its actions, the clipboard lets go of its URL, an open present screen showing
        it switches to the new code, and History says what replaced it."""
        w = self.w
        assert w.services is not None and w.clipboard_guard is not None
        now = w.services.clock.time()
        for old in self.live_cards_for(new_card.account_id, source.profile):
            if old is new_card:
                continue
            w.links.mark_replaced(old, now)
            w.clipboard_guard.forget_link(old.link.url)
            window = self.present_window
            if window is not None and not presented and window.link is old.link:
                window.show_link(new_card.link)
            old_source = self.sources.get(old)
            if old_source is not None and old_source.history_id is not None and source.history_id is not None:
                w.spawn(self.record_replaced(old_source.history_id, source.history_id), "replaced")

    # -- history panel ---------------------------------------------------------------------------
    def reopen(self, entry: "HistoryEntry") -> LinkCard | None:
        """Scroll to the entry's card, or show a card for the stored link while it lives."""
        w = self.w
        card = self.card_for_history(entry.id)
        if card is None and entry.replaced_by is not None:  # a live code the seller must not get
            w.status(f"That link was replaced by a newer one (History #{entry.replaced_by}): reopen that one.")
            return None
        if card is None and w.services is not None:
            link = entry.to_account_link(w.services.clock)
            if link is None:
                w.status("That link has expired or its address is no longer stored. Use Create again.")
                return None
            request = LinkRequest(**entry.link_request_fields())
            account = self.account_for(entry.account_id)
            card = self.add_card(link, CardSource(request, account, entry.id, entry.account_name, entry.account_email,
                                                  entry.profile))
        if card is not None:
            w.show_links()
            w.links.reveal(card)
        return card

    def create_again(self, entry: "HistoryEntry") -> None:
        """Fill the form with the entry's settings and account, and look the account up."""
        w = self.w
        w.account_panel.set_account_text(entry.account_id)
        w.form.apply(LinkRequest(**entry.link_request_fields()))
        w.show_links()
        w.form.create_button.setFocus()
        if w.services is not None and self.account_for(entry.account_id) is None:
            w.spawn(w.lookup_account(), "lookup")
