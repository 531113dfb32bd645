"""Cancelling a call at any await stops it: CancelledError propagates and nothing more is sent."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from app.stripe.validation import LinkRequest
from fake_stripe_api import ACCOUNT, FakeStripe, link_json, make_client, ok, stripe_error

REQUEST = LinkRequest(ACCOUNT, "account_onboarding", "https://e.com/refresh", "https://e.com/return")


async def test_cancel_while_waiting_for_the_answer():
    arrived = asyncio.Event()

    async def never_answers(request: httpx.Request) -> httpx.Response:
        arrived.set()
        await asyncio.Future()  # hangs until cancelled
        raise AssertionError("unreachable")

    fake = FakeStripe(never_answers, ok(link_json()))
    async with make_client(fake) as client:
        task = asyncio.create_task(client.create_account_link(REQUEST))
        await arrived.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0)
    assert task.cancelled()
    assert len(fake.requests) == 1


async def test_cancel_during_backoff_sends_nothing_more():
    sleeping = asyncio.Event()
    delays: list[float] = []

    async def sleep_forever(seconds: float) -> None:
        delays.append(seconds)
        sleeping.set()
        await asyncio.Future()

    fake = FakeStripe(stripe_error(503, type="api_error"), ok(link_json()))
    async with make_client(fake, sleep=sleep_forever) as client:
        task = asyncio.create_task(client.create_account_link(REQUEST))
        await sleeping.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(3):
            await asyncio.sleep(0)
    assert task.cancelled()
    assert delays == [0.5]
    assert len(fake.requests) == 1


async def test_cancellation_raised_by_the_transport_is_not_turned_into_an_error():
    fake = FakeStripe(asyncio.CancelledError(), ok(link_json()))
    async with make_client(fake) as client:
        with pytest.raises(asyncio.CancelledError):
            await client.create_account_link(REQUEST)
    assert len(fake.requests) == 1


async def test_cancel_with_a_real_sleep_mid_backoff():
    """The default sleep (asyncio.sleep) is cancellable too; no fake sleep involved."""
    fake = FakeStripe(stripe_error(500, type="api_error"), ok(link_json()))
    async with make_client(fake, sleep=asyncio.sleep, random=lambda: 1.0) as client:
        task = asyncio.create_task(client.create_account_link(REQUEST))
        while not fake.requests:
            await asyncio.sleep(0)
        await asyncio.sleep(0.01)  # now inside the 0.5 s backoff
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert len(fake.requests) == 1
