"""Ctrl-C in each command (issue 18, point 6): a real SIGINT to a real ``linkdesk`` process.

A hostile server (tests/hostile_server.py) holds its answer back until the test is done, so
the process is waiting for the network when the signal comes; ``history --json`` is stopped
while it writes into a pipe nobody reads. Each ends with exit 130 and ONE line on stderr
saying what was interrupted and what was recorded: never a traceback, never exit -2.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from hostile_server import ACCOUNT, HostileServer, Reply, account_body, json_reply

pytestmark = pytest.mark.slow

SECRET = "sk_test_51InterruptCliKeyNotReal0Zz9Q"
URLS = ["--refresh-url", "https://example.com/reauth", "--return-url", "https://example.com/return"]


def _default_sigint() -> None:
    # A shell's background job inherits SIGINT ignored, and Python then never raises
    # KeyboardInterrupt: the child gets the default back, as a terminal's Ctrl-C would find it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def stalling():
    """``stalling(prefix)``: a server that never answers a request whose line starts with
    ``prefix`` while the test runs (it answers the rest); the requests it saw are on it."""
    released = threading.Event()
    servers: list[HostileServer] = []

    def start(prefix: str) -> HostileServer:
        def script(request_line: str, headers: dict[str, str], body: bytes) -> Reply:
            if request_line.startswith(prefix):
                released.wait(60)
                return Reply(503, b"{}")
            return json_reply(account_body())

        server = HostileServer(script).start()
        servers.append(server)
        return server

    yield start
    released.set()
    for server in servers:
        server.stop()


def start(argv: list[str], *, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "app", *argv], env=env or os.environ.copy(),
                            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_sigint)


def interrupt_when_sent(proc: subprocess.Popen, server: HostileServer, prefix: str, stdin: str | None = None
                        ) -> tuple[int, str, str]:
    """SIGINT once ``server`` holds a request starting with ``prefix``; the exit, stdout, stderr."""
    if stdin is not None:
        proc.stdin.write(stdin)
        proc.stdin.close()
        proc.stdin = None  # communicate() must not flush it again
    deadline = time.monotonic() + 60
    while not any(line.startswith(prefix) for line, _, _ in server.requests):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the request never came"
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    return proc.returncode, out, err


def one_line(err: str) -> str:
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("linkdesk: interrupted: ")
    return lines[0]


def history(data_dir: Path | None = None) -> list[dict]:
    env = os.environ.copy()
    env.pop("STRIPE_API_KEY", None)
    done = subprocess.run([sys.executable, "-m", "app", "history", "--json"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_ctrl_c_while_stripe_makes_a_link_says_what_the_history_holds(stalling, monkeypatch, api):
    prefix = "POST /v1/account_links" if api == "v1" else "POST /v2/core/account_links"
    server = stalling(prefix)
    monkeypatch.setenv("STRIPE_API_KEY", SECRET)
    proc = start(["link", ACCOUNT, "--type", "account_onboarding", *URLS, "--api-base", server.url,
                  "--accounts-api", api])
    code, out, err = interrupt_when_sent(proc, server, prefix)
    assert code == 130 and out == ""
    line = one_line(err)
    assert "waiting for Stripe's answer to the link request" in line
    rows = [row for row in history() if row["account_id"] == ACCOUNT]
    # What the line says of the history is what the history holds, whatever that is.
    if rows:
        assert "is in the history" in line and "nothing was recorded" not in line
    else:
        assert "the link may exist; nothing was recorded" in line
    assert SECRET not in err


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_ctrl_c_during_an_account_look_up(stalling, monkeypatch, api):
    prefix = "GET /v1/accounts/" if api == "v1" else "GET /v2/core/accounts/"
    server = stalling(prefix)
    monkeypatch.setenv("STRIPE_API_KEY", SECRET)
    proc = start(["--accounts-api", api, "account", ACCOUNT, "--api-base", server.url])
    code, out, err = interrupt_when_sent(proc, server, prefix)
    assert code == 130 and out == ""
    assert one_line(err) == ("linkdesk: interrupted: the account look-up; "
                             "nothing was recorded (a look-up changes nothing).")


def test_ctrl_c_while_profile_add_checks_the_key_saves_nothing(stalling, tmp_path):
    server = stalling("GET /v1/account")
    key_file = tmp_path / "acme.key"
    proc = start(["--api-base", server.url, "profile", "add", "Acme", "--key-file", str(key_file)], stdin="")
    code, out, err = interrupt_when_sent(proc, server, "GET /v1/account", stdin=SECRET + "\n")
    assert code == 130 and out == ""
    assert one_line(err) == "linkdesk: interrupted: adding the profile 'Acme'; no profile was saved."
    listed = subprocess.run([sys.executable, "-m", "app", "profile", "list", "--json"], capture_output=True,
                            text=True, timeout=60)
    assert [row["name"] for row in json.loads(listed.stdout)] == ["Sandbox"]
    assert SECRET not in err


def test_ctrl_c_while_history_json_writes_into_a_full_pipe(store_with_many_rows):
    proc = start(["history", "--json"])
    assert proc.stdout.read(64)  # it has started writing; nobody reads the rest: it blocks
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert one_line(err) == ("linkdesk: interrupted: the history listing, so what was printed is incomplete; "
                             "nothing was changed.")


@pytest.fixture
def store_with_many_rows():
    """About 1 MB of history as JSON: far more than a pipe holds (64 KB on Linux)."""
    from app.clock import SystemClock
    from app.history.entry import HistoryEntry
    from app.history.store import HistoryStore

    clock = SystemClock()
    store = HistoryStore.open(Path(os.environ["LINKDESK_DATA_DIR"]), clock=clock)
    try:
        store.record_many(
            HistoryEntry(account_id=f"acct_1Interrupt{n:06d}", link_type="account_onboarding", mode="test",
                         refresh_url="https://example.com/reauth", return_url="https://example.com/return",
                         attempted_at=clock.time() - n, outcome="failed", error_code="rate_limit",
                         error_message="Too many requests " + "x" * 400, profile="sandbox")
            for n in range(2000))
    finally:
        store.close()
