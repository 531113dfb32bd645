"""``linkdesk link``: create an Account Link, record it, print it (and its QR code)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Callable, TextIO

from app.cli.interrupted_link import INTERRUPTED, NOTHING_MADE, sending, told_on_interrupt
from app.cli.minting import mint_and_record, print_link
from app.cli.output import interruption
from app.cli.session import with_services

if TYPE_CHECKING:
    from app.services import Services


def add_parser(sub: "argparse._SubParsersAction", add_global_options: Callable[..., None]) -> None:
    from app.stripe.models import COLLECTION_FIELDS, FUTURE_REQUIREMENTS, LINK_TYPES

    link = sub.add_parser("link", help="create an Account Link and print it")
    link.add_argument("account", nargs="?", help="connected account id (acct_…) or a Dashboard URL that contains it")
    link.add_argument("--type", choices=LINK_TYPES, dest="link_type", help="required unless --retry")
    link.add_argument("--retry", metavar="ID", type=int, dest="retry",
                      help="send attempt ID of the history again, with its Idempotency-Key (an attempt whose "
                           "outcome is unknown: Stripe answers with the link it made, if it made one)")
    link.add_argument("--refresh-url", metavar="URL", help="default: the profile's refresh URL")
    link.add_argument("--return-url", metavar="URL",
                      help="default: the profile's return URL; required for v1, optional for Accounts v2")
    link.add_argument("--fields", choices=COLLECTION_FIELDS, help="collection_options[fields]")
    link.add_argument("--future-requirements", choices=FUTURE_REQUIREMENTS,
                      help="collection_options[future_requirements]")
    link.add_argument("--json", action="store_true",
                      help="print one JSON object (with --qr, its \"qr\" holds the QR code's rows of text)")
    link.add_argument("--qr", action="store_true", help="also draw the QR code in the terminal")
    add_global_options(link, suppress=True)  # --accounts-api among them


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if (status := retry_or_usage(args, out, err)) is not None:
        return status
    from app.cli.accounts_v2 import create_and_print_v2

    note = interruption(args)
    note.now(what=INTERRUPTED, recorded=NOTHING_MADE)

    def create(services: "Services"):
        v2 = services.connection.accounts_api == "v2"  # --accounts-api, LINKDESK_ACCOUNTS_API, the profile
        return told_on_interrupt(note, services, args.account, (create_and_print_v2 if v2 else create_and_print)(
            services, with_profile_defaults(args, services), out, err))

    return with_services(args, err, create)


def retry_or_usage(args: argparse.Namespace, out: TextIO, err: TextIO) -> int | None:
    """``--retry ID`` (alone: the attempt says the rest), or a usage problem (exit 2); None for
    a new link."""
    from app.cli.output import EXIT_INVALID, say

    if args.retry is None:
        if args.account is None or args.link_type is None:
            say(err, "linkdesk link: give the account and --type (or --retry ID to send an attempt again)")
            return EXIT_INVALID
        return None
    if args.account is not None or args.link_type is not None:
        say(err, "linkdesk link: --retry ID takes no account or --type: the attempt has them")
        return EXIT_INVALID
    from app.cli.minting import retry_and_print

    return with_services(args, err, lambda services: retry_and_print(services, args.retry, args, out, err))


def with_profile_defaults(args: argparse.Namespace, services: "Services") -> argparse.Namespace:
    """The profile's link defaults for the options the command line left out (a typed URL
    always wins). A URL still missing then is refused by name (exit 2), nothing sent: v1 needs
    both, Accounts v2 the refresh URL only. The message says how, on the command line."""
    profile = services.profile
    if profile is not None:
        for option, default in (("refresh_url", profile.refresh_url), ("return_url", profile.return_url),
                                ("fields", profile.collection_fields),
                                ("future_requirements", profile.future_requirements)):
            if getattr(args, option, None) is None and default:
                setattr(args, option, default)
    needed = ("refresh_url",) if services.connection.accounts_api == "v2" else ("refresh_url", "return_url")
    missing = [name for name in needed if not getattr(args, name, None)]
    if missing:
        from app.stripe.errors import ValidationError

        raise ValidationError(missing[0], missing_urls_message(missing, profile))
    return args


def missing_urls_message(missing: list[str], profile) -> str:
    flags = " and ".join(f"--{name.replace('_', '-')} URL" for name in missing)
    if profile is not None and profile.saved:
        return (f"give {flags}, or save defaults for the profile once: linkdesk profile defaults "
                f"{_quoted(profile.name)} --refresh-url URL --return-url URL")
    if profile is not None:  # the Environment profile (STRIPE_API_KEY) lasts one run
        return (f"give {flags} (a key from STRIPE_API_KEY has no saved defaults; a profile keeps them: "
                "linkdesk profile add NAME, then linkdesk profile defaults NAME --refresh-url URL --return-url URL)")
    return (f"give {flags} (--api-base alone uses no profile, so no defaults; the built-in sandbox has them: "
            "linkdesk --sandbox link …)")


def _quoted(name: str) -> str:
    import shlex

    return shlex.quote(name)


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
