"""``linkdesk profile add|list|remove|use``: platforms and their keys on the command line.

The key is read from standard input (typed without echo on a terminal, or piped), never from an
argument, which would land in shell history and ``ps``. ``profile add`` checks it with
``GET /v1/account`` and ``GET /v1/accounts`` before saving, and stores it in the OS keyring;
without a working keyring it refuses (exit 2) unless ``--key-file PATH`` names a new file to
keep it in (created with mode 0600), or an existing private file that holds only the key (read,
never rewritten; the key is then not asked for). Nothing else is ever written to (see
:mod:`app.profiles.keyfile`). Exit status as everywhere: 0 done, 2 invalid input or setup (nothing saved),
1 Stripe or the network refused.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Callable, TextIO

from app.cli.output import EXIT_API_ERROR, EXIT_INVALID, EXIT_OK, print_json, say

if TYPE_CHECKING:
    from app.stripe.keys import ApiKey
    from app.profiles.model import Profile
    from app.profiles.registry import ProfileRegistry

KEY_PROMPT = "Stripe secret or restricted key (sk_… or rk_…; not shown): "
MAX_KEY_CHARS = 4_096  # Stripe's keys are about 100 characters; more is not a key (nothing is cut)


def add_parser(sub: "argparse._SubParsersAction", add_global_options: Callable[..., None]) -> None:
    profile = sub.add_parser("profile", help="add, list, remove or choose profiles (platforms and keys)")
    actions = profile.add_subparsers(dest="profile_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a profile: the key is read from standard input and checked")
    add.add_argument("profile_name", metavar="NAME")
    add.add_argument("--key-file", dest="profile_key_file", metavar="PATH",
                     help="keep the key in this file (mode 0600) instead of the OS keyring")
    # --accounts-api (a global option) is saved as the profile's Accounts API (default v1)
    listing = actions.add_parser("list", help="list profiles (keys redacted)")
    listing.add_argument("--json", dest="profile_json", action="store_true", help="print JSON")
    remove = actions.add_parser("remove", help="remove a profile and delete its key")
    remove.add_argument("profile_name", metavar="NAME")
    use = actions.add_parser("use", help="make a profile the default")
    use.add_argument("profile_name", metavar="NAME")
    for parser in (profile, add, listing, remove, use):
        add_global_options(parser, suppress=True)
    from app.cli.profile_defaults import add_defaults_parser  # `profile defaults NAME`: link's default URLs

    add_defaults_parser(actions, add_global_options)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.profiles.model import ProfileError
    from app.stripe.errors import ValidationError

    try:
        registry = open_registry(args)
        for problem in registry.problems:
            say(err, f"linkdesk: {problem}")
        action = args.profile_action
        if action == "add":
            from app.cli.output import interruption  # Ctrl-C says whether it was saved (app.cli.entry)

            interruption(args).now(what=f"adding the profile {args.profile_name!r}",
                                   recorded=lambda: saved_or_not(args))
            return add_profile(registry, args, out, err)
        if action == "list":
            return list_profiles(registry, args, out)
        if action == "defaults":
            from app.cli.profile_defaults import run_defaults

            return run_defaults(registry, args, out)
        if action == "remove":
            removed, what = registry.remove_and_tell(args.profile_name)
            say(out, f"Removed profile “{removed.name}” and {what}.")
            return EXIT_OK
        chosen = registry.use(args.profile_name)
        say(out, f"“{chosen.name}” ({chosen.label}) is now the default profile.")
        return EXIT_OK
    except ValidationError as exc:
        say(err, f"linkdesk: invalid {exc.field}: {exc.message}")
        return EXIT_INVALID
    except ProfileError as exc:
        say(err, f"linkdesk: {exc}")
        return EXIT_INVALID
    except OSError as exc:  # a SettingsError is a LinkdeskError; a raw OSError is unexpected but plain
        say(err, f"linkdesk: {exc.strerror or exc}")
        return EXIT_API_ERROR


def saved_or_not(args: argparse.Namespace) -> str:
    """After Ctrl-C in ``profile add``: what the settings file holds now."""
    name = (args.profile_name or "").strip().casefold()
    if any(p.name.casefold() == name for p in open_registry(args).saved):
        return "the profile was saved (linkdesk profile list)"
    return "no profile was saved"


def open_registry(args: argparse.Namespace) -> "ProfileRegistry":
    from app.paths import AppPaths
    from app.profiles.registry import ProfileRegistry
    from app.profiles.secrets import KeyVault
    from app.profiles.store import SettingsStore

    paths = AppPaths.resolve(getattr(args, "data_dir", None))
    return ProfileRegistry(SettingsStore.for_paths(paths), KeyVault())


class KeyTooLong(ValueError):
    """The line read as the key is longer than :data:`MAX_KEY_CHARS`."""


def read_key(err: TextIO, stdin: TextIO | None = None) -> str:
    """One line from standard input; on a terminal, asked for without echo. KeyTooLong when the
    line has more than MAX_KEY_CHARS characters: it is refused whole, never cut to a prefix."""
    stdin = stdin or sys.stdin
    if stdin.isatty():
        import getpass

        line = getpass.getpass(KEY_PROMPT, stream=err)
    else:
        line = stdin.readline(MAX_KEY_CHARS + 2)  # one past the limit, and its line break
    if len(line.rstrip("\r\n")) > MAX_KEY_CHARS:
        raise KeyTooLong(f"the line read is longer than {MAX_KEY_CHARS:,} characters")
    return line


def add_profile(registry: "ProfileRegistry", args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import asyncio

    from app.profiles.check import KeyCheckFailed, KeyProblem, check_key, parse_key
    from app.profiles.model import DEFAULT_API_BASE, KEY_FILE, KEYRING, check_name
    from app.profiles.store import SettingsError

    name = check_name(args.profile_name, taken=tuple(p.name for p in registry.saved))
    key_file = args.profile_key_file
    if key_file is None and (problem := registry.vault.keyring.problem()) is not None:
        say(err, f"linkdesk: {problem} Linkdesk keeps keys only in the OS keyring unless you name a file:")
        say(err, f"  linkdesk profile add {name!r} --key-file PATH   (the key is written there, readable by you alone)")
        return EXIT_INVALID
    api_base = getattr(args, "api_base", None) or DEFAULT_API_BASE
    try:
        file_key = existing_key_file(key_file) if key_file else None
        key = parse_key(read_key(err)) if file_key is None else key_beside_file(file_key, key_file, err)
    except KeyTooLong:
        say(err, f"linkdesk: invalid key: more than {MAX_KEY_CHARS:,} characters were read, and a Stripe key "
                 "is about 100. Nothing was saved: paste the key alone, on one line.")
        return EXIT_INVALID
    except KeyCheckFailed as exc:
        say(err, f"linkdesk: invalid key: {exc.explanation}")
        return EXIT_INVALID
    try:
        check = asyncio.run(check_key(key, api_base=api_base))
    except KeyCheckFailed as exc:
        say(err, f"linkdesk: the key was not saved. {exc.explanation}")
        if exc.request_id:
            say(err, f"  request id: {exc.request_id}")
        return EXIT_INVALID if exc.problem is KeyProblem.PUBLISHABLE_KEY else EXIT_API_ERROR
    try:
        profile = registry.add(name, key, check, api_base=api_base,
                               storage=KEY_FILE if key_file else KEYRING, key_file=key_file,
                               accounts_api=getattr(args, "accounts_api", None) or "v1")
    except SettingsError as exc:
        say(err, f"linkdesk: {exc}")
        return EXIT_API_ERROR
    if not key_file:
        where = "the OS keyring"
    elif file_key is not None:
        where = f"the file {profile.key_file}, which Linkdesk reads and never rewrites"
    else:
        where = f"the new file {profile.key_file}"
    say(out, f"Added profile “{profile.name}” ({profile.label}, Accounts {profile.accounts_api}): {check.platform}; "
             f"key {profile.key_hint} in {where}.")
    if check.note:
        say(out, f"Note: {check.note}")
    if registry.default is None:
        say(out, f"Make it the default with: linkdesk profile use {profile.name!r}")
    return EXIT_OK


def existing_key_file(key_file: str) -> "ApiKey | None":
    """The key in ``key_file`` when a file is already there (used read only: the key is not
    asked for); None when nothing is there. Anything but a private regular file holding only a
    key is refused (ValidationError / ProfileError: exit 2, nothing sent)."""
    from app.profiles.keyfile import KeyMissing, inspect_key_file, key_file_path, read_key_file
    from app.stripe.errors import ValidationError

    path = key_file_path(key_file)
    if inspect_key_file(path) is None:
        return None
    try:
        return read_key_file(path)
    except KeyMissing as exc:
        raise ValidationError("key_file", f"{path} already exists, and Linkdesk never overwrites a file it did not "
                                          f"create: choose a new file name. ({exc})") from None


def key_beside_file(file_key: "ApiKey", key_file: str, err: TextIO) -> "ApiKey":
    """The key of an existing key file; a key piped in as well must be the same one."""
    from app.profiles.check import parse_key
    from app.stripe.errors import ValidationError

    if sys.stdin.isatty():
        return file_key  # nothing to ask: the file holds the key
    line = read_key(err)
    if line.strip() and parse_key(line) != file_key:
        raise ValidationError("key_file", f"{key_file} already holds another key ({file_key.redacted}) than the one "
                                          "given; Linkdesk never overwrites it. Choose a new file name.")
    return file_key


def profile_row(profile: "Profile", default: "Profile | None") -> dict:
    return {
        "name": profile.name,
        "kind": profile.kind,
        "mode": profile.label,
        "platform_name": profile.platform_name,
        "platform_id": profile.platform_id,
        "api_base": profile.api_base or "(built-in sandbox)",
        "accounts_api": profile.accounts_api,
        "key": profile.key_hint,
        "key_storage": profile.key_storage,
        "default": default is not None and profile.id == default.id,
    }


def list_profiles(registry: "ProfileRegistry", args: argparse.Namespace, out: TextIO) -> int:
    rows = [profile_row(p, registry.default) for p in registry.all()]
    if args.profile_json:
        print_json(rows, out, indent=2)
        return EXIT_OK
    header = ("", "NAME", "MODE", "PLATFORM", "API BASE", "ACCOUNTS", "KEY")
    table = [("*" if r["default"] else "", r["name"], r["mode"],
              " ".join(filter(None, (r["platform_name"], f"({r['platform_id']})" if r["platform_id"] else None))) or "—",
              r["api_base"], r["accounts_api"], f"{r['key']} ({r['key_storage']})" if r["kind"] == "saved" else (r["key"] or "—"))
             for r in rows]
    widths = [max(len(str(row[i])) for row in (header, *table)) for i in range(len(header))]
    for row in (header, *table):
        say(out, "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip())
    return EXIT_OK
