"""The client-wide token bucket: spreads bursts, slows on 429, recovers; on a fake clock."""

from __future__ import annotations

import asyncio

import pytest

from app.clock import FakeClock
from app.stripe.keys import ApiKey
from app.stripe.ratelimit import RECOVERY_SECONDS, RateLimiter, RateLimiterPool
from fake_stripe_api import ACCOUNT, LIVE_SECRET, TEST_SECRET, FakeStripe, account_json, make_client, ok, stripe_error


class FakeTime:
    """A monotonic clock whose sleep advances it (and records each wait)."""

    def __init__(self) -> None:
        self.clock = FakeClock(mono=100.0)
        self.waits: list[float] = []

    def now(self) -> float:
        return self.clock.monotonic()

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)
        await asyncio.sleep(0)


def limiter(rate: float = 10.0, **options: object) -> tuple[RateLimiter, FakeTime]:
    t = FakeTime()
    return RateLimiter(rate, share=1.0, clock=t.now, sleep=t.sleep, **options), t


async def test_a_burst_goes_out_at_once_then_at_the_rate():
    bucket, t = limiter(10.0, burst=10)
    starts = []
    for _ in range(30):
        await bucket.acquire()
        starts.append(t.now() - 100.0)
    assert starts[:10] == [0.0] * 10  # the burst at once
    assert starts[-1] == pytest.approx(2.0)  # then 10 per second
    gaps = [b - a for a, b in zip(starts[10:], starts[11:])]
    assert all(g == pytest.approx(0.1) for g in gaps)


def busiest_second(sends: list[float]) -> int:
    """The most sends in any one-second window [t, t + 1) (Stripe's limit is counted so)."""
    import bisect

    return max(bisect.bisect_left(sends, start + 1.0 - 1e-9) - i for i, start in enumerate(sends))


async def test_no_one_second_window_holds_more_than_the_keys_limit_from_the_start():
    # Issue 18: a bucket starting full of one second's worth sent about 40 requests in the
    # first second against a limit of 25, and the 429s that followed collapsed the sync.
    t = FakeTime()
    bucket = RateLimiter.for_mode("test", clock=t.now, sleep=t.sleep)  # 80 % of 25/s
    sends = []
    for _ in range(200):
        await bucket.acquire()
        sends.append(t.now())
    assert busiest_second(sends) <= 25
    assert sends[-1] - sends[0] == pytest.approx((200 - bucket.burst) / 20.0, abs=0.06)  # and at 20/s
    assert bucket.burst == pytest.approx(3.5)


async def test_concurrent_waiters_are_served_in_order_and_spread():
    bucket, t = limiter(5.0, burst=1)
    order: list[tuple[int, float]] = []

    async def one(i: int) -> None:
        await bucket.acquire()
        order.append((i, t.now() - 100.0))

    await asyncio.gather(*(one(i) for i in range(6)))
    assert [i for i, _ in order] == list(range(6))
    assert [when for _, when in order] == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])


async def test_share_is_the_fraction_of_the_limit_used():
    t = FakeTime()
    bucket = RateLimiter(25.0, share=0.4, clock=t.now, sleep=t.sleep)
    assert bucket.limit == 10.0 and bucket.burst == pytest.approx(1 + (25.0 - 10.0) / 2)
    with pytest.raises(ValueError):
        RateLimiter(25.0, share=0.0)
    with pytest.raises(ValueError):
        RateLimiter(25.0, share=1.5)


async def test_a_429_halves_the_rate_honours_retry_after_and_recovers():
    bucket, t = limiter(10.0)
    await bucket.acquire()
    bucket.on_rate_limited(3.0)
    assert bucket.rate == 5.0 and bucket.rate_limited_count == 1
    await bucket.acquire()
    assert t.now() - 100.0 == pytest.approx(3.0)  # nothing before Retry-After
    rate_before = 5.0 + 5.0 * 3.0 / RECOVERY_SECONDS  # 3 s of the climb back
    assert bucket.rate == pytest.approx(rate_before)
    bucket.on_rate_limited(None)
    assert bucket.rate == pytest.approx(rate_before / 2)
    t.clock.advance(RECOVERY_SECONDS / 2)
    assert rate_before / 2 < bucket.rate < 10.0
    t.clock.advance(RECOVERY_SECONDS)
    assert bucket.rate == 10.0


async def test_after_a_429_requests_really_go_out_slower_then_recover_within_seconds():
    """The pace of requests sent, not only the ``rate`` property: with the bucket refilled at
    the full rate after a 429, 100 requests went out in the 5 s after it."""
    t = FakeTime()
    bucket = RateLimiter.for_mode("test", clock=t.now, sleep=t.sleep)  # 20/s, a bucket of 3.5
    for _ in range(40):  # a steady 20/s
        await bucket.acquire()
    bucket.on_rate_limited(None)
    limited_at = t.now()
    sends = []
    while t.now() < limited_at + 8.0:
        await bucket.acquire()
        sends.append(t.now() - limited_at)
    first_second = sum(1 for s in sends if s < 1.0)
    first_five = sum(1 for s in sends if s < 5.0)
    assert 9 <= first_second <= 13  # about half of 20/s, climbing
    assert 70 <= first_five <= 85  # 10/s climbing back to 20/s over RECOVERY_SECONDS, then 20/s
    assert RECOVERY_SECONDS <= 5.0 and bucket.rate == 20.0
    late = [s for s in sends if s >= RECOVERY_SECONDS + 1.0]
    assert all(b - a == pytest.approx(0.05) for a, b in zip(late, late[1:]))  # back to the full pace


async def test_the_429s_of_one_round_trip_halve_the_rate_once():
    bucket, t = limiter(20.0)
    answered = asyncio.Event()
    sent: list[float] = []

    async def request() -> None:
        await bucket.acquire()
        sent.append(t.now())
        await answered.wait()  # every request of this round trip is on its way
        bucket.on_rate_limited(None)  # ... and each comes back 429

    tasks = [asyncio.ensure_future(request()) for _ in range(8)]
    while len(sent) < 8:
        await asyncio.sleep(0)
    t.clock.advance(0.15)  # a round trip later, the 429s arrive together
    answered.set()
    await asyncio.gather(*tasks)
    assert bucket.rate_limited_count == 8 and bucket.cuts == 1
    assert bucket.rate == pytest.approx(10.0)  # halved once, not 8 times (to the 0.5/s floor)

    async def later() -> None:
        await bucket.acquire()  # sent after the cut: a 429 for it is a new congestion event
        bucket.on_rate_limited(None)

    await later()
    assert bucket.cuts == 2 and bucket.rate < 10.0


async def test_429s_reported_without_their_send_instant_count_once_per_second():
    bucket, t = limiter(20.0)
    for _ in range(5):
        bucket.on_rate_limited(None)  # e.g. from another loop's client (no send instant)
    assert bucket.cuts == 1 and bucket.rate == pytest.approx(10.0)
    t.clock.advance(1.5)
    bucket.on_rate_limited(None)
    assert bucket.cuts == 2


async def test_the_rate_never_drops_below_the_floor():
    bucket, _ = limiter(1.0)
    for _ in range(20):
        bucket.on_rate_limited(None)
        bucket._cut_at = float("-inf")  # each a congestion event of its own
    assert bucket.rate == 0.5


def test_defaults_follow_the_key_mode_and_the_pool_shares_one_limiter_per_key():
    assert RateLimiter.for_mode("test", share=1.0).limit == 25.0
    assert RateLimiter.for_mode("live", share=1.0).limit == 100.0
    pool = RateLimiterPool(share=0.5)
    test_key, live_key = ApiKey(TEST_SECRET), ApiKey(LIVE_SECRET)
    assert pool.for_key(test_key) is pool.for_key(ApiKey(TEST_SECRET))
    assert pool.for_key(live_key) is not pool.for_key(test_key)
    assert pool.for_key(live_key).limit == 50.0 and pool.for_key(test_key).limit == 12.5


async def test_every_client_request_waits_for_the_limiter_and_429_slows_it():
    bucket, t = limiter(2.0, burst=1)
    fake = FakeStripe(ok(account_json()))
    async with make_client(fake, rate_limiter=bucket) as client:
        assert client.rate_limiter is bucket
        for _ in range(3):
            await client.retrieve_account(ACCOUNT)
    assert t.waits == pytest.approx([0.5, 0.5])

    limited = FakeStripe(stripe_error(429, code="rate_limit", headers={"Retry-After": "2"}), ok(account_json()))
    async with make_client(limited, rate_limiter=bucket) as client:
        await client.retrieve_account(ACCOUNT)
    assert bucket.rate_limited_count == 1 and bucket.rate < 2.0
    assert len(limited.requests) == 2


async def test_a_client_builds_a_limiter_for_its_key_mode_when_none_is_passed():
    async with make_client(FakeStripe(ok(account_json())), secret=LIVE_SECRET) as client:
        assert client.rate_limiter.limit == 100.0 * 0.8


async def test_a_wait_for_the_limiter_counts_against_the_deadline():
    import time

    from app.stripe.errors import APITimeoutError

    slow = RateLimiter(1.0, share=1.0, burst=1)  # real clock: the second request waits 1 s
    fake = FakeStripe(ok(account_json()))
    async with make_client(fake, rate_limiter=slow, deadline=0.3) as client:
        await client.retrieve_account(ACCOUNT)
        started = time.perf_counter()
        with pytest.raises(APITimeoutError):
            await client.retrieve_account(ACCOUNT)
    assert time.perf_counter() - started < 0.8 and len(fake.requests) == 1
