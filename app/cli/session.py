"""One command's services: built from the global options, used on one event loop, then closed."""

from __future__ import annotations

import argparse
from typing import Awaitable, Callable, TextIO

from app.cli.output import report


def with_services(args: argparse.Namespace, err: TextIO, work: Callable[..., Awaitable[int]]) -> int:
    """Build the services, run ``work(services)`` on an event loop, close everything.

    Known errors (invalid input, Stripe, history) become a message and an exit status."""
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
        return report(exc, err)
