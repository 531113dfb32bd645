"""What ``linkdesk link`` (v1 and v2) says on Ctrl-C: whether its request had gone out, and
what the history holds of the attempt (see :class:`app.cli.output.Interruption`)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from app.cli.output import Interruption, interruption

if TYPE_CHECKING:
    from app.services import Services

# Before the request is sent, nothing exists anywhere.
INTERRUPTED = "the link, before its request was sent"
NOTHING_MADE = "no link was made and nothing was recorded"


def sending(args: argparse.Namespace, create: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``create``, telling the run's :class:`Interruption` when the request goes out and when
    Stripe's answer is in (a Ctrl-C from then on may leave a link behind)."""
    note = interruption(args)

    async def send(request: Any, **options: Any) -> Any:  # options: the Idempotency-Key (app.cli.minting)
        import asyncio

        await asyncio.sleep(0)  # a Ctrl-C that came before this point ends it here, nothing sent
        note.now(what="waiting for Stripe's answer to the link request",
                 recorded="the request was sent, so the link may exist; nothing was recorded")
        link = await create(request, **options)
        note.now(what="the link was made", recorded="it is in the history unless a warning above says otherwise")
        return link

    return send


async def told_on_interrupt(note: Interruption, services: "Services", account: str, work: Awaitable[int]) -> int:
    """Await ``work``; if Ctrl-C cancels it, first look in the history (still open here) for
    what this run recorded, so that the line printed says what is really there."""
    import asyncio

    since = services.clock.time()
    try:
        status = await work
    except asyncio.CancelledError:
        if note.what != INTERRUPTED:  # the request went out: what does the history hold?
            held = recorded_since(services, account, since)
            if held:
                note.now(recorded=held)
        raise
    note.now(what="the link was made and printed", recorded="it is in the history unless a warning above says otherwise")
    return status


def recorded_since(services: "Services", account: str, since: float) -> str | None:
    """What the history holds of an attempt on ``account`` made by this run, in words; None
    when it holds none (or cannot be read)."""
    from app.history.query import HistoryQuery
    from app.stripe.validation import normalize_account_id

    try:
        query = HistoryQuery(account_id=normalize_account_id(account), since=since - 1,
                             profile=services.connection.profile)
        entry = next(iter(services.history.iter_entries(query, page_size=1)), None)
    except Exception:  # noqa: BLE001 - a bad id, a closed or broken history: say nothing
        return None
    if entry is None:
        return None
    outcome = getattr(entry, "outcome", None)
    if outcome == "created":
        return "the link was made and is in the history (linkdesk history)"
    if outcome == "failed":
        return "the attempt is in the history as failed"
    return ("the attempt is in the history as outcome unknown: the link may exist "
            "(linkdesk history shows when it would expire)")
