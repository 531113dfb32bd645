"""Load: 200 creates at once against the sandbox's 25 requests/s limit all succeed, no link twice.

Real time on both sides (the sandbox's bucket runs on the wall clock here), bounded by a
timeout; the client's own rate limiter spreads the burst instead of failing it (issue 8 saw
41 % fail without it).
"""

from __future__ import annotations

import asyncio
import time

import pytest

from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY
from app.stripe import ApiKey, LinkRequest, StripeClient

CREATES = 200
SANDBOX_RATE = 25.0


@pytest.mark.slow
async def test_200_concurrent_creates_against_25_per_second_all_succeed(make_sandbox):
    lines: list[str] = []
    server = make_sandbox(rate_limit=SANDBOX_RATE, clock=time.time, log=lines.append)
    accounts = list(DEMO_ACCOUNTS.values())
    requests = [
        LinkRequest(accounts[i % len(accounts)], "account_onboarding", "https://example.com/reauth",
                    f"https://example.com/return/{i}")
        for i in range(CREATES)
    ]
    started = time.monotonic()
    async with StripeClient(ApiKey(DEMO_API_KEY), api_base=server.url, deadline=60.0) as client:
        async with asyncio.timeout(90):
            results = await asyncio.gather(
                *(client.create_account_link(r) for r in requests), return_exceptions=True
            )
        limiter = client.rate_limiter
    elapsed = time.monotonic() - started
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []
    urls = [link.url for link in results]
    assert len(set(urls)) == CREATES
    # 20 requests/s (80 % of the limit) after a burst of 20: about 9 s; never faster than the limit.
    assert elapsed >= (CREATES - SANDBOX_RATE) / SANDBOX_RATE
    assert limiter.rate_limited_count == answered_429(lines) <= 10
    print(f"\n{CREATES} creates in {elapsed:.1f} s, {limiter.rate_limited_count} answered 429")


def answered_429(lines: list[str]) -> int:
    return sum('" 429 ' in line for line in lines)


@pytest.mark.slow
async def test_without_the_client_limiter_the_same_burst_fails(make_sandbox):
    """The baseline that shows the test above can fail: with a limiter too generous to matter,
    the sandbox turns much of the burst away (how many end failed after their retries depends
    on this machine's speed, so the 429s are counted)."""
    from app.stripe.ratelimit import RateLimiter

    lines: list[str] = []
    server = make_sandbox(rate_limit=SANDBOX_RATE, clock=time.time, log=lines.append)
    request = LinkRequest(DEMO_ACCOUNTS["custom_due"], "account_onboarding", "https://example.com/reauth",
                          "https://example.com/return")
    unlimited = RateLimiter(1_000_000.0, share=1.0)
    unlimited.on_rate_limited = lambda retry_after: None  # type: ignore[method-assign]
    async with StripeClient(ApiKey(DEMO_API_KEY), api_base=server.url, rate_limiter=unlimited) as client:
        async with asyncio.timeout(60):
            results = await asyncio.gather(*(client.create_account_link(request) for _ in range(CREATES)),
                                           return_exceptions=True)
    assert answered_429(lines) > CREATES // 4
    print(f"\nwithout the limiter: {answered_429(lines)} answered 429, "
          f"{sum(isinstance(r, BaseException) for r in results)} of {CREATES} failed after retries")
