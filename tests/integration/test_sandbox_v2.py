"""The sandbox's Accounts v2 endpoints over real loopback HTTP with a plain httpx client (no
app.stripe code): v2 views of the same accounts, JSON link bodies, v2 errors, idempotency."""

from __future__ import annotations

import json

import httpx
import pytest

from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY
from app.sandbox.v2 import INCLUDES

PINNED = "2026-10-28.endive"
CUSTOM = DEMO_ACCOUNTS["custom_due"]
EXPRESS = DEMO_ACCOUNTS["express_new"]


@pytest.fixture
def v2(sandbox):
    with httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {DEMO_API_KEY}",
                                                     "Stripe-Version": PINNED}) as client:
        yield client


def include(*values: str) -> dict[str, str]:
    return {f"include[{i}]": v for i, v in enumerate(values)}


def link_body(account: str = CUSTOM, kind: str = "account_onboarding", **inner) -> dict:
    return {"account": account, "use_case": {"type": kind, kind: {"refresh_url": "https://e.com/r", **inner}}}


def test_without_include_the_includable_hashes_are_null(v2):
    data = v2.get(f"/v2/core/accounts/{CUSTOM}").json()
    assert data["object"] == "v2.core.account" and data["id"] == CUSTOM
    for name in ("configuration", "defaults", "identity", "requirements", "future_requirements"):
        assert data[name] is None
    assert data["applied_configurations"] == ["merchant"] and data["dashboard"] == "none"


def test_every_demo_account_is_reachable_through_both_apis(v2):
    shapes = set()
    for name, account_id in DEMO_ACCOUNTS.items():
        one = v2.get(f"/v1/accounts/{account_id}")
        two = v2.get(f"/v2/core/accounts/{account_id}", params=include(*INCLUDES))
        assert one.status_code == two.status_code == 200, name
        v1, data = one.json(), two.json()
        assert data["contact_email"] == v1["email"] and data["identity"]["country"] == v1["country"]
        assert data["defaults"]["responsibilities"]["requirements_collector"] in ("application", "stripe")
        applied = tuple(data["applied_configurations"])
        shapes.add(applied)
        for config in ("customer", "merchant", "recipient"):
            assert (data["configuration"][config] is not None) == (config in applied)
    assert {("merchant",), ("recipient",), ("customer", "merchant"), ("merchant", "recipient")} <= shapes


def test_requirement_states_become_entries(v2):
    past = v2.get(f"/v2/core/accounts/{DEMO_ACCOUNTS['custom_pastdue']}", params=include("requirements")).json()
    statuses = {e["description"]: e["minimum_deadline"]["status"] for e in past["requirements"]["entries"]}
    assert statuses["external_account"] == "past_due"
    assert past["requirements"]["summary"]["minimum_deadline"]["status"] == "past_due"
    pending = v2.get(f"/v2/core/accounts/{DEMO_ACCOUNTS['custom_pending']}", params=include("requirements")).json()
    assert {e["awaiting_action_from"] for e in pending["requirements"]["entries"]} == {"stripe"}
    errors = v2.get(f"/v2/core/accounts/{DEMO_ACCOUNTS['custom_errors']}", params=include("requirements")).json()
    assert any(e["errors"] and e["errors"][0]["description"] for e in errors["requirements"]["entries"])
    due = v2.get(f"/v2/core/accounts/{CUSTOM}", params=include("requirements")).json()
    assert due["requirements"]["summary"]["minimum_deadline"]["time"].endswith("Z")


@pytest.mark.parametrize(
    "params,status,code",
    [({"include[0]": "everything"}, 400, "parameter_invalid"), ({"expand[0]": "identity"}, 400, "parameter_unknown")],
)
def test_bad_queries_are_refused_in_v2_shape(v2, params, status, code):
    answer = v2.get(f"/v2/core/accounts/{CUSTOM}", params=params)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code and "doc_url" not in answer.json()["error"]
    assert answer.headers["Request-Id"].startswith("req_")


def test_unknown_account_is_404_not_found(v2):
    answer = v2.get("/v2/core/accounts/acct_1NotThere000000")
    assert answer.status_code == 404
    assert answer.json() == {"error": {"type": "invalid_request_error", "code": "not_found",
                                       "message": "The resource wasn't found."}}


def test_link_answer_shape(v2, sandbox_clock):
    answer = v2.post("/v2/core/account_links", json=link_body(return_url="https://e.com/back",
                                                               collection_options={"fields": "eventually_due"}))
    assert answer.status_code == 200, answer.text
    link = answer.json()
    assert link["object"] == "v2.core.account_link" and link["account"] == CUSTOM and link["livemode"] is False
    assert link["url"].startswith(f"https://accounts.stripe.com/r/{CUSTOM}#alu_test_")
    assert (link["created"], link["expires_at"]) == ("2026-01-01T00:00:00.000Z", "2026-01-01T00:10:00.000Z")
    inner = link["use_case"]["account_onboarding"]
    assert inner["configurations"] == ["merchant"]  # Stripe says which ones the link covers
    assert inner["return_url"] == "https://e.com/back" and inner["collection_options"] == {"fields": "eventually_due"}


def test_configurations_refused_at_the_pinned_version_required_before_it(v2):
    sent = link_body(configurations=["merchant"])
    refused = v2.post("/v2/core/account_links", json=sent)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "parameter_unknown"
    assert "use_case.account_onboarding.configurations" in refused.json()["error"]["message"]
    older = {"Stripe-Version": "2026-08-26.dahlia"}
    assert v2.post("/v2/core/account_links", json=sent, headers=older).status_code == 200
    missing = v2.post("/v2/core/account_links", json=link_body(), headers=older)
    assert missing.json()["error"]["code"] == "parameter_missing"


@pytest.mark.parametrize(
    "body,code",
    [
        ({"use_case": {"type": "account_onboarding", "account_onboarding": {"refresh_url": "https://e.com"}}}, "parameter_missing"),
        (link_body(kind="recipient_onboarding"), "parameter_invalid"),
        ({"account": CUSTOM, "use_case": {"type": "account_onboarding", "account_update": {}}}, "parameter_unknown"),
        (link_body(refresh_url="not a url"), "url_invalid"),
        (link_body(collection_options={"fields": "all"}), "parameter_invalid"),
        ({**link_body(), "type": "account_onboarding"}, "parameter_unknown"),
    ],
)
def test_bad_link_bodies(v2, body, code):
    answer = v2.post("/v2/core/account_links", json=body)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == code


def test_form_bodies_and_broken_json_are_refused(v2):
    form = v2.post("/v2/core/account_links", data={"account": CUSTOM})
    assert form.status_code == 400 and form.json()["error"]["code"] == "invalid_content_type"
    broken = v2.post("/v2/core/account_links", content=b"{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "invalid_json"


def test_update_links_follow_the_accounts_rule(v2):
    assert v2.post("/v2/core/account_links", json=link_body(kind="account_update")).status_code == 200
    refused = v2.post("/v2/core/account_links", json=link_body(EXPRESS, kind="account_update"))
    assert refused.status_code == 400 and "account_onboarding" in refused.json()["error"]["message"]
    missing = v2.post("/v2/core/account_links", json=link_body("acct_1NotThere000000"))
    assert missing.status_code == 404


def test_idempotent_replay_and_mismatch(v2):
    key = {"Idempotency-Key": "v2-op-1"}
    first = v2.post("/v2/core/account_links", json=link_body(), headers=key)
    again = v2.post("/v2/core/account_links", json=link_body(), headers=key)
    assert again.json()["url"] == first.json()["url"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Request-Id"] == first.headers["Request-Id"]
    other = v2.post("/v2/core/account_links", json=link_body(kind="account_update"), headers=key)
    assert other.status_code == 400 and other.json()["error"]["type"] == "idempotency_error"


def test_v2_does_not_save_a_failure_under_its_key(v2):
    key = {"Idempotency-Key": "v2-op-2"}
    body = link_body(refresh_url="https://e.com/r")
    failed = v2.post("/v2/core/account_links", json={**body, "account": "acct_1NotThere000000"}, headers=key)
    assert failed.status_code == 404
    retried = v2.post("/v2/core/account_links", json=body, headers=key)
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried.headers


def test_faults_hit_v2_paths_too(v2, sandbox):
    sandbox.inject_fault("500", 1, path="/v2/core/account_links")
    answer = v2.post("/v2/core/account_links", json=link_body())
    assert answer.status_code == 500 and answer.json()["error"]["type"] == "api_error"
    assert v2.post("/v2/core/account_links", json=link_body()).status_code == 200


def test_keys_are_checked_first(sandbox):
    answer = httpx.get(f"{sandbox.url}/v2/core/accounts/{CUSTOM}", headers={"Authorization": "Bearer sk_test_no-pe"})
    assert answer.status_code == 401
    assert "sk_test_no-pe" not in answer.text
    assert httpx.post(f"{sandbox.url}/v2/core/account_links", json=link_body()).status_code == 401


@pytest.mark.parametrize(
    "content",
    [b"[" * 200_000 + b"]" * 200_000, b"\xff\xfe", b"[1, 2]", b'{"account": {"$ne": 1}, "use_case": []}'],
)
def test_hostile_bodies_get_a_v2_error_and_the_server_keeps_serving(v2, content):
    answer = v2.post("/v2/core/account_links", content=content, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"]["type"] == "invalid_request_error"
    assert v2.post("/v2/core/account_links", json=link_body()).status_code == 200
