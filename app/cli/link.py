"""``linkdesk link``: create an Account Link, record it, print it (and its QR code)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, Awaitable, Callable, TextIO

from app.cli.minting import mint_and_record, print_link
from app.cli.output import Interruption, interruption
from app.cli.session import with_services

if TYPE_CHECKING:
    from app.services import Services

# Ctrl-C (app.cli.entry.main): before the request is sent, nothing exists anywhere.
INTERRUPTED = "the link, before its request was sent"
NOTHING_MADE = "no link was made and nothing was recorded"


def add_parser(sub: "argparse._SubParsersAction", add_global_options: Callable[..., None]) -> None:
    from app.stripe.models import COLLECTION_FIELDS, FUTURE_REQUIREMENTS, LINK_TYPES

    link = sub.add_parser("link", help="create an Account Link and print it")
    link.add_argument("account", help="connected account id (acct_…) or a Dashboard URL that contains it")
    link.add_argument("--type", required=True, choices=LINK_TYPES, dest="link_type")
    link.add_argument("--refresh-url", metavar="URL", help="default: the profile's refresh URL")
    link.add_argument("--return-url", metavar="URL",
                      help="default: the profile's return URL; required for v1, optional for Accounts v2")
    link.add_argument("--fields", choices=COLLECTION_FIELDS, help="collection_options[fields]")
    link.add_argument("--future-requirements", choices=FUTURE_REQUIREMENTS,
                      help="collection_options[future_requirements]")
    link.add_argument("--json", action="store_true", help="print one JSON object")
    link.add_argument("--qr", action="store_true", help="also draw the QR code in the terminal")
    add_global_options(link, suppress=True)  # --accounts-api among them


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.cli.accounts_v2 import create_and_print_v2

    note = interruption(args)
    note.now(what=INTERRUPTED, recorded=NOTHING_MADE)

    def create(services: "Services"):
        v2 = services.connection.accounts_api == "v2"  # --accounts-api, LINKDESK_ACCOUNTS_API, the profile
        return told_on_interrupt(note, services, args.account, (create_and_print_v2 if v2 else create_and_print)(
            services, with_profile_defaults(args, services), out, err))

    return with_services(args, err, create)


def sending(args: argparse.Namespace, create: Callable[[Any], Awaitable[Any]]) -> Callable[[Any], Awaitable[Any]]:
    """``create``, telling the run's :class:`Interruption` when the request goes out and when
    Stripe's answer is in (a Ctrl-C from then on may leave a link behind)."""
    note = interruption(args)

    async def send(request: Any) -> Any:
        note.now(what="waiting for Stripe's answer to the link request",
                 recorded="the request was sent, so the link may exist; nothing was recorded")
        link = await create(request)
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


def with_profile_defaults(args: argparse.Namespace, services: "Services") -> argparse.Namespace:
    """The profile's link defaults (Settings) for the options the command line left out. A
    URL still missing then is refused by name (exit 2), nothing sent."""
    profile = services.profile
    if profile is not None:
        for option, default in (("refresh_url", profile.refresh_url), ("return_url", profile.return_url),
                                ("fields", profile.collection_fields),
                                ("future_requirements", profile.future_requirements)):
            if getattr(args, option, None) is None and default:
                setattr(args, option, default)
    if args.refresh_url is None:
        from app.stripe.errors import ValidationError

        raise ValidationError("refresh_url", "give --refresh-url (or set a default for the profile in Settings).")
    return args


async def create_and_print(services: "Services", args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.stripe.validation import LinkRequest

    request = LinkRequest(
        account=args.account,
        type=args.link_type,
        refresh_url=args.refresh_url,
        return_url=args.return_url or "",  # "" is refused by name: v1 needs a return URL
        collection_fields=args.fields,
        future_requirements=args.future_requirements,
    ).validated(live=services.connection.mode == "live")
    link = await mint_and_record(services, request, create=sending(args, services.client.create_account_link),
                                 retrieve=services.client.retrieve_account, err=err)
    return print_link(link, args, out, services.clock)
