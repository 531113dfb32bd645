"""``linkdesk link`` and ``linkdesk account`` for platforms on Accounts v2 (``--accounts-api v2``).

The v1 commands in app.cli.link and app.cli.account hand over here when the connection uses v2:
the same output, exit codes, history and QR code, with the v2 request and answers.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from app.cli.output import print_json, say

if TYPE_CHECKING:
    from app.services import Services
    from app.stripe.v2_models import AccountV2


async def create_and_print_v2(services: "Services", args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.cli.interrupted_link import sending
    from app.cli.minting import mint_and_record, print_link
    from app.requirements_v2 import describe_configurations
    from app.stripe.v2 import LinkRequestV2

    request = LinkRequestV2(
        account=args.account,
        use_case=args.link_type,
        refresh_url=args.refresh_url,
        return_url=args.return_url,
        collection_fields=args.fields,
        future_requirements=args.future_requirements,
    ).validated(live=services.connection.mode == "live")
    link = await mint_and_record(services, request, create=sending(args, services.client.create_account_link_v2),
                                 retrieve=services.client.retrieve_account_v2, err=err)
    return print_link(link, args, out, services.clock, json_extra={"accounts_api": "v2"},
                      lines=[f"Accounts v2 link; covers: {describe_configurations(link.configurations)}"])


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
