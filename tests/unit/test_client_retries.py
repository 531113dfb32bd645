"""Which answers are retried, how long the client waits, and what it sends again."""

from __future__ import annotations

import httpx
import pytest

from app.clock import FakeClock
from app.stripe.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    InvalidRequestError,
    PermissionDeniedError,
    RateLimitError,
)
from app.stripe.validation import LinkRequest
from fake_stripe_api import ACCOUNT, FakeStripe, Sleeps, link_json, make_client, ok, stripe_error

REQUEST = LinkRequest(ACCOUNT, "account_onboarding", "https://e.com/refresh", "https://e.com/return")


async def create(fake: FakeStripe, **options):
    async with make_client(fake, **options) as client:
        return await client.create_account_link(REQUEST)


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadError("connection reset"),
        httpx.RemoteProtocolError("server disconnected without sending a response"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.ReadTimeout("read timed out"),
        httpx.WriteTimeout("write timed out"),
        stripe_error(409, type="invalid_request_error", code="idempotency_key_in_use"),
        stripe_error(429, type="rate_limit_error", code="rate_limit"),
        stripe_error(429, code="lock_timeout"),
        stripe_error(500, type="api_error"),
        stripe_error(502, type="api_error"),
        stripe_error(503, type="api_error"),
        httpx.Response(504, text="<html><body><h1>504 Gateway Time-out</h1></body></html>"),
        stripe_error(400, headers={"Stripe-Should-Retry": "true"}),
    ],
)
async def test_retryable_failure_then_success(failure):
    sleeps = Sleeps()
    fake = FakeStripe(failure, ok(link_json(), request_id="req_second"))
    link = await create(fake, sleep=sleeps)
    assert link.request_id == "req_second"
    assert len(fake.requests) == 2
    assert sleeps.delays == [0.5]


@pytest.mark.parametrize(
    ("failure", "error_class"),
    [
        (stripe_error(400, param="type"), InvalidRequestError),
        (stripe_error(401, code="api_key_expired"), AuthenticationError),
        (stripe_error(402, type="card_error"), APIError),
        (stripe_error(403, code="account_invalid"), PermissionDeniedError),
        (stripe_error(404, code="resource_missing"), InvalidRequestError),
        (stripe_error(500, type="api_error", headers={"Stripe-Should-Retry": "false"}), APIError),
        (stripe_error(429, type="rate_limit_error", headers={"Stripe-Should-Retry": "false"}), RateLimitError),
        (httpx.UnsupportedProtocol("Request URL has an unsupported protocol"), APIConnectionError),
        (httpx.Response(302, headers={"Location": "https://login.example.com"}), APIError),
    ],
)
async def test_failures_that_are_not_retried(failure, error_class):
    sleeps = Sleeps()
    fake = FakeStripe(failure, ok(link_json()))
    with pytest.raises(error_class):
        await create(fake, sleep=sleeps)
    assert len(fake.requests) == 1
    assert sleeps.delays == []


async def test_idempotency_key_and_body_are_identical_across_retries():
    fake = FakeStripe(httpx.ConnectError("refused"), stripe_error(503, type="api_error"), ok(link_json()))
    await create(fake)
    assert len(fake.requests) == 3
    assert len({r.headers["idempotency-key"] for r in fake.requests}) == 1
    assert len({r.content for r in fake.requests}) == 1


async def test_given_idempotency_key_is_kept_across_retries():
    fake = FakeStripe(stripe_error(500, type="api_error"), ok(link_json()))
    async with make_client(fake) as client:
        await client.create_account_link(REQUEST, idempotency_key="order-42-link")
    assert [r.headers["idempotency-key"] for r in fake.requests] == ["order-42-link"] * 2


@pytest.mark.parametrize(("max_retries", "requests"), [(0, 1), (1, 2), (2, 3), (4, 5)])
async def test_max_retries_bounds_the_attempts_and_the_last_error_is_raised(max_retries, requests):
    fake = FakeStripe(stripe_error(503, type="api_error", message="Service unavailable", request_id="req_last"))
    with pytest.raises(APIError) as caught:
        await create(fake, max_retries=max_retries)
    assert len(fake.requests) == requests
    assert (caught.value.http_status, caught.value.request_id) == (503, "req_last")


async def test_default_is_two_retries():
    fake = FakeStripe(httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError):
        await create(fake)  # no max_retries given
    assert len(fake.requests) == 3


@pytest.mark.parametrize(
    ("jitter", "expected"),
    [
        (1.0, [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]),  # no jitter: 0.5 s doubling, capped at 5 s
        (0.0, [0.5, 0.5, 1.0, 2.0, 2.5, 2.5]),  # full jitter halves the delay, never under 0.5 s
        (0.5, [0.5, 0.75, 1.5, 3.0, 3.75, 3.75]),
    ],
)
async def test_backoff_sequence(jitter, expected):
    sleeps = Sleeps()
    fake = FakeStripe(stripe_error(500, type="api_error"))
    with pytest.raises(APIError):
        await create(fake, sleep=sleeps, random=lambda: jitter, max_retries=6)
    assert sleeps.delays == pytest.approx(expected)


async def test_jitter_uses_the_injected_random_source():
    draws = iter([0.2, 0.9])
    sleeps = Sleeps()
    fake = FakeStripe(stripe_error(500, type="api_error"), stripe_error(500, type="api_error"), ok(link_json()))
    await create(fake, sleep=sleeps, random=lambda: next(draws))
    assert sleeps.delays == pytest.approx([0.5, 1.0 * (0.5 + 0.5 * 0.9)])


@pytest.mark.parametrize(("header", "expected"), [("3", 3.0), ("1.5", 1.5), ("0", 0.5), ("soon", 0.5), ("-4", 0.5)])
async def test_retry_after_is_honoured(header, expected):
    sleeps = Sleeps()
    fake = FakeStripe(stripe_error(429, type="rate_limit_error", headers={"Retry-After": header}), ok(link_json()))
    await create(fake, sleep=sleeps)
    assert sleeps.delays == [expected]


async def test_retry_after_never_shortens_the_backoff():
    sleeps = Sleeps()
    fake = FakeStripe(
        stripe_error(503, type="api_error"),
        stripe_error(503, type="api_error", headers={"Retry-After": "0.2"}),
        ok(link_json()),
    )
    await create(fake, sleep=sleeps)
    assert sleeps.delays == [0.5, 1.0]


async def test_a_long_retry_after_is_not_waited_out():
    sleeps = Sleeps()
    fake = FakeStripe(stripe_error(429, type="rate_limit_error", headers={"Retry-After": "120"}), ok(link_json()))
    with pytest.raises(RateLimitError) as caught:
        await create(fake, sleep=sleeps)
    assert len(fake.requests) == 1 and sleeps.delays == []
    assert caught.value.retry_after == 120.0
    assert "120 seconds" in caught.value.explanation


async def test_timeouts_are_retried_then_raised_as_timeout_errors():
    fake = FakeStripe(httpx.ReadTimeout("read timed out"))
    with pytest.raises(APITimeoutError) as caught:
        await create(fake)
    assert len(fake.requests) == 3
    assert isinstance(caught.value, APIConnectionError)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)


async def test_connect_timeout_is_a_timeout_error():
    fake = FakeStripe(httpx.ConnectTimeout("connect timed out"))
    with pytest.raises(APITimeoutError):
        await create(fake, max_retries=0)


async def test_gets_are_retried_too():
    sleeps = Sleeps()
    fake = FakeStripe(httpx.ConnectError("refused"), ok({"id": ACCOUNT}))
    async with make_client(fake, sleep=sleeps) as client:
        account = await client.retrieve_account(ACCOUNT)
    assert account.id == ACCOUNT
    assert [r.method for r in fake.requests] == ["GET", "GET"]
    assert "idempotency-key" not in fake.requests[1].headers



async def test_a_replayed_link_counts_down_from_when_stripe_made_it():
    """The first attempt made the link but its answer was lost; Stripe replays it on retry."""
    clock = FakeClock(mono=500.0)

    async def lost(request: httpx.Request) -> httpx.Response:
        clock.advance(30)  # the read timeout
        raise httpx.ReadTimeout("timed out")

    async def replayed(request: httpx.Request) -> httpx.Response:
        clock.advance(1)
        # made at 1_700_000_000, replayed 31 s later by the server's clock
        headers = {"Idempotent-Replayed": "true", "Date": "Tue, 14 Nov 2023 22:13:51 GMT"}
        return ok(link_json(created=1_700_000_000), **headers)

    # (a 30 s read timeout and a retry: within a deadline longer than the default 30 s)
    link = await create(FakeStripe(lost, replayed), clock=clock, deadline=60.0)
    assert link.received_monotonic == 530.0 - 32.0  # its send minus its age, plus a second of rounding
    assert link.received_monotonic <= 500.0  # never later than the request that made it


async def test_a_replay_without_a_date_counts_from_its_arrival():
    fake = FakeStripe(ok(link_json(), **{"Idempotent-Replayed": "true"}))
    assert (await create(fake, clock=FakeClock(mono=77.0))).received_monotonic == 77.0


async def test_a_fresh_link_after_a_retry_counts_down_from_the_send_that_made_it():
    clock = FakeClock(mono=500.0)

    async def refused(request: httpx.Request) -> httpx.Response:
        clock.advance(2)
        raise httpx.ConnectError("refused")

    async def fresh(request: httpx.Request) -> httpx.Response:
        clock.advance(1)
        return ok(link_json(), Date="Tue, 14 Nov 2023 22:20:00 GMT")  # Date alone changes nothing

    link = await create(FakeStripe(refused, fresh), clock=clock)
    assert link.received_monotonic == 502.0


async def test_an_operator_retry_with_the_same_key_gets_the_old_link_with_its_age():
    """A later call reusing the Idempotency-Key (the UI's Retry) is replayed at once."""
    headers = {"Idempotent-Replayed": "true", "Date": "Tue, 14 Nov 2023 22:16:40 GMT"}  # created + 200 s
    fake = FakeStripe(ok(link_json(created=1_700_000_000), **headers))
    async with make_client(fake, clock=FakeClock(mono=1_000.0)) as client:
        link = await client.create_account_link(REQUEST, idempotency_key="order-42-link")
    assert link.received_monotonic == 1_000.0 - 201.0
    assert len(fake.requests) == 1


async def test_on_retry_reports_each_try_before_it_is_sent():
    fake = FakeStripe(httpx.ConnectError("refused"), stripe_error(503, type="api_error"), ok(link_json()))
    tries: list[tuple[int, int, int]] = []
    async with make_client(fake, sleep=Sleeps()) as client:
        await client.create_account_link(
            REQUEST, on_retry=lambda attempt, attempts: tries.append((attempt, attempts, len(fake.requests))))
    # (try, of how many, requests already sent when it was announced)
    assert tries == [(2, 3, 1), (3, 3, 2)]


async def test_a_look_up_may_give_up_sooner_than_the_client_default():
    seen: list[dict] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions.get("timeout"))
        return httpx.Response(200, json={"id": ACCOUNT, "object": "account"})

    async with make_client(FakeStripe(answer, answer), timeout=30.0) as client:
        await client.retrieve_account(ACCOUNT, timeout=8.0)
        await client.retrieve_account(ACCOUNT)
    assert seen[0]["read"] == 8.0 and seen[0]["connect"] == 8.0
    assert seen[1]["read"] == 30.0


class _FakeTime:
    """One fake monotonic clock for the client and its limiter; sleeping advances it."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.start = self.clock.monotonic()

    async def sleep(self, seconds: float) -> None:
        self.clock.advance(seconds)

    @property
    def elapsed(self) -> float:
        return self.clock.monotonic() - self.start


async def test_a_retry_after_that_would_cross_the_deadline_ends_the_call_at_the_deadline():
    """Issue 18: a 3 s deadline with Retry-After 2.5 gave up at 5.0 s."""
    from app.stripe.ratelimit import RateLimiter

    t = _FakeTime()
    limiter = RateLimiter.for_mode("test", clock=t.clock.monotonic, sleep=t.sleep)
    fake = FakeStripe(stripe_error(429, type="rate_limit_error", code="rate_limit", headers={"Retry-After": "2.5"}))
    with pytest.raises(RateLimitError):
        await create(fake, sleep=t.sleep, clock=t.clock, rate_limiter=limiter, deadline=3.0, max_retries=5)
    assert t.elapsed <= 3.0
    assert len(fake.requests) == 2  # at 0 s and at 2.5 s; a third would go out at 5.0 s


async def test_a_backoff_that_would_cross_the_deadline_ends_the_call_before_it():
    from app.stripe.ratelimit import RateLimiter

    t = _FakeTime()
    limiter = RateLimiter.for_mode("test", clock=t.clock.monotonic, sleep=t.sleep)
    fake = FakeStripe(stripe_error(503, type="api_error"))
    with pytest.raises(APIError):  # backoffs 0.5, 1, 2, 4, 5: the 4 s one would end at 7.5 s
        await create(fake, sleep=t.sleep, clock=t.clock, rate_limiter=limiter, deadline=5.0, max_retries=8)
    assert t.elapsed <= 5.0 and len(fake.requests) == 4


async def test_a_retry_after_longer_than_the_time_left_is_a_rate_limit_not_a_timeout():
    """Issue 18: with Retry-After 3600 the sync stopped saying Stripe did not answer in time.
    A call that Stripe's Retry-After keeps from going out in time says it is rate limited, at
    once, and sends nothing."""
    from app.stripe.ratelimit import RateLimiter

    limiter = RateLimiter.for_mode("test")  # real clock: a wrong wait would show as one
    limited = FakeStripe(stripe_error(429, type="rate_limit_error", code="rate_limit", headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimitError):
        await create(limited, rate_limiter=limiter)
    assert limiter.blocked_for > 30
    fake = FakeStripe(ok(link_json()))
    with pytest.raises(RateLimitError) as caught:
        await create(fake, rate_limiter=limiter, deadline=0.5)
    assert fake.requests == []
    assert "rate limit" in str(caught.value).lower() and 55 < caught.value.retry_after <= 60
    assert "Stripe is limiting how fast this key may make requests" in caught.value.explanation
