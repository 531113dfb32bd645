"""A server that echoes the caller's key in pieces (tests/hostile_server.py ``KeyEcho``) gets no
run of 8 of its characters onto stderr, stdout, the history, its CSV or JSON export, the account
directory or any file, for every command that talks to it: ``link`` (v1 and v2), ``account``,
``accounts sync``/``search`` and ``profile add`` (issue 18, point 2). Real HTTP on 127.0.0.1."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from app.cli.entry import main
from hostile_server import ACCOUNT, HostileServer, KeyEcho, leaked_runs

SECRET = "sk_test_51" + "AtkKey0000Qz7Rw2Xp9Lm4Nb6Vc8Tj3Hs5Gd1Fk" + "atk1"
URLS = ["--refresh-url", "https://example.com/reauth", "--return-url", "https://example.com/return"]


class Stdin(io.StringIO):
    def isatty(self) -> bool:
        return False


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def echo(monkeypatch):
    """``echo(ok=…)``: a KeyEcho server; the key is set as STRIPE_API_KEY; returns --api-base."""
    servers: list[HostileServer] = []

    def start(**options) -> list[str]:
        server = HostileServer(KeyEcho(**options)).start()
        servers.append(server)
        return ["--api-base", server.url]

    monkeypatch.setenv("STRIPE_API_KEY", SECRET)
    yield start
    for server in servers:
        server.stop()


def files_text(*roots: str | os.PathLike) -> str:
    """Every byte of every file under ``roots`` (SQLite files, WAL and all), as text."""
    chunks = []
    for root in roots:
        for path in sorted(Path(root).rglob("*")):
            if path.is_file():
                chunks.append(path.read_bytes().decode("latin-1"))
    return "\n".join(chunks)


def assert_no_leak(*texts: str) -> None:
    for text in texts:
        assert leaked_runs(SECRET, text) == [], text[:500]


def exports(api: list[str]) -> tuple[str, str]:
    code, as_json, err = run("history", "--json", *api)
    assert code == 0, err
    code, as_csv, err = run("history", "--csv", *api)
    assert code == 0, err
    return as_json, as_csv


def test_the_servers_message_really_holds_the_key_in_pieces():
    from hostile_server import key_pieces_message

    quoted = key_pieces_message(SECRET)
    assert "sk_test_51 AtkKey0000" in quoted and leaked_runs(SECRET, quoted)


@pytest.mark.parametrize("api_version", ["v1", "v2"])
def test_link_error_echoing_the_key(echo, tmp_path, api_version):
    api = echo()
    code, out, err = run("link", ACCOUNT, "--type", "account_onboarding", *URLS, "--accounts-api", api_version, *api)
    assert code == 1 and out == "" and "Traceback" not in err
    assert "No such key sk_test_51 …atk1" in err  # the message is still shown, its key is not
    as_json, as_csv = exports(api)
    assert '"failed"' in as_json and "No such key" in as_json and "No such key" in as_csv
    assert_no_leak(err, as_json, as_csv, files_text(os.environ["LINKDESK_DATA_DIR"]))


def test_account_error_and_answer_echoing_the_key(echo):
    code, out, err = run("account", ACCOUNT, *echo())
    assert code == 1 and "No such key" in err
    assert_no_leak(out, err)
    code, out, err = run("account", ACCOUNT, "--json", *echo(ok=frozenset({"account"})))
    assert code == 0, err
    shown = json.dumps(json.loads(out), ensure_ascii=False)
    assert "No such key sk_test_51 …atk1" in shown  # the name, as the server sent it, less the key
    assert_no_leak(out, err, files_text(os.environ["LINKDESK_DATA_DIR"]))


def test_v2_account_error_echoing_the_key(echo):
    code, out, err = run("account", ACCOUNT, "--accounts-api", "v2", *echo())
    assert code == 1 and "No such key" in err
    assert_no_leak(out, err)


def test_accounts_sync_error_and_pages_echoing_the_key(echo, tmp_path):
    code, out, err = run("accounts", "sync", *echo())
    assert code == 1 and "No such key" in err
    assert_no_leak(out, err)
    api = echo(ok=frozenset({"accounts"}))
    code, out, err = run("accounts", "sync", "--json", *api)
    assert code == 0, err
    code, found, err = run("accounts", "search", "such key", "--json", *api)
    assert code == 0 and "acct_1KeyEcho" in found, err
    assert_no_leak(out, err, found, files_text(os.environ["LINKDESK_DATA_DIR"], os.environ["XDG_CONFIG_HOME"]))


@pytest.mark.parametrize("ok", [frozenset(), frozenset({"account"})])
def test_profile_add_key_check_echoing_the_key(echo, monkeypatch, tmp_path, fail_keyring_or_none, ok):
    monkeypatch.delenv("STRIPE_API_KEY")
    api = echo(ok=ok)
    monkeypatch.setattr("sys.stdin", Stdin(SECRET + "\n"))
    key_file = tmp_path / "echo.key"
    code, out, err = run("profile", "add", "Echo", "--key-file", str(key_file), *api)
    assert code == 1 and "the key was not saved" in err and out == ""
    assert not key_file.exists()
    assert_no_leak(out, err, files_text(os.environ["XDG_CONFIG_HOME"]))


@pytest.fixture
def fail_keyring_or_none():
    """No keyring here (keyring's fail backend): --key-file is the way to add a key."""
    import keyring
    import keyring.backends.fail

    before = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(before)
