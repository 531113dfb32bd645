"""What a command says on Ctrl-C (app.cli.output.Interruption, app.cli.interrupted_link), in
process: the real SIGINT cases are in tests/integration/test_cli_interrupt.py."""

from __future__ import annotations

import argparse
import asyncio
from types import SimpleNamespace

from app.cli.interrupted_link import INTERRUPTED, NOTHING_MADE, recorded_since, sending
from app.cli.output import Interruption, interruption
from app.history.entry import HistoryEntry

ACCOUNT = "acct_1InterruptUnit001"


def test_the_line_asks_a_function_only_when_printed_and_never_fails():
    note = Interruption("the look-up")
    assert note.line() == "linkdesk: interrupted: the look-up; nothing was changed."
    asked = []
    note.now(recorded=lambda: asked.append(1) or "it was saved")
    assert asked == []
    assert note.line() == "linkdesk: interrupted: the look-up; it was saved." and asked == [1]
    note.now(recorded=lambda: 1 / 0)
    assert note.line() == "linkdesk: interrupted: the look-up; what was recorded could not be checked."


async def test_a_ctrl_c_pending_before_the_request_goes_out_sends_nothing():
    args = argparse.Namespace()
    interruption(args).now(what=INTERRUPTED, recorded=NOTHING_MADE)
    sent = []

    async def create(request):
        sent.append(request)
        await asyncio.Event().wait()

    task = asyncio.ensure_future(sending(args, create)("request"))
    await asyncio.sleep(0)  # the task has started: the Ctrl-C lands at its first await
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert sent == []
    assert args.interruption.line() == f"linkdesk: interrupted: {INTERRUPTED}; {NOTHING_MADE}."


async def test_once_sent_the_line_says_the_link_may_exist():
    args = argparse.Namespace()
    started = asyncio.Event()

    async def create(request):
        started.set()
        await asyncio.Event().wait()

    task = asyncio.ensure_future(sending(args, create)("request"))
    await started.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert args.interruption.line() == ("linkdesk: interrupted: waiting for Stripe's answer to the link request; "
                                        "the request was sent, so the link may exist; nothing was recorded.")


def test_what_the_history_holds_of_this_runs_attempt(store, clock):
    services = SimpleNamespace(history=store, connection=SimpleNamespace(profile="sandbox"))
    since = clock.time()
    assert recorded_since(services, ACCOUNT, since) is None
    old = entry(clock.time() - 60, outcome="created")
    store.record(old)
    assert recorded_since(services, ACCOUNT, since) is None  # an older attempt is not this run's
    store.record(entry(clock.time(), outcome="failed"))
    assert recorded_since(services, ACCOUNT, since) == "the attempt is in the history as failed"
    clock.advance(1)
    store.record(entry(clock.time(), outcome="created"))
    assert recorded_since(services, ACCOUNT, since) == "the link was made and is in the history (linkdesk history)"
    other = SimpleNamespace(history=store, connection=SimpleNamespace(profile="Acme"))
    assert recorded_since(other, ACCOUNT, since) is None  # another profile's row is not this run's
    assert recorded_since(services, "not an id", since) is None


def entry(at: float, *, outcome: str) -> HistoryEntry:
    return HistoryEntry(account_id=ACCOUNT, link_type="account_onboarding", mode="test",
                        refresh_url="https://example.com/r", return_url="https://example.com/b",
                        attempted_at=at, outcome=outcome, profile="sandbox",
                        error_code="x" if outcome == "failed" else None)
