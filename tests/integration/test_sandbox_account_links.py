"""POST /v1/account_links against the sandbox: Stripe's shape, TTL, and every refusal."""

from __future__ import annotations

import re

import httpx
import pytest

from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY

LINK_KEYS = {"created", "expires_at", "object", "url"}  # Stripe's account_link fixture
VALID = {
    "account": DEMO_ACCOUNTS["custom_due"],
    "type": "account_onboarding",
    "refresh_url": "http://localhost:8000/refresh",
    "return_url": "http://localhost:8000/return",
}


def error_of(response: httpx.Response) -> dict:
    assert response.headers["content-type"] == "application/json"
    return response.json()["error"]


def test_link_has_stripes_shape_and_a_300_second_ttl_from_the_injected_clock(api, sandbox_clock):
    response = api.post("/v1/account_links", data=VALID)
    assert response.status_code == 200
    link = response.json()
    assert set(link) == LINK_KEYS
    assert link["object"] == "account_link"
    assert link["created"] == int(sandbox_clock.time())
    assert link["expires_at"] - link["created"] == 300
    assert re.fullmatch(
        r"https://connect\.stripe\.com/setup/c/acct_1LdCustomDue0001/[A-Za-z0-9]{12}", link["url"]
    )
    assert re.fullmatch(r"req_[A-Za-z0-9]{14}", response.headers["request-id"])


def test_created_follows_the_clock_and_every_link_is_new(api, sandbox_clock):
    first = api.post("/v1/account_links", data=VALID).json()
    sandbox_clock.advance(1234.9)
    second = api.post("/v1/account_links", data=VALID).json()
    assert second["created"] - first["created"] == 1234
    assert second["url"] != first["url"]


@pytest.mark.parametrize("name", sorted(DEMO_ACCOUNTS))
def test_onboarding_is_allowed_for_every_demo_account(api, name):
    response = api.post("/v1/account_links", data={**VALID, "account": DEMO_ACCOUNTS[name]})
    assert response.status_code == 200, response.text
    assert f"/setup/c/{DEMO_ACCOUNTS[name]}/" in response.json()["url"]


def _dashboard_or_stripe_collects(account: dict) -> bool:
    controller = account["controller"]
    if "requirement_collection" not in controller:
        return account["type"] != "custom"
    return controller["requirement_collection"] != "application" or controller["stripe_dashboard"]["type"] != "none"


@pytest.mark.parametrize("name", sorted(DEMO_ACCOUNTS))
def test_account_update_follows_stripes_controller_rule(api, name):
    account = api.get(f"/v1/accounts/{DEMO_ACCOUNTS[name]}").json()
    response = api.post(
        "/v1/account_links", data={**VALID, "account": account["id"], "type": "account_update"}
    )
    if _dashboard_or_stripe_collects(account):
        assert response.status_code == 400
        error = error_of(response)
        assert error["type"] == "invalid_request_error"
        assert error["param"] == "type"
        assert error["message"].startswith("You cannot create `account_update` type Account Links")
    else:
        assert response.status_code == 200, response.text


def test_account_update_refusal_and_permission_cover_both_outcomes(api):
    allowed = api.post("/v1/account_links", data={**VALID, "type": "account_update"})
    refused = api.post(
        "/v1/account_links",
        data={**VALID, "type": "account_update", "account": DEMO_ACCOUNTS["embedded_only"]},
    )
    assert (allowed.status_code, refused.status_code) == (200, 400)


def test_collection_options_and_deprecated_collect_are_accepted(api):
    response = api.post(
        "/v1/account_links",
        data={
            **VALID,
            "collection_options[fields]": "eventually_due",
            "collection_options[future_requirements]": "include",
            "collect": "eventually_due",
            "expand[]": "url",
        },
    )
    assert response.status_code == 200, response.text


def test_unknown_account_is_403_account_invalid_with_a_masked_key(api):
    response = api.post("/v1/account_links", data={**VALID, "account": "acct_1NotConnected99"})
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "account_invalid"
    assert error["type"] == "invalid_request_error"
    assert error["param"] == "account"
    assert error["doc_url"] == "https://stripe.com/docs/error-codes/account-invalid"
    assert "does not have access to account 'acct_1NotConnected99'" in error["message"]
    assert DEMO_API_KEY not in error["message"]
    assert "'sk_test_" in error["message"] and DEMO_API_KEY[-4:] in error["message"]


@pytest.mark.parametrize("missing", ["account", "type", "refresh_url", "return_url"])
def test_missing_param(api, missing):
    data = {k: v for k, v in VALID.items() if k != missing}
    response = api.post("/v1/account_links", data=data)
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "parameter_missing",
        "doc_url": "https://stripe.com/docs/error-codes/parameter-missing",
        "message": f"Missing required param: {missing}.",
        "param": missing,
        "type": "invalid_request_error",
    }


def test_empty_required_param_is_parameter_invalid_empty(api):
    response = api.post("/v1/account_links", data={**VALID, "account": ""})
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["param"]) == ("parameter_invalid_empty", "account")
    assert error["message"].startswith("You passed an empty string for 'account'.")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("type", "account_edit", "Invalid type: must be one of account_onboarding or account_update"),
        ("collection_options[fields]", "all", "Invalid collection_options[fields]: must be one of currently_due or eventually_due"),
        ("collection_options[future_requirements]", "yes", "Invalid collection_options[future_requirements]: must be one of omit or include"),
    ],
)
def test_invalid_enum_values(api, name, value, message):
    response = api.post("/v1/account_links", data={**VALID, name: value})
    assert response.status_code == 400
    assert error_of(response) == {"message": message, "param": name, "type": "invalid_request_error"}


@pytest.mark.parametrize("name", ["refresh_url", "return_url"])
@pytest.mark.parametrize("bad", ["not a url", "ftp://example.com/x", "https://", "example.com/return"])
def test_invalid_urls_are_url_invalid(api, name, bad):
    response = api.post("/v1/account_links", data={**VALID, name: bad})
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["param"], error["message"]) == ("url_invalid", name, "Not a valid URL")


@pytest.mark.parametrize("name", ["foo", "collection_options[color]", "account_id"])
def test_unknown_parameter(api, name):
    response = api.post("/v1/account_links", data={**VALID, name: "x"})
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["param"]) == ("parameter_unknown", name)
    assert error["message"] == f"Received unknown parameter: {name}"


def test_collection_options_must_be_a_hash(api):
    response = api.post("/v1/account_links", data={**VALID, "collection_options": "eventually_due"})
    assert response.status_code == 400
    assert error_of(response)["param"] == "collection_options"


def test_parameters_may_come_in_the_query_string_too(api):
    response = api.post("/v1/account_links", params={"account": VALID["account"]},
                        data={k: v for k, v in VALID.items() if k != "account"})
    assert response.status_code == 200


def test_test_mode_allows_http_redirects_but_live_mode_demands_https(make_sandbox):
    sandbox = make_sandbox(live=True)
    live_key = "sk_live_" + "L" * 24
    with httpx.Client(verify=False, base_url=sandbox.url) as client:
        as_test = client.post("/v1/account_links", data=VALID, headers={"Authorization": f"Bearer {DEMO_API_KEY}"})
        assert as_test.status_code == 200
        for field in ("refresh_url", "return_url"):
            data = {**VALID, "refresh_url": "https://example.com/r", "return_url": "https://example.com/x",
                    field: "http://example.com/" + field}
            as_live = client.post("/v1/account_links", data=data, headers={"Authorization": f"Bearer {live_key}"})
            assert as_live.status_code == 400
            assert error_of(as_live) == {
                "message": "Livemode requests must always be redirected via HTTPS.",
                "param": field,
                "type": "invalid_request_error",
            }
        ok = client.post(
            "/v1/account_links",
            data={**VALID, "refresh_url": "https://example.com/r", "return_url": "https://example.com/x"},
            headers={"Authorization": f"Bearer {live_key}"},
        )
        assert ok.status_code == 200
        assert ok.json()["url"].startswith("https://connect.stripe.com/setup/c/")
