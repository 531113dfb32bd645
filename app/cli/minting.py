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


async def mint_and_record(services: "Services", request: Any, *, create: Callable[..., Awaitable[Any]],
                          retrieve: Callable[[str], Awaitable[Any]], err: TextIO, attempt: Any = None) -> Any:
    """The link ``create(request, idempotency_key=…)`` made, recorded; or the StripeError,
    recorded, re-raised. The history is checked first: a read-only or full disk refuses before
    anything is sent. The attempt is written *before* the request goes out (outcome unknown, its
    Idempotency-Key) and completed when the answer comes, so a process killed while waiting
    leaves a row that says the link may exist, and ``linkdesk link --retry ID`` gets that link.
    ``attempt`` is such an open row to send again (a retry, with its key)."""
    import uuid

    from app.history import writers
    from app.history.entry import HistoryEntry
    from app.stripe.errors import StripeError

    history = services.history  # opened before sending: a history problem stops here
    services.check_history_writable()
    if history.recovery_notice:
        say(err, f"linkdesk: {history.recovery_notice}")
    entry_args = {"clock": services.clock, "mode": services.connection.mode, "profile": services.connection.profile}
    if attempt is None:  # committed before the request is sent: a failure to write it stops here
        await asyncio.sleep(0)  # a Ctrl-C already pending ends the run here: nothing recorded, nothing sent
        attempt = history.open_attempt(HistoryEntry.for_attempt(
            request, f"linkdesk-{uuid.uuid4()}", writer=writers.current(), **entry_args))
    when = {"attempted_at": attempt.attempted_at}
    completing = _Completing(history, attempt.id)
    account_task = asyncio.ensure_future(retrieve(request.account))
    try:
        link = await create(request, idempotency_key=attempt.idempotency_key)
    except StripeError as exc:
        account = await settle(account_task)
        record_or_warn(completing, lambda exc=exc: HistoryEntry.for_failure(
            request, exc, account=account, **entry_args, **when), err)
        raise
    account = await settle(account_task)  # recorded (and committed) before the URL is printed
    record_or_warn(completing, lambda: HistoryEntry.for_link(request, link, account=account, **entry_args, **when),
                   err, made_link=True)
    return link


class _Completing:
    """The open attempt's row, as something to ``record`` its outcome in (``record_or_warn``)."""

    def __init__(self, history: Any, entry_id: int | None) -> None:
        self._history, self._id = history, entry_id

    def record(self, entry: Any) -> Any:
        return self._history.complete(self._id, entry)


def retry_attempt(services: "Services", entry_id: int) -> tuple[Any, Any]:
    """The open attempt ``entry_id`` (outcome unknown) and its request, claimed by this process
    for a retry with its Idempotency-Key; ValidationError (``retry``) saying why not, nothing sent."""
    from app.history import writers
    from app.stripe.errors import ValidationError

    entry = services.history.get(entry_id)
    if entry is None:
        raise ValidationError("retry", f"there is no history entry {entry_id} (see `linkdesk history --json`).")
    if entry.outcome != "unknown" or not entry.idempotency_key:
        raise ValidationError("retry", f"entry {entry_id} is not an attempt of unknown outcome (its outcome: "
                                       f"{entry.outcome}); make a new link with `linkdesk link` instead.")
    connection = services.connection
    if (entry.profile, entry.mode) != (connection.profile, connection.mode):
        raise ValidationError("retry", f"entry {entry_id} was made with profile {entry.profile} ({entry.mode} mode); "
                                       f"run the retry with --profile {entry.profile}.")
    if writers.may_still_finish(entry.writer, entry.attempted_at, services.clock.time()):
        raise ValidationError("retry", f"entry {entry_id} is still waiting for Stripe's answer in another Linkdesk; "
                                       "try again in a minute.")
    request = entry.link_request().validated(live=connection.mode == "live")
    claimed = services.history.claim_attempt(entry_id, writers.current())
    if claimed is None:  # completed by its own process meanwhile
        raise ValidationError("retry", f"entry {entry_id} has just been completed; see `linkdesk history`.")
    return claimed, request


async def retry_and_print(services: "Services", entry_id: int, args: argparse.Namespace, out: TextIO,
                          err: TextIO) -> int:
    """``linkdesk link --retry ID``: send attempt ``ID`` again with its Idempotency-Key (Stripe
    answers with the link it made then, within 24 hours), complete its row, print the link."""
    attempt, request = retry_attempt(services, entry_id)
    client = services.client
    if attempt.accounts_api == "v2":
        from app.requirements_v2 import describe_configurations

        link = await mint_and_record(services, request, create=client.create_account_link_v2,
                                     retrieve=client.retrieve_account_v2, err=err, attempt=attempt)
        return print_link(link, args, out, services.clock, json_extra={"accounts_api": "v2", "history_id": entry_id},
                          lines=[f"Accounts v2 link; covers: {describe_configurations(link.configurations)}"])
    link = await mint_and_record(services, request, create=client.create_account_link,
                                 retrieve=client.retrieve_account, err=err, attempt=attempt)
    return print_link(link, args, out, services.clock, json_extra={"history_id": entry_id})


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
