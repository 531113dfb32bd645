"""``linkdesk`` with a history that cannot be used: a clear message naming the file or folder,
exit 2, and nothing sent to Stripe (the sandbox's own request log says so). Real files; the
full disk is a real tmpfs (root only, skipped otherwise)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.cli.entry import main
from app.clock import SystemClock
from app.history import HistoryStore
from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY

CUSTOM = DEMO_ACCOUNTS["custom_due"]
URLS = ["--refresh-url", "https://example.com/reauth", "--return-url", "https://example.com/return"]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def keyed(logged_sandbox, monkeypatch):
    monkeypatch.setenv("STRIPE_API_KEY", DEMO_API_KEY)
    return ["--api-base", logged_sandbox.url]


def sent(sandbox) -> list[str]:
    return [line for line in sandbox.lines if "POST" in line]


def test_a_data_folder_that_is_a_file_refuses_the_link_before_sending(tmp_path, keyed, logged_sandbox):
    squatter = tmp_path / "data"
    squatter.write_text("")
    code, out, err = run("link", CUSTOM, "--type", "account_onboarding", *URLS, *keyed, "--data-dir", str(squatter))
    assert code == 2 and out == ""
    assert str(squatter) in err and "is a file" in err and "--data-dir" in err and "Traceback" not in err
    assert sent(logged_sandbox) == []


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_data_folder_that_cannot_be_created(tmp_path, keyed, logged_sandbox):
    code, out, err = run("link", CUSTOM, "--type", "account_onboarding", *URLS, *keyed, "--data-dir", "/proc/x")
    assert code == 2 and out == "" and "/proc/x" in err and "Traceback" not in err
    assert sent(logged_sandbox) == []
    assert "--data-dir (or LINKDESK_DATA_DIR)" in err and "linkdesk_data_dir" not in err  # issue 17
    code, out, err = run("history", "--data-dir", "/proc/x")
    assert code == 2 and "/proc/x" in err and "Traceback" not in err


@pytest.fixture
def read_only_view(tmp_path):
    """``tmp_path/data`` seen read-only at ``tmp_path/view`` (a read-only bind mount: root only)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a read-only file system needs root and mount(8)")
    data, view = tmp_path / "data", tmp_path / "view"
    data.mkdir(mode=0o700)
    view.mkdir()
    mounted = subprocess.run(["mount", "--bind", str(data), str(view)], capture_output=True).returncode == 0
    if not mounted or subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], capture_output=True).returncode:
        if mounted:
            subprocess.run(["umount", str(view)], capture_output=True)
        pytest.skip("cannot make a read-only bind mount here")
    yield data, view
    if subprocess.run(["umount", str(view)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(view)], capture_output=True)


def test_history_reads_a_read_only_data_folder(keyed, logged_sandbox, read_only_view):
    """Listing needs no write (issue 17): on a read-only disk ``history`` lists what is there,
    changes no byte of it, and says so once; ``link`` still refuses before sending."""
    data, view = read_only_view
    code, out, err = run("link", CUSTOM, "--type", "account_onboarding", *URLS, *keyed, "--data-dir", str(data))
    assert code == 0, err
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    for fmt in ("--json", "--csv", None):
        code, out, err = run("history", *([fmt] if fmt else []), "--data-dir", str(view))
        assert code == 0, err
        assert CUSTOM in out
        assert err == f"linkdesk: note: the history file {view / 'history.sqlite3'} cannot be written here; " \
                      "it is listed read-only, as it is.\n"
    (entry,) = __import__("json").loads(run("history", "--json", "--data-dir", str(view))[1])
    assert entry["account_id"] == CUSTOM and entry["status"] == "active"
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before
    posts = len(sent(logged_sandbox))
    code, out, err = run("link", CUSTOM, "--type", "account_onboarding", *URLS, *keyed, "--data-dir", str(view))
    assert code == 2 and "read-only" in err and len(sent(logged_sandbox)) == posts


def test_history_on_a_read_only_folder_with_no_history_says_where(read_only_view):
    data, view = read_only_view
    code, out, err = run("history", "--data-dir", str(view))
    assert code == 2 and out == ""
    assert str(view / "history.sqlite3") in err and "read-only" in err and "Traceback" not in err


def test_the_history_file_being_a_folder(tmp_path, keyed, logged_sandbox):
    (tmp_path / "data" / "history.sqlite3").mkdir(parents=True)
    code, out, err = run("link", CUSTOM, "--type", "account_onboarding", *URLS, *keyed,
                         "--data-dir", str(tmp_path / "data"))
    assert code == 2 and "is a folder" in err and sent(logged_sandbox) == []


@pytest.mark.slow
def test_a_full_disk_refuses_the_link_before_sending(tmp_path, keyed, logged_sandbox):
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a real full file system needs root and mount(8)")
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        # Another instance has the history open (its -wal and -shm exist), so opening it here
        # still works on the full disk: the check before sending is what refuses.
        other = HistoryStore.open(disk / "data", clock=SystemClock())
        with open(disk / "filler", "wb") as filler:
            try:
                while True:
                    filler.write(b"\0" * 65536)
                    filler.flush()
            except OSError:
                pass
        code, out, err = run("link", CUSTOM, "--type", "account_onboarding", *URLS, *keyed,
                             "--data-dir", str(disk / "data"))
        assert code == 2 and out == ""
        assert "disk is full" in err and str(disk / "data" / "history.sqlite3") in err
        assert sent(logged_sandbox) == []
        other.close()
    finally:
        if subprocess.run(["umount", str(disk)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(disk)], capture_output=True)
