"""The sandbox answers every outcome a key check can meet, in Stripe's words: revoked keys,
keys of a business without Connect, restricted keys without Connect permission, and accounts
that exist only in the other mode."""

from __future__ import annotations

import httpx
import pytest

from app.sandbox import DEMO_ACCOUNTS
from app.sandbox.errors import NOT_A_PLATFORM_MESSAGE
from app.sandbox.seed import MODE_BOUND_ACCOUNTS

LINK = {"type": "account_onboarding", "refresh_url": "https://example.com/r", "return_url": "https://example.com/b"}


def call(server, key: str, method: str, path: str, **kwargs) -> httpx.Response:
    with httpx.Client(base_url=server.url, verify=False, headers={"Authorization": f"Bearer {key}"}) as client:
        return client.request(method, path, **kwargs)


@pytest.mark.parametrize("key", ["sk_test_rolled0000000000_revoked", "rk_test_old0000000000000_expired"])
def test_revoked_and_expired_keys_get_api_key_expired(sandbox, key):
    response = call(sandbox, key, "GET", "/v1/account")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "api_key_expired"
    assert error["message"].startswith("Expired API Key provided: ")
    assert key not in response.text


def test_a_key_without_connect_sees_its_own_account_and_no_connected_ones(sandbox):
    key = "sk_test_shop00000000000_notplatform"
    own = call(sandbox, key, "GET", "/v1/account").json()
    assert own["id"] != sandbox.store.platform_id
    assert own["business_profile"]["name"] == "Juniper Print Shop"
    # As on Stripe, a business without Connect cannot even list: an error, not an empty list.
    listed = call(sandbox, key, "GET", "/v1/accounts", params={"limit": 1})
    assert listed.status_code == 403
    assert listed.json() == {"error": {"message": NOT_A_PLATFORM_MESSAGE, "type": "invalid_request_error"}}
    one = call(sandbox, key, "GET", f"/v1/accounts/{DEMO_ACCOUNTS['custom_due']}")
    assert one.status_code == 403
    assert one.json() == {"error": {"message": NOT_A_PLATFORM_MESSAGE, "type": "invalid_request_error"}}
    link = call(sandbox, key, "POST", "/v1/account_links", data={"account": DEMO_ACCOUNTS["custom_due"], **LINK})
    assert link.status_code == 403 and link.json()["error"]["message"] == NOT_A_PLATFORM_MESSAGE


def test_a_new_platform_lists_no_accounts_and_reaches_none(sandbox):
    key = "sk_test_51Fq7Hz2Nw9Lb_newplatform"
    assert call(sandbox, key, "GET", "/v1/account").json()["id"] == sandbox.store.platform_id
    listed = call(sandbox, key, "GET", "/v1/accounts", params={"limit": 1})
    assert listed.status_code == 200 and listed.json()["data"] == [] and listed.json()["has_more"] is False
    one = call(sandbox, key, "GET", f"/v1/accounts/{DEMO_ACCOUNTS['custom_due']}")
    assert one.status_code == 403 and one.json()["error"]["code"] == "account_invalid"
    link = call(sandbox, key, "POST", "/v1/account_links", data={"account": DEMO_ACCOUNTS["custom_due"], **LINK})
    assert link.status_code == 403 and DEMO_ACCOUNTS["custom_due"] in link.json()["error"]["message"]


def test_a_restricted_key_without_connect_permission_is_refused_with_the_permission_named(sandbox):
    key = "rk_test_51Restricted000000_noconnect"
    assert call(sandbox, key, "GET", "/v1/account").status_code == 200
    listed = call(sandbox, key, "GET", "/v1/accounts")
    assert listed.status_code == 403
    message = listed.json()["error"]["message"]
    assert "'rak_connected_account_read' permission would allow this request to continue" in message
    assert f"on account '{sandbox.store.platform_id}'" in message
    assert key not in message and "noconnect" not in message  # masked as Stripe masks it
    link = call(sandbox, key, "POST", "/v1/account_links", data={"account": DEMO_ACCOUNTS["custom_due"], **LINK})
    assert link.status_code == 403 and "rak_connected_account_write" in link.json()["error"]["message"]
    # a secret key is never short of permissions, whatever its name ends with
    assert call(sandbox, "sk_test_51Secret00000000_noconnect", "GET", "/v1/accounts").status_code == 200


def test_an_account_of_the_other_mode_gets_stripes_similar_object_answer(make_sandbox):
    server = make_sandbox(live=True)
    test_only, live_only = MODE_BOUND_ACCOUNTS["test_only"], MODE_BOUND_ACCOUNTS["live_only"]
    live_key, test_key = "sk_live_51Platform0000000abcd", "sk_test_51Platform0000000abcd"
    assert call(server, test_key, "GET", f"/v1/accounts/{test_only}").json()["id"] == test_only
    assert call(server, live_key, "GET", f"/v1/accounts/{live_only}").json()["id"] == live_only

    response = call(server, live_key, "GET", f"/v1/accounts/{test_only}")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "resource_missing",
        "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
        "message": f"No such account: '{test_only}'; a similar object exists in test mode, but a live mode "
                   "key was used to make this request.",
        "param": "id",
        "type": "invalid_request_error",
    }
    link = call(server, test_key, "POST", "/v1/account_links", data={"account": live_only, **LINK})
    assert link.status_code == 400
    error = link.json()["error"]
    assert error["param"] == "account" and "exists in live mode, but a test mode key" in error["message"]
    # never listed: list pages stay the demo set in both modes
    ids = [a["id"] for a in call(server, test_key, "GET", "/v1/accounts", params={"limit": 100}).json()["data"]]
    assert test_only not in ids and live_only not in ids and DEMO_ACCOUNTS["custom_due"] in ids
