"""``linkdesk accounts sync`` and ``linkdesk accounts search``: the local account directory.

Stripe's API cannot search connected accounts by name or email, so ``sync`` keeps a local index
(app.directory) and ``search`` looks it up. ``sync`` shows its progress on a terminal (stderr);
Ctrl-C stops it and the next ``sync`` resumes where it stopped.
"""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING, Callable, TextIO

from app.cli.output import EXIT_API_ERROR, EXIT_INVALID, print_json, say
from app.cli.session import with_services

if TYPE_CHECKING:
    from app.directory.index import Match
    from app.directory.sync import SyncProgress, SyncResult
    from app.services import Services

EXIT_INTERRUPTED = 130


def add_parser(sub: "argparse._SubParsersAction", add_global_options: Callable[..., None]) -> None:
    accounts = sub.add_parser("accounts", help="sync and search the local directory of connected accounts")
    commands = accounts.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)
    sync = commands.add_parser("sync", help="fetch connected accounts into the local index")
    sync.add_argument("--full", action="store_true", help="fetch every account again (names and requirements change)")
    sync.add_argument("--json", action="store_true", help="print the counts as JSON")
    add_global_options(sync, suppress=True)
    search = commands.add_parser("search", help="find accounts by name, email, id prefix or metadata")
    search.add_argument("query", help="words to find, e.g. \"harb bak\" or an email")
    search.add_argument("--limit", type=int, default=10, metavar="N", help="at most N results (default 10)")
    search.add_argument("--json", action="store_true", help="print the results as JSON")
    add_global_options(search, suppress=True)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import sqlite3

    from app.directory.index import DirectoryVersionError
    from app.paths import StorageError

    try:
        return _run(args, out, err)
    except StorageError as exc:  # a data folder or disk that cannot hold the index: the user's to fix
        say(err, f"linkdesk: {exc}")
        return EXIT_INVALID
    except (DirectoryVersionError, sqlite3.Error, OSError) as exc:
        say(err, f"linkdesk: the account index could not be used: {exc}")
        return EXIT_API_ERROR


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.accounts_command == "search":
        if not 1 <= args.limit <= 1000:
            say(err, "linkdesk: invalid limit: must be a whole number from 1 to 1000.")
            return EXIT_INVALID
        if not args.query.strip():
            say(err, "linkdesk: invalid query: type a name, an email, an id prefix or a metadata value.")
            return EXIT_INVALID
        return with_services(args, err, lambda services: search(services, args, out, err))
    try:
        return with_services(args, err, lambda services: sync(services, args, out, err))
    except KeyboardInterrupt:
        if hasattr(err, "isatty") and err.isatty():
            err.write("\n")  # past the "^C" the terminal echoed (written as is: say() would mark it)
        say(err, "linkdesk: sync interrupted; run it again to continue where it stopped.")
        return EXIT_INTERRUPTED


class _TerminalProgress:
    """One line on a terminal, redrawn at most ten times a second; nothing when redirected."""

    def __init__(self, err: TextIO) -> None:
        self._err = err
        self._live = hasattr(err, "isatty") and err.isatty()
        self._last = 0.0
        self._limited: str | None = None  # the rate-limit notice last shown

    def __call__(self, progress: "SyncProgress") -> None:
        from app.directory.sync import clock_time

        limited = None if progress.retry_at is None else f"rate limited by Stripe; next try at {clock_time(progress.retry_at)}"
        if limited is not None and not self._live and limited != self._limited:
            self._err.write(f"Syncing accounts: {limited}.\n")  # redirected: one line per new wait
            self._err.flush()
        changed, self._limited = limited != self._limited, limited
        now = time.monotonic()
        if not self._live or (now - self._last < 0.1 and not changed):
            return
        self._last = now
        of = f" of about {progress.estimate:,}" if progress.estimate else ""
        state = limited or progress.phase
        self._err.write(f"\r\x1b[KSyncing accounts: {progress.fetched:,}{of} ({state})")
        self._err.flush()

    def done(self) -> None:
        if self._live:
            self._err.write("\r\x1b[K")
            self._err.flush()


async def sync(services: "Services", args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.directory.profile import open_directory
    from app.directory.sync import DirectorySync

    progress = _TerminalProgress(err)
    with open_directory(services) as index:
        # Paced by the client's own (per key) rate limiter.
        runner = DirectorySync(services.client, index, clock=services.clock, progress=progress)
        try:
            result = await runner.run(full=args.full)
        finally:
            progress.done()
    if args.json:
        print_json(_result_json(result), out)
    else:
        say(out, _summary_line(result))
    return 0


def _summary_line(result: "SyncResult") -> str:
    """What the sync changed, then what the index holds: "Full sync done in 0.4 s: 14 new
    accounts. The index holds 14 accounts." (How many records were read, re-reads included, is
    in ``--json``: beside the counts it only confused.)"""
    kind = "Full sync" if result.full else "Sync"
    resumed = " (resumed)" if result.resumed else ""
    changes = [text for count, text in (
        (result.new, _count(result.new, "new account")),
        (result.updated, f"{_count(result.updated, 'account')} updated"),
        (result.removed, f"{_count(result.removed, 'account')} removed (no longer connected)"),
    ) if count]
    what = ", ".join(changes) if changes else "no new or changed accounts"
    skipped = (f" {_count(result.skipped, 'listed item')} without a usable account id left out."
               if result.skipped else "")
    return (f"{kind}{resumed} done in {result.seconds:.1f} s: {what}. "
            f"The index holds {_count(result.total, 'account')}.{skipped}")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _result_json(result: "SyncResult") -> dict:
    return {"full": result.full, "resumed": result.resumed, "fetched": result.fetched, "new": result.new,
            "updated": result.updated, "removed": result.removed, "total": result.total,
            "requests": result.requests, "seconds": round(result.seconds, 3), "skipped": result.skipped}


async def search(services: "Services", args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.directory.profile import has_directory, open_directory

    if not has_directory(services):
        say(err, "linkdesk: no account index yet for this connection; run `linkdesk accounts sync` first.")
        return EXIT_API_ERROR
    with open_directory(services, read_only=True) as index:  # only reads: works in a read-only folder
        if index.state("last_complete") is None and index.count() == 0:
            say(err, "linkdesk: the account index is empty; run `linkdesk accounts sync` first.")
            return EXIT_API_ERROR
        matches = index.search(args.query, limit=args.limit)
    if args.json:
        print_json([m.account.public_dict() for m in matches], out)
    elif not matches:
        say(out, f"No account matches “{args.query}”.")
    else:
        for match in matches:
            say(out, format_match(match))
    return 0


def format_match(match: "Match") -> str:
    """One result as a line: id, name, email, country and its status at a glance."""
    from datetime import datetime

    a = match.account
    status = "charges on" if a.charges_enabled else "charges off"
    by = datetime.fromtimestamp(a.deadline).strftime("%Y-%m-%d") if a.deadline else None
    due = f"{a.items_due} due" + (f" by {by}" if by else "")
    return "  ".join([a.id, a.name, a.email or "—", a.country or "—", status, due if a.items_due else "nothing due"])
