"""The exact JSON body of POST /v2/core/account_links for every use case and collection option,
as the client sends it (through httpx.MockTransport), and that ``configurations`` never goes out."""

from __future__ import annotations

import itertools
import json

import pytest

from app.stripe.client import StripeClient
from app.stripe.errors import ValidationError
from app.stripe.keys import ApiKey
from app.stripe.v2 import LinkRequestV2, encode_json
from fake_stripe_api import ACCOUNT, TEST_SECRET, FakeStripe, ok

V2_URL = f"https://accounts.stripe.com/r/{ACCOUNT}#alu_test_61SGhyomRuz7xsw5216"


def v2_link_json(use_case: str = "account_onboarding", **inner: object) -> dict:
    return {
        "object": "v2.core.account_link",
        "account": ACCOUNT,
        "created": "2026-01-01T00:00:00.000Z",
        "expires_at": "2026-01-01T00:10:00.000Z",
        "livemode": False,
        "url": V2_URL,
        "use_case": {"type": use_case, use_case: {"configurations": ["merchant"], "refresh_url": "https://e.com/r", **inner}},
    }


USE_CASES = ("account_onboarding", "account_update")
RETURN_URLS = (None, "https://e.com/return")
FIELDS = (None, "currently_due", "eventually_due")
FUTURE = (None, "omit", "include")


def expected_body(use_case, return_url, fields, future) -> dict:
    """Stripe's documented shape, written out independently of app.stripe.v2."""
    inner: dict = {"refresh_url": "https://e.com/refresh"}
    if return_url is not None:
        inner["return_url"] = return_url
    options = {}
    if fields is not None:
        options["fields"] = fields
    if future is not None:
        options["future_requirements"] = future
    if options:
        inner["collection_options"] = options
    return {"account": ACCOUNT, "use_case": {"type": use_case, use_case: inner}}


@pytest.mark.parametrize("use_case,return_url,fields,future", list(itertools.product(USE_CASES, RETURN_URLS, FIELDS, FUTURE)))
async def test_body_for_every_combination(use_case, return_url, fields, future):
    fake = FakeStripe(ok(v2_link_json(use_case)))
    request = LinkRequestV2(ACCOUNT, use_case, "https://e.com/refresh", return_url, fields, future)
    async with StripeClient(ApiKey(TEST_SECRET), transport=fake.transport) as client:
        await client.create_account_link_v2(request)
    (sent,) = fake.requests
    assert sent.method == "POST"
    assert str(sent.url) == "https://api.stripe.com/v2/core/account_links"
    assert sent.headers["content-type"] == "application/json"
    assert json.loads(sent.content) == expected_body(use_case, return_url, fields, future)
    assert sent.content == json.dumps(expected_body(use_case, return_url, fields, future), separators=(",", ":")).encode()
    assert b"configurations" not in sent.content
    assert b"null" not in sent.content  # absent options are left out, not sent as null


async def test_one_body_byte_for_byte():
    fake = FakeStripe(ok(v2_link_json("account_update")))
    request = LinkRequestV2(f"  {ACCOUNT} ", " account_update ", "https://e.com/refresh", None, "eventually_due", "include")
    async with StripeClient(ApiKey(TEST_SECRET), transport=fake.transport) as client:
        await client.create_account_link_v2(request)
    assert fake.requests[0].content == (
        b'{"account":"acct_1Mt0CORHFI4mz9Rw","use_case":{"type":"account_update","account_update":'
        b'{"refresh_url":"https://e.com/refresh","collection_options":{"fields":"eventually_due",'
        b'"future_requirements":"include"}}}}'
    )


def test_the_request_type_has_no_configurations_to_send():
    assert "configurations" not in LinkRequestV2.__dataclass_fields__
    with pytest.raises(TypeError):
        LinkRequestV2(ACCOUNT, "account_onboarding", "https://e.com/r", configurations=["merchant"])  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"account": "cus_123"}, "account"),
        ({"use_case": "recipient_onboarding"}, "use_case"),
        ({"refresh_url": "example.com/refresh"}, "refresh_url"),
        ({"return_url": "ftp://e.com/x"}, "return_url"),
        ({"collection_fields": "all"}, "collection_fields"),
        ({"future_requirements": "yes"}, "future_requirements"),
    ],
)
async def test_bad_input_names_the_field_and_sends_nothing(changes, field):
    base = dict(account=ACCOUNT, use_case="account_onboarding", refresh_url="https://e.com/r")
    fake = FakeStripe(ok(v2_link_json()))
    async with StripeClient(ApiKey(TEST_SECRET), transport=fake.transport) as client:
        with pytest.raises(ValidationError) as raised:
            await client.create_account_link_v2(LinkRequestV2(**{**base, **changes}))
    assert raised.value.field == field
    assert fake.requests == []


def test_live_mode_needs_https_redirects():
    with pytest.raises(ValidationError) as raised:
        LinkRequestV2(ACCOUNT, "account_onboarding", "https://e.com/r", "http://e.com/back").validated(live=True)
    assert raised.value.field == "return_url"


def test_encode_json_refuses_nan_and_keeps_unicode():
    assert encode_json({"a": "café"}) == '{"a":"café"}'.encode()
    with pytest.raises(ValueError):
        encode_json({"a": float("nan")})
