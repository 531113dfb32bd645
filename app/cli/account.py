"""``linkdesk account``: a connected account and what Stripe still needs, in plain words."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Callable, TextIO

from app.cli.timing import local_time
from app.cli.output import print_json, say
from app.cli.session import with_services

if TYPE_CHECKING:
    from app.services import Services
    from app.stripe.models import Account, Requirements

# Ctrl-C (app.cli.entry.main): a look-up only reads.
INTERRUPTED = "the account look-up"
RECORDED = "nothing was recorded (a look-up changes nothing)"


def add_parser(sub: "argparse._SubParsersAction", add_global_options: Callable[..., None]) -> None:
    account = sub.add_parser("account", help="show a connected account and its requirements")
    account.add_argument("account", help="connected account id (acct_…) or a Dashboard URL")
    account.add_argument("--json", action="store_true", help="print the account as JSON")
    add_global_options(account, suppress=True)  # --accounts-api among them


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.cli.accounts_v2 import print_account_v2
    from app.cli.output import interruption

    interruption(args).now(what=INTERRUPTED, recorded=RECORDED)

    def show(services: "Services"):
        v2 = services.connection.accounts_api == "v2"  # --accounts-api, LINKDESK_ACCOUNTS_API, the profile
        return (print_account_v2 if v2 else print_account)(services, args, out)

    return with_services(args, err, show)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _requirement_lines(title: str, req: "Requirements") -> list[str]:
    from app.requirements import describe_requirement

    lines: list[str] = []
    groups = (
        ("Past due", req.past_due),
        ("Currently due" + (f" (by {local_time(req.current_deadline)})" if req.current_deadline else ""),
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


def format_account(account: "Account") -> list[str]:
    """The account as lines of text (each still to be made printable: they carry API text)."""
    from app.verdict import account_verdict, have_ready_text

    c = account.controller
    verdict = account_verdict(account)
    lines = [
        f"{account.display_name}  ({account.id})",
        verdict.text,  # the same line the window shows above the checklist
        f"Email: {account.email or '—'}   Country: {account.country or '—'}   Type: {account.type or '—'}",
        f"Requirements collected by: {c.requirement_collection or '—'}   "
        f"Dashboard: {c.stripe_dashboard_type or '—'}",
        f"Charges enabled: {_yes_no(account.charges_enabled)}   Payouts enabled: "
        f"{_yes_no(account.payouts_enabled)}   Details submitted: {_yes_no(account.details_submitted)}",
        f"Update links: {'allowed' if account.allows_account_update else 'not allowed (onboarding links only)'}",
    ]
    lines += _requirement_lines("Requirements:", account.requirements)
    lines += _requirement_lines("Future requirements:", account.future_requirements)
    if verdict.kind not in ("rejected", "nothing_due", "review", "paused"):
        lines += have_ready_text(account, fields=verdict.fields).splitlines()
    return lines


async def print_account(services: "Services", args: argparse.Namespace, out: TextIO) -> int:
    from app.stripe.validation import normalize_account_id

    account = await services.client.retrieve_account(normalize_account_id(args.account))
    if args.json:
        print_json(account_json(account), out, indent=2)
    else:
        for line in format_account(account):
            say(out, line)
    return 0


def account_json(account: "Account") -> dict:
    """The typed account as JSON, with what Linkdesk concluded from it."""
    from dataclasses import asdict, replace

    data = asdict(replace(account, metadata={}))  # asdict cannot copy the read-only mapping
    data["metadata"] = dict(account.metadata)
    data["display_name"] = account.display_name
    data["allows_account_update"] = account.allows_account_update
    return data
