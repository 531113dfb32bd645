"""``linkdesk history``: print the local history as a table, JSON or CSV (never URLs).

Every destination is prefixed ``history_`` so it cannot collide with global options. It opens
the history store itself: it needs no Stripe client and no sandbox.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
from typing import Callable, Iterable, Iterator, TextIO

from app.cli.output import EXIT_INVALID, plain, report, say
from app.history.entry import HistoryEntry, account_label, status_text, type_text
from app.history.export import write_csv, write_json_array
from app.history.query import HistoryQuery
from app.history.store import HistoryStore

TABLE_LIMIT = 50
TABLE_BLOCK = 500  # rows of the table formatted (and measured for column widths) at a time
# Ctrl-C (app.cli.entry.main): listing only reads.
INTERRUPTED = "the history listing, so what was printed is incomplete"


def add_parser(sub: "argparse._SubParsersAction", add_global_options: Callable[..., None]) -> None:
    history = sub.add_parser("history", help="list recorded link attempts")
    add_global_options(history, suppress=True)
    add_history_arguments(history)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.clock import SystemClock
    from app.history.errors import HistoryError
    from app.paths import AppPaths
    from app.preferences import Preferences
    from app.profiles.model import ProfileError
    from app.stripe.errors import ValidationError

    paths = AppPaths.resolve(args.data_dir)
    prefs = Preferences.load(paths.preferences_file)
    try:
        store = open_for_reading(paths, prefs, SystemClock(), err)
    except HistoryError as exc:
        return report(exc, err)
    if store.recovery_notice:
        say(err, f"linkdesk: {store.recovery_notice}")
    try:
        try:
            args.history_profile = asked_profile(args)
        except ValidationError as exc:
            return report(exc, err)
        except ProfileError as exc:
            say(err, f"linkdesk: {exc}")
            return EXIT_INVALID
        return run_history_command(args, store=store, out=out)
    finally:
        store.close()


def asked_profile(args: argparse.Namespace) -> str | None:
    """Whose attempts to list: the profile asked for (``--sandbox``, ``--profile NAME``,
    ``LINKDESK_PROFILE``), chosen by the rule every command follows
    (:meth:`app.profiles.registry.ProfileRegistry.asked`: STRIPE_API_KEY with another
    ``--profile`` is refused, as ``link`` refuses it); None, every profile's, when none was."""
    import os

    from app.profiles.registry import PROFILE_ENV

    if getattr(args, "sandbox", False):
        from app.profiles.model import sandbox_profile

        return sandbox_profile().history_name
    if not getattr(args, "profile", None) and not os.environ.get(PROFILE_ENV):
        return None  # nothing asked: the settings and STRIPE_API_KEY need not even be read
    from app.cli.profile import open_registry

    asked = open_registry(args).asked(getattr(args, "profile", None))
    return asked.history_name if asked is not None else None


def open_for_reading(paths, prefs, clock, err: TextIO) -> HistoryStore:
    """The history, opened as usual (which may purge, migrate or repair it); or, where that
    needs a write it cannot do (a read-only disk or folder), opened read-only: listing reads
    only. Raises the first HistoryError when there is nothing to read either."""
    from app.history.errors import HistoryStorageError

    try:
        return HistoryStore.open(paths.data_dir, clock=clock, store_urls=prefs.store_urls,
                                 retention_days=prefs.retention_days)
    except HistoryStorageError:
        store = read_only_store(paths.history_db, clock)
        if store is None:
            raise
        say(err, f"linkdesk: note: the history file {store.path} cannot be written here; it is listed "
                 "read-only, as it is.")
        return store


def read_only_store(path, clock) -> HistoryStore | None:
    """``path`` opened without writing a byte, or None if it cannot be read so. A WAL database
    on a read-only disk opens read-only only if its -wal and -shm files exist; without them it
    is opened as immutable (nobody can be writing it there). A file of another version would
    need a migration, which needs a write: None too."""
    import sqlite3
    from pathlib import Path

    from app.history.migrations import LATEST_VERSION

    path = Path(path)
    if not path.is_file():
        return None
    for options in ("mode=ro", "immutable=1"):
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?{options}", uri=True, isolation_level=None,
                                   check_same_thread=False, timeout=5.0)
        except sqlite3.Error:
            continue
        try:
            version = int(conn.execute("PRAGMA user_version").fetchall()[0][0])
            conn.execute("SELECT count(*) FROM attempts").fetchall()
        except sqlite3.Error:
            conn.close()
            continue
        if version != LATEST_VERSION:
            conn.close()
            return None
        return HistoryStore(conn, path, clock=clock, store_urls=False)
    return None


def parse_local_date(text: str) -> float:
    """``YYYY-MM-DD`` → unix seconds at local midnight starting that day."""
    try:
        day = dt.datetime.strptime(text.strip(), "%Y-%m-%d")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None
    return day.timestamp()  # a naive datetime is local time


def entry_count(text: str) -> int:
    """``--limit``: a whole number, 0 or more (a negative one is refused, exit 2)."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("expected a whole number (0 for all)") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (all) or more")
    return value


def add_history_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--account", dest="history_account", metavar="ID", help="only this account id")
    parser.add_argument(
        "--since", dest="history_since", metavar="DATE", type=parse_local_date,
        help="only attempts on or after this day (YYYY-MM-DD, local time)",
    )
    parser.add_argument(
        "--limit", dest="history_limit", metavar="N", type=entry_count, default=None,
        help=f"at most N entries, newest first; 0 for all (default: {TABLE_LIMIT} for the table, all for --json/--csv)",
    )
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--json", dest="history_format", action="store_const", const="json", help="JSON output")
    fmt.add_argument("--csv", dest="history_format", action="store_const", const="csv", help="CSV output")
    parser.set_defaults(history_format="table")


def run_history_command(args: argparse.Namespace, *, store: HistoryStore, out: TextIO) -> int:
    """Print the entries selected by ``args``; returns the exit status (0)."""
    account = (args.history_account or "").strip() or None
    query = HistoryQuery(account_id=account, since=args.history_since,
                         profile=getattr(args, "history_profile", None))
    fmt = args.history_format
    limit = args.history_limit if args.history_limit is not None else (TABLE_LIMIT if fmt == "table" else 0)
    limit = limit or None  # 0: no limit
    now = store.now()
    # Streamed: rows are read a page at a time and written as they come, so memory stays flat
    # and the first row is out at once, however long the history (issue 18, point 17).
    entries: Iterator[HistoryEntry] = store.iter_entries(query)
    if limit is not None:
        entries = itertools.islice(entries, limit)
    if fmt == "json":
        write_json_array(entries, out, now_wall=now)
    elif fmt == "csv":
        write_csv(entries, out, now_wall=now)
    else:
        _table(entries, out, now=now, total=lambda: store.count(query))
    return 0


def _table(entries: Iterable[HistoryEntry], out: TextIO, *, now: float, total: Callable[[], int],
           block: int = TABLE_BLOCK) -> None:
    """The table, a block of rows at a time: columns are as wide as the widest cell so far
    (the first block sets them; a later, wider cell widens the rest), so a table of every entry
    never holds more than one block."""
    header = ("TIME", "ACCOUNT", "TYPE", "STATUS", "MODE", "NOTE")
    widths = [0] * len(header)
    shown = 0
    for rows in _blocks(entries, now, block):
        if shown == 0:
            rows.insert(0, header)
        widths = [max(w, *(len(r[i]) for r in rows)) for i, w in enumerate(widths)]
        out.write("".join("  ".join(plain(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() + "\n"
                          for row in rows))
        shown += len(rows) - (1 if shown == 0 else 0)
    if shown == 0:
        out.write("No history entries match.\n")
        return
    count = total()
    if count > shown:
        out.write(f"({shown} of {count} shown; use --limit N for more)\n")


def _blocks(entries: Iterable[HistoryEntry], now: float, size: int) -> Iterator[list[tuple[str, ...]]]:
    rows: list[tuple[str, ...]] = []
    for e in entries:
        rows.append((
            dt.datetime.fromtimestamp(e.attempted_at).strftime("%Y-%m-%d %H:%M"),
            account_label(e),
            type_text(e),
            status_text(e, now),
            e.mode,
            " ".join((e.note or "").split()),
        ))
        if len(rows) >= size:
            yield rows
            rows = []
    if rows:
        yield rows
