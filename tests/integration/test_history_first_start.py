"""Three real processes opening a fresh data folder at the same moment, many times over: no
healthy history is ever moved aside, every row each of them writes is there.

Each process is started once and runs every trial: at each "go" on its stdin it opens the
trial's folder, records one row and closes. The three get their "go" together, so their
creation and migration overlap (before the fix, 4 trials in 300 moved a healthy file aside).
"""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.history import DB_FILENAME

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
INSTANCES = 3
TRIALS = 150
TIME_LIMIT_S = 120

OPENER = """
import sys, time
from pathlib import Path
from app.clock import SystemClock
from app.history import HistoryEntry, HistoryStore

base, tag = Path(sys.argv[1]), sys.argv[2]
for line in sys.stdin:
    trial = int(line)
    store = HistoryStore.open(base / f"t{trial:04d}", clock=SystemClock())
    now = time.time()
    saved = store.record(HistoryEntry(
        account_id=f"acct_1{tag}{trial:05d}", link_type="account_onboarding", mode="test",
        refresh_url="https://p.example/r", return_url="https://p.example/ok", attempted_at=now))
    moved = store.recovered_from
    store.close()
    print(trial, saved.id, moved or "-", flush=True)
"""


def test_three_instances_opening_a_fresh_folder_at_once_never_set_a_history_aside(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [
        subprocess.Popen([sys.executable, "-c", OPENER, str(tmp_path), f"P{n}"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
        for n in range(INSTANCES)
    ]
    deadline = time.monotonic() + TIME_LIMIT_S
    moved: list[str] = []
    try:
        for trial in range(TRIALS):
            for proc in procs:  # all three at once, then wait for all three
                proc.stdin.write(f"{trial}\n")
                proc.stdin.flush()
            for proc in procs:
                line = proc.stdout.readline()
                assert line, f"an instance died in trial {trial}: {proc.stderr.read()}"
                number, _row, aside = line.split()
                assert int(number) == trial
                if aside != "-":
                    moved.append(aside)
            assert time.monotonic() < deadline, f"only {trial} trials in {TIME_LIMIT_S} s"
        for proc in procs:
            proc.stdin.close()
            assert proc.wait(30) == 0, proc.stderr.read()
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                stream.close()
    assert moved == []
    leftovers = [p.name for p in tmp_path.glob("t*/*") if ".corrupt-" in p.name or ".bak-" in p.name]
    assert leftovers == []
    for trial in range(TRIALS):
        conn = sqlite3.connect(tmp_path / f"t{trial:04d}" / DB_FILENAME)
        try:
            rows = sorted(r[0] for r in conn.execute("SELECT account_id FROM attempts"))
        finally:
            conn.close()
        assert rows == [f"acct_1P{n}{trial:05d}" for n in range(INSTANCES)], trial
