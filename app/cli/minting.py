"""What ``linkdesk link`` does once its request is valid, for Accounts v1 and v2 alike.

Send the request beside the account look-up (the name and email make the history searchable,
and never hold the link up for long), record the outcome before anything is printed, and print
the link. Once Stripe has made the link, nothing that fails afterwards keeps it from the
operator: a history write that fails then is a warning (:func:`app.cli.output.record_or_warn`).
"""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Iterable, TextIO

from app.cli.output import plain, print_json, record_or_warn, say
from app.cli.timing import local_time, settle

if TYPE_CHECKING:
    from app.clock import Clock
    from app.services import Services


async def mint_and_record(services: "Services", request: Any, *, create: Callable[[Any], Awaitable[Any]],
                          retrieve: Callable[[str], Awaitable[Any]], err: TextIO) -> Any:
    """The link ``create(request)`` made, recorded; or the StripeError, recorded, re-raised.
    The history is checked first: a read-only or full disk refuses before anything is sent."""
    from app.history.entry import HistoryEntry
    from app.stripe.errors import StripeError

    history = services.history  # opened before sending: a history problem stops here
    services.check_history_writable()
    if history.recovery_notice:
        say(err, f"linkdesk: {history.recovery_notice}")
    entry_args = {"clock": services.clock, "mode": services.connection.mode, "profile": services.connection.profile}
    account_task = asyncio.ensure_future(retrieve(request.account))
    try:
        link = await create(request)
    except StripeError as exc:
        account = await settle(account_task)
        record_or_warn(history, lambda exc=exc: HistoryEntry.for_failure(request, exc, account=account, **entry_args),
                       err)
        raise
    account = await settle(account_task)  # recorded (and committed) before the URL is printed
    record_or_warn(history, lambda: HistoryEntry.for_link(request, link, account=account, **entry_args), err,
                   made_link=True)
    return link


def print_link(link: Any, args: argparse.Namespace, out: TextIO, clock: "Clock", *,
               json_extra: dict[str, Any] | None = None, lines: Iterable[str] = ()) -> int:
    """The link as one JSON object (``--json``), or its URL, when it expires, ``lines`` and
    (``--qr``) its QR code drawn in the terminal."""
    from app.countdown import Countdown

    now_mono = clock.monotonic()
    countdown = Countdown.for_link(link)
    if args.json:  # with --qr, the QR code's rows too: what the terminal would show, for a script to print
        qr = {"qr": qr_rows(link.url)} if getattr(args, "qr", False) else {}
        print_json({**link.api_fields(), "request_id": link.request_id, **(json_extra or {}), **qr}, out)
    else:
        say(out, link.url)
        expires = countdown.expires_at_wall(now_mono, clock.time())
        say(out, f"Expires {local_time(expires)} ({int(countdown.remaining(now_mono))} s left); single use: "
                 "open it only when the seller is ready.")
        for line in lines:
            say(out, line)
        if args.qr:
            for row in qr_rows(link.url):
                out.write(row + "\n")
    out.flush()
    return 0


def qr_rows(url: str) -> list[str]:
    """The link's QR code as lines of text (two modules a character, in half blocks)."""
    import io

    import segno

    drawn = io.StringIO()
    segno.make(plain(url), error="m", micro=False).terminal(out=drawn, compact=True)
    return drawn.getvalue().splitlines()
