"""Present mode from the window: open a card's QR full screen on the chosen screen, with who is
asking (the platform's name) for the seller, and close it again. Mixed into
:class:`~app.ui.links.flow.LinkFlow`, whose ``w`` (a :class:`~app.ui.common.host.WindowHost`),
``sources`` and ``mint`` it uses."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QGuiApplication

if TYPE_CHECKING:
    from app.stripe.models import AccountLink
    from app.ui.links.card import LinkCard
    from app.ui.links.present_parts import PlatformName


class Presenting:
    """The present-mode half of the link operations."""

    present_window: Any = None
    _platform: "PlatformName | None" = None
    _platform_client: Any = None

    def present(self, card: LinkCard) -> Any:
        """Open the QR full screen; its auto-refresh makes new links with the card's settings."""
        from app.ui.links.present import PresentWindow

        w = self.w
        source = self.sources.get(card)
        if w.services is None or source is None:
            return None
        self.close_present()

        async def regenerate() -> AccountLink:
            key = f"linkdesk-{uuid.uuid4()}"
            self.names[key] = (source.name, source.email)  # the new link keeps the account's name
            new_card = await self.mint(source.request, source.account, key, presented=True)
            return new_card.link

        platform = self.platform_name()
        # The seller reads the account's name; a bare id only says "your Stripe account".
        known = card.account_name if card.account_name != card.account_id else ""
        window = PresentWindow(
            card.link, account_name=known, clock=w.services.clock, regenerate=regenerate,
            screen=self.present_screen(), max_refreshes=6, clipboard_guard=w.clipboard_guard,
            platform_name=platform.known,
        )
        w.decorate_present(window)  # LIVE / TEST / SANDBOX in the operator's corner
        window.closed.connect(lambda win=window: self._present_closed(win))
        self.present_window = window
        window.present()
        if platform.known is None:  # asked once (GET /v1/account); shown when it answers
            w.spawn(self._name_platform(window, platform), "platform name")
        return window

    def platform_name(self) -> "PlatformName":
        """Who is asking, for the seller: "Sandbox" at once in the sandbox, else the platform's
        name from ``GET /v1/account`` (asked once per connection, on the first present)."""
        from app.ui.links.present_parts import PlatformName

        services = self.w.services
        assert services is not None
        if self._platform is None or self._platform_client is not services.client:
            self._platform = PlatformName(services.client, sandbox=services.connection.is_sandbox)
            self._platform_client = services.client
        return self._platform

    async def _name_platform(self, window: Any, platform: "PlatformName") -> None:
        name = await platform.load()
        if name and self.present_window is window and not getattr(window, "platform_name", ""):
            window.set_platform_name(name)

    def present_screen(self) -> Any:
        """The operator's "Present on" choice if connected, else a second screen, else the primary."""
        from app.ui.links.screens import PRESENT_SCREEN_KEY, choose_present_screen

        app = QGuiApplication.instance()
        preferred = self.w.settings.value(PRESENT_SCREEN_KEY, "")
        return choose_present_screen(app.screens(), app.primaryScreen(), str(preferred or ""))

    def set_present_screen(self, name: str) -> None:
        """Remember the "Present on" choice ("" = automatic); an open present window moves."""
        from app.ui.links.screens import PRESENT_SCREEN_KEY

        self.w.settings.setValue(PRESENT_SCREEN_KEY, name)
        if self.present_window is not None:
            self.present_window.move_to(self.present_screen())

    def _present_closed(self, window: Any) -> None:
        if self.present_window is window:
            self.present_window = None
        window.deleteLater()

    def close_present(self) -> None:
        """Close present mode; its refresh in flight (cancelled) is kept for shutdown to await."""
        window, self.present_window = self.present_window, None
        if window is None:
            return
        task = window.refresh_task
        window.close()
        if task is not None:
            self.closing_tasks.append(task)
