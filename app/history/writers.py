"""Who wrote an attempt that has no answer yet, and whether that process may still finish it.

An attempt is written before its request is sent (``outcome = "unknown"``) and completed when the
answer comes. A row still open was either written by a process that is waiting for Stripe right
now (another window, a ``linkdesk link`` in another terminal) or by one that died waiting. The
row names its writer as ``host:pid:start`` (the process's start time where the system tells it:
Linux's /proc; a pid reused by a later process then does not pass for the writer), and
:func:`may_still_finish` tells the two apart: the writer is this very process, or a process with
that pid and start time still runs on this host, and the attempt is younger than any request
could wait (:data:`app.history.entry.ANSWER_BOUND_S` plus a margin for writing the answer). A
writer on another host, or on a system that cannot say, is judged by that age alone.
"""

from __future__ import annotations

import os
import socket
import sys

from app.history.entry import ANSWER_BOUND_S

# An answer is written within moments of arriving (a second for the account's name at most).
FINISH_MARGIN_S = 10


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), else "" (cannot say)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read().decode("ascii", "replace")
    except OSError:
        return ""
    # The command name (field 2) is in parentheses and may hold spaces: count after its end.
    fields = text[text.rfind(")") + 2:].split()
    return fields[19] if len(fields) > 19 else ""


def current() -> str:
    """This process, as a writer: ``host:pid:start``."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def _running(pid: int, start: str) -> bool | None:
    """True / False when this host can tell whether ``pid`` (started at ``start``) runs; None
    when it cannot (Windows: signalling a pid there would end it)."""
    if sys.platform == "win32":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    except OSError:
        return None
    if start:
        now_start = _start_time(pid)
        if now_start and now_start != start:
            return False  # the pid was reused by a later process
    return True


def may_still_finish(writer: str | None, attempted_at: float, now_wall: float) -> bool:
    """Whether the process that wrote an open attempt may still record its answer. False once
    it is gone, or once no request could still be waiting (whoever wrote it)."""
    if writer is None or not 0 <= now_wall - attempted_at <= ANSWER_BOUND_S + FINISH_MARGIN_S:
        return False
    parts = writer.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    host, pid, start = parts[0], int(parts[1]), parts[2]
    if host != socket.gethostname():
        return True  # another machine's process: its age decides
    running = _running(pid, start)
    return True if running is None else running
