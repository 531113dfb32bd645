"""``linkdesk accounts sync`` and ``linkdesk accounts search`` against a sandbox over loopback."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

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
    assert re.fullmatch(r"Full sync done in \d+\.\d s: 314 new accounts\. The index holds 314 accounts\.\n", out)
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


def test_the_summary_says_what_changed_and_what_the_index_holds(make_sandbox, monkeypatch):
    """Not "fetched 16 accounts (14 new)... the index holds 14" (issue 17): records read twice
    where pages overlap are no news to the operator; what changed is."""
    sandbox = make_sandbox()
    monkeypatch.setenv("STRIPE_API_KEY", DEMO_API_KEY)
    code, out, _ = run("accounts", "sync", "--api-base", sandbox.url)
    assert code == 0 and re.fullmatch(r"Full sync done in \d+\.\d s: 14 new accounts\. The index holds 14 accounts\.\n", out)
    assert "fetched" not in out
    code, out, _ = run("accounts", "sync", "--api-base", sandbox.url)
    assert re.fullmatch(r"Sync done in \d+\.\d s: no new or changed accounts\. The index holds 14 accounts\.\n", out)
    sandbox.update_account("acct_1LdExpressNew001", details_submitted=True)
    code, out, _ = run("accounts", "sync", "--full", "--api-base", sandbox.url)
    assert re.fullmatch(r"Full sync done in \d+\.\d s: 1 account updated\. The index holds 14 accounts\.\n", out)
    code, out, _ = run("accounts", "sync", "--full", "--json", "--api-base", sandbox.url)
    assert json.loads(out)["fetched"] >= 14  # the records read stay in --json


def test_search_by_any_prefix_of_an_id(keyed):
    assert run("accounts", "sync", *keyed)[0] == 0
    for prefix in ("acct_", "ACCT_1", "acct_1Ld"):
        code, out, err = run("accounts", "search", prefix, "--limit", "1000", "--json", *keyed)
        ids = [r["id"] for r in json.loads(out)]
        expected = 314 if prefix.lower() != "acct_1ld" else 14
        assert code == 0 and len(ids) == expected and all(i.lower().startswith(prefix.lower()) for i in ids), prefix
    code, out, _ = run("accounts", "search", "acct_", *keyed)
    assert code == 0 and len(out.splitlines()) == 10
    code, out, _ = run("accounts", "search", " acct_1LdCustomDue0001 ", *keyed)  # a whole pasted id
    assert code == 0 and out.splitlines()[0].startswith("acct_1LdCustomDue0001  Harbor Street Bakery  ")


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` and all below it read-only: by permissions for a normal user, by a read-only
    bind mount for root (whom permissions do not stop). Skips the test where neither works."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
        for path in modes:
            path.chmod(modes[path] & ~0o222)
        try:
            yield
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    if not shutil.which("mount"):
        pytest.skip("a read-only folder for root needs mount(8)")
    if subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode != 0:
        pytest.skip("cannot bind-mount here")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("cannot make a read-only bind mount here")
        yield
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_read_only_data_folder_still_searches_and_sync_names_the_folder(keyed, tmp_path, logged_sandbox):
    data = tmp_path / "linkdesk-data"
    assert run("accounts", "sync", *keyed)[0] == 0
    index = next((data / "directory").glob("accounts-*.sqlite3"))
    assert not index.with_name(index.name + "-wal").exists()  # closed cleanly: nothing beside it
    urls = ["--api-base", logged_sandbox.url]
    with read_only(data):
        code, out, err = run("accounts", "search", "harb bak", *keyed)  # it only reads: it works
        assert (code, err) == (0, "") and out.startswith("acct_1LdCustomDue0001  Harbor Street Bakery  ")
        code, out, err = run("accounts", "search", "zzz nothing", *keyed)
        assert code == 0 and out.startswith("No account matches")
        for argv in (["accounts", "sync", *urls], ["accounts", "sync", "--full", "--json", *urls]):
            code, out, err = run(*argv)
            assert code == 2 and out == "", argv  # like every other data folder problem
            assert f"Cannot write the account index {data / 'directory'}" in err, err
            assert ("read-only" in err or "permission denied" in err) and "--data-dir" in err
            assert "unable to open database file" not in err and "Traceback" not in err
        assert logged_sandbox.lines == []  # refused before anything was sent
        assert sorted(p.name for p in (data / "directory").iterdir()) == [index.name]  # nothing written
    assert run("accounts", "sync", *urls)[0] == 0  # writable again: all is well


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
    assert child.returncode == 130 and out == ""
    assert err == "linkdesk: sync interrupted; run it again to continue where it stopped.\n"  # no "\ufffd" (issue 17)
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


@pytest.mark.slow
def test_ctrl_c_on_a_terminal_ends_the_progress_line_with_a_plain_newline(make_sandbox, tmp_path):
    """On a terminal the message starts on a line of its own, after the echoed "^C", and the
    newline reaches the terminal as a newline (it went through the output cleaner, which
    printed a replacement character, ef bf bd, in its place)."""
    import pty
    import signal
    import subprocess
    import sys
    import threading
    import time
    from pathlib import Path

    sandbox = make_sandbox(synthetic_accounts=6_000, latency=0.05, clock=time.time)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(STRIPE_API_KEY=DEMO_API_KEY, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    controller, terminal = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "app", "accounts", "sync", "--api-base", sandbox.url],
                             env=env, stdout=subprocess.PIPE, stderr=terminal,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    os.close(terminal)
    shown = bytearray()

    def read() -> None:
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the child closed its end
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and b"Syncing accounts: " not in shown and child.poll() is None:
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    out, _ = child.communicate(timeout=30)
    reader.join(10)
    os.close(controller)
    assert child.returncode == 130 and out == b""
    assert b"Syncing accounts: " in shown  # the progress line was drawn, then interrupted
    assert b"\xef\xbf\xbd" not in shown
    text = bytes(shown).decode().replace("\r\n", "\n")
    assert text.endswith("\nlinkdesk: sync interrupted; run it again to continue where it stopped.\n")
