"""app.stripe.StripeClient on Accounts v2 against the sandbox over real loopback HTTP: accounts,
links, v2 errors with request ids, retries and idempotent replays; and the same plain words and
verdict for every demo account whether it is read through v1 or v2."""

from __future__ import annotations

import pytest

from app.clock import FakeClock
from app.requirements import requirement_sections
from app.requirements_v2 import describe_account_v2, requirement_sections_v2
from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY
from app.stripe import ApiKey, InvalidRequestError, StripeClient
from app.stripe.v2 import LinkRequestV2, check_link_url

CUSTOM = DEMO_ACCOUNTS["custom_due"]
EXPRESS = DEMO_ACCOUNTS["express_new"]


def request(account: str = CUSTOM, use_case: str = "account_onboarding", **options) -> LinkRequestV2:
    return LinkRequestV2(account, use_case, "https://example.com/reauth", "https://example.com/return", **options)


@pytest.fixture
async def client_factory(logged_sandbox):
    clients: list[StripeClient] = []
    slept: list[float] = []

    async def no_sleep(seconds: float) -> None:
        slept.append(seconds)

    def make(**options) -> StripeClient:
        options.setdefault("sleep", no_sleep)
        client = StripeClient(ApiKey(DEMO_API_KEY), api_base=logged_sandbox.url, clock=FakeClock(), **options)
        clients.append(client)
        return client

    make.slept = slept
    yield make
    for client in clients:
        await client.aclose()


def v2_posts(server) -> int:
    return sum("POST /v2/core/account_links" in line for line in server.lines)


async def test_link_round_trip_covers_the_accounts_configurations(client_factory, logged_sandbox):
    link = await client_factory().create_account_link_v2(request(collection_fields="eventually_due"))
    assert check_link_url(link.url) and "#alu_test_" in link.url
    assert link.ttl == 600 and link.configurations == ("merchant",)
    assert link.collection_fields == "eventually_due" and link.request_id.startswith("req_")
    assert v2_posts(logged_sandbox) == 1


async def test_v2_error_in_plain_words_with_request_id(client_factory):
    with pytest.raises(InvalidRequestError) as raised:
        await client_factory().create_account_link_v2(request(EXPRESS, "account_update"))
    assert raised.value.request_id.startswith("req_") and raised.value.http_status == 400
    assert "onboarding link" in raised.value.explanation
    with pytest.raises(InvalidRequestError) as missing:
        await client_factory().retrieve_account_v2("acct_1NotThere000000")
    assert missing.value.http_status == 404 and "through Accounts v2" in missing.value.explanation


@pytest.mark.parametrize("kind", ["500", "502_html", "429", "drop", "truncate"])
async def test_each_retryable_fault_is_retried_with_the_same_key(client_factory, logged_sandbox, kind):
    logged_sandbox.inject_fault(kind, 1, path="/v2/core/account_links")
    client = client_factory()
    link = await client.create_account_link_v2(request())
    assert CUSTOM in link.url and len(client_factory.slept) == 1


async def test_lost_answer_is_replayed_not_made_twice(client_factory, logged_sandbox):
    logged_sandbox.inject_fault("drop", 1, path="/v2/core/account_links", after_processing=True)
    client = client_factory()
    first = await client.create_account_link_v2(request(), idempotency_key="v2-op-1")
    again = await client.create_account_link_v2(request(), idempotency_key="v2-op-1")
    assert first.url == again.url


async def test_detection_against_the_sandbox(client_factory):
    client = client_factory()
    assert (await client.detect_accounts_api(CUSTOM)).api is None  # reachable through both
    assert (await client.detect_accounts_api("acct_1NotThere000000")).api == "v1"


@pytest.mark.parametrize("name", sorted(DEMO_ACCOUNTS))
async def test_same_words_and_verdict_through_v1_and_v2(client_factory, name):
    client = client_factory()
    one = await client.retrieve_account(DEMO_ACCOUNTS[name])
    two = await client.retrieve_account_v2(DEMO_ACCOUNTS[name])
    now = 1_767_225_600.0
    v1_sections = [s for s in requirement_sections(one.requirements, now_wall=now) if s.key != "disabled"]
    v2_sections = requirement_sections_v2(two.requirements, now_wall=now)
    assert [(s.key, s.title, s.severity) for s in v1_sections] == [(s.key, s.title, s.severity) for s in v2_sections]
    assert [[i.label for i in s.items] for s in v1_sections] == [[i.label for i in s.items] for s in v2_sections]
    assert two.update_gate.allowed is one.allows_account_update
    assert (two.contact_email, two.country) == (one.email, one.country)
    assert two.name == one.display_name  # display name, else business name, else email, as in v1
    assert "configurations:" in describe_account_v2(two)
