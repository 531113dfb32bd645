"""Every coroutine the window starts goes through one :class:`TaskTracker`.

Why: a task nobody holds can be garbage-collected mid-flight, a failed task nobody awaits logs
"Task exception was never retrieved", and a task still pending when the loop stops logs "Task was
destroyed but it is pending". The tracker holds each task until it ends, hands unexpected
exceptions to one error path, and on close cancels and awaits what is left. No Qt here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Coroutine, TypeVar

if TYPE_CHECKING:
    import asyncio

T = TypeVar("T")


class TaskTracker:
    """Owns the window's background tasks.

    ``on_error`` receives any exception a task ends with (other than cancellation); the
    coroutines themselves handle the errors they expect (Stripe errors, validation).
    """

    def __init__(self, on_error: Callable[[BaseException], None] | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_error = on_error
        self._closed = False

    def spawn(self, coro: Coroutine[Any, Any, T], *, name: str | None = None) -> "asyncio.Task[T]":
        """Start ``coro`` on the running loop and keep it until it ends."""
        if self._closed:
            coro.close()  # never started: no "coroutine was never awaited" warning
            raise RuntimeError("the window is closing; no new work is started")
        import asyncio

        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: "asyncio.Task[Any]") -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()  # also marks it retrieved
        if exc is not None:
            if self._on_error is not None:
                self._on_error(exc)
            else:  # no error path installed: let the loop's handler see it
                task.get_loop().call_exception_handler(
                    {"message": f"Task {task.get_name()} failed", "exception": exc, "task": task}
                )

    @property
    def pending(self) -> tuple["asyncio.Task[Any]", ...]:
        return tuple(t for t in self._tasks if not t.done())

    def __len__(self) -> int:
        return len(self.pending)

    @property
    def closed(self) -> bool:
        return self._closed

    async def cancel_all(self, *, close: bool = False) -> None:
        """Cancel every pending task and wait until each has finished unwinding.

        With ``close=True`` no new task may be spawned afterwards (window shutdown).
        Safe to call twice.
        """
        import asyncio

        if close:
            self._closed = True
        while True:
            pending = [t for t in self._tasks if not t.done() and t is not asyncio.current_task()]
            if not pending:
                return
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)


def install_asyncgen_finalizer(loop: "asyncio.AbstractEventLoop") -> None:
    """Have async generators left mid-iteration closed *on* ``loop``, as asyncio's own
    ``run_forever`` arranges and qasync's does not.

    Without a finalizer, Python closes an abandoned async generator synchronously when it is
    collected, outside any loop: httpx's response stream left after a capped read (a
    decompression bomb) then tries to await its cleanup and fails with "async generator ignored
    GeneratorExit" / "no running event loop". Call before the first request (the hook is taken
    by each generator when it starts). A closed loop schedules nothing.
    """
    import sys

    def finalize(agen: Any) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(loop.create_task, agen.aclose())

    sys.set_asyncgen_hooks(finalizer=finalize)
