"""``linkdesk link``: create an Account Link, record it, print it (and its QR code)."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, Callable, TextIO

from app.cli.output import plain, print_json, record_or_warn, say
from app.cli.session import with_services
from app.cli.timing import local_time, settle

if TYPE_CHECKING:
    from app.services import Services


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

    def create(services: "Services"):
        v2 = services.connection.accounts_api == "v2"  # --accounts-api, LINKDESK_ACCOUNTS_API, the profile
        return (create_and_print_v2 if v2 else create_and_print)(services, with_profile_defaults(args, services),
                                                                 out, err)

    return with_services(args, err, create)


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
    from app.countdown import Countdown
    from app.history.entry import HistoryEntry
    from app.stripe.errors import StripeError
    from app.stripe.validation import LinkRequest

    request = LinkRequest(
        account=args.account,
        type=args.link_type,
        refresh_url=args.refresh_url,
        return_url=args.return_url or "",  # "" is refused by name: v1 needs a return URL
        collection_fields=args.fields,
        future_requirements=args.future_requirements,
    ).validated(live=services.connection.mode == "live")
    clock = services.clock
    history = services.history  # opened before sending: a history problem stops here
    services.check_history_writable()  # a read-only or full disk too: no link that cannot be recorded
    if history.recovery_notice:
        say(err, f"linkdesk: {history.recovery_notice}")
    entry_args = {"clock": clock, "mode": services.connection.mode, "profile": services.connection.profile}
    # The account's name and email make the history searchable; fetched alongside the link,
    # never holding it up for long, and not needed for the link itself.
    account_task = asyncio.ensure_future(services.client.retrieve_account(request.account))
    try:
        link = await services.client.create_account_link(request)
    except StripeError as exc:
        account = await settle(account_task)
        failed = lambda exc=exc: HistoryEntry.for_failure(request, exc, account=account, **entry_args)  # noqa: E731
        record_or_warn(history, failed, err)
        raise
    # Recorded (and committed) before the URL is printed: a crash right after loses nothing.
    # Once Stripe has made the link, nothing that fails afterwards may keep it from the operator.
    account = await settle(account_task)
    record_or_warn(history, lambda: HistoryEntry.for_link(request, link, account=account, **entry_args), err,
                   made_link=True)
    now_mono = clock.monotonic()
    countdown = Countdown.for_link(link)
    left = countdown.remaining(now_mono)
    if args.json:
        print_json({**link.api_fields(), "request_id": link.request_id}, out)
    else:
        say(out, link.url)
        expires = countdown.expires_at_wall(now_mono, clock.time())
        say(out, f"Expires {local_time(expires)} ({int(left)} s left); single use: open it only "
                 "when the seller is ready.")
        if args.qr:
            import segno

            segno.make(plain(link.url), error="m", micro=False).terminal(out=out, compact=True)
    out.flush()
    return 0
