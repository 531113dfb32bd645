"""Every outcome of checking a key, against the sandbox over loopback HTTP."""

from __future__ import annotations

import socket

import pytest

from app.profiles.check import KeyProblem, KeyCheckFailed, check_key, parse_key
from app.sandbox import DEMO_API_KEY
from app.sandbox.seed import NOT_A_PLATFORM, PLATFORM
from app.stripe.keys import ApiKey


async def failure(key: str, api_base: str) -> KeyCheckFailed:
    with pytest.raises(KeyCheckFailed) as info:
        await check_key(ApiKey(key), api_base=api_base, max_retries=0)
    assert key not in str(info.value) and key not in info.value.explanation
    return info.value


async def test_a_good_key_names_its_platform(sandbox):
    for key in (DEMO_API_KEY, "rk_test_51RestrictedWithConnect0"):
        check = await check_key(ApiKey(key), api_base=sandbox.url)
        assert (check.platform_id, check.platform_name) == (PLATFORM.id, PLATFORM.name)
        assert check.platform == f"{PLATFORM.name} ({PLATFORM.id})"


async def test_a_wrong_key(sandbox):
    # The sandbox, like stripe-mock, takes any well-formed test key; it knows no live key.
    error = await failure("sk_live_51WrongModeForThisServer9", sandbox.url)  # a live key the server does not know
    assert error.problem is KeyProblem.WRONG_KEY
    assert "does not know the key sk_live_…ver9" in error.explanation and error.request_id.startswith("req_")


@pytest.mark.parametrize("key", ["sk_test_51Rolled0000000000_revoked", "rk_test_51Old0000000000000_expired"])
async def test_a_revoked_or_expired_key(sandbox, key):
    error = await failure(key, sandbox.url)
    assert error.problem is KeyProblem.REVOKED_KEY
    assert "expired or was revoked" in error.explanation and error.error.code == "api_key_expired"


def test_a_publishable_key_is_refused_before_anything_is_sent():
    with pytest.raises(KeyCheckFailed) as info:
        parse_key("  pk_live_51Publishable000000abcd \n")
    assert info.value.problem is KeyProblem.PUBLISHABLE_KEY
    assert "publishable key" in info.value.explanation and "restricted key" in info.value.explanation
    assert "51Publishable" not in str(info.value)


@pytest.mark.parametrize("text", ["", "hello", "sk_test_has space", "whsec_123", "sk_test_abc\nrk_test_def"])
def test_text_that_is_no_key_at_all(text):
    with pytest.raises(KeyCheckFailed) as info:
        parse_key(text)
    assert info.value.problem is KeyProblem.NOT_A_KEY


async def test_the_key_of_a_business_without_connect(sandbox):
    # Stripe answers the list call with "Only Stripe Connect platforms can work with other accounts".
    error = await failure("sk_test_51JuniperPrint000_notplatform", sandbox.url)
    assert error.problem is KeyProblem.NOT_A_PLATFORM
    assert f"Stripe says “{NOT_A_PLATFORM.name}” is not a Connect platform" in error.explanation
    assert error.error is not None and error.error.http_status == 403 and error.request_id


async def test_a_new_platform_with_no_connected_account_yet_is_accepted_with_a_note(sandbox):
    check = await check_key(ApiKey("sk_test_51Fq7Hz2Nw9Lb_newplatform"), api_base=sandbox.url)
    assert (check.platform_id, check.has_accounts) == (PLATFORM.id, False)
    assert check.note is not None and "no connected accounts yet" in check.note
    good = await check_key(ApiKey(DEMO_API_KEY), api_base=sandbox.url)
    assert good.has_accounts and good.note is None


async def test_a_restricted_key_without_connect_permission(sandbox):
    error = await failure("rk_test_51NoConnectRights00_noconnect", sandbox.url)
    assert error.problem is KeyProblem.NO_CONNECT_PERMISSION
    assert error.explanation.startswith("The restricted key rk_test_…nect may not work with connected accounts of "
                                        f"{PLATFORM.name}")
    assert "write access to Connect" in error.explanation
    assert error.error.http_status == 403 and error.request_id


async def test_a_live_key_on_a_live_server(make_sandbox):
    server = make_sandbox(live=True)
    check = await check_key(ApiKey("rk_live_51Lp8Kz3Qx7Wm2Nv00abcd"), api_base=server.url)
    assert check.platform_id == PLATFORM.id


async def test_no_server_at_all():
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    error = await failure(DEMO_API_KEY, f"http://127.0.0.1:{port}")
    assert error.problem is KeyProblem.UNREACHABLE and "could not reach" in error.explanation


async def test_each_outcome_has_its_own_explanation(sandbox):
    texts = {
        (await failure(key, sandbox.url)).explanation.split(":")[0].split(".")[0]
        for key in ("sk_live_51WrongModeForThisServer9", "sk_test_51Rolled0000000000_revoked",
                    "sk_test_51JuniperPrint000_notplatform", "rk_test_51NoConnectRights00_noconnect")
    }
    with pytest.raises(KeyCheckFailed) as publishable:
        parse_key("pk_test_51Publishable000000abcd")
    texts.add(publishable.value.explanation.split(".")[0])
    assert len(texts) == 5
