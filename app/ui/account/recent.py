"""What the picker under the account box offers: the sandbox's demo accounts and the accounts of
the latest links. Qt-free helpers; the panel shows them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.services import Services

RECENT_MAX = 8


def demo_accounts(services: "Services") -> list[tuple[str, str]]:
    """(name, id) of the built-in sandbox's demo accounts; none outside the sandbox."""
    if not services.connection.is_sandbox:
        return []
    from app.sandbox.seed import DEMO_SPECS

    return [(spec.name or spec.display_name or spec.email or spec.id, spec.id) for spec in DEMO_SPECS.values()]


async def recent_accounts(services: "Services") -> list[tuple[str, str]]:
    """(name, id) of the accounts of this profile's latest links, newest first, each once; read
    on the history worker. Empty when the history cannot be read (its tab says why)."""
    from app.history import HistoryQuery

    try:
        await services.open_history()
        entries = await services.history_worker.page(HistoryQuery(profile=services.connection.profile), limit=60)
    except Exception:  # noqa: BLE001 - a convenience only
        return []
    recent: dict[str, str] = {}
    for entry in entries:
        if entry.account_id not in recent and len(recent) < RECENT_MAX:
            recent[entry.account_id] = entry.account_name or entry.account_email or entry.account_id
    return [(name, account) for account, name in recent.items()]
