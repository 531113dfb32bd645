"""What ``linkdesk link`` and ``linkdesk account`` do once the services are built."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import datetime
from typing import TextIO

from app.countdown import Countdown
from app.history.entry import HistoryEntry
from app.requirements import describe_requirement
from app.services import Services
from app.stripe.errors import StripeError
from app.stripe.models import Account, Requirements
from app.stripe.validation import LinkRequest


def _local_time(unix: float) -> str:
    return datetime.fromtimestamp(unix).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


async def create_and_print(services: Services, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    request = LinkRequest(
        account=args.account,
        type=args.link_type,
        refresh_url=args.refresh_url,
        return_url=args.return_url,
        collection_fields=args.fields,
        future_requirements=args.future_requirements,
    ).validated(live=services.connection.mode == "live")
    clock = services.clock
    history = services.history  # opened before sending: a history problem stops here
    if history.recovery_notice:
        print(f"linkdesk: {history.recovery_notice}", file=err)
    entry_args = {"clock": clock, "mode": services.connection.mode, "profile": services.connection.profile}
    # The account's name and email make the history searchable; fetched alongside the link,
    # never holding it up for long, and not needed for the link itself.
    account_task = asyncio.ensure_future(services.client.retrieve_account(request.account))
    try:
        link = await services.client.create_account_link(request)
    except StripeError as exc:
        history.record(HistoryEntry.for_failure(request, exc, account=await _settle(account_task), **entry_args))
        raise
    # Recorded (and committed) before the URL is printed: a crash right after loses nothing.
    history.record(HistoryEntry.for_link(request, link, account=await _settle(account_task), **entry_args))
    now_mono = clock.monotonic()
    countdown = Countdown.for_link(link)
    left = countdown.remaining(now_mono)
    if args.json:
        print(json.dumps({**link.api_fields(), "request_id": link.request_id}), file=out)
    else:
        print(link.url, file=out)
        expires = countdown.expires_at_wall(now_mono, clock.time())
        print(f"Expires {_local_time(expires)} ({int(left)} s left); single use: open it only "
              "when the seller is ready.", file=out)
        if args.qr:
            import segno

            segno.make(link.url, error="m", micro=False).terminal(out=out, compact=True)
    out.flush()
    return 0


async def _settle(task: "asyncio.Future[Account]", grace: float = 1.0) -> Account | None:
    """The account if it arrives within ``grace`` seconds and without error, else None."""
    done, _ = await asyncio.wait({task}, timeout=grace)
    if not done:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return None
    return None if task.cancelled() or task.exception() is not None else task.result()


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _requirement_lines(title: str, req: Requirements) -> list[str]:
    lines: list[str] = []
    groups = (
        ("Past due", req.past_due),
        ("Currently due" + (f" (by {_local_time(req.current_deadline)})" if req.current_deadline else ""),
         req.currently_due),
        ("Eventually due", req.eventually_due),
        ("Pending verification", req.pending_verification),
    )
    for label, items in groups:
        if items:
            lines.append(f"  {label}:")
            lines.extend(f"    - {describe_requirement(item)} [{item}]" for item in items)
    for error in req.errors:
        lines.append(f"  Error: {describe_requirement(error.requirement)}: {error.reason} ({error.code})")
    if req.disabled_reason:
        lines.append(f"  Disabled: {req.disabled_reason}")
    return [title, *lines] if lines else [f"{title} none"]


def format_account(account: Account) -> str:
    c = account.controller
    lines = [
        f"{account.display_name}  ({account.id})",
        f"Email: {account.email or '—'}   Country: {account.country or '—'}   Type: {account.type or '—'}",
        f"Requirements collected by: {c.requirement_collection or '—'}   "
        f"Dashboard: {c.stripe_dashboard_type or '—'}",
        f"Charges enabled: {_yes_no(account.charges_enabled)}   Payouts enabled: "
        f"{_yes_no(account.payouts_enabled)}   Details submitted: {_yes_no(account.details_submitted)}",
        f"Update links: {'allowed' if account.allows_account_update else 'not allowed (onboarding links only)'}",
    ]
    lines += _requirement_lines("Requirements:", account.requirements)
    lines += _requirement_lines("Future requirements:", account.future_requirements)
    return "\n".join(lines)


async def print_account(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    from app.stripe.validation import normalize_account_id

    account = await services.client.retrieve_account(normalize_account_id(args.account))
    if args.json:
        print(json.dumps(_account_json(account), indent=2, default=list), file=out)
    else:
        print(format_account(account), file=out)
    return 0


def _account_json(account: Account) -> dict:
    """The typed account as JSON, with what Linkdesk concluded from it."""
    from dataclasses import asdict, replace

    data = asdict(replace(account, metadata={}))  # asdict cannot copy the read-only mapping
    data["metadata"] = dict(account.metadata)
    data["display_name"] = account.display_name
    data["allows_account_update"] = account.allows_account_update
    return data
