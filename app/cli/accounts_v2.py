"""``linkdesk link`` and ``linkdesk account`` for platforms on Accounts v2 (``--accounts-api v2``).

The v1 commands in app.cli.link and app.cli.account hand over here when the connection uses v2:
the same output, exit codes, history and QR code, with the v2 request and answers.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, TextIO

from app.cli.output import plain, print_json, record_or_warn, say

if TYPE_CHECKING:
    from app.services import Services
    from app.stripe.v2_models import AccountV2


async def create_and_print_v2(services: "Services", args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.cli.timing import local_time, settle
    from app.countdown import Countdown
    from app.history.entry import HistoryEntry
    from app.requirements_v2 import describe_configurations
    from app.stripe.errors import StripeError
    from app.stripe.v2 import LinkRequestV2

    request = LinkRequestV2(
        account=args.account,
        use_case=args.link_type,
        refresh_url=args.refresh_url,
        return_url=args.return_url,
        collection_fields=args.fields,
        future_requirements=args.future_requirements,
    ).validated(live=services.connection.mode == "live")
    clock = services.clock
    history = services.history
    services.check_history_writable()  # before sending: a link is never made that cannot be recorded
    if history.recovery_notice:
        say(err, f"linkdesk: {history.recovery_notice}")
    entry_args = {"clock": clock, "mode": services.connection.mode, "profile": services.connection.profile}
    account_task = asyncio.ensure_future(services.client.retrieve_account_v2(request.account))
    try:
        link = await services.client.create_account_link_v2(request)
    except StripeError as exc:
        account = await settle(account_task)
        failed = lambda exc=exc: HistoryEntry.for_failure(request, exc, account=account, **entry_args)  # noqa: E731
        record_or_warn(history, failed, err)
        raise
    account = await settle(account_task)  # once the link is made, a failure below only warns
    record_or_warn(history, lambda: HistoryEntry.for_link(request, link, account=account, **entry_args), err,
                   made_link=True)
    now_mono = clock.monotonic()
    countdown = Countdown.for_link(link)
    left = countdown.remaining(now_mono)
    if args.json:
        print_json({**link.api_fields(), "request_id": link.request_id, "accounts_api": "v2"}, out)
    else:
        say(out, link.url)
        expires = countdown.expires_at_wall(now_mono, clock.time())
        say(out, f"Expires {local_time(expires)} ({int(left)} s left); single use: open it only "
                 "when the seller is ready.")
        say(out, f"Accounts v2 link; covers: {describe_configurations(link.configurations)}")
        if args.qr:
            import segno

            segno.make(plain(link.url), error="m", micro=False).terminal(out=out, compact=True)
    out.flush()
    return 0


def format_account_v2(account: "AccountV2", *, now_wall: float) -> list[str]:
    """The v2 account as lines of text, in the words the v1 command uses."""
    from app.requirements_v2 import describe_account_v2, describe_configurations, requirement_sections_v2

    gate = account.update_gate
    verdict = {True: "allowed", False: "not allowed (onboarding links only)",
               None: "Stripe decides (the account does not say who collects requirements)"}[gate.allowed]
    lines = [
        f"{account.name}  ({account.id})",
        f"Email: {account.contact_email or '—'}   Country: {account.country or '—'}   "
        f"Configurations: {describe_configurations(account.applied_configurations)}",
        f"Requirements collected by: {account.requirements_collector or '—'}   Dashboard: {account.dashboard or '—'}",
        describe_account_v2(account),
        f"Update links: {verdict}",
    ]
    for title, req in (("Requirements:", account.requirements), ("Future requirements:", account.future_requirements)):
        sections = requirement_sections_v2(req, now_wall=now_wall)
        if not sections:
            lines.append(f"{title} none")
            continue
        lines.append(title)
        for section in sections:
            lines.append(f"  {section.title}" + (f" ({section.note})" if section.note else "") + ":")
            for item in section.items:
                lines.append(f"    - {item.label} [{item.path}]" + (f": {item.detail}" if item.detail else ""))
    return lines


def account_v2_json(account: "AccountV2") -> dict:
    from dataclasses import asdict

    data = asdict(account)
    data["name"] = account.name
    data["allows_account_update"] = account.update_gate.allowed
    data["accounts_api"] = "v2"
    return data


async def print_account_v2(services: "Services", args: argparse.Namespace, out: TextIO) -> int:
    account = await services.client.retrieve_account_v2(args.account)
    if args.json:
        print_json(account_v2_json(account), out, indent=2)
    else:
        for line in format_account_v2(account, now_wall=services.clock.time()):
            say(out, line)
    return 0
