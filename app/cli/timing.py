"""Time words and waits shared by the link commands (v1 in app.cli.link, v2 in app.cli.accounts_v2)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any


def local_time(unix: float) -> str:
    return datetime.fromtimestamp(unix).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


async def settle(task: "asyncio.Future[Any]", grace: float = 1.0) -> "Any | None":
    """The account if it arrives within ``grace`` seconds and without error, else None."""
    done, _ = await asyncio.wait({task}, timeout=grace)
    if not done:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return None
    return None if task.cancelled() or task.exception() is not None else task.result()
