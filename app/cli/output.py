"""What every command shares to speak: exit codes, plain text for terminals, JSON, errors, warnings.

Exit status: 0 success; 130 interrupted (Ctrl-C: one line says what was interrupted and what
was recorded, :class:`Interruption`); 2 invalid input (the message names the field, nothing was sent) or a
history that cannot be written (HistoryStorageError: found before anything is sent); 1 an API or
network error (Stripe's message in plain words, its code and the request id) or another history
problem (a file from a newer Linkdesk).
Text that came from the network is printed through :func:`plain`, so an account name can never
clear the screen, retitle the terminal or forge a line of its own.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, TextIO

EXIT_OK, EXIT_API_ERROR, EXIT_INVALID = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command that Ctrl-C ended

# C0 and C1 controls (ESC, CSI, BEL, CR, LF…), DEL, and the bidi overrides that reorder what a
# terminal shows: none belongs in one field of a line.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def plain(value: object) -> str:
    """``value`` as one line of printable text (controls become a visible replacement mark)."""
    return _UNPRINTABLE.sub("\ufffd", str(value))


def say(out: TextIO, *parts: object) -> None:
    """One line of plain text, every part made printable."""
    print(" ".join(plain(p) for p in parts), file=out)


def print_json(data: Any, out: TextIO, *, indent: int | None = None) -> None:
    """JSON output: escapes every control character itself, so it needs no :func:`plain`."""
    print(json.dumps(data, indent=indent, default=list), file=out)


def report(exc: BaseException, err: TextIO) -> int:
    """Print a known error the way README promises and return its exit status; re-raise others."""
    from app.history.errors import HistoryError, HistoryStorageError
    from app.stripe.errors import StripeError, ValidationError

    if isinstance(exc, HistoryError):
        say(err, f"linkdesk: {exc}")
        # A data folder or disk that cannot hold the history is the operator's to fix, and it
        # is found before anything is sent: like invalid input, exit 2.
        return EXIT_INVALID if isinstance(exc, HistoryStorageError) else EXIT_API_ERROR
    if isinstance(exc, ValidationError):
        say(err, f"linkdesk: invalid {exc.field}: {exc.message}")
        return EXIT_INVALID
    if isinstance(exc, StripeError):
        say(err, f"linkdesk: {exc.explanation}")
        details = [f"{k}: {v}" for k, v in (("code", exc.code), ("status", exc.http_status),
                                            ("request id", exc.request_id)) if v]
        if details:
            say(err, "  " + "; ".join(details))
        return EXIT_API_ERROR
    raise exc


def record_or_warn(history: Any, make_entry: Callable[[], Any], err: TextIO, *, made_link: bool = False) -> bool:
    """Record ``make_entry()`` in the history; any failure is a warning on ``err``, never the
    end of the command: a link Stripe made is printed whatever happens to its record."""
    try:
        history.record(make_entry())
    except Exception as exc:  # noqa: BLE001 - storage, a full disk, an odd value: all only warn
        what = "the link was made but is not in the history" if made_link else "this attempt is not in the history"
        from app.redact import redact

        say(err, f"linkdesk: warning: {what} ({type(exc).__name__}: {redact(str(exc))})")
        return False
    return True


class Interruption:
    """What a command tells on Ctrl-C: what was interrupted, and what was recorded by then.

    :func:`app.cli.entry.main` makes one per run, starts ``what`` from the command module's
    ``INTERRUPTED`` text, hands it over as ``args.interruption``, and on KeyboardInterrupt prints
    :meth:`line` (one line on stderr) and exits 130. The command updates it as it goes
    (:meth:`now`); ``recorded`` may be a function, asked only when the line is printed (the
    history or the settings file then say what is really there).
    """

    def __init__(self, what: str = "linkdesk", recorded: "str | Callable[[], str]" = "nothing was changed") -> None:
        self.what = what
        self.recorded = recorded

    def now(self, what: str | None = None, recorded: "str | Callable[[], str] | None" = None) -> None:
        if what is not None:
            self.what = what
        if recorded is not None:
            self.recorded = recorded

    def line(self) -> str:
        recorded = self.recorded
        if callable(recorded):
            try:
                recorded = recorded()
            except Exception:  # noqa: BLE001 - the check failed: say so rather than guess
                recorded = "what was recorded could not be checked"
        return f"linkdesk: interrupted: {self.what}; {recorded}."


def interruption(args: Any) -> Interruption:
    """The run's :class:`Interruption` (a fresh one where a test calls a command directly)."""
    found = getattr(args, "interruption", None)
    if found is None:
        found = Interruption()
        try:
            args.interruption = found
        except AttributeError:
            pass
    return found
