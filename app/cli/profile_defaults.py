"""``linkdesk profile defaults NAME [--refresh-url URL] [--return-url URL]``: a saved profile's
default redirect URLs, which ``linkdesk link`` uses when they are not typed (the window's
Settings dialog edits the same fields). Without options it shows them; ``""`` clears one.
Hooked into :mod:`app.cli.profile`, whose errors and exit codes it shares."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Callable, TextIO

from app.cli.output import EXIT_OK, say

if TYPE_CHECKING:
    from app.profiles.registry import ProfileRegistry


def add_defaults_parser(actions: "argparse._SubParsersAction", add_global_options: Callable[..., None]) -> None:
    defaults = actions.add_parser("defaults", help="show or set a profile's default refresh and return URLs")
    defaults.add_argument("profile_name", metavar="NAME")
    defaults.add_argument("--refresh-url", dest="default_refresh_url", metavar="URL",
                          help="the URL a used or expired link sends the user to (\"\" clears it)")
    defaults.add_argument("--return-url", dest="default_return_url", metavar="URL",
                          help="the URL the user comes back to when done (\"\" clears it)")
    add_global_options(defaults, suppress=True)


def run_defaults(registry: "ProfileRegistry", args: argparse.Namespace, out: TextIO) -> int:
    from app.stripe.errors import ValidationError

    profile = registry.get(args.profile_name)
    changes = {field: value.strip() or None
               for field, value in (("refresh_url", args.default_refresh_url), ("return_url", args.default_return_url))
               if value is not None}
    if changes:
        if not profile.saved:
            raise ValidationError("name", f"the {profile.name} profile is built in: its defaults cannot be changed.")
        profile = registry.update(profile.replace(**changes))  # checked: live profiles need https
    say(out, f"“{profile.name}” defaults: refresh URL {profile.refresh_url or '(none)'}; "
             f"return URL {profile.return_url or '(none)'}")
    return EXIT_OK
