"""Helpers shared by the main-window tests (find widgets by name, await conditions)."""

from __future__ import annotations


# -- helpers -----------------------------------------------------------------------------------
def find(window, name: str, kind=None):
    """The child named ``name`` (a QWidget unless ``kind`` says otherwise); fails if absent."""
    from PySide6.QtWidgets import QWidget

    widget = window.findChild(kind or QWidget, name)
    assert widget is not None, f"no child named {name!r}"
    return widget


async def wait_until(predicate, timeout: float = 5.0, interval: float = 0.01) -> None:
    """Await (never block) until ``predicate()`` is true; the loop keeps running meanwhile."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)


async def look_up(window, account_id: str):
    find(window, "accountInput").setText(account_id)
    account = await window.lookup_account()
    assert account is not None, window.banner.message.text()
    return account
