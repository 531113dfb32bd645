"""Real processes against one history file: kill -9 right after a record, two writers at once."""

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.clock import SystemClock
from app.history import DB_FILENAME, HistoryStore

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]

PRELUDE = """
import sys, time
from pathlib import Path
from app.clock import SystemClock
from app.history import HistoryEntry, HistoryStore

def entry(n, tag):
    now = time.time()
    return HistoryEntry(
        account_id=f"acct_1{tag}{n:05d}", link_type="account_onboarding", mode="test",
        refresh_url="https://p.example/r", return_url="https://p.example/ok", attempted_at=now,
        account_name=f"{tag} shop {n}", created=1_700_000_000, expires_at=1_700_000_300,
        local_expires_at=now + 300, request_id=f"req_{tag}_{n}",
    )
"""

KILLED_WRITER = PRELUDE + """
store = HistoryStore.open(Path(sys.argv[1]), clock=SystemClock())
saved = store.record(entry(1, "Killed"))
print("RECORDED", saved.id, flush=True)
time.sleep(120)
"""

CONCURRENT_WRITER = PRELUDE + """
tag = sys.argv[2]
print("READY", flush=True)
sys.stdin.readline()
store = HistoryStore.open(Path(sys.argv[1]), clock=SystemClock())
print("OPEN", flush=True)
sys.stdin.readline()
for n in range(200):
    store.record(entry(n, tag))
store.close()
print("DONE", flush=True)
"""


def spawn(script: str, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO,
    )


def finish(proc: subprocess.Popen, timeout: float = 60) -> tuple[str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    return out, err


def test_sigkill_right_after_record_keeps_the_row(tmp_path):
    folder = tmp_path / "data"
    proc = spawn(KILLED_WRITER, str(folder))
    try:
        line = proc.stdout.readline()
        assert line.startswith("RECORDED"), line + proc.stderr.read()
        # the row lives only in the WAL at this point: no checkpoint has run
        assert (folder / (DB_FILENAME + "-wal")).stat().st_size > 0
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        finish(proc)
    assert proc.returncode == -signal.SIGKILL
    row_id = int(line.split()[1])
    with HistoryStore.open(folder, clock=SystemClock()) as store:
        saved = store.get(row_id)
        assert saved is not None
        assert (saved.account_id, saved.request_id) == ("acct_1Killed00001", "req_Killed_1")


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    folder = tmp_path / "data"
    procs = [spawn(CONCURRENT_WRITER, str(folder), tag) for tag in ("Alpha", "Beta")]
    try:
        # both create the (not yet existing) file at once, then both write at once
        for expected in ("READY", "OPEN"):
            for proc in procs:
                assert proc.stdout.readline().strip() == expected, proc.stderr.read()
            for proc in procs:
                proc.stdin.write("go\n")
                proc.stdin.flush()
        results = [finish(proc) for proc in procs]
    finally:
        for proc in procs:
            proc.kill()
            finish(proc)
    for proc, (out, err) in zip(procs, results):
        assert proc.returncode == 0 and out.strip() == "DONE", err
    conn = sqlite3.connect(folder / DB_FILENAME)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        counts = dict(conn.execute(
            "SELECT substr(account_id, 7, 4), count(DISTINCT account_id) FROM attempts GROUP BY 1"
        ).fetchall())
        assert counts == {"Alph": 200, "Beta": 200}
        assert conn.execute("SELECT count(*), count(DISTINCT id) FROM attempts").fetchall() == [(400, 400)]
    finally:
        conn.close()
