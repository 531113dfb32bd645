"""``linkdesk accounts sync`` and ``linkdesk accounts search`` against a sandbox over loopback."""

from __future__ import annotations

import io
import json
import os

import pytest

from app.cli.entry import main
from app.sandbox import DEMO_API_KEY


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def keyed(make_sandbox, monkeypatch):
    sandbox = make_sandbox(synthetic_accounts=300)
    monkeypatch.setenv("STRIPE_API_KEY", DEMO_API_KEY)
    return ["--api-base", sandbox.url]


def test_sync_prints_counts_and_time_then_search_finds_by_words_and_accents(keyed):
    code, out, err = run("accounts", "sync", *keyed)
    assert code == 0, err
    assert out.startswith("Full sync: fetched ") and "(314 new, 0 updated) in " in out
    assert out.rstrip().endswith("the index holds 314.")
    assert err == ""  # not a terminal: no progress line
    code, out, err = run("accounts", "search", "harb bak", *keyed)
    assert code == 0 and out.splitlines()[0].startswith("acct_1LdCustomDue0001  Harbor Street Bakery  ")
    assert "charges on  3 due by " in out.splitlines()[0]
    code, out, _ = run("accounts", "search", "CAFE", "--limit", "3", "--json", *keyed)
    found = json.loads(out)
    assert code == 0 and 1 <= len(found) <= 3
    assert all("café" in (r["name"] or "").casefold() for r in found)
    assert set(found[0]) == {"id", "name", "email", "country", "charges_enabled", "payouts_enabled",
                             "currently_due", "deadline"}


def test_second_sync_is_incremental_and_json(keyed):
    assert run("accounts", "sync", *keyed)[0] == 0
    code, out, err = run("accounts", "sync", "--json", *keyed)
    result = json.loads(out)
    assert code == 0 and result["full"] is False and result["new"] == 0 and result["requests"] == 1
    code, out, err = run("accounts", "sync", "--full", "--json", *keyed)
    assert json.loads(out)["full"] is True and json.loads(out)["total"] == 314


def test_search_without_an_index_says_to_sync_and_sends_nothing(keyed):
    code, out, err = run("accounts", "search", "harbor", *keyed)
    assert (code, out) == (1, "") and "run `linkdesk accounts sync` first" in err


@pytest.mark.parametrize("argv, field", [(["x", "--limit", "0"], "limit"), (["  "], "query")])
def test_bad_search_input_names_the_field(keyed, argv, field):
    code, _, err = run("accounts", "search", *argv, *keyed)
    assert code == 2 and f"invalid {field}" in err


def test_names_from_the_network_cannot_reach_the_terminal_raw(keyed, make_sandbox, monkeypatch):
    import dataclasses

    from app.sandbox.seed import DEMO_SPECS

    sandbox = make_sandbox(demo=False)
    sandbox.add_account(dataclasses.replace(DEMO_SPECS["custom_due"], id="acct_1Evil000000001",
                                            name="Evil\x1b]0;pwned\x07 Bakery", metadata={}))
    monkeypatch.setenv("STRIPE_API_KEY", DEMO_API_KEY)
    assert run("accounts", "sync", "--api-base", sandbox.url)[0] == 0
    code, out, _ = run("accounts", "search", "evil", "--api-base", sandbox.url)
    assert code == 0 and "acct_1Evil000000001" in out and "\x1b" not in out and "\x07" not in out


def test_index_files_are_private_and_never_named_after_the_key(keyed, tmp_path):
    assert run("accounts", "sync", *keyed)[0] == 0
    data = tmp_path / "linkdesk-data" / "directory"
    files = list(data.glob("accounts-*.sqlite3"))
    assert len(files) == 1 and DEMO_API_KEY[8:] not in files[0].name
    assert oct(os.stat(files[0]).st_mode & 0o777) == "0o600"
    assert DEMO_API_KEY.encode() not in files[0].read_bytes()


def test_progress_is_drawn_on_a_terminal_only():
    from app.cli.accounts import _TerminalProgress
    from app.directory.sync import SyncProgress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, piped = Terminal(), io.StringIO()
    for stream in (terminal, piped):
        progress = _TerminalProgress(stream)
        progress(SyncProgress(1_200, 10_000, "windows"))
        progress.done()
    assert "\r\x1b[KSyncing accounts: 1,200 of about 10,000 (windows)" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\x1b[K") and piped.getvalue() == ""


@pytest.mark.slow
def test_ctrl_c_leaves_a_sync_that_the_next_one_resumes(make_sandbox, tmp_path, monkeypatch):
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    # Enough pages (61 at the limiter's 20/s: about 3 s) that the interrupt always lands mid-sync,
    # however loaded the machine: it is sent as soon as the first pages are in the index.
    sandbox = make_sandbox(synthetic_accounts=6_000, latency=0.05, clock=time.time)
    env = {**os.environ, "STRIPE_API_KEY": DEMO_API_KEY, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    # A shell's background job inherits SIGINT ignored, and Python then never raises
    # KeyboardInterrupt: the child gets the default back, as a terminal's Ctrl-C would find it.
    child = subprocess.Popen([sys.executable, "-m", "app", "accounts", "sync", "--api-base", sandbox.url],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    folder = tmp_path / "linkdesk-data" / "directory"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (list(folder.glob("*.sqlite3")) and child.poll() is None
                                               and list(folder.glob("*.sqlite3"))[0].stat().st_size > 100_000):
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    assert child.returncode == 130 and "sync interrupted; run it again" in err and out == ""
    import sqlite3

    with sqlite3.connect(list(folder.glob("*.sqlite3"))[0]) as conn:
        had = conn.execute("SELECT count(*) FROM accounts").fetchall()[0][0]
    conn.close()
    assert 0 < had < 6_014
    monkeypatch.setenv("STRIPE_API_KEY", DEMO_API_KEY)
    code, out, err = run("accounts", "sync", "--json", "--api-base", sandbox.url)
    result = json.loads(out)
    assert code == 0 and result["resumed"] is True and result["total"] == 6_014
    # Only the pages the first run had not written (a partial last page per window, the tail).
    assert result["requests"] <= -(-(6_014 - had) // 100) + 12
