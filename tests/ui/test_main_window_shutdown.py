"""Closing with requests in flight: exit 0, no traceback, no "Task was destroyed" warning.

The subprocess tests run the real app (``python -m app``) offscreen against a sandbox whose
answer to the look-up never comes (a "timeout" fault). The fault is consumed when the request
arrives, so ``faults.pending() == 0`` proves the request was in flight when the window closed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time

import pytest

from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY, SandboxServer
from mainwindow_helpers import find, wait_until

ACCOUNT = DEMO_ACCOUNTS["custom_due"]


async def test_in_process_close_cancels_tasks_in_flight(window, sandbox, transport, caplog):
    sandbox.inject_fault("timeout", delay=30)
    find(window, "accountInput").setText(ACCOUNT)
    # The History panel's first search runs on the worker thread once the panel is shown (after
    # history_ready()); on a loaded machine it was still pending here, a second task beside the
    # look-up. The window fixture now waits for it (model.settled()); the look-up is still
    # picked by name, and every task in flight must end cancelled.
    assert window.tracker.pending == ()
    window.request_lookup()  # the slot: a tracked task
    await wait_until(lambda: len(transport.requests) == 1)
    in_flight = window.tracker.pending
    [task] = [t for t in in_flight if t.get_name() == "lookup"]
    with caplog.at_level(logging.ERROR):
        window.close()
        await window.shutdown()
        await window.shutdown()  # twice is safe
    assert task.cancelled() and window.tracker.pending == ()
    assert all(t.done() for t in in_flight)
    assert window.spawn(asyncio.sleep(0)) is None  # nothing new starts once closed
    assert not [r for r in caplog.records if r.name == "asyncio"]


async def test_closing_during_a_create_keeps_the_attempt_on_record(window, sandbox, transport, services):
    sandbox.inject_fault("timeout", delay=30, path="/v1/account_links")
    find(window, "accountInput").setText(ACCOUNT)
    window.request_create()
    await wait_until(lambda: transport.posts() == ["/v1/account_links"])
    window.close()
    await window.shutdown()
    [entry] = services.history.query()
    assert entry.outcome == "failed" and entry.error_code == "cancelled"
    assert "closed" in entry.error_message


@pytest.fixture
def stalled_sandbox():
    server = SandboxServer().start()
    server.inject_fault("timeout", delay=60, path=f"/v1/accounts/{ACCOUNT}")
    yield server
    server.stop()


def _start_app(sandbox: SandboxServer, **env: str) -> subprocess.Popen:
    environ = dict(os.environ, QT_QPA_PLATFORM="offscreen", STRIPE_API_KEY=DEMO_API_KEY,
                   LINKDESK_TEST_LOOKUP=ACCOUNT, PYTHONDONTWRITEBYTECODE="1", **env)
    return subprocess.Popen([sys.executable, "-m", "app", "--api-base", sandbox.url], env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_request(sandbox: SandboxServer, proc: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while sandbox.faults.pending() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)


@pytest.mark.slow
def test_real_app_closed_by_its_window_with_a_request_in_flight_exits_cleanly(stalled_sandbox):
    proc = _start_app(stalled_sandbox, LINKDESK_TEST_CLOSE_AFTER_MS="2500")
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill() if proc.poll() is None else None
    assert stalled_sandbox.faults.pending() == 0, "the look-up never reached the sandbox"
    assert proc.returncode == 0
    assert err == ""


@pytest.mark.slow
def test_real_app_stopped_by_sigterm_with_a_request_in_flight_exits_cleanly(stalled_sandbox):
    proc = _start_app(stalled_sandbox)
    try:
        _wait_for_request(stalled_sandbox, proc)
        assert stalled_sandbox.faults.pending() == 0, "the look-up never reached the sandbox"
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill() if proc.poll() is None else None
    assert proc.returncode == 0
    assert err == ""
    assert time.monotonic() - started < 5  # cancelled, not waited out
