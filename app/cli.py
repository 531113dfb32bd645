"""The ``linkdesk`` command: the window with no subcommand, and a few subcommands.

Exit status: 0 success; 2 invalid input (the message names the field, nothing was sent);
1 an API or network error (Stripe's message in plain words, its code and the request id).
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence, TextIO

from app import __version__

# Only what parsing needs is imported here: with no subcommand the window opens, and its first
# paint must not wait for asyncio, httpx or SQLite (bench/ui_latency.py measures this path).

EXIT_OK, EXIT_API_ERROR, EXIT_INVALID = 0, 1, 2


def _add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # Subparsers get the same options with SUPPRESS defaults, so that an option given before
    # the subcommand is not overwritten by the subparser's default.
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("connection")
    group.add_argument("--api-base", metavar="URL", default=default,
                       help="Stripe API base (default https://api.stripe.com; stripe-mock: http://localhost:12111)")
    group.add_argument("--sandbox", action="store_true", default=argparse.SUPPRESS if suppress else False,
                       help="start the built-in sandbox and use it (the default when STRIPE_API_KEY is not set)")
    group.add_argument("--data-dir", metavar="DIR", default=default,
                       help="folder for history and settings data (or LINKDESK_DATA_DIR)")


def build_parser() -> argparse.ArgumentParser:
    from app.stripe.models import COLLECTION_FIELDS, FUTURE_REQUIREMENTS, LINK_TYPES

    parser = argparse.ArgumentParser(
        prog="linkdesk",
        description="Create Stripe Connect Account Links. With no command, opens the window.",
        epilog="The API key comes from STRIPE_API_KEY; with none set, the built-in sandbox is used.",
    )
    parser.add_argument("--version", action="version", version=f"linkdesk {__version__}")
    _add_global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    link = sub.add_parser("link", help="create an Account Link and print it")
    link.add_argument("account", help="connected account id (acct_…) or a Dashboard URL that contains it")
    link.add_argument("--type", required=True, choices=LINK_TYPES, dest="link_type")
    link.add_argument("--refresh-url", required=True, metavar="URL")
    link.add_argument("--return-url", required=True, metavar="URL")
    link.add_argument("--fields", choices=COLLECTION_FIELDS, help="collection_options[fields]")
    link.add_argument("--future-requirements", choices=FUTURE_REQUIREMENTS,
                      help="collection_options[future_requirements]")
    link.add_argument("--json", action="store_true", help="print one JSON object")
    link.add_argument("--qr", action="store_true", help="also draw the QR code in the terminal")
    _add_global_options(link, suppress=True)

    account = sub.add_parser("account", help="show a connected account and its requirements")
    account.add_argument("account", help="connected account id (acct_…) or a Dashboard URL")
    account.add_argument("--json", action="store_true", help="print the account as JSON")
    _add_global_options(account, suppress=True)

    # Listed for --help only: main() hands `linkdesk sandbox ...` to the sandbox's own parser.
    sub.add_parser("sandbox", help="run the built-in sandbox API server in the foreground (see `linkdesk sandbox --help`)")

    history = sub.add_parser("history", help="list recorded link attempts")
    _add_global_options(history, suppress=True)
    from app.history.cli import add_history_arguments

    add_history_arguments(history)
    return parser


def _front(argv: list[str]) -> tuple[argparse.Namespace, list[str]] | None:
    """Global options and the command word only: enough to open the window (without building
    every subcommand's parser before the first paint) or to hand ``sandbox ARGS`` over."""
    front = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    _add_global_options(front, suppress=False)
    front.add_argument("command", nargs="?")
    try:
        return front.parse_known_args(argv)
    except argparse.ArgumentError:  # a malformed global option: the full parser says what
        return None


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    front = _front(argv)
    if front is not None:
        known, unknown = front
        if known.command == "sandbox":  # its own parser: its options pass through untouched
            from app.sandbox.cli import serve_forever

            return serve_forever(argv[argv.index("sandbox") + 1:], prog="linkdesk sandbox")
        if known.command is None and not unknown:
            return _open_window(known)
    args = build_parser().parse_args(argv)
    if args.command is None:
        return _open_window(args)
    runner: Callable[..., int] = {"link": _cmd_link, "account": _cmd_account, "history": _cmd_history}[args.command]
    return runner(args, out, err)


def _open_window(args: argparse.Namespace) -> int:
    from app.ui.app import run_gui

    return run_gui(args)


def _report(exc: BaseException, err: TextIO) -> int:
    from app.history.errors import HistoryError
    from app.stripe.errors import StripeError, ValidationError

    if isinstance(exc, HistoryError):
        print(f"linkdesk: {exc}", file=err)
        return EXIT_API_ERROR
    if isinstance(exc, ValidationError):
        print(f"linkdesk: invalid {exc.field}: {exc.message}", file=err)
        return EXIT_INVALID
    if isinstance(exc, StripeError):
        print(f"linkdesk: {exc.explanation}", file=err)
        details = [f"{k}: {v}" for k, v in (("code", exc.code), ("status", exc.http_status),
                                            ("request id", exc.request_id)) if v]
        if details:
            print("  " + "; ".join(details), file=err)
        return EXIT_API_ERROR
    raise exc


def _with_services(args: argparse.Namespace, err: TextIO, work: Callable) -> int:
    """Build the services, run ``work(services)`` on an event loop, close everything."""
    import asyncio

    from app.history.errors import HistoryError
    from app.services import build_services
    from app.stripe.errors import StripeError, ValidationError

    async def run() -> int:
        services = build_services(data_dir=args.data_dir, api_base=args.api_base, use_sandbox=args.sandbox)
        try:
            return await work(services)
        finally:
            await services.aclose()

    try:
        return asyncio.run(run())
    except (ValidationError, StripeError, HistoryError) as exc:
        return _report(exc, err)


def _cmd_link(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.cli_link import create_and_print

    return _with_services(args, err, lambda services: create_and_print(services, args, out, err))


def _cmd_account(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.cli_link import print_account

    return _with_services(args, err, lambda services: print_account(services, args, out))


def _cmd_history(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.clock import SystemClock
    from app.history.cli import run_history_command
    from app.history.store import HistoryError, HistoryStore
    from app.paths import AppPaths
    from app.preferences import Preferences

    paths = AppPaths.resolve(args.data_dir)
    prefs = Preferences.load(paths.preferences_file)
    try:
        store = HistoryStore.open(paths.data_dir, clock=SystemClock(), store_urls=prefs.store_urls,
                                  retention_days=prefs.retention_days)
    except HistoryError as exc:
        print(f"linkdesk: {exc}", file=err)
        return EXIT_API_ERROR
    if store.recovery_notice:
        print(f"linkdesk: {store.recovery_notice}", file=err)
    try:
        return run_history_command(args, store=store, out=out)
    finally:
        store.close()
