"""One command's services: built from the global options, used on one event loop, then closed."""

from __future__ import annotations

import argparse
from typing import Awaitable, Callable, TextIO

from app.cli.output import report


def with_services(args: argparse.Namespace, err: TextIO, work: Callable[..., Awaitable[int]]) -> int:
    """Build the services, run ``work(services)`` on an event loop, close everything.

    Known errors (invalid input, Stripe, history) become a message and an exit status."""
    import asyncio

    from app.cli.output import EXIT_INVALID, say
    from app.history.errors import HistoryError
    from app.profiles.model import ProfileError
    from app.services import build_services
    from app.stripe.errors import StripeError, ValidationError

    async def run() -> int:
        services = build_services(data_dir=args.data_dir, api_base=args.api_base, use_sandbox=args.sandbox,
                                  profile=getattr(args, "profile", None),
                                  accounts_api=getattr(args, "accounts_api", None))
        try:
            return await work(services)
        except StripeError as exc:
            _name_mode_mixup(exc, services, args)
            raise
        finally:
            await services.aclose()

    try:
        return asyncio.run(run())
    except (ValidationError, StripeError, HistoryError) as exc:
        return report(exc, err)
    except ProfileError as exc:  # unknown profile, key missing, no keyring: nothing was sent
        say(err, f"linkdesk: {exc}")
        return EXIT_INVALID


def _name_mode_mixup(error, services, args: argparse.Namespace) -> None:
    """A test/live mix-up explained with the profile's platform (issue 9)."""
    from app.profiles.safety import explain_mode_mixup
    from app.stripe.errors import ValidationError
    from app.stripe.validation import normalize_account_id

    if services.profile is None:
        return
    try:
        account = normalize_account_id(getattr(args, "account", None) or "")
    except ValidationError:
        account = None
    text = explain_mode_mixup(error, services.profile, account)
    if text:
        error.explanation = text
