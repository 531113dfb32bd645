"""History at scale: 100,000 rows in the panel.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/history_scale.py [--rows 100000]

Seeds the rows (one transaction, in a child process so that the seeding's own memory does not
count) into a temporary folder, then, in this process, measures against the same steps on an
empty database (the baseline, same run):

* open: ``HistoryStore.open`` (quick_check, retention purge, URL erasure);
* first page: build the ``HistoryPanel``, show it, and process events until painted;
* keystroke: one character typed into ``historySearch`` through to the model reset, the first
  page and the repaint (median and worst over a typed phrase and a no-match word);
* fetch more: the next 200 rows when the view scrolls down;
* record: one ``store.record`` (committed) with 100k rows present;
* memory: resident-set growth from before opening the store until after the keystrokes.

Prints each figure with its target and the ratio to the empty-database baseline.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.clock import SystemClock  # noqa: E402
from app.history import HistoryEntry, HistoryStore  # noqa: E402

WORDS = ("harbor", "street", "bakery", "blue", "kite", "studio", "north", "coffee", "books",
         "garden", "labs", "works", "market", "river", "stone", "maple", "atlas", "pixel")
TYPED = "harbor 12"
NO_MATCH = "zqxj"


def seed(folder: Path, rows: int) -> None:
    rnd = random.Random(7)
    now = time.time()
    clock = SystemClock()

    def entry(n: int) -> HistoryEntry:
        at = now - rnd.uniform(0, 360 * 86400) if n >= 3 else now - n
        name = f"{rnd.choice(WORDS).title()} {rnd.choice(WORDS).title()} {n}"
        failed = rnd.random() < 0.1
        return HistoryEntry(
            account_id="acct_1" + "".join(rnd.choices("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789", k=15)),
            link_type=rnd.choice(("account_onboarding", "account_onboarding", "account_update")),
            mode="live" if rnd.random() < 0.3 else "test",
            refresh_url="https://platform.example/connect/refresh",
            return_url="https://platform.example/connect/return",
            attempted_at=at,
            outcome="failed" if failed else "created",
            account_name=name,
            account_email=f"owner{n}@{rnd.choice(WORDS)}.example",
            collection_fields=rnd.choice((None, "currently_due", "eventually_due")),
            created=None if failed else int(at),
            expires_at=None if failed else int(at) + 300,
            local_expires_at=None if failed else at + 300,
            request_id=f"req_{n:08d}",
            error_code="account_invalid" if failed else None,
            note="called the owner about the ID check" if n % 20 == 0 else None,
            url=None if failed or n >= 3 else f"https://connect.stripe.com/setup/c/acct_x/{n:012d}",
        )

    with HistoryStore.open(folder, clock=clock) as store:
        store.record_many(entry(n) for n in range(rows))


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def probe_entry(now: float) -> HistoryEntry:
    return HistoryEntry(
        account_id="acct_1BenchProbe0001", link_type="account_onboarding", mode="test",
        refresh_url="https://platform.example/connect/refresh", return_url="https://platform.example/connect/return",
        attempted_at=now, account_name="Bench Probe", created=int(now), expires_at=int(now) + 300,
        local_expires_at=now + 300, request_id="req_probe",
    )


def measure(folder: Path, app) -> dict[str, float]:
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLineEdit

    from app.ui.history_panel import HistoryPanel

    clock = SystemClock()
    out: dict[str, float] = {}
    rss0 = rss_mb()
    t = time.perf_counter()
    store = HistoryStore.open(folder, clock=clock)
    out["open"] = time.perf_counter() - t
    t = time.perf_counter()
    panel = HistoryPanel(store, clock)
    panel.resize(1100, 700)
    panel.show()
    app.processEvents()
    out["first_page"] = time.perf_counter() - t
    out["open_total"] = out["open"] + out["first_page"]
    out["rows"] = store.count()
    search = panel.findChild(QLineEdit, "historySearch")
    keys = []
    for word in (TYPED, NO_MATCH):
        search.clear()
        app.processEvents()
        for ch in word:
            t = time.perf_counter()
            QTest.keyClick(search, ch)
            app.processEvents()
            keys.append(time.perf_counter() - t)
    out["key_median"] = statistics.median(keys)
    out["key_max"] = max(keys)
    search.clear()
    app.processEvents()
    t = time.perf_counter()
    panel.model.fetchMore(panel.model.index(0, 0).parent())
    app.processEvents()
    out["fetch_more"] = time.perf_counter() - t
    records = []
    for _ in range(21):
        entry = probe_entry(clock.time())
        t = time.perf_counter()
        store.record(entry)
        records.append(time.perf_counter() - t)
    out["record"] = statistics.median(records)
    out["memory"] = rss_mb() - rss0
    panel.close()
    panel.deleteLater()
    app.processEvents()
    store.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed(args.seed, args.rows)
        return 0

    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    def quiet(kind, context, message):  # the offscreen platform's one known complaint
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(quiet)
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="linkdesk-bench-") as tmp:
        big, empty, warm = Path(tmp, "big"), Path(tmp, "empty"), Path(tmp, "warm")
        t = time.perf_counter()
        for folder, rows in ((big, args.rows), (empty, 0), (warm, 50)):
            subprocess.run([sys.executable, __file__, "--seed", str(folder), "--rows", str(rows)], check=True)
        print(f"seeded {args.rows:,} rows in {time.perf_counter() - t:.1f} s "
              f"({Path(big, 'history.sqlite3').stat().st_size / 2**20:.1f} MB on disk)")
        measure(warm, app)  # one-time Qt costs (fonts, style) are paid here, not below
        base = measure(empty, app)
        scale = measure(big, app)

    def row(label: str, key: str, target: str, unit=ms) -> None:
        ratio = scale[key] / base[key] if base[key] > 0 else float("nan")
        print(f"{label:<34}{unit(scale[key])}   target {target:<9} empty db {unit(base[key]).strip():>9}   ratio {ratio:5.2f}x")

    print(f"{int(scale['rows']):,} rows, QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}, Python {sys.version.split()[0]}")
    row("open store (with quick_check)", "open", "-")
    row("build + show panel, first page", "first_page", "<= 200 ms")
    row("open store + panel + first page", "open_total", "<= 200 ms")
    row("search keystroke (median)", "key_median", "<= 50 ms")
    row("search keystroke (worst)", "key_max", "<= 50 ms")
    row("fetch next 200 rows", "fetch_more", "-")
    row("record one attempt (median)", "record", "-")
    print(f"{'extra memory (RSS)':<34}{scale['memory']:8.1f} MB   target <= 60 MB   empty db {base['memory']:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
