"""app.stripe.StripeClient against the built-in sandbox over real loopback HTTP, faults included.

Backoff sleeps are recorded instead of slept; everything else is real: sockets, HTTP, JSON.
"""

from __future__ import annotations

import pytest

from app.clock import FakeClock
from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY
from app.stripe import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ApiKey,
    InvalidRequestError,
    LinkRequest,
    PermissionDeniedError,
    RateLimitError,
    StripeClient,
)

CUSTOM = DEMO_ACCOUNTS["custom_due"]
EXPRESS = DEMO_ACCOUNTS["express_new"]


def link_request(account: str = CUSTOM, link_type: str = "account_onboarding") -> LinkRequest:
    return LinkRequest(account, link_type, "https://example.com/reauth", "https://example.com/return")


@pytest.fixture
def served(logged_sandbox):
    return logged_sandbox


@pytest.fixture
async def client_factory(served):
    clients: list[StripeClient] = []
    slept: list[float] = []

    async def no_sleep(seconds: float) -> None:
        slept.append(seconds)

    def make(**options) -> StripeClient:
        options.setdefault("sleep", no_sleep)
        client = StripeClient(ApiKey(DEMO_API_KEY), api_base=served.url, clock=FakeClock(), **options)
        clients.append(client)
        return client

    make.slept = slept
    yield make
    for client in clients:
        await client.aclose()


def posts(server) -> int:
    return sum("POST /v1/account_links" in line for line in server.lines)


async def test_create_link_round_trip(client_factory, served):
    link = await client_factory().create_account_link(link_request())
    assert link.url.startswith("https://connect.stripe.com/setup/") and CUSTOM in link.url
    assert link.expires_at - link.created == 300
    assert link.request_id.startswith("req_")
    assert posts(served) == 1


async def test_account_and_list_and_platform(client_factory):
    client = client_factory()
    account = await client.retrieve_account(CUSTOM)
    assert account.display_name == "Harbor Street Bakery" and account.allows_account_update
    first = await client.list_accounts(limit=3)
    second = await client.list_accounts(limit=3, starting_after=first.data[-1].id)
    assert first.has_more and len(first.data) == 3
    assert not {a.id for a in first.data} & {a.id for a in second.data}
    assert (await client.retrieve_platform_account()).display_name == "Linkdesk Demo Platform"


@pytest.mark.parametrize("kind", ["500", "502_html", "429", "drop", "truncate"])
async def test_each_retryable_fault_is_retried_with_the_same_key(client_factory, served, kind):
    served.inject_fault(kind, 1, method="POST")
    client = client_factory()
    link = await client.create_account_link(link_request())
    assert CUSTOM in link.url
    assert len(client_factory.slept) == 1  # one backoff, then success
    assert posts(served) >= 1


async def test_drop_after_processing_replays_the_same_link_not_a_second_one(client_factory, served):
    served.inject_fault("drop", 1, method="POST", after_processing=True)
    client = client_factory()
    first = await client.create_account_link(link_request(), idempotency_key="op-1")
    again = await client.create_account_link(link_request(), idempotency_key="op-1")
    assert first.url == again.url  # the retry was replayed by Stripe's idempotency


async def test_faults_beyond_max_retries_surface_as_typed_errors(client_factory, served):
    client = client_factory(max_retries=1)
    served.inject_fault("502_html", 2, method="POST")
    with pytest.raises(APIError) as info:
        await client.create_account_link(link_request())
    assert info.value.http_status == 502
    assert "<" not in str(info.value)  # an excerpt of the page, tags stripped, not a crash
    served.inject_fault("429", 2, method="POST")
    with pytest.raises(RateLimitError) as info:
        await client.create_account_link(link_request())
    assert info.value.request_id.startswith("req_") and "try again" in info.value.explanation
    served.inject_fault("drop", 2, method="POST")
    with pytest.raises(APIConnectionError):
        await client.create_account_link(link_request())


async def test_timeout_fault(client_factory, served):
    served.inject_fault("timeout", 1, method="POST", delay=5)
    client = client_factory(max_retries=0, timeout=0.3)
    with pytest.raises(APITimeoutError):
        await client.create_account_link(link_request())
    served.inject_fault("timeout", 1, method="POST", delay=5)
    client = client_factory(max_retries=1, timeout=0.3)
    assert CUSTOM in (await client.create_account_link(link_request())).url


async def test_stripe_refusals_are_not_retried(client_factory, served):
    client = client_factory()
    with pytest.raises(InvalidRequestError) as info:
        await client.create_account_link(link_request(EXPRESS, "account_update"))
    assert info.value.param == "type" and "account_onboarding" in info.value.explanation
    with pytest.raises(PermissionDeniedError) as info:
        await client.create_account_link(link_request("acct_1NoSuchAccount00"))
    assert info.value.code == "account_invalid"
    assert client_factory.slept == []
    assert posts(served) == 2


async def test_a_replayed_link_counts_down_from_when_the_sandbox_made_it(make_sandbox, sandbox_clock):
    """Date and created come from the same (injected) clock, so a replay's age is right."""
    from app.countdown import Countdown, LinkState

    server = make_sandbox()
    server.inject_fault("drop", 1, method="POST", after_processing=True)
    client_clock = FakeClock()

    async def no_sleep(_seconds: float) -> None:
        sandbox_clock.advance(20)  # the retry happens 20 s after Stripe made the link

    async with StripeClient(ApiKey(DEMO_API_KEY), api_base=server.url, clock=client_clock, sleep=no_sleep) as client:
        link = await client.create_account_link(link_request())
    left = Countdown.for_link(link).remaining(client_clock.monotonic())
    assert Countdown.for_link(link).state(client_clock.monotonic()) is LinkState.ACTIVE
    assert 270 <= left <= 281  # 300 s less the 20 s it waited (and the client's 1 s margin)


def test_date_header_is_on_the_sandbox_clock(api, sandbox_clock):
    from email.utils import parsedate_to_datetime

    response = api.get("/v1/account")
    assert parsedate_to_datetime(response.headers["Date"]).timestamp() == int(sandbox_clock.time())
