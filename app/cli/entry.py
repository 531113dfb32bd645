"""The ``linkdesk`` command: the window with no command, else one of :data:`COMMANDS`.

Each command group is a module of :mod:`app.cli` with ``add_parser(subparsers, add_global_options)``
and ``run(args, out, err) -> exit status``. Exit codes and error reporting: :mod:`app.cli.output`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import TYPE_CHECKING, Sequence, TextIO

from app import __version__

if TYPE_CHECKING:
    from app.cli.output import Interruption

EXIT_OK = 0

# Only what parsing needs is imported here: with no command the window opens, and its first
# paint must not wait for asyncio, httpx or SQLite (bench/ui_latency.py measures this path).

COMMANDS = ("link", "account", "accounts", "history", "profile", "sandbox")


def api_base_option(text: str) -> str:
    """``--api-base``: an address; an empty one is refused (exit 2) rather than silently
    becoming Stripe's own base."""
    from app.stripe.errors import ValidationError
    from app.stripe.validation import normalize_api_base

    try:
        return normalize_api_base(text, live=False)
    except ValidationError as error:
        raise argparse.ArgumentTypeError(error.message) from None


def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # Subparsers get the same options with SUPPRESS defaults, so that an option given before
    # the command is not overwritten by the subparser's default.
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("connection")
    group.add_argument("--api-base", metavar="URL", default=default, type=api_base_option,
                       help="Stripe API base (default https://api.stripe.com; stripe-mock: http://localhost:12111)")
    group.add_argument("--sandbox", action="store_true", default=argparse.SUPPRESS if suppress else False,
                       help="start the built-in sandbox and use it (the default when STRIPE_API_KEY is not set)")
    group.add_argument("--data-dir", metavar="DIR", default=default,
                       help="folder for history and settings data (or LINKDESK_DATA_DIR)")
    group.add_argument("--profile", metavar="NAME", default=default,
                       help="use this profile (or LINKDESK_PROFILE; default: `linkdesk profile use`)")
    group.add_argument("--accounts-api", choices=("v1", "v2"), default=default,
                       help="the Stripe Accounts API your platform uses (or LINKDESK_ACCOUNTS_API; "
                            "default: the profile's setting, else v1)")


def _command(name: str):
    return importlib.import_module(f"app.cli.{name}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``only`` (a command of :data:`COMMANDS` already found on
    the command line), just that command's parser: one command does not import the others'
    modules (``linkdesk link`` would pay for the history, profile and directory commands)."""
    parser = argparse.ArgumentParser(
        prog="linkdesk",
        description="Create Stripe Connect Account Links. With no command, opens the window.",
        epilog="The API key comes from the chosen profile (see `linkdesk profile`), or from STRIPE_API_KEY, "
               "which wins when set; with neither, the built-in sandbox is used.",
    )
    parser.add_argument("--version", action="version", version=f"linkdesk {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation (imports, Qt offscreen, QR, history, sandbox) and exit")
    add_global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if only not in COMMANDS else (only,):
        _command(name).add_parser(sub, add_global_options)
    return parser


def _front(argv: list[str]) -> tuple[argparse.Namespace, list[str]] | None:
    """Global options and the command word only: enough to open the window (without building
    every command's parser before the first paint) or to hand ``sandbox ARGS`` over."""
    front = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    front.add_argument("--self-test", action="store_true")
    add_global_options(front, suppress=False)
    front.add_argument("command", nargs="?")
    try:
        return front.parse_known_args(argv)
    except argparse.ArgumentError:  # a malformed global option: the full parser says what
        return None


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one command; its exit status. Every command ends here, whatever ended it:

    * its output is flushed *here*, so that a reader that went away (``linkdesk history --csv |
      head -1``) is found while this can still say nothing and exit 0, and not by the
      interpreter's last flush ("Exception ignored … BrokenPipeError", exit 120), which is
      what happens when stdout is a pipe and PYTHONUNBUFFERED is not set, as on users' machines;
    * Ctrl-C ends it with one line saying what was interrupted and what was recorded
      (:class:`app.cli.output.Interruption`, kept up to date by the command), exit 130.
    """
    from app.cli.output import Interruption

    out = out or sys.stdout
    err = err or sys.stderr
    interruption = Interruption()
    try:
        try:
            status = _main(argv, out, err, interruption)
        except SystemExit:  # argparse's --help, --version and usage errors print, then exit
            _flush(out)
            raise
        _flush(out)
        return status
    except BrokenPipeError:
        # The reader went away: not an error of ours. Point stdout at /dev/null so the
        # interpreter's final flush of what is still buffered cannot complain either.
        _silence(out)
        return EXIT_OK
    except KeyboardInterrupt:
        return _interrupted(interruption, out, err)


def _flush(out: TextIO) -> None:
    flush = getattr(out, "flush", None)
    if flush is not None:
        flush()


def _interrupted(interruption: "Interruption", out: TextIO, err: TextIO) -> int:
    from app.cli.output import EXIT_INTERRUPTED, say

    try:
        _flush(out)  # what was printed before Ctrl-C stays printed
    except (BrokenPipeError, KeyboardInterrupt):
        _silence(out)
    try:
        # On a terminal, Ctrl-C left "^C" on the line: the message starts a line of its own.
        if getattr(err, "isatty", lambda: False)():
            err.write("\n")
        say(err, interruption.line())
        _flush(err)
    except (OSError, ValueError, KeyboardInterrupt):  # stderr gone too, or a second Ctrl-C
        pass
    return EXIT_INTERRUPTED


def _silence(out: TextIO) -> None:
    """Point the process's stdout at /dev/null (only when ``out`` is the real stdout)."""
    import os

    if out is not sys.stdout:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real stdout (tests, a GUI launch)
        pass


def _main(argv: Sequence[str] | None, out: TextIO, err: TextIO, interruption: "Interruption") -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    front = _front(argv)
    if front is not None:
        known, unknown = front
        if known.self_test and known.command is None and not unknown:
            return _self_test(out)
        if known.command == "sandbox":  # its own parser: its options pass through untouched
            from app.cli.sandbox import serve_forever

            return serve_forever(argv[argv.index("sandbox") + 1:], prog="linkdesk sandbox")
        if known.command is None and not unknown:
            return _open_window(known)
    args = build_parser(front[0].command if front is not None and not front[0].self_test else None).parse_args(argv)
    if args.self_test:
        if args.command is not None:
            build_parser().error("--self-test takes no command")
        return _self_test(out)
    if args.command is None:
        return _open_window(args)
    module = _command(args.command)
    interruption.what = getattr(module, "INTERRUPTED", f"linkdesk {args.command}")
    args.interruption = interruption  # the command says what it has recorded as it goes
    return module.run(args, out, err)


def gui_main(argv: Sequence[str] | None = None) -> int:
    """The ``linkdesk-gui`` entry point: the window only (a GUI script: no console on Windows).

    Takes the global options (``--sandbox``, ``--api-base``, ``--data-dir``) and nothing else.
    """
    parser = argparse.ArgumentParser(prog="linkdesk-gui", description="Open the Linkdesk window.")
    parser.add_argument("--version", action="version", version=f"linkdesk {__version__}")
    add_global_options(parser, suppress=False)
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    return _open_window(args)


def _self_test(out: TextIO) -> int:
    from app.selftest import run_self_test

    return run_self_test(out)


def _open_window(args: argparse.Namespace) -> int:
    from app.ui.shell.app import run_gui

    return run_gui(args)
