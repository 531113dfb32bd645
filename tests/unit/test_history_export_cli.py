"""CSV export and ``linkdesk history``: everything but the link URL."""

import argparse
import csv
import datetime as dt
import io
import json

import pytest

from app.cli.history import add_history_arguments, parse_local_date, run_history_command
from app.clock import FakeClock
from app.history import CSV_COLUMNS, CsvExport, HistoryEntry, HistoryQuery, export_csv

URL = "https://connect.stripe.com/setup/c/acct_1Csv/CsvSecretToken99"
DAY = 86400.0


def make_entry(clock: FakeClock, n: int, **changes) -> HistoryEntry:
    now = clock.time()
    entry = HistoryEntry(
        account_id=f"acct_1Csv{n:04d}", link_type="account_onboarding", mode="test",
        refresh_url="https://platform.example/refresh", return_url="https://platform.example/return",
        attempted_at=now, account_name=f"Shop {n}", created=1_700_000_000, expires_at=1_700_000_300,
        local_expires_at=now + 300, request_id=f"req_{n}",
    )
    return entry.with_changes(**changes)


def test_csv_has_every_field_but_never_the_url(store, clock, tmp_path):
    live = store.record(make_entry(clock, 1, url=URL, collection_fields="eventually_due"))
    assert live.url == URL  # the store does hold it while the link is active
    store.record(make_entry(clock, 2, outcome="failed", error_code="account_invalid", error_message="No access"))
    path = tmp_path / "out.csv"
    assert export_csv(store, path) == 2
    text = path.read_text(encoding="utf-8")
    assert URL not in text and "CsvSecretToken" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS and "url" not in CSV_COLUMNS
    failed, created = rows
    assert (created["account_id"], created["status"], created["collection_fields"]) == ("acct_1Csv0001", "active", "eventually_due")
    assert created["attempted_at"] == dt.datetime.fromtimestamp(clock.time(), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (failed["status"], failed["error_code"], failed["error_message"]) == ("failed", "account_invalid", "No access")


def test_csv_defuses_spreadsheet_formulas(store, clock, tmp_path):
    store.record(make_entry(clock, 1, account_name='=HYPERLINK("http://evil.example","x")'))
    store.record(make_entry(clock, 2, account_name="@SUM(A1)", account_email="-2+3@x.example"))
    path = tmp_path / "out.csv"
    export_csv(store, path)
    names = [(r["account_name"], r["account_email"]) for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))]
    assert names == [("'@SUM(A1)", "'-2+3@x.example"), ("'=HYPERLINK(\"http://evil.example\",\"x\")", "")]


def test_csv_export_in_steps_filters_and_replaces_the_file_only_when_done(store, clock, tmp_path):
    store.record_many(make_entry(clock, n, mode="live" if n % 2 else "test") for n in range(25))
    path = tmp_path / "live.csv"
    path.write_text("previous export")
    job = CsvExport(store, HistoryQuery(mode="live"), path, page_size=5)
    steps = 0
    while job.step():
        steps += 1
        assert path.read_text() == "previous export"  # untouched until complete
    assert job.done and job.count == 12 and steps == 2
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(rows) == 12 and {r["mode"] for r in rows} == {"live"}
    assert not (tmp_path / "live.csv.partial").exists()
    cancelled = CsvExport(store, HistoryQuery(), tmp_path / "never.csv", page_size=5)
    cancelled.step()
    cancelled.cancel()
    assert not (tmp_path / "never.csv").exists() and not (tmp_path / "never.csv.partial").exists()


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="linkdesk history")
    add_history_arguments(parser)
    return parser.parse_args(argv)


def run(store, *argv: str) -> str:
    out = io.StringIO()
    assert run_history_command(parse(*argv), store=store, out=out) == 0
    return out.getvalue()


def test_cli_table_lists_newest_first_with_status(store, clock):
    store.record(make_entry(clock, 1, account_name="Harbor Street Bakery", url=URL))
    clock.advance(60)
    store.record(make_entry(clock, 2, account_name=None, outcome="failed", error_code="account_invalid"))
    text = run(store)
    lines = text.splitlines()
    assert lines[0].split() == ["TIME", "ACCOUNT", "TYPE", "STATUS", "MODE", "NOTE"]
    assert "acct_1Csv0002" in lines[1] and "failed (account_invalid)" in lines[1]
    assert "Harbor Street Bakery (acct_1Csv0001)" in lines[2] and "active 4:00" in lines[2]
    assert URL not in text


def test_cli_account_since_limit_json_and_csv(store, clock):
    today = dt.datetime.fromtimestamp(clock.time()).date()
    for n, days_ago in enumerate([0, 1, 2, 10]):
        store.record(make_entry(clock, n % 2, attempted_at=clock.time() - days_ago * DAY, url=URL if n == 0 else None))
    since = (today - dt.timedelta(days=2)).isoformat()
    data = json.loads(run(store, "--json", "--since", since))
    assert len(data) == 3 and all("url" not in row for row in data)
    assert [row["account_id"] for row in data] == ["acct_1Csv0000", "acct_1Csv0001", "acct_1Csv0000"]
    assert data[0]["status"] == "active"
    data = json.loads(run(store, "--json", "--account", " acct_1Csv0001 "))
    assert [row["account_id"] for row in data] == ["acct_1Csv0001", "acct_1Csv0001"]
    rows = list(csv.DictReader(io.StringIO(run(store, "--csv", "--limit", "2"))))
    assert len(rows) == 2
    assert "CsvSecretToken" not in run(store, "--csv")
    table = run(store, "--limit", "1")
    assert "(1 of 4 shown" in table
    everything = run(store, "--limit", "0").splitlines()
    assert len(everything) == 5 and "shown" not in everything[-1]  # header + 4 rows
    assert run(store, "--account", "acct_nobody") == "No history entries match.\n"


def test_cli_rejects_a_bad_date_and_both_formats(capsys):
    with pytest.raises(SystemExit):
        parse("--since", "31/12/2025")
    assert "YYYY-MM-DD" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse("--json", "--csv")
    assert parse_local_date("2026-01-02") == dt.datetime(2026, 1, 2).timestamp()
