"""The ``linkdesk`` command against the built-in sandbox over real loopback HTTP."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__
from app.cli.entry import main
from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY

CUSTOM = DEMO_ACCOUNTS["custom_due"]
EXPRESS = DEMO_ACCOUNTS["express_new"]
URLS = ["--refresh-url", "https://example.com/reauth", "--return-url", "https://example.com/return"]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def seen(logged_sandbox):
    return logged_sandbox


@pytest.fixture
def keyed(seen, monkeypatch):
    """The CLI pointed at a sandbox with its key, as a user would with --api-base."""
    monkeypatch.setenv("STRIPE_API_KEY", DEMO_API_KEY)
    return ["--api-base", seen.url]


def history_rows(data_dir: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(data_dir / "history.sqlite3") as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT * FROM attempts ORDER BY id").fetchall()
    conn.close()
    return rows


def test_link_prints_url_expiry_and_seconds_left(keyed, seen):
    code, out, err = run("link", CUSTOM, "--type", "account_onboarding", *URLS, *keyed)
    assert code == 0, err
    url, expiry = out.splitlines()[:2]
    assert url.startswith("https://connect.stripe.com/setup/") and CUSTOM in url
    assert expiry.startswith("Expires ")
    assert "(300 s left)" in expiry or "(299 s left)" in expiry
    assert sum("POST /v1/account_links" in line for line in seen.lines) == 1


def test_link_json_has_api_fields_and_request_id(keyed):
    code, out, _ = run("link", f"  {CUSTOM} ", "--type", "account_update", "--fields", "eventually_due",
                       "--future-requirements", "include", "--json", *URLS, *keyed)
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"object", "created", "expires_at", "url", "request_id"}
    assert data["object"] == "account_link"
    assert data["expires_at"] - data["created"] == 300
    assert data["request_id"].startswith("req_")


def test_link_qr_draws_in_terminal(keyed):
    code, out, _ = run("link", CUSTOM, "--type", "account_onboarding", "--qr", *URLS, *keyed)
    assert code == 0
    assert len(out.splitlines()) > 15  # URL, expiry, then the code's rows
    assert any(ch in out for ch in "█▀▄")


def test_pasted_dashboard_url_is_reduced_to_the_id(keyed):
    pasted = f"https://dashboard.stripe.com/test/connect/accounts/{CUSTOM}/activity"
    code, out, _ = run("link", pasted, "--type", "account_onboarding", "--json", *URLS, *keyed)
    assert code == 0
    assert CUSTOM in json.loads(out)["url"]


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["link", "acct_bad-id", "--type", "account_onboarding", *URLS], "account"),
        (["link", CUSTOM, "--type", "account_onboarding", "--refresh-url", "not a url",
          "--return-url", "https://example.com/r"], "refresh_url"),
        (["link", CUSTOM, "--type", "account_onboarding", "--refresh-url", "https://example.com/r",
          "--return-url", "ftp://example.com/r"], "return_url"),
    ],
)
def test_invalid_input_exits_2_names_the_field_and_sends_nothing(keyed, seen, argv, field):
    code, out, err = run(*argv, *keyed)
    assert code == 2
    assert field in err
    assert out == ""
    assert seen.lines == []


def test_api_error_exits_1_with_plain_message_code_and_request_id(keyed):
    code, out, err = run("link", EXPRESS, "--type", "account_update", *URLS, *keyed)
    assert code == 1
    assert out == ""
    assert "account_onboarding" in err  # the fix: make an onboarding link instead
    assert "request id: req_" in err


def test_bad_key_is_an_api_error_without_the_key(sandbox, monkeypatch):
    secret = "sk_live_the_sandbox_refuses_live_keys_1234"
    monkeypatch.setenv("STRIPE_API_KEY", secret)
    code, _, err = run("account", CUSTOM, "--api-base", sandbox.url)
    assert code == 1
    assert secret not in err
    assert "status: 401" in err


def test_account_summary_and_json(keyed):
    code, out, _ = run("account", CUSTOM, *keyed)
    assert code == 0
    assert "Harbor Street Bakery" in out
    assert "Bank account for payouts [external_account]" in out
    assert "Update links: allowed" in out
    # the window's verdict line, second, and what to have ready for the call
    lines = out.splitlines()
    assert lines[1].startswith("3 items due by ") and lines[1].endswith("an onboarding link collects them")
    assert "Have ready for Harbor Street Bakery:" in lines and "  - Company tax ID" in lines
    code, out, _ = run("account", EXPRESS, "--json", *keyed)
    assert code == 0
    data = json.loads(out)
    assert data["id"] == EXPRESS and data["allows_account_update"] is False
    assert data["controller"]["stripe_dashboard_type"] == "express"


def test_sandbox_flag_runs_without_a_key(monkeypatch):
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    code, out, _ = run("link", CUSTOM, "--type", "account_onboarding", "--json", "--sandbox", *URLS)
    assert code == 0
    assert json.loads(out)["url"].startswith("https://connect.stripe.com/")


def test_every_attempt_lands_in_history_and_the_history_command(keyed, tmp_path):
    data_dir = tmp_path / "data"
    assert run("link", CUSTOM, "--type", "account_onboarding", *URLS, *keyed, "--data-dir", str(data_dir))[0] == 0
    assert run("link", EXPRESS, "--type", "account_update", *URLS, *keyed, "--data-dir", str(data_dir))[0] == 1
    rows = history_rows(data_dir)
    assert [(r["account_id"], r["outcome"]) for r in rows] == [(CUSTOM, "created"), (EXPRESS, "failed")]
    assert rows[1]["request_id"].startswith("req_")
    code, out, _ = run("history", "--json", "--data-dir", str(data_dir))
    listed = json.loads(out)
    assert code == 0 and {e["account_id"] for e in listed} == {CUSTOM, EXPRESS}
    assert "url" not in listed[0]
    code, out, _ = run("history", "--csv", "--account", EXPRESS, "--data-dir", str(data_dir))
    assert code == 0 and EXPRESS in out and CUSTOM not in out and "https://connect" not in out


def test_history_json_says_which_link_replaced_which(keyed, tmp_path):
    from app.clock import SystemClock
    from app.history import HistoryStore

    data_dir = tmp_path / "data"
    for _ in range(2):
        assert run("link", CUSTOM, "--type", "account_onboarding", *URLS, *keyed, "--data-dir", str(data_dir))[0] == 0
    with HistoryStore.open(data_dir, clock=SystemClock()) as store:  # as the window records a replacement
        new, old = store.query()
        store.set_replaced_by(old.id, new.id)
    code, out, _ = run("history", "--json", "--data-dir", str(data_dir))
    listed = {e["id"]: e for e in json.loads(out)}
    assert code == 0 and listed[old.id]["replaced_by"] == new.id and listed[new.id]["replaced_by"] is None


def test_version():
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"], out=io.StringIO(), err=io.StringIO())
    assert exit_info.value.code == 0


@pytest.mark.slow
def test_sigkill_right_after_printing_a_link_leaves_its_row(sandbox, tmp_path):
    """The row is committed before the URL is printed, so killing the process then loses nothing."""
    data_dir = tmp_path / "data"
    env = {**os.environ, "STRIPE_API_KEY": DEMO_API_KEY, "LINKDESK_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "link", CUSTOM, "--type", "account_onboarding", *URLS,
         "--api-base", sandbox.url, "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )
    try:
        printed = json.loads(proc.stdout.readline())
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert printed["url"].startswith("https://connect.stripe.com/")
    rows = history_rows(data_dir)
    assert len(rows) == 1
    assert rows[0]["account_id"] == CUSTOM and rows[0]["outcome"] == "created"
    assert rows[0]["request_id"] == printed["request_id"]
    assert rows[0]["expires_at"] == printed["expires_at"]


def test_version_string_matches_package(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"linkdesk {__version__}"


def test_cli_retries_a_passing_fault_and_reports_a_lasting_one(keyed, seen):
    seen.inject_fault("500", 1, method="POST")
    code, out, _ = run("link", CUSTOM, "--type", "account_onboarding", "--json", *URLS, *keyed)
    assert code == 0 and json.loads(out)["object"] == "account_link"
    seen.inject_fault("502_html", 3, method="POST")  # the first try and both retries
    code, out, err = run("link", CUSTOM, "--type", "account_onboarding", *URLS, *keyed)
    assert code == 1 and out == ""
    assert "status: 502" in err and "Traceback" not in err


def test_cli_honours_the_preference_not_to_store_urls(keyed, tmp_path):
    from app.paths import AppPaths
    from app.preferences import Preferences

    Preferences(store_urls=False).save(AppPaths.resolve().preferences_file)
    data_dir = tmp_path / "data"
    code, out, _ = run("link", CUSTOM, "--type", "account_onboarding", *URLS, *keyed, "--data-dir", str(data_dir))
    assert code == 0 and out.startswith("https://")
    rows = history_rows(data_dir)
    assert len(rows) == 1 and rows[0]["outcome"] == "created" and rows[0]["url"] is None


def test_history_row_has_the_accounts_name_and_no_url_once_the_command_ends(keyed, tmp_path):
    data_dir = tmp_path / "data"
    code, out, _ = run("link", CUSTOM, "--type", "account_onboarding", *URLS, *keyed, "--data-dir", str(data_dir))
    assert code == 0
    row = history_rows(data_dir)[0]
    assert row["account_name"] == "Harbor Street Bakery"
    # Nothing would erase the URL at expiry once this process is gone, so it is erased now.
    assert row["url"] is None
    assert out.splitlines()[0].encode() not in b"".join(p.read_bytes() for p in data_dir.iterdir())


@pytest.mark.parametrize("kind", ["500", "502_html", "429", "drop", "truncate", "timeout"])
def test_cli_survives_each_passing_fault(keyed, seen, kind):
    options = {"delay": 0.3} if kind == "timeout" else {}  # a slow answer, within the timeout
    seen.inject_fault(kind, 1, method="POST", **options)
    code, out, err = run("link", CUSTOM, "--type", "account_onboarding", "--json", *URLS, *keyed)
    assert code == 0, err
    assert json.loads(out)["object"] == "account_link"


def test_unreadable_history_is_a_clear_error_not_a_traceback(keyed, tmp_path):
    import sqlite3 as sq

    data_dir = tmp_path / "data"
    assert run("link", CUSTOM, "--type", "account_onboarding", *URLS, *keyed, "--data-dir", str(data_dir))[0] == 0
    conn = sq.connect(data_dir / "history.sqlite3")
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    code, out, err = run("link", CUSTOM, "--type", "account_onboarding", *URLS, *keyed, "--data-dir", str(data_dir))
    assert code == 1 and out == ""
    assert "newer version of Linkdesk" in err and "Traceback" not in err


def test_damaged_history_is_moved_aside_and_the_user_told(keyed, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "history.sqlite3").write_bytes(b"this is not a database" * 100)
    code, _, err = run("link", CUSTOM, "--type", "account_onboarding", *URLS, *keyed, "--data-dir", str(data_dir))
    assert code == 0
    assert "history file was damaged" in err
    assert any(p.name.startswith("history.sqlite3.corrupt-") for p in data_dir.iterdir())


@pytest.mark.parametrize("prefix", [[], ["--data-dir", "somewhere"]])
def test_sandbox_subcommand_hands_its_options_to_the_sandbox(prefix, capsys):
    with pytest.raises(SystemExit) as info:
        main([*prefix, "sandbox", "--help"])
    assert info.value.code == 0
    assert "--rate-limit" in capsys.readouterr().out


def test_opening_the_window_loads_nothing_the_first_paint_does_not_need():
    """With no subcommand, only the global options are parsed before the window opens: no
    httpx, no asyncio, no history or Stripe modules (bench/ui_latency.py (a) depends on it)."""
    probe = (
        "import sys, app.cli.entry as cli\n"
        "def fake_window(args):\n"
        "    heavy = ('httpx', 'asyncio', 'sqlite3', 'app.history', 'app.stripe', 'app.sandbox')\n"
        "    print(args.sandbox, args.data_dir, sorted(m for m in sys.modules if m.startswith(heavy)))\n"
        "    return 0\n"
        "cli._open_window = fake_window\n"
        "raise SystemExit(cli.main(['--sandbox', '--data-dir', 'd']))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True d []"


def test_one_link_loads_no_other_command_and_no_sandbox_server(seen, tmp_path):
    """``linkdesk link`` builds only its own parser and needs the sandbox's demo key at most:
    the other commands' modules and the sandbox's server are never imported (bench/startup.py (b))."""
    probe = (
        "import sys, app.cli.entry as cli\n"
        f"code = cli.main(['link', {CUSTOM!r}, '--type', 'account_onboarding', *{URLS!r},\n"
        f"                 '--api-base', {seen.url!r}, '--data-dir', {str(tmp_path / 'data')!r}, '--json'])\n"
        "others = ('app.cli.history', 'app.cli.account', 'app.cli.accounts', 'app.cli.profile',\n"
        "          'app.cli.sandbox', 'app.sandbox.server', 'app.sandbox.api', 'app.directory')\n"
        "print(code, sorted(m for m in sys.modules if m in others or m.startswith('app.directory')), file=sys.stderr)\n"
    )
    env = dict(os.environ, STRIPE_API_KEY=DEMO_API_KEY, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"))
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=env)
    assert done.stderr.strip().splitlines()[-1] == "0 []", done.stderr
    assert '"url": "https://connect.stripe.com/' in done.stdout
