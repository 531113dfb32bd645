"""``linkdesk history --json/--csv`` and the table stream their rows (issue 18, point 17): rows
are read a page at a time and written as they come, so the first write happens after one page is
read, not after the whole history; the JSON is the same valid array as before."""

from __future__ import annotations

import argparse
import csv
import io
import json

import pytest

from app.cli.history import add_history_arguments, run_history_command
from app.clock import FakeClock
from app.history import HistoryEntry

ROWS = 2_600  # six pages of the store's 500


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_history_arguments(parser)
    return parser.parse_args(list(argv))


def seed(store, clock: FakeClock, count: int) -> None:
    now = clock.time()
    store.record_many(HistoryEntry(
        account_id=f"acct_1Strm{n:07d}", link_type="account_onboarding", mode="test",
        refresh_url="https://platform.example/refresh", return_url="https://platform.example/return",
        attempted_at=now - n, account_name=f"Shop {n}" + (" with a much longer name" if n == count - 1 else ""),
        created=1_700_000_000, expires_at=1_700_000_300, local_expires_at=now + 300, request_id=f"req_{n}",
    ) for n in range(count))


class Watched(io.StringIO):
    """Output that notes how many page queries the store had run at its first write."""

    def __init__(self, queries: list[str]) -> None:
        super().__init__()
        self.queries = queries
        self.at_first_write: int | None = None

    def write(self, text: str) -> int:
        if self.at_first_write is None and text:
            self.at_first_write = len(self.queries)
        return super().write(text)


def page_queries(store) -> list[str]:
    seen: list[str] = []
    store.conn.set_trace_callback(lambda sql: seen.append(sql) if "ORDER BY attempted_at DESC" in sql else None)
    return seen


@pytest.mark.parametrize("fmt", ["--json", "--csv", "--limit=0"])
def test_the_first_row_is_written_after_one_page_not_after_the_whole_history(store, clock, fmt):
    seed(store, clock, ROWS)
    queries = page_queries(store)
    out = Watched(queries)
    assert run_history_command(parse(fmt, *([] if fmt == "--limit=0" else ["--limit", "0"])), store=store, out=out) == 0
    store.conn.set_trace_callback(None)
    assert out.at_first_write in (0, 1)  # at most one page read when the output began (CSV: its header first)
    assert len(queries) == 6  # and every page read in the end
    text = out.getvalue()
    if fmt == "--json":
        rows = json.loads(text)
        assert len(rows) == ROWS and rows[0]["account_id"] == "acct_1Strm0000000"
    elif fmt == "--csv":
        assert len(list(csv.DictReader(io.StringIO(text)))) == ROWS
    else:
        lines = text.splitlines()
        assert len(lines) == ROWS + 1 and lines[0].startswith("TIME")
        assert "Shop 2599 with a much longer name" in lines[-1]  # a later, wider cell is not cut


@pytest.mark.parametrize("count", [0, 1, 3, 501])
def test_the_streamed_json_is_the_array_json_dumps_would_write(store, clock, count):
    seed(store, clock, count)
    out = io.StringIO()
    run_history_command(parse("--json"), store=store, out=out)
    now = store.now()
    expected = json.dumps([e.public_dict(now) for e in store.iter_entries()], indent=2, default=list) + "\n"
    assert out.getvalue() == expected


def test_the_table_of_a_limit_keeps_its_total_line(store, clock):
    seed(store, clock, 60)
    out = io.StringIO()
    run_history_command(parse(), store=store, out=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 52 and lines[-1] == "(50 of 60 shown; use --limit N for more)"
    widths = {len(line.split("  acct_")[0]) for line in lines[1:51]}
    assert len(widths) == 1  # aligned columns
