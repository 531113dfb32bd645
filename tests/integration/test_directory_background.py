"""A sync on its own thread: the caller's thread only gets progress; stop and abort end it."""

from __future__ import annotations

import asyncio
import threading

from app.directory.background import BackgroundSync
from app.directory.index import DirectoryIndex
from app.sandbox import DEMO_API_KEY
from app.stripe import ApiKey


async def test_the_sync_runs_on_its_own_thread_and_reports_progress(make_sandbox, tmp_path):
    sandbox = make_sandbox(synthetic_accounts=600)
    path = tmp_path / "directory" / "accounts-bg.sqlite3"
    threads = set()
    runner = BackgroundSync(api_key=ApiKey(DEMO_API_KEY), api_base=sandbox.url, index_path=path,
                            on_progress=lambda p: threads.add(threading.current_thread().name))
    result = await asyncio.wrap_future(runner.start())
    assert runner.join(5)
    assert result.total == 614 and not result.cancelled
    assert threads == {"directory-sync"}
    with DirectoryIndex.open(path) as index:
        assert index.count() == 614 and index.search("harb bak")[0].account.id == "acct_1LdCustomDue0001"


async def test_abort_stops_the_thread_and_the_next_sync_resumes(make_sandbox, tmp_path):
    sandbox = make_sandbox(synthetic_accounts=3_000, latency=0.02)
    path = tmp_path / "directory" / "accounts-bg.sqlite3"
    seen = []
    runner = BackgroundSync(api_key=ApiKey(DEMO_API_KEY), api_base=sandbox.url, index_path=path,
                            on_progress=seen.append)
    future = runner.start()
    while not seen or seen[-1].fetched < 500:
        await asyncio.sleep(0.01)
    runner.abort()
    assert runner.join(10)
    assert isinstance(future.exception(), asyncio.CancelledError)  # abandoned, not finished
    with DirectoryIndex.open(path) as index:
        assert 500 <= index.count() < 3_014 and index.state("run_phase") == "windows"
    again = BackgroundSync(api_key=ApiKey(DEMO_API_KEY), api_base=sandbox.url, index_path=path)
    result = await asyncio.wrap_future(again.start())
    assert result.resumed and result.total == 3_014
