"""Authentication and the headers every sandbox answer carries."""

from __future__ import annotations

import base64
import re

import httpx
import pytest

from app.sandbox import DEMO_API_KEY

NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)


def get_account(sandbox, authorization: str | None) -> httpx.Response:
    headers = {} if authorization is None else {"Authorization": authorization}
    with httpx.Client(verify=False, base_url=sandbox.url) as client:
        return client.get("/v1/account", headers=headers)


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Token sk_test_abcdefghijkl"])
def test_missing_key_is_401_with_stripes_message(sandbox, authorization):
    response = get_account(sandbox, authorization)
    assert response.status_code == 401
    assert response.json() == {"error": {"message": NO_KEY, "type": "invalid_request_error"}}


@pytest.mark.parametrize(
    ("key", "masked"),
    [
        ("rk_test_not.a.key/1234abcd", "rk_test_**************abcd"),
        ("sk_live_51Hlivekey000000wxyz", "sk_live_****************wxyz"),  # live=False
        ("hello there", "*******here"),
        ("sk_test_", "sk_test_****"),
        ("sk_test_bad-key!", "sk_test_********"),
    ],
)
def test_unknown_key_is_401_and_the_key_is_masked(sandbox, key, masked):
    response = get_account(sandbox, f"Bearer {key}")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error == {"message": f"Invalid API Key provided: {masked}", "type": "invalid_request_error"}


@pytest.mark.parametrize("key", [DEMO_API_KEY, "sk_test_anything_goes_here", "rk_test_restrictedKey1234"])
def test_any_test_secret_or_restricted_key_is_accepted(sandbox, key):
    response = get_account(sandbox, f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["business_profile"]["name"] == "Linkdesk Demo Platform"


def test_basic_auth_with_the_key_as_user_works_like_curl_u(sandbox):
    token = base64.b64encode(f"{DEMO_API_KEY}:".encode()).decode()
    assert get_account(sandbox, f"Basic {token}").status_code == 200


def test_publishable_key_is_refused(sandbox):
    response = get_account(sandbox, "Bearer pk_test_51Hpublishable0000")
    assert response.status_code == 401
    assert response.json()["error"]["message"].startswith(
        "This API call cannot be made with a publishable API key."
    )


def test_expired_key_convention_gives_api_key_expired(sandbox):
    response = get_account(sandbox, "Bearer sk_test_old_key_expired")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "api_key_expired"
    assert "sk_test_old_key_expired" not in error["message"]


def test_live_keys_work_only_with_the_live_switch(make_sandbox):
    key = "rk_live_51Hlivekey000000wxyz"
    assert get_account(make_sandbox(live=False), f"Bearer {key}").status_code == 401
    assert get_account(make_sandbox(live=True), f"Bearer {key}").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "authorized"),
    [
        ("GET", "/v1/account", True),
        ("GET", "/v1/accounts/acct_missing", True),
        ("GET", "/v1/nothing", True),
        ("POST", "/v1/account_links", True),
        ("GET", "/v1/account", False),
    ],
)
def test_every_answer_has_request_id_and_json_content_type(sandbox, method, path, authorized):
    headers = {"Authorization": f"Bearer {DEMO_API_KEY}"} if authorized else {}
    with httpx.Client(verify=False, base_url=sandbox.url, headers=headers) as client:
        response = client.request(method, path)
    assert re.fullmatch(r"req_[A-Za-z0-9]{14}", response.headers["request-id"])
    assert response.headers["content-type"] == "application/json"
    assert "error" in response.json() or response.status_code == 200


def test_request_ids_are_unique(api):
    ids = {api.get("/v1/account").headers["request-id"] for _ in range(5)}
    assert len(ids) == 5


def test_stripe_version_is_echoed(api):
    assert api.get("/v1/account", headers={"Stripe-Version": "2024-06-20"}).headers["stripe-version"] == "2024-06-20"
    assert api.get("/v1/account").headers["stripe-version"]  # a default when none was sent


def test_unrecognized_url_and_wrong_method(api):
    for method, path in [("GET", "/v1/x"), ("DELETE", "/v1/account"), ("GET", "/v1/account_links"),
                         ("POST", "/v1/accounts/acct_1LdCustomDue0001")]:
        response = api.request(method, path)
        assert response.status_code == 404
        assert response.json() == {"error": {
            "message": f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
                       "or we can help at https://support.stripe.com/.",
            "type": "invalid_request_error",
        }}


def test_head_gets_headers_without_a_body(api):
    response = api.head("/v1/account")
    assert response.status_code == 404
    assert response.content == b""
    assert int(response.headers["content-length"]) > 0
