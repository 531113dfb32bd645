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


class _QtLoopPolicy(asyncio.DefaultEventLoopPolicy):
    """What ``qasync.run`` installs for the whole process on Python 3.11 (and the same idea on
    any version): every new event loop is a Qt one."""

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        import qasync
        from PySide6.QtWidgets import QApplication

        return qasync.QEventLoop(QApplication.instance())


async def test_the_sync_thread_runs_its_own_plain_loop_under_qasyncs_event_loop_policy(qapp, make_sandbox, tmp_path):
    """``linkdesk-gui`` runs the window under ``qasync.run``, whose policy makes every new loop a
    Qt loop: one built on the sync's thread cannot run there (issue 17: every "Sync accounts" in
    the real window ended in "Event loop stopped before Future completed")."""
    import qasync

    sandbox = make_sandbox()
    path = tmp_path / "directory" / "accounts-bg.sqlite3"
    loops: list[type] = []
    policy = getattr(qasync, "DefaultQEventLoopPolicy", _QtLoopPolicy)()
    previous = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(policy)
    try:
        runner = BackgroundSync(api_key=ApiKey(DEMO_API_KEY), api_base=sandbox.url, index_path=path,
                                on_progress=lambda p: loops.append(type(asyncio.get_running_loop())))
        result = await asyncio.wrap_future(runner.start())
    finally:
        asyncio.set_event_loop_policy(previous)
    assert runner.join(5)
    assert result.total == 14 and not result.cancelled
    assert loops and all(not issubclass(kind, qasync.QEventLoop) for kind in loops)
