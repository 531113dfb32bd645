"""``linkdesk link/account --accounts-api v2`` against the sandbox over real loopback HTTP."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest

from app.cli.entry import main
from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY

CUSTOM = DEMO_ACCOUNTS["custom_due"]
EXPRESS = DEMO_ACCOUNTS["express_new"]
REFRESH = ["--refresh-url", "https://example.com/reauth"]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def keyed(logged_sandbox, monkeypatch):
    monkeypatch.setenv("STRIPE_API_KEY", DEMO_API_KEY)
    return ["--api-base", logged_sandbox.url]


def rows(tmp_path) -> list[sqlite3.Row]:
    with sqlite3.connect(tmp_path / "linkdesk-data" / "history.sqlite3") as conn:
        conn.row_factory = sqlite3.Row
        found = conn.execute("SELECT * FROM attempts ORDER BY id").fetchall()
    conn.close()
    return found


def test_link_v2_prints_url_expiry_and_what_it_covers(keyed, logged_sandbox, tmp_path):
    code, out, err = run("link", CUSTOM, "--type", "account_onboarding", *REFRESH, "--accounts-api", "v2", *keyed)
    assert code == 0, err
    url, expiry, covers = out.splitlines()[:3]
    assert url.startswith(f"https://accounts.stripe.com/r/{CUSTOM}#alu_test_")
    assert "(600 s left)" in expiry or "(599 s left)" in expiry
    assert covers == "Accounts v2 link; covers: Merchant"
    assert sum("POST /v2/core/account_links" in line for line in logged_sandbox.lines) == 1
    assert not any("/v1/account_links" in line for line in logged_sandbox.lines)
    (row,) = rows(tmp_path)
    assert row["outcome"] == "created" and row["link_type"] == "account_onboarding" and row["return_url"] == ""
    assert row["account_name"] == "Harbor Street Bakery"


def test_environment_variable_chooses_v2_and_json_says_so(keyed, monkeypatch):
    monkeypatch.setenv("LINKDESK_ACCOUNTS_API", "v2")
    code, out, _ = run("link", CUSTOM, "--type", "account_update", *REFRESH, "--return-url", "https://example.com/r",
                       "--fields", "eventually_due", "--json", *keyed)
    assert code == 0
    data = json.loads(out)
    assert data["object"] == "v2.core.account_link" and data["accounts_api"] == "v2"
    assert data["use_case"]["type"] == "account_update"
    assert data["use_case"]["account_update"]["collection_options"]["fields"] == "eventually_due"
    assert data["created"].endswith("Z") and data["request_id"].startswith("req_")


def test_v2_refusal_is_reported_with_request_id_and_recorded(keyed, tmp_path):
    code, _, err = run("link", EXPRESS, "--type", "account_update", *REFRESH, "--accounts-api", "v2", *keyed)
    assert code == 1
    assert "onboarding link" in err and "request id: req_" in err
    (row,) = rows(tmp_path)
    assert row["outcome"] == "failed" and row["request_id"].startswith("req_")


def test_v2_retries_a_server_fault(keyed, logged_sandbox):
    logged_sandbox.inject_fault("500", 1, path="/v2/core/account_links")
    code, out, err = run("link", CUSTOM, "--type", "account_onboarding", *REFRESH, "--accounts-api", "v2", *keyed)
    assert code == 0, err
    assert sum("POST /v2/core/account_links" in line for line in logged_sandbox.lines) == 2


def test_v1_still_needs_a_return_url_and_bad_api_values_are_refused(keyed, logged_sandbox, monkeypatch):
    code, _, err = run("link", CUSTOM, "--type", "account_onboarding", *REFRESH, *keyed)
    assert code == 2 and "return_url" in err
    monkeypatch.setenv("LINKDESK_ACCOUNTS_API", "v3")
    code, _, err = run("account", CUSTOM, *keyed)
    assert code == 2 and "LINKDESK_ACCOUNTS_API" in err
    assert not any("/account" in line for line in logged_sandbox.lines)  # nothing was sent


def test_account_v2_in_plain_words(keyed):
    code, out, err = run("account", DEMO_ACCOUNTS["custom_pastdue"], "--accounts-api", "v2", *keyed)
    assert code == 0, err
    assert out.splitlines()[0] == f"Copper Kettle Catering  ({DEMO_ACCOUNTS['custom_pastdue']})"
    assert "Configurations: Merchant" in out and "Update links: allowed" in out
    assert "Past due" in out and "Bank account for payouts [external_account]" in out
    code, out, _ = run("account", EXPRESS, "--accounts-api", "v2", "--json", *keyed)
    data = json.loads(out)
    assert data["accounts_api"] == "v2" and data["allows_account_update"] is False
    assert data["applied_configurations"] == ["recipient"]


def test_history_json_csv_and_table_say_which_api_made_each_link(keyed, tmp_path):
    code, _, err = run("link", CUSTOM, "--type", "account_onboarding", *REFRESH, "--accounts-api", "v2", *keyed)
    assert code == 0, err
    code, _, err = run("link", CUSTOM, "--type", "account_onboarding", *REFRESH,
                       "--return-url", "https://example.com/r", *keyed)
    assert code == 0, err
    code, _, _ = run("link", EXPRESS, "--type", "account_update", *REFRESH, "--accounts-api", "v2", *keyed)
    assert code == 1  # refused by Stripe: recorded as a v2 attempt all the same
    code, out, err = run("history", "--json")
    assert code == 0, err
    failed, v1, v2 = json.loads(out)
    assert (v2["accounts_api"], v2["configurations"], v2["status"]) == ("v2", "merchant", "active")
    assert (v1["accounts_api"], v1["configurations"]) == ("v1", None)
    assert (failed["accounts_api"], failed["status"]) == ("v2", "failed")
    assert all("onboarding_outcome" in e and "url" not in e for e in (failed, v1, v2))
    code, out, _ = run("history", "--csv")
    header, *lines = out.splitlines()
    columns = header.split(",")
    assert "accounts_api" in columns and "configurations" in columns and "onboarding_outcome" in columns
    assert [line.split(",")[columns.index("accounts_api")] for line in lines] == ["v2", "v1", "v2"]
    code, out, _ = run("history")
    assert "onboarding (v2)" in out and "update (v2)" in out
