"""``linkdesk accounts sync`` against a hostile account list over loopback (tests/hostile_server.py):
odd accounts are counted as skipped, and a rate limit is named as one, with when to try again."""

from __future__ import annotations

import io
import json

import pytest

from app.cli.entry import main
from hostile_server import LIST_NOW, AccountList, HostileServer, listed_account, odd_accounts

SECRET = "sk_test_51HostileListKeyNotReal0Zz9Q"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def serve(monkeypatch):
    monkeypatch.setenv("STRIPE_API_KEY", SECRET)
    servers: list[HostileServer] = []

    def start(script) -> list[str]:
        server = HostileServer(script).start()
        servers.append(server)
        return ["--api-base", server.url]

    yield start
    for server in servers:
        server.stop()


def test_odd_accounts_are_synced_and_the_one_without_an_id_is_reported_as_skipped(serve):
    api = serve(AccountList([listed_account(n, LIST_NOW - n) for n in range(1, 196)] + odd_accounts(LIST_NOW - 300)))
    code, out, err = run("accounts", "sync", "--json", *api)
    assert code == 0, err
    result = json.loads(out)
    assert result["skipped"] == 1 and result["total"] == 200
    code, out, err = run("accounts", "search", "shop9004", "--json", *api)  # the one with a bad country
    assert code == 0 and [r["id"] for r in json.loads(out)] == ["acct_1List00000009004"]
    code, out, err = run("accounts", "sync", "--full", *api)
    assert code == 0 and "1 listed item without a usable account id left out." in out


def test_a_long_retry_after_is_named_a_rate_limit_with_the_time_of_the_next_try(serve):
    api = serve(AccountList([], mode="429", retry_after="3600"))
    code, out, err = run("accounts", "sync", *api)
    assert code == 1 and out == ""
    assert err.startswith("linkdesk: Rate limited by Stripe: it asked to wait 60 minutes")
    assert "the next try is due at " in err and "in time" not in err and "internet" not in err
    assert "kept" in err and "status: 429" in err


def test_a_wait_for_stripe_is_shown_on_stderr_with_when_the_next_try_is_due(serve):
    listed = AccountList([listed_account(n, LIST_NOW - n) for n in range(1, 31)])
    limited = AccountList([], mode="429", retry_after="3")
    calls = {"list": 0}

    def script(request_line, headers, body):
        if request_line.startswith("GET /v1/accounts"):
            calls["list"] += 1
            if calls["list"] == 1:
                return limited(request_line, headers, body)
        return listed(request_line, headers, body)

    code, out, err = run("accounts", "sync", "--json", *serve(script))
    assert code == 0, err
    assert json.loads(out)["total"] == 30
    assert "Syncing accounts: rate limited by Stripe; next try at " in err
