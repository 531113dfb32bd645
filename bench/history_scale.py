"""History at scale: 100,000 rows in the panel, as the operator feels them.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/history_scale.py [--rows 100000]

Seeds the rows (one transaction, in a child process so that the seeding's own memory does not
count) into a temporary folder, then, in this process and on a qasync loop as in the app,
measures against the same steps on an empty database (the baseline, same run). A 1 ms
PreciseTimer heartbeat runs throughout; a step's **stall** is the longest gap between two of its
beats minus 1 ms, i.e. the longest time the Qt thread could not paint or take input (target
<= 16 ms, one frame). Each step also has its **time**, what the operator waits for:

* open: ``HistoryStore.open`` submitted to the history worker thread (quick_check, retention
  purge, URL erasure) until the store is handed over, as ``Services.open_history`` does;
* first page: build the ``HistoryPanel``, show it, until its first page is in and painted;
* keystroke: one character typed into ``historySearch`` until its rows are painted, and until
  the total (a count, read after the page) is shown. Times from the keystroke (including the
  120 ms debounce) and from the query being issued (when the debounce fires); the phrase
  ``harbor 12`` letter by letter, then ``zqxj`` (matches nothing: the whole index is scanned);
* burst: the phrase typed at 60 ms a key (a fast typist): queries run, stall, last key -> shown;
* fetch more: the next 200 rows, as when the view scrolls down;
* record: one ``store.record`` (committed) on the Qt thread with 100k rows present;
* export: all rows to CSV (worker thread, one page per job);
* memory: resident-set growth from before opening the store until after the keystrokes.

Then the command line (``--cli-rows``, default ``--rows``; ``--cli-only`` for it alone):
``linkdesk history --json/--csv --limit 0`` (and the table) into a pipe, in a child process, against the same
command on an empty database and against the way it worked before it streamed (every entry
loaded, then written): time to the first row, time for all, output size, the child's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
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
BURST_GAP = 0.06  # seconds between keys in the burst


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


def probe_entry(now: float) -> HistoryEntry:
    return HistoryEntry(
        account_id="acct_1BenchProbe0001", link_type="account_onboarding", mode="test",
        refresh_url="https://platform.example/connect/refresh", return_url="https://platform.example/connect/return",
        attempted_at=now, account_name="Bench Probe", created=int(now), expires_at=int(now) + 300,
        local_expires_at=now + 300, request_id="req_probe",
    )


class Heartbeat:
    """A 1 ms timer on the Qt thread; :meth:`stall` is the longest gap since :meth:`mark`."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer(interval=1, timerType=Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._beat)
        self.last = time.perf_counter()
        self.worst = 0.0
        self.timer.start()

    def _beat(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def mark(self) -> None:
        self.last = time.perf_counter()
        self.worst = 0.0

    def stall(self) -> float:
        """Longest gap so far (including the one still open) minus the 1 ms interval."""
        return max(0.0, max(self.worst, time.perf_counter() - self.last) - 0.001)


async def painted(app) -> None:
    """Let the loop deliver what is pending (results, repaints) for one short turn."""
    await asyncio.sleep(0)
    app.processEvents()


async def measure(folder: Path, app, beat: Heartbeat, export_dir: Path) -> dict[str, float]:
    from PySide6.QtCore import QModelIndex
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLineEdit

    from app.history.store import UI_BUSY_TIMEOUT_MS
    from app.history.worker import HistoryWorker
    from app.ui.history.panel import HistoryPanel

    clock = SystemClock()
    out: dict[str, float] = {}
    rss0 = rss_mb()

    # open, on the worker thread (Services.open_history)
    worker = HistoryWorker(folder / "history.sqlite3", clock=clock)
    beat.mark()
    t = time.perf_counter()
    store = await asyncio.wrap_future(worker.submit(HistoryStore.open, folder, clock=clock,
                                                    busy_timeout_ms=UI_BUSY_TIMEOUT_MS))
    store.claim()
    out["open"], out["open_stall"] = time.perf_counter() - t, beat.stall()

    # first page
    beat.mark()
    t = time.perf_counter()
    panel = HistoryPanel(store, clock, worker=worker)
    panel.resize(1100, 700)
    panel.show()
    await panel.settled()
    await painted(app)
    out["first_page"], out["first_stall"] = time.perf_counter() - t, beat.stall()
    out["open_total"] = out["open"] + out["first_page"]
    out["rows"] = panel.model.total

    # keystrokes, one at a time: each waits for its results
    issued: list[float] = []
    set_query = panel.model.set_query

    def timed_set_query(query):  # the debounce fired: the query is issued now
        issued.append(time.perf_counter())
        return set_query(query)

    panel.model.set_query = timed_set_query  # type: ignore[method-assign]
    rows_in = asyncio.Event()
    panel.model.loaded.connect(rows_in.set)
    search = panel.findChild(QLineEdit, "historySearch")
    from_key, from_query, to_total, stalls = [], [], [], []
    for word in (TYPED, NO_MATCH):
        search.clear()
        await panel.settled()
        await painted(app)
        for ch in word:
            beat.mark()
            t = time.perf_counter()
            QTest.keyClick(search, ch)
            rows_in.clear()
            await rows_in.wait()  # after the debounce and the worker's page
            await painted(app)
            shown = time.perf_counter()
            await panel.settled()  # the count, when the page was full
            await painted(app)
            from_key.append(shown - t)
            from_query.append(shown - issued[-1])
            to_total.append(time.perf_counter() - issued[-1])
            stalls.append(beat.stall())
    out["key_median"], out["key_max"] = statistics.median(from_key), max(from_key)
    out["query_median"], out["query_max"] = statistics.median(from_query), max(from_query)
    out["total_median"], out["total_max"] = statistics.median(to_total), max(to_total)
    out["key_stall"] = max(stalls)

    # a burst: keys 60 ms apart, then the results
    search.clear()
    await panel.settled()
    await painted(app)
    before = len(issued)
    beat.mark()
    for ch in TYPED:
        QTest.keyClick(search, ch)
        last_key = time.perf_counter()
        await asyncio.sleep(BURST_GAP)
    while panel._search_delay.isActive():
        await asyncio.sleep(0.002)
    await panel.settled()
    await painted(app)
    out["burst_shown"] = time.perf_counter() - last_key
    out["burst_queries"] = len(issued) - before
    out["burst_stall"] = beat.stall()
    out["memory"] = rss_mb() - rss0

    # fetch more (the unfiltered list)
    search.clear()
    await panel.settled()
    await painted(app)
    beat.mark()
    t = time.perf_counter()
    panel.model.fetchMore(QModelIndex())
    await panel.model.settled()
    await painted(app)
    out["fetch_more"], out["fetch_stall"] = time.perf_counter() - t, beat.stall()

    # record on the Qt thread
    records = []
    beat.mark()
    for _ in range(21):
        entry = probe_entry(clock.time())
        t = time.perf_counter()
        store.record(entry)
        records.append(time.perf_counter() - t)
        await asyncio.sleep(0)
    out["record"], out["record_stall"] = statistics.median(records), beat.stall()

    # export everything
    target = export_dir / f"{folder.name}.csv"
    beat.mark()
    t = time.perf_counter()
    await panel.start_export(target)
    await painted(app)
    out["export"], out["export_stall"] = time.perf_counter() - t, beat.stall()
    target.unlink(missing_ok=True)

    await panel.aclose()
    panel.close()
    panel.deleteLater()
    await painted(app)
    store.close()
    return out


# -- the command line: `linkdesk history --json/--csv --limit 0` at scale (issue 18, point 17) --

# The way the command worked before it streamed: every entry loaded into a list, then written.
_LOADED_FIRST = """
import json, sys
from pathlib import Path
from app.clock import SystemClock
from app.history.export import write_csv
from app.history.store import HistoryStore
store = HistoryStore.open(Path(sys.argv[1]), clock=SystemClock())
entries = list(store.iter_entries())
now = store.now()
if sys.argv[2] == "json":
    print(json.dumps([e.public_dict(now) for e in entries], indent=2, default=list))
else:
    write_csv(entries, sys.stdout, now_wall=now)
store.close()
"""


def run_cli(folder: Path, fmt: str, way: str, home: Path) -> dict[str, float]:
    """One child process writing every row of ``folder``'s history as ``fmt`` to a pipe this
    process reads: time to the first row, total time, bytes, and the child's peak RSS."""
    root = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINKDESK_", "XDG_", "STRIPE_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               XDG_STATE_HOME=str(home / "state"), LINKDESK_DATA_DIR=str(folder))
    if way == "streamed":
        argv = [sys.executable, "-m", "app", "history", *([f"--{fmt}"] if fmt != "table" else []), "--limit", "0"]
    else:
        argv = [sys.executable, "-c", _LOADED_FIRST, str(folder), fmt]
    first_row = b'  {\n' if fmt == "json" else b"\n"  # JSON: the first object; CSV: the header's end
    start = time.perf_counter()
    child = subprocess.Popen(argv, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert child.stdout is not None
    first = None
    size = 0
    tail = b""
    while chunk := child.stdout.read1(1 << 16):
        if first is None and first_row in tail + chunk:
            first = time.perf_counter() - start
        size += len(chunk)
        tail = chunk[-8:]
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    total = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:6])} failed with status {child.returncode}")
    return {"first": first if first is not None else total, "total": total, "mb": size / 2**20,
            "peak": usage.ru_maxrss / 1024}  # ru_maxrss is in KiB on Linux


def cli_bench(rows: int) -> None:
    with tempfile.TemporaryDirectory(prefix="linkdesk-bench-cli-") as tmp:
        big, empty, home = Path(tmp, "big"), Path(tmp, "empty"), Path(tmp, "home")
        t = time.perf_counter()
        for folder, count in ((big, rows), (empty, 0)):
            subprocess.run([sys.executable, __file__, "--seed", str(folder), "--rows", str(count)], check=True)
        print(f"seeded {rows:,} rows in {time.perf_counter() - t:.1f} s "
              f"({Path(big, 'history.sqlite3').stat().st_size / 2**20:.1f} MB on disk)")
        print("linkdesk history --FORMAT --limit 0 > pipe (child process; peak RSS of the child):")
        print(f"  {'':<34}{'first row':>10}{'all rows':>10}{'output':>10}{'peak RSS':>10}")
        for fmt in ("json", "csv"):
            base = run_cli(empty, fmt, "streamed", home)
            for way, folder in (("streamed", big), ("loaded first", big)):
                got = run_cli(folder, fmt, way, home)
                print(f"  {fmt} {way + ',':<14}{rows:>9,} rows {got['first']:9.2f}s {got['total']:9.1f}s "
                      f"{got['mb']:7.0f} MB {got['peak']:7.0f} MB   vs empty db: peak {got['peak'] / base['peak']:.2f}x")
            print(f"  {fmt} streamed, empty db (baseline) {base['first']:9.2f}s {base['total']:9.1f}s "
                  f"{base['mb']:7.0f} MB {base['peak']:7.0f} MB")
        base = run_cli(empty, "table", "streamed", home)
        got = run_cli(big, "table", "streamed", home)
        print(f"  {'table streamed,':<19}{rows:>9,} rows {got['first']:9.2f}s {got['total']:9.1f}s "
              f"{got['mb']:7.0f} MB {got['peak']:7.0f} MB   vs empty db: peak {got['peak'] / base['peak']:.2f}x")
        print("targets: peak RSS under 100 MB whatever the size, first row in under 1 s "
              "(\"loaded first\" is the command before it streamed, for comparison)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cli-rows", type=int, default=None,
                        help="rows for the command-line part (default: --rows); 0 skips it")
    parser.add_argument("--cli-only", action="store_true", help="measure only the command line")
    parser.add_argument("--seed", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed(args.seed, args.rows)
        return 0
    cli_rows = args.rows if args.cli_rows is None else args.cli_rows
    if args.cli_only:
        cli_bench(cli_rows)
        return 0

    import qasync
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    def quiet(kind, context, message):  # the offscreen platform's one known complaint
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(quiet)
    app = QApplication.instance() or QApplication([])
    app.setQuitOnLastWindowClosed(False)  # closing a measured panel must not stop the loop
    with tempfile.TemporaryDirectory(prefix="linkdesk-bench-") as tmp:
        big, empty, warm = Path(tmp, "big"), Path(tmp, "empty"), Path(tmp, "warm")
        t = time.perf_counter()
        for folder, rows in ((big, args.rows), (empty, 0), (warm, 50)):
            subprocess.run([sys.executable, __file__, "--seed", str(folder), "--rows", str(rows)], check=True)
        print(f"seeded {args.rows:,} rows in {time.perf_counter() - t:.1f} s "
              f"({Path(big, 'history.sqlite3').stat().st_size / 2**20:.1f} MB on disk)")

        async def run() -> tuple[dict[str, float], dict[str, float]]:
            beat = Heartbeat()
            await measure(warm, app, beat, Path(tmp))  # one-time costs (fonts, style, imports)
            gc.collect()
            gc.freeze()  # as the app does once started (app.ui.shell.app.freeze_startup_objects)
            base = await measure(empty, app, beat, Path(tmp))
            scale = await measure(big, app, beat, Path(tmp))
            beat.timer.stop()
            return base, scale

        loop = qasync.QEventLoop(app)
        try:
            base, scale = loop.run_until_complete(run())
        finally:
            loop.close()

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:8.2f} ms" if seconds < 0.001 else f"{seconds * 1000:8.1f} ms"

    def row(label: str, key: str, target: str = "-") -> None:
        ratio = scale[key] / base[key] if base[key] > 0 else float("nan")
        print(f"{label:<42}{ms(scale[key])}   target {target:<9} empty db {ms(base[key]).strip():>9}   "
              f"ratio {ratio:6.2f}x")

    print(f"{int(scale['rows']):,} rows, QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}, Python {sys.version.split()[0]}")
    print("time the operator waits:")
    row("  open store (worker thread)", "open")
    row("  build + show panel, first page painted", "first_page", "<= 200 ms")
    row("  open + panel + first page", "open_total", "<= 200 ms")
    row("  query issued -> rows painted (median)", "query_median", "<= 50 ms")
    row("  query issued -> rows painted (worst)", "query_max", "<= 50 ms")
    row("  query issued -> total shown (median)", "total_median", "<= 50 ms")
    row("  query issued -> total shown (worst)", "total_max", "<= 50 ms")
    row("  keystroke -> rows painted (median)", "key_median")
    row("  keystroke -> rows painted (worst)", "key_max")
    row("  burst: last key -> results painted", "burst_shown")
    row("  fetch next 200 rows, painted", "fetch_more")
    row("  record one attempt (median, Qt thread)", "record")
    row("  export all rows to CSV", "export")
    print(f"  burst of {len(TYPED)} keys {BURST_GAP * 1000:.0f} ms apart ran {int(scale['burst_queries'])} queries")
    print("longest Qt-thread stall (target <= 16 ms):")
    stalls = [("open", "open_stall"), ("first page", "first_stall"), ("keystroke, worst of all", "key_stall"),
              ("burst", "burst_stall"), ("fetch more", "fetch_stall"), ("record x21", "record_stall"),
              ("export", "export_stall")]
    for label, key in stalls:
        row(f"  {label}", key, "<= 16 ms")
    worst = max(scale[key] for _label, key in stalls)
    print(f"{'  worst of all steps':<42}{ms(worst)}")
    print(f"{'extra memory (RSS)':<42}{scale['memory']:8.1f} MB   target <= 60 MB   empty db {base['memory']:.1f} MB")
    if cli_rows:
        cli_bench(cli_rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
