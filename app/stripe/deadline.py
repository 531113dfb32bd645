"""A call's overall deadline that never throws away an answer already in hand.

``asyncio.timeout_at`` cancels the waiting task when the deadline's timer runs. If the event loop
was busy (another task decoding a large answer, a slow machine) while the answer arrived, the
timer and the answer are both due when the loop comes back, and the timer wins: the bytes are
read into a task that is cancelled the moment it resumes, and a link Stripe made becomes a
timeout. :func:`finish_by` runs the exchange as a task of its own instead: at the deadline it
looks whether that task has finished, and if not gives it :data:`ANSWER_GRACE` more to finish
what it has already received (milliseconds of work) before cancelling it. A server that is
really still sending is cut off at most ``ANSWER_GRACE`` after the deadline.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable, TypeVar

T = TypeVar("T")

ANSWER_GRACE = 0.25  # seconds an exchange may run past the deadline to read what has arrived


async def finish_by(exchange: Awaitable[T], deadline: float, *, grace: float = ANSWER_GRACE) -> T:
    """``await exchange``, but raise TimeoutError if it has not finished by ``deadline`` (the
    running loop's time) plus ``grace``. Cancelling the caller cancels the exchange."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(exchange)
    try:
        await asyncio.wait({task}, timeout=max(0.0, deadline - loop.time()))
        if not task.done():  # the deadline: whatever has arrived may still be read
            await asyncio.wait({task}, timeout=grace)
    except BaseException:
        task.cancel()
        task.add_done_callback(_seen)
        raise
    if not task.done():
        task.cancel()
        await asyncio.wait({task})  # its connection is released before the timeout is reported
        if not task.cancelled() and task.exception() is None:
            return task.result()  # it finished as it was being cancelled: the answer counts
        raise TimeoutError()
    return task.result()


def _seen(task: "asyncio.Future[object]") -> None:
    if not task.cancelled():
        task.exception()  # retrieved: a failure after our caller left is not "never retrieved"
