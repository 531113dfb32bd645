"""The history's one background thread: everything that could hold the UI thread for a frame.

The window's rule is that no storage call blocks the Qt thread for longer than a frame (16 ms).
At 100k rows a search (count + first page) costs 15-30 ms, opening the file ~50 ms (quick_check)
and a migration's backup has no bound, so those run here:

* **One thread** (a single-worker ``ThreadPoolExecutor``), so jobs run one at a time, in the
  order they were submitted. :meth:`HistoryWorker.submit` runs any callable there (the window
  opens the store this way); :meth:`HistoryWorker.run` runs ``job(store)`` with the worker's
  **own connection**, made on this thread on first use and never used by another
  (``HistoryStore.attach``). WAL lets it read while the UI thread's connection writes.
* **Stale work is skipped.** A job may carry ``wanted``, checked on the worker just before it
  starts; a search superseded by a newer keystroke while it waited in the queue never runs
  (:class:`Superseded` is raised instead). One that already runs finishes; its caller drops it.
* **Small writes stay on the UI thread** (record, note, delete: ~0.03 ms, and a record must be
  committed before its card is shown). That connection's busy timeout is short
  (``UI_BUSY_TIMEOUT_MS``); :meth:`HistoryWorker.write` and :meth:`HistoryWorker.record` retry a
  write that met another instance's lock here, with the full timeout, and the caller awaits it.
  Doing *every* write here would make each one wait behind a running search for no gain.

**Garbage collection.** Python's cyclic collector runs in whichever thread happens to allocate
past its threshold. Run on this thread, it could free a cycle holding a Qt object, whose C++
destructor would then run off the Qt thread ("Timers cannot be stopped from another thread", or
a crash). So automatic collection is paused from the moment a job is submitted until a thread
other than a worker has seen it end (:class:`_GcPause`, process-wide like the collector itself);
whatever is due is collected by the next allocation on the Qt thread. Jobs are short (a page, a
count, one export page), so the pause is too.

The pause is one process-wide count of the jobs not yet seen ended, not a per-worker or
per-event-loop state: the end of a job is normally reported by a callback on the event loop that
submitted it, but that callback is lost when the loop stops or closes first (qasync drops it
without a word). Any later call on a non-worker thread (a new worker, any submit, ``reap``,
closing) counts every ended job, whoever submitted it, so a lost report can no longer leave the
collector off for good (it did: one test's job ending after its loop closed turned the collector
off for every later test in the process).

No Qt here: the awaitables are asyncio's (``asyncio.wrap_future``), which qasync runs on the Qt
event loop. Call this class from the event-loop thread only.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import queue
import threading
from pathlib import Path
from typing import Any, Callable, TypeVar

from app.clock import Clock
from app.history.entry import HistoryEntry
from app.history.errors import HistoryError
from app.history.export import CsvExport
from app.history.query import Cursor, HistoryQuery
from app.history.store import BUSY_TIMEOUT_MS, HistoryStore, is_busy

T = TypeVar("T")
# Rows per export job. A job can keep the Qt thread from the GIL for most of its length: a
# thread that releases and retakes the GIL often (a fetch releases it for every row) wins it
# back before the waiting thread has woken up (CPython's convoy effect). Jobs of ~5 ms bound
# that wait; 1000-row pages measured 18-26 ms stalls (bench/history_scale.py).
EXPORT_PAGE_SIZE = 250


def _same(entry: HistoryEntry) -> Any:
    return entry


class _GcPause:
    """Automatic garbage collection off while any worker job is in flight (see the module
    docstring). Called only from threads that are not history workers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: list[_Job] = []
        self._paused_here = False  # True if this pause (not someone else) disabled the collector

    def hold(self) -> "_Job":
        """Pause for one job about to be submitted; the worker marks the token when it ends."""
        job = _Job()
        with self._lock:
            self._count_ended()
            if not self._jobs and gc.isenabled():
                gc.disable()
                self._paused_here = True
            self._jobs.append(job)
        return job

    def drop(self, job: "_Job") -> None:
        """The job was never submitted."""
        job.dropped = True
        self.settle()

    def settle(self, *, wait_for_done: bool = False) -> None:
        """Count every job that has ended (any worker's); the last one re-enables collection."""
        if _on_worker_thread():
            return  # a collection must not start here: a thread of the event loop will settle
        if wait_for_done:
            with self._lock:
                waiting = [job for job in self._jobs if job.future_done and not job.ended]
            for job in waiting:
                job.finished.wait(1.0)
        with self._lock:
            self._count_ended()

    def _count_ended(self) -> None:
        self._jobs = [job for job in self._jobs if not job.ended]
        if not self._jobs and self._paused_here:
            self._paused_here = False
            gc.enable()

    @property
    def jobs(self) -> int:
        """Jobs not yet seen ended (tests and diagnostics)."""
        with self._lock:
            return len(self._jobs)


class _Job:
    """One submitted job's share of the pause. It has *ended* once the worker thread has done
    everything it does for it (run it, deliver its result to every callback, report the end):
    not merely once its future is done, since the callbacks that deliver the result (asyncio's
    wrap_future, qasync's cross-thread signal) still allocate on the worker thread after that,
    and a collection there is what the pause exists to prevent."""

    __slots__ = ("dropped", "finished", "future")

    def __init__(self) -> None:
        self.dropped = False  # never submitted
        self.finished = threading.Event()  # set by the worker thread, as its last act for the job
        self.future: concurrent.futures.Future[Any] | None = None

    @property
    def future_done(self) -> bool:
        return self.future is not None and self.future.done()

    @property
    def ended(self) -> bool:
        return self.dropped or self.finished.is_set()


class _JobThread:
    """The one thread that runs a worker's jobs in order (a ThreadPoolExecutor of one, written
    out so that the end of each job is reported last, after its result went out)."""

    def __init__(self, name: str) -> None:
        self._queue: queue.SimpleQueue[tuple | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._started = False

    def submit(self, fn: Callable[..., T], args: tuple, kwargs: dict, job: _Job,
               loop: asyncio.AbstractEventLoop | None) -> "concurrent.futures.Future[T]":
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        job.future = future
        if not self._started:
            self._thread.start()
            self._started = True
        self._queue.put((future, fn, args, kwargs, job, loop))
        return future

    def shutdown(self) -> None:
        """End the thread after the jobs already queued, and wait for it."""
        if self._started:
            self._queue.put(None)
            self._thread.join()

    def _serve(self) -> None:
        _WORKER_THREAD.is_worker = True
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, fn, args, kwargs, job, loop = item
            item = None
            if future.set_running_or_notify_cancel():
                try:
                    result = fn(*args, **kwargs)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller, as an executor does
                    future.set_exception(exc)
                    exc = None  # no frame -> traceback -> exception cycle kept alive here
                else:
                    future.set_result(result)  # the callbacks run here, collector still paused
                    result = None
            future = fn = args = kwargs = None
            _finish(job, loop)  # the last thing this thread does before waiting for more work
            job = loop = None


_WORKER_THREAD = threading.local()


def _finish(job: _Job, loop: asyncio.AbstractEventLoop | None) -> None:
    """On the worker thread, after everything else for ``job``: mark it ended and ask ``loop``'s
    thread to count it. If that loop has closed (or closes before it runs this), the next call to
    the pause from any non-worker thread counts it instead."""
    job.finished.set()
    if loop is not None:
        try:
            loop.call_soon_threadsafe(_GC_PAUSE.settle)
        except RuntimeError:  # the loop has closed
            pass


def _on_worker_thread() -> bool:
    return getattr(_WORKER_THREAD, "is_worker", False)


_GC_PAUSE = _GcPause()  # one interpreter, one collector: the pause is process-wide too


def pause_collection() -> Callable[[], None]:
    """Pause automatic garbage collection for work on another thread of ours (the account
    directory's sync) the way a history job does, sharing the one process-wide pause; returns
    the function that ends this share of it (call it on the event loop's thread, once)."""
    job = _GC_PAUSE.hold()
    return lambda: _GC_PAUSE.drop(job)


class Superseded(Exception):
    """The job was no longer wanted when its turn came; it did not run."""


class HistoryWorker:
    """A thread and a connection for the history at ``path``. Close it with :meth:`aclose`."""

    def __init__(self, path: Path, *, clock: Clock, store_urls: bool = True) -> None:
        self.path = Path(path)
        self._clock = clock
        self._store_urls = store_urls
        self._store: HistoryStore | None = None  # touched on the worker thread only
        self._executor: _JobThread | None = _JobThread("linkdesk-history")
        _GC_PAUSE.settle()  # jobs of earlier workers whose end was never reported

    @classmethod
    def for_store(cls, store: HistoryStore, clock: Clock) -> "HistoryWorker":
        """A worker for the database an open ``store`` uses."""
        return cls(store.path, clock=clock, store_urls=store.store_urls)

    @property
    def closed(self) -> bool:
        return self._executor is None

    # -- running jobs -------------------------------------------------------------------------
    def submit(self, fn: Callable[..., T], *args: object, **kwargs: object) -> "concurrent.futures.Future[T]":
        """Run ``fn(*args, **kwargs)`` on the worker thread, after the jobs already queued.

        With an event loop running, the GC pause ends by itself once the job has ended; a
        caller without one blocks on ``.result()`` and then calls :meth:`reap`.
        """
        if self._executor is None:
            raise HistoryError("The history worker is closed.")
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None  # settled by the blocking caller's reap(), or by the next call here
        job = _GC_PAUSE.hold()
        try:
            return self._executor.submit(fn, args, kwargs, job, loop)
        except BaseException:
            _GC_PAUSE.drop(job)
            raise

    def reap(self) -> None:
        """Count the jobs that have ended (every worker's), ending the GC pause if none is left.
        For a caller that blocked on a job's result (the event loop does it by itself): a job
        whose result is out but whose thread has not yet reported its end is waited for (a few
        microseconds)."""
        _GC_PAUSE.settle(wait_for_done=True)

    def _with_store(self, job: Callable[[HistoryStore], T], wanted: Callable[[], bool] | None) -> T:
        if wanted is not None and not wanted():
            raise Superseded()
        if self._store is None:
            self._store = HistoryStore.attach(self.path, clock=self._clock, store_urls=self._store_urls,
                                              busy_timeout_ms=BUSY_TIMEOUT_MS)
        return job(self._store)

    async def run(self, job: Callable[[HistoryStore], T], *, wanted: Callable[[], bool] | None = None) -> T:
        """``job(store)`` on the worker thread with the worker's connection; awaits its result.

        Cancelling the await drops a job that has not started; one that has started finishes
        on the thread (SQLite statements are short) and its result is discarded.
        """
        return await asyncio.wrap_future(self.submit(self._with_store, job, wanted))

    # -- reading --------------------------------------------------------------------------------
    async def page(self, query: HistoryQuery, *, limit: int, after: Cursor | None = None,
                   wanted: Callable[[], bool] | None = None,
                   convert: Callable[[HistoryEntry], T] = _same) -> list[T]:
        """The ``limit`` matches after ``after`` (None: from the newest), each passed through
        ``convert`` on the worker (formatting then costs the UI thread nothing). Keyset paging:
        page 500 costs what page 1 costs."""
        return await self.run(
            lambda store: [convert(entry) for entry in store.query(query, limit=limit, after=after)], wanted=wanted)

    async def count(self, query: HistoryQuery, *, wanted: Callable[[], bool] | None = None) -> int:
        """How many entries match (a scan of the covering index: ~15 ms at 100k rows)."""
        return await self.run(lambda store: store.count(query), wanted=wanted)

    async def export_csv(self, path: Path, query: HistoryQuery, *, page_size: int = EXPORT_PAGE_SIZE) -> int:
        """Write every entry matching ``query`` to ``path`` (via ``<path>.partial``); returns the
        number of rows. One page per job, so a search asked for meanwhile runs between two
        pages instead of after the whole file. The file is opened, written and, on failure or
        cancellation, removed on the worker thread only. Raises OSError or sqlite3.Error."""
        job = await self.run(lambda store: CsvExport(store, query, path, page_size=page_size))
        try:
            while await self.run(lambda _store: job.step()):
                pass
        except BaseException:
            if not self.closed:
                self.submit(job.cancel)  # after the step that may still be running
            raise
        return job.count

    # -- writing --------------------------------------------------------------------------------
    async def write(self, main: HistoryStore, job: Callable[[HistoryStore], T]) -> T:
        """Run a small write on the calling (UI) thread's ``main`` store; if another instance's
        lock outlasts its short busy timeout, run it again here, where waiting freezes nothing.

        ``job`` must be safe to run twice after a busy failure: a single statement that failed
        wrote nothing (set_note, delete and record are).
        """
        try:
            return job(main)
        except Exception as exc:  # noqa: BLE001 - only "locked" is retried
            if not is_busy(exc):
                raise
        return await self.run(job)

    async def record(self, main: HistoryStore, entry: HistoryEntry) -> HistoryEntry:
        """:meth:`HistoryStore.record`, committed when this returns, never freezing the UI thread
        on another instance's lock (see :meth:`write`)."""
        keep_urls = main.store_urls

        def job(store: HistoryStore) -> HistoryEntry:
            store.store_urls = keep_urls  # the worker's connection follows the UI's preference
            return store.record(entry)

        saved = await self.write(main, job)
        main.track_url(saved)  # erased at exit like the URLs main wrote itself
        return saved

    async def open_attempt(self, main: HistoryStore, entry: HistoryEntry) -> HistoryEntry:
        """:meth:`HistoryStore.open_attempt` (before the request is sent), committed when this
        returns, never freezing the UI thread on another instance's lock (see :meth:`write`)."""
        return await self.write(main, lambda store: store.open_attempt(entry))

    async def complete(self, main: HistoryStore, entry_id: int | None, entry: HistoryEntry) -> HistoryEntry:
        """:meth:`HistoryStore.complete`, as :meth:`record` writes a new entry (URLs kept as
        the UI's store keeps them, and erased at exit like the ones it wrote itself)."""
        keep_urls = main.store_urls

        def job(store: HistoryStore) -> HistoryEntry:
            store.store_urls = keep_urls
            return store.complete(entry_id, entry)

        saved = await self.write(main, job)
        main.track_url(saved)
        return saved

    # -- closing --------------------------------------------------------------------------------
    def _close_store(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    async def aclose(self) -> None:
        """Close the worker's connection (on its thread, after the queued jobs) and end the
        thread. Safe to call twice."""
        started = self._start_closing()
        if started is None:
            return
        executor, closing = started
        try:
            await wait_done(closing)
            closing.result()
        finally:
            self._finish_closing(executor)

    def close(self) -> None:
        """Blocking :meth:`aclose`, for code without an event loop (waits for queued jobs)."""
        started = self._start_closing()
        if started is None:
            return
        executor, closing = started
        try:
            closing.result()
        finally:
            self._finish_closing(executor)

    def _start_closing(self):  # -> (executor, future of closing the store) | None
        """Queue the store's closing after the jobs already queued; None if already closed."""
        executor = self._executor
        if executor is None:
            return None
        closing = self.submit(self._close_store)
        self._executor = None
        return executor, closing

    def _finish_closing(self, executor: _JobThread) -> None:
        executor.shutdown()  # the queue is empty by now: returns at once
        self.reap()


async def wait_done(future: "concurrent.futures.Future[Any]") -> None:
    """Wait until a worker ``future`` has ended, without cancelling it if this wait is cancelled;
    its outcome is marked as seen (the owner reads it with ``.result()``)."""
    wrapped = asyncio.wrap_future(future)
    wrapped.add_done_callback(lambda f: f.cancelled() or f.exception())
    await asyncio.wait({wrapped})
