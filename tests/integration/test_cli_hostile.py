"""``linkdesk`` against a hostile server over loopback (tests/hostile_server.py), and nasty input.

Each case ends with a clean message and README's exit status (1 API, 2 input), no traceback, no
hostile URL printed or stored, and a link Stripe made is always printed.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.entry import main
from hostile_server import (
    ACCOUNT,
    BAD_LINK_URLS,
    GOOD_LINK_URL,
    HostileServer,
    Reply,
    account_body,
    json_reply,
    link_body,
    raw_reply,
)

SECRET = "sk_test_51Hc7Rq2Wz9Xm4Tb6Vn0Zz9Q"
URLS = ["--refresh-url", "https://example.com/reauth", "--return-url", "https://example.com/return"]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def hostile(monkeypatch):
    """``hostile(link_reply, account_reply)``: a server answering link POSTs and account GETs."""
    monkeypatch.setenv("STRIPE_API_KEY", SECRET)
    servers: list[HostileServer] = []

    def start(link: Reply, account: Reply | None = None, on_link=None) -> list[str]:
        def script(request_line: str, headers: dict[str, str], body: bytes) -> Reply:
            if request_line.startswith("POST /v1/account_links"):
                if on_link is not None:
                    on_link()
                return link
            return account or json_reply(account_body())

        server = HostileServer(script).start()
        servers.append(server)
        return ["--api-base", server.url]

    yield start
    for server in servers:
        server.stop()


def history_json(*api: str) -> list[dict]:
    code, out, err = run("history", "--json", *api)
    assert code == 0, err
    return json.loads(out)


def stored_text(data_dir: Path) -> str:
    with sqlite3.connect(data_dir / "history.sqlite3") as conn:
        rows = conn.execute("SELECT * FROM attempts").fetchall()
    conn.close()
    return repr(rows)


@pytest.mark.parametrize("kind", ["javascript", "homoglyph (Cyrillic e)", "userinfo", "newline", "escape sequence",
                                  "other host", "object", "http"])
def test_a_link_that_is_not_a_stripe_address_is_refused_and_recorded_as_failed(hostile, tmp_path, kind):
    url = BAD_LINK_URLS[kind]
    api = hostile(json_reply(link_body(url=url), request_id="req_CliBadUrl1"))
    code, out, err = run("link", ACCOUNT, "--type", "account_onboarding", *URLS, *api)
    assert code == 1 and out == ""
    assert "not a Stripe address" in err and "req_CliBadUrl1" in err and "Traceback" not in err
    assert all(c.isprintable() for line in err.splitlines() for c in line)
    (entry,) = history_json(*api)
    assert entry["status"] == "failed" and entry["request_id"] == "req_CliBadUrl1"
    if isinstance(url, str):
        assert url not in err and url not in stored_text(Path(os.environ["LINKDESK_DATA_DIR"]))
    assert SECRET not in err + out


def test_hostile_json_for_the_link_is_an_api_error(hostile):
    api = hostile(raw_reply('{"object": "account_link", "created": NaN}' + "[" * 50_000))
    code, out, err = run("link", ACCOUNT, "--type", "account_onboarding", *URLS, *api)
    assert code == 1 and out == "" and "Traceback" not in err
    assert "not what Stripe sends" in err and "NaN" in err


@pytest.mark.parametrize("account", [
    account_body(business_profile={"name": ["a list"]}),
    account_body(created=2**63),
    account_body(email={"an": "object"}),
])
def test_a_hostile_account_answer_never_costs_the_link(hostile, account):
    api = hostile(json_reply(link_body()), json_reply(account))
    code, out, err = run("link", ACCOUNT, "--type", "account_onboarding", *URLS, *api)
    assert code == 0, err
    assert out.splitlines()[0] == GOOD_LINK_URL
    (entry,) = history_json(*api)
    assert entry["status"] != "failed" and entry["account_name"] is None


@pytest.mark.parametrize("expires_at", [2_000_000_000_0, 1_000])
def test_an_implausible_expiry_is_neither_printed_nor_stored(hostile, expires_at):
    api = hostile(json_reply(link_body(expires_at=expires_at)))
    code, out, err = run("link", ACCOUNT, "--type", "account_onboarding", *URLS, *api)
    assert code == 0, err
    assert "(300 s left)" in out or "(299 s left)" in out
    (entry,) = history_json(*api)
    assert entry["expires_at"] - entry["created"] == 300


def test_a_history_that_fails_after_the_link_is_made_is_only_a_warning(hostile):
    data_dir = Path(os.environ["LINKDESK_DATA_DIR"])

    def break_history() -> None:  # another process wrecks the database while Stripe works
        with sqlite3.connect(data_dir / "history.sqlite3", timeout=5) as conn:
            conn.execute("DROP TABLE attempts")
        conn.close()

    api = hostile(json_reply(link_body()), on_link=break_history)
    code, out, err = run("link", ACCOUNT, "--type", "account_onboarding", *URLS, *api)
    assert code == 0, err
    assert out.splitlines()[0] == GOOD_LINK_URL and out.splitlines()[1].startswith("Expires ")
    assert "warning: the link was made but is not in the history" in err and "Traceback" not in err


def test_api_error_text_reaches_the_terminal_without_control_characters(hostile):
    message = "Bad\x1b]0;pwned\x07 thing\x1b[2J\nExpires 2099-01-01 (999999 s left)"
    reply = json_reply({"error": {"type": "invalid_request_error", "message": message, "param": "account"}},
                       status=400, request_id="req_Escape001")
    code, out, err = run("link", ACCOUNT, "--type", "account_onboarding", *URLS, *hostile(reply))
    assert code == 1 and out == ""
    assert "\x1b" not in err and "\x07" not in err
    assert not any(line.startswith("Expires") for line in err.splitlines())


@pytest.mark.parametrize("command", [["link", ACCOUNT, "--type", "account_onboarding", *URLS], ["history"], []])
def test_an_empty_api_base_is_refused_with_exit_2(command, capsys):
    with pytest.raises(SystemExit) as exited:
        main([*command, "--api-base", ""] if command else ["--api-base", ""])
    assert exited.value.code == 2
    assert "--api-base" in capsys.readouterr().err


@pytest.mark.parametrize("limit", ["-5", "x", "-1"])
def test_a_negative_history_limit_is_refused_with_exit_2(limit, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["history", "--limit", limit])
    assert exited.value.code == 2
    assert "--limit" in capsys.readouterr().err


class ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_reader_that_goes_away_ends_history_quietly():
    err = io.StringIO()
    assert main(["history", "--csv"], out=ClosedPipe(), err=err) == 0
    assert err.getvalue() == ""


@pytest.mark.slow
@pytest.mark.parametrize("argv", [
    ["history", "--csv"], ["history", "--json"], ["history"],
    ["link", "acct_1LdCustomDue0001", "--type", "account_onboarding", "--json"],
    ["account", "acct_1LdCustomDue0001"], ["profile", "list"], ["--version"], ["history", "--help"],
], ids=" ".join)
def test_every_command_into_a_closed_pipe_prints_no_traceback(argv):
    """``linkdesk … | head -1``, as on a user's machine: the session's environment has no
    PYTHONUNBUFFERED (tests/conftest.py), so stdout is block-buffered and the broken pipe is
    found by the last flush, which ``main`` does itself (issue 17)."""
    assert "PYTHONUNBUFFERED" not in os.environ
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -1` after its line: every write now fails with EPIPE
    try:
        result = subprocess.run([sys.executable, "-m", "app", *argv], stdout=write_end,
                                stderr=subprocess.PIPE, timeout=60, text=True)
    finally:
        os.close(write_end)
    assert result.returncode == 0 and result.stderr == ""
