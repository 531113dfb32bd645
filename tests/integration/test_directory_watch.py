"""Live onboarding progress against the sandbox: changes reported as they happen, and the watch
stopping at link expiry or when told to. Time is a fake clock; nothing sleeps."""

from __future__ import annotations

import asyncio
import time

import pytest

from app.clock import FakeClock
from app.directory.watch import AccountWatcher
from app.sandbox import DEMO_API_KEY
from app.sandbox.seed import DEMO_SPECS
from app.stripe import ApiKey, StripeClient

ACCOUNT = DEMO_SPECS["express_new"].id


class Script:
    """An injected ``sleep`` that advances the fake clock and applies the seller's next steps."""

    def __init__(self, clock: FakeClock, steps: dict[int, dict] | None = None, sandbox=None) -> None:
        self.clock, self.steps, self.sandbox = clock, steps or {}, sandbox
        self.sleeps: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.clock.advance(seconds)
        changes = self.steps.get(len(self.sleeps))
        if changes:
            self.sandbox.update_account(ACCOUNT, **changes)
        await asyncio.sleep(0)


def fmt(wall: float) -> str:
    return time.strftime("%H:%M", time.localtime(wall))


async def test_changes_are_reported_as_the_seller_onboards_and_the_watch_stops_at_expiry(logged_sandbox):
    clock = FakeClock()
    due = DEMO_SPECS["express_new"].currently_due
    script = Script(clock, {
        2: dict(currently_due=due[3:], past_due=due[3:]),  # three items done
        4: dict(details_submitted=True, currently_due=(), past_due=(), disabled_reason=None),
        6: dict(charges_enabled=True, payouts_enabled=True),
    }, logged_sandbox)
    seen = []
    async with StripeClient(ApiKey(DEMO_API_KEY), api_base=logged_sandbox.url) as client:
        watcher = AccountWatcher(client, ACCOUNT, until=clock.monotonic() + 60, clock=clock, interval=7,
                                 sleep=script, on_change=seen.append)
        reason = await watcher.run()
    assert reason == "expired"
    assert script.sleeps == [7.0] * 8 + [4.0]  # 60 s of link: 8 full intervals, then its end
    assert watcher.reads == 8  # once per interval (the first is the baseline); none after expiry
    kinds = [c.kind for c in seen]
    assert kinds == ["items_done", "details_submitted", "items_done", "enabled", "charges_enabled",
                     "payouts_enabled"]
    assert seen[0].text.startswith("3 items ticked off (business_profile.mcc, business_profile.url, external_account)")
    assert seen[0].text.endswith(f"; {len(due) - 3} left")
    details_at = seen[1].at
    assert watcher.outcome() == (f"details submitted at {fmt(details_at)}; charges enabled at {fmt(seen[4].at)}; "
                                 f"payouts enabled at {fmt(seen[5].at)}")
    gets = [line for line in logged_sandbox.lines if f"GET /v1/accounts/{ACCOUNT}" in line]
    assert len(gets) == watcher.reads


async def test_switching_account_stops_the_watch_while_it_waits(sandbox):
    clock = FakeClock()
    forever = asyncio.Event()
    sleeps = []

    async def never_returns(seconds: float) -> None:
        sleeps.append(seconds)
        await forever.wait()

    async with StripeClient(ApiKey(DEMO_API_KEY), api_base=sandbox.url) as client:
        watcher = AccountWatcher(client, ACCOUNT, until=clock.monotonic() + 300, clock=clock, sleep=never_returns)
        task = asyncio.ensure_future(watcher.run())
        while not sleeps:
            await asyncio.sleep(0)
        assert watcher.running and watcher.reads == 0
        watcher.stop("switched")
        assert await asyncio.wait_for(task, 5) == "switched"
    assert not watcher.running and watcher.reads == 0
    assert watcher.outcome() == "no onboarding progress seen while the link was active"


async def test_an_already_expired_link_is_not_watched(sandbox):
    clock = FakeClock()
    async with StripeClient(ApiKey(DEMO_API_KEY), api_base=sandbox.url) as client:
        watcher = AccountWatcher(client, ACCOUNT, until=clock.monotonic() - 1, clock=clock,
                                 sleep=Script(clock), baseline=await client.retrieve_account(ACCOUNT))
        assert await watcher.run() == "expired"
    assert watcher.reads == 0


async def test_failed_reads_are_tried_again_at_the_next_interval(logged_sandbox):
    clock = FakeClock()
    script = Script(clock, {3: dict(details_submitted=True)}, logged_sandbox)
    async with StripeClient(ApiKey(DEMO_API_KEY), api_base=logged_sandbox.url, max_retries=0) as client:
        baseline = await client.retrieve_account(ACCOUNT)
        logged_sandbox.inject_fault("500", 2, path=f"/v1/accounts/{ACCOUNT}", should_retry=False)
        watcher = AccountWatcher(client, ACCOUNT, until=clock.monotonic() + 30, clock=clock, sleep=script,
                                 baseline=baseline, interval=5)
        await watcher.run()
    assert watcher.errors == 2 and [c.kind for c in watcher.changes] == ["details_submitted"]
    assert watcher.outcome().startswith("details submitted at ")


@pytest.mark.parametrize("asked, used", [(1, 5.0), (7, 7.0), (60, 10.0)])
def test_interval_is_kept_within_five_to_ten_seconds(asked, used):
    assert AccountWatcher(None, ACCOUNT, until=0, clock=FakeClock(), interval=asked).interval == used
