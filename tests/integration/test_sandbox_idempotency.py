"""Idempotency-Key on POST /v1/account_links: replay, mismatch, what is (not) saved, expiry."""

from __future__ import annotations

import httpx
import pytest

from app.sandbox import DEMO_ACCOUNTS

VALID = {
    "account": DEMO_ACCOUNTS["custom_due"],
    "type": "account_onboarding",
    "refresh_url": "https://example.com/refresh",
    "return_url": "https://example.com/return",
}


def post(api, data, key):
    return api.post("/v1/account_links", data=data, headers={"Idempotency-Key": key})


def test_same_key_and_params_replays_the_first_response(api, sandbox_clock):
    first = post(api, VALID, "k-1")
    sandbox_clock.advance(30)
    again = post(api, dict(reversed(list(VALID.items()))), "k-1")  # same params, other order
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["request-id"] == first.headers["request-id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["original-request"] == first.headers["request-id"]
    assert "idempotent-replayed" not in first.headers
    assert first.headers["idempotency-key"] == "k-1"


def test_other_key_makes_a_new_link(api):
    assert post(api, VALID, "k-a").json()["url"] != post(api, VALID, "k-b").json()["url"]


def test_without_a_key_nothing_is_replayed(api):
    first, second = api.post("/v1/account_links", data=VALID), api.post("/v1/account_links", data=VALID)
    assert first.json()["url"] != second.json()["url"]
    assert "idempotent-replayed" not in second.headers


def test_same_key_other_params_is_an_idempotency_error(api):
    first = post(api, VALID, "k")
    response = post(api, {**VALID, "collection_options[fields]": "eventually_due"}, "k")
    assert first.status_code == 200
    assert response.status_code == 400
    assert response.json() == {"error": {
        "message": "Keys for idempotent requests can only be used with the same parameters they "
                   "were first used with. Try using a key other than 'k' if you meant to execute "
                   "a different request.",
        "type": "idempotency_error",
    }}
    assert response.headers["request-id"] != first.headers["request-id"]


def test_refused_parameters_are_not_saved(api):
    bad = post(api, {**VALID, "return_url": "nope"}, "k-fix")
    fixed = post(api, VALID, "k-fix")
    assert bad.status_code == 400
    assert fixed.status_code == 200 and "idempotent-replayed" not in fixed.headers


def test_an_operation_error_is_saved_and_replayed(api):
    data = {**VALID, "account": DEMO_ACCOUNTS["standard_ok"], "type": "account_update"}
    first, again = post(api, data, "k-upd"), post(api, data, "k-upd")
    assert first.status_code == again.status_code == 400
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"


def test_keys_expire_after_24_hours(api, sandbox_clock):
    first = post(api, VALID, "k-day")
    sandbox_clock.advance(86_400 - 1)
    assert post(api, VALID, "k-day").headers.get("idempotent-replayed") == "true"
    sandbox_clock.advance(2)
    fresh = post(api, {**VALID, "type": "account_update"}, "k-day")
    assert fresh.status_code == 200 and "idempotent-replayed" not in fresh.headers
    assert fresh.json()["url"] != first.json()["url"]


@pytest.mark.parametrize(("length", "status"), [(255, 200), (256, 400)])
def test_key_length_limit(api, length, status):
    assert post(api, VALID, "k" * length).status_code == status


def test_test_and_live_keys_do_not_share_idempotency_keys(make_sandbox):
    sandbox = make_sandbox(live=True)
    with httpx.Client(verify=False, base_url=sandbox.url) as client:
        as_test = client.post("/v1/account_links", data=VALID, headers={
            "Authorization": "Bearer sk_test_abcdefghijkl", "Idempotency-Key": "shared"})
        as_live = client.post("/v1/account_links", data=VALID, headers={
            "Authorization": "Bearer sk_live_abcdefghijkl", "Idempotency-Key": "shared"})
    assert as_test.status_code == as_live.status_code == 200
    assert as_live.json()["url"] != as_test.json()["url"]
    assert "idempotent-replayed" not in as_live.headers
