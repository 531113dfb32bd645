"""GET /v1/accounts/{id}, /v1/account and /v1/accounts (pagination, filters) on the sandbox."""

from __future__ import annotations

import httpx
import pytest

from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY

# The keys of Stripe's own ``account`` fixture, level by level.
FIXTURE_KEYS = {
    "": {"business_profile", "business_type", "capabilities", "charges_enabled", "controller",
         "country", "created", "default_currency", "details_submitted", "email",
         "external_accounts", "future_requirements", "id", "metadata", "object",
         "payouts_enabled", "requirements", "settings", "tos_acceptance", "type"},
    "business_profile": {"annual_revenue", "estimated_worker_count", "mcc",
                         "minority_owned_business_designation", "name", "product_description",
                         "support_address", "support_email", "support_phone", "support_url", "url"},
    "requirements": {"alternatives", "current_deadline", "currently_due", "disabled_reason",
                     "errors", "eventually_due", "past_due", "pending_verification"},
    "settings": {"bacs_debit_payments", "branding", "card_issuing", "card_payments", "dashboard",
                 "invoices", "payments", "payouts", "sepa_debit_payments"},
    "tos_acceptance": {"date", "ip", "user_agent"},
    "external_accounts": {"data", "has_more", "object", "url"},
}


def error_of(response: httpx.Response) -> dict:
    return response.json()["error"]


def assert_fixture_shape(account: dict) -> None:
    assert set(account) == FIXTURE_KEYS[""]
    for section, keys in FIXTURE_KEYS.items():
        if section:
            assert set(account[section]) == keys, section
    assert set(account["future_requirements"]) == FIXTURE_KEYS["requirements"]
    assert set(account["settings"]["dashboard"]) == {"display_name", "timezone"}
    assert account["object"] == "account" and isinstance(account["created"], int)
    for error in account["requirements"]["errors"]:
        assert set(error) == {"code", "reason", "requirement"}


def all_demo(api) -> list[dict]:
    return [api.get(f"/v1/accounts/{account_id}").json() for account_id in DEMO_ACCOUNTS.values()]


def stripe_order(accounts: list[dict]) -> list[str]:
    return [a["id"] for a in sorted(accounts, key=lambda a: (a["created"], a["id"]), reverse=True)]


def test_contract_ids_and_names(api):
    assert {k: DEMO_ACCOUNTS[k] for k in ("custom_due", "express_new", "standard_ok", "custom_pastdue")} == {
        "custom_due": "acct_1LdCustomDue0001", "express_new": "acct_1LdExpressNew001",
        "standard_ok": "acct_1LdStandardOk001", "custom_pastdue": "acct_1LdCustomPast001",
    }
    assert len(DEMO_ACCOUNTS) >= 12
    assert all(len(i) == 21 and i.startswith("acct_") for i in DEMO_ACCOUNTS.values())
    assert api.get("/v1/accounts/acct_1LdCustomDue0001").json()["business_profile"]["name"] == "Harbor Street Bakery"


def test_every_account_has_the_fixtures_shape(api):
    for account in all_demo(api):
        assert_fixture_shape(account)
    assert_fixture_shape(api.get("/v1/account").json())


def test_demo_accounts_cover_the_controller_and_requirement_cases(api):
    accounts = all_demo(api)
    controllers = [a["controller"] for a in accounts]
    assert {a["type"] for a in accounts} >= {"standard", "express", "custom"}
    assert {c["type"] for c in controllers} == {"account", "application"}
    assert {c.get("requirement_collection") for c in controllers} >= {"stripe", "application"}
    assert {c["stripe_dashboard"]["type"] for c in controllers if "stripe_dashboard" in c} == {"full", "express", "none"}
    reqs = [a["requirements"] for a in accounts]
    assert any(not r["currently_due"] and not r["disabled_reason"] for r in reqs)  # complete
    assert any(r["currently_due"] and r["current_deadline"] for r in reqs)
    assert any(r["past_due"] and r["disabled_reason"] == "requirements.past_due" for r in reqs)
    assert any(r["pending_verification"] for r in reqs)
    assert any((r["disabled_reason"] or "").startswith("rejected.") for r in reqs)
    assert any(r["errors"] for r in reqs)
    assert any(a["future_requirements"]["eventually_due"] for a in accounts)
    assert len({a["created"] for a in accounts}) >= len(accounts) - 1  # spread over time


def test_demo_accounts_are_deterministic(make_sandbox):
    dumps = []
    for _ in range(2):
        with httpx.Client(verify=False, base_url=make_sandbox().url, headers={"Authorization": f"Bearer {DEMO_API_KEY}"}) as c:
            dumps.append(c.get("/v1/accounts", params={"limit": 100}).content)
    assert dumps[0] == dumps[1]


def test_platform_account(api):
    platform = api.get("/v1/account").json()
    assert platform["business_profile"]["name"] == "Linkdesk Demo Platform"
    assert platform["id"] not in DEMO_ACCOUNTS.values()
    assert api.get(f"/v1/accounts/{platform['id']}").json() == platform
    listed = api.get("/v1/accounts", params={"limit": 100}).json()["data"]
    assert platform["id"] not in {a["id"] for a in listed}


def test_unknown_account_is_403_account_invalid(api):
    response = api.get("/v1/accounts/acct_1NoSuchAccount00")
    assert response.status_code == 403
    error = error_of(response)
    assert (error["type"], error["code"]) == ("invalid_request_error", "account_invalid")
    assert "param" not in error
    assert "'acct_1NoSuchAccount00' (or that account does not exist)" in error["message"]
    assert DEMO_API_KEY not in error["message"]


def test_retrieve_takes_expand_but_no_other_parameter(api):
    assert api.get("/v1/accounts/acct_1LdCustomDue0001", params={"expand[]": "external_accounts"}).status_code == 200
    response = api.get("/v1/accounts/acct_1LdCustomDue0001", params={"email": "x"})
    assert (response.status_code, error_of(response)["code"]) == (400, "parameter_unknown")


def test_list_shape_and_default_limit(api):
    page = api.get("/v1/accounts").json()
    assert set(page) == {"object", "data", "has_more", "url"}
    assert (page["object"], page["url"], page["has_more"], len(page["data"])) == ("list", "/v1/accounts", True, 10)
    for account in page["data"]:
        assert_fixture_shape(account)


def test_walk_forward_then_backward_with_limit_3(api):
    expected = stripe_order(all_demo(api))
    forward, cursor, pages = [], None, 0
    while True:
        page = api.get("/v1/accounts", params={"limit": 3, **({"starting_after": cursor} if cursor else {})}).json()
        forward += [a["id"] for a in page["data"]]
        pages += 1
        if not page["has_more"]:
            break
        assert len(page["data"]) == 3
        cursor = page["data"][-1]["id"]
    assert forward == expected
    assert pages == -(-len(expected) // 3)

    backward, cursor = [], expected[-1]
    while True:
        page = api.get("/v1/accounts", params={"limit": 3, "ending_before": cursor}).json()
        ids = [a["id"] for a in page["data"]]
        backward = ids + backward
        if not page["has_more"]:
            break
        cursor = ids[0]
    assert backward + [expected[-1]] == expected


def test_equal_created_falls_back_on_id_descending(api):
    ids = [a["id"] for a in api.get("/v1/accounts", params={"limit": 100}).json()["data"]]
    tie = sorted([DEMO_ACCOUNTS["express_new"], DEMO_ACCOUNTS["standard_new"]], reverse=True)
    at = ids.index(tie[0])
    assert ids[at:at + 2] == tie


@pytest.mark.parametrize("op", ["", "gt", "gte", "lt", "lte"])
def test_created_filters(api, op):
    accounts = all_demo(api)
    pivot = sorted(a["created"] for a in accounts)[len(accounts) // 2]
    keep = {
        "": lambda c: c == pivot, "gt": lambda c: c > pivot, "gte": lambda c: c >= pivot,
        "lt": lambda c: c < pivot, "lte": lambda c: c <= pivot,
    }[op]
    name = f"created[{op}]" if op else "created"
    page = api.get("/v1/accounts", params={"limit": 100, name: pivot}).json()
    assert [a["id"] for a in page["data"]] == stripe_order([a for a in accounts if keep(a["created"])])
    assert page["data"] and page["has_more"] is False


def test_created_range_paginates_within_the_range(api):
    accounts = all_demo(api)
    lows = sorted(a["created"] for a in accounts)
    params = {"created[gte]": lows[2], "created[lt]": lows[-2], "limit": 2}
    seen, cursor = [], None
    while True:
        page = api.get("/v1/accounts", params={**params, **({"starting_after": cursor} if cursor else {})}).json()
        seen += [a["id"] for a in page["data"]]
        if not page["has_more"]:
            break
        cursor = seen[-1]
    assert seen == stripe_order([a for a in accounts if lows[2] <= a["created"] < lows[-2]])


@pytest.mark.parametrize(
    ("params", "param", "message"),
    [
        ({"limit": 0}, "limit", "This value must be greater than or equal to 1."),
        ({"limit": 101}, "limit", "This value must be less than or equal to 100."),
        ({"limit": "ten"}, "limit", "Invalid integer: ten"),
        ({"created[gte]": "yesterday"}, "created[gte]", "Invalid integer: yesterday"),
        ({"created": "1.5"}, "created", "Invalid integer: 1.5"),
    ],
)
def test_bad_list_values(api, params, param, message):
    response = api.get("/v1/accounts", params=params)
    assert response.status_code == 400
    assert error_of(response) == {"message": message, "param": param, "type": "invalid_request_error"}


@pytest.mark.parametrize("cursor", ["starting_after", "ending_before"])
def test_unknown_cursor(api, cursor):
    response = api.get("/v1/accounts", params={cursor: "acct_1Gone00000000000"})
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["param"]) == ("resource_missing", cursor)
    assert error["message"] == "No such account: 'acct_1Gone00000000000'"


def test_both_cursors_and_unknown_filters_are_refused(api):
    both = api.get("/v1/accounts", params={"starting_after": DEMO_ACCOUNTS["custom_due"],
                                           "ending_before": DEMO_ACCOUNTS["standard_ok"]})
    assert both.status_code == 400
    for name in ("email", "created[eq]", "search"):
        response = api.get("/v1/accounts", params={name: "x"})
        assert (response.status_code, error_of(response)["param"]) == (400, name)


def test_without_demo_accounts_the_list_is_empty(make_sandbox):
    sandbox = make_sandbox(demo=False)
    with httpx.Client(verify=False, base_url=sandbox.url, headers={"Authorization": f"Bearer {DEMO_API_KEY}"}) as client:
        assert client.get("/v1/accounts").json() == {"object": "list", "data": [], "has_more": False, "url": "/v1/accounts"}
        assert client.get(f"/v1/accounts/{DEMO_ACCOUNTS['custom_due']}").status_code == 403
        assert client.get("/v1/account").status_code == 200


def test_fifty_thousand_synthetic_accounts_are_all_listed(make_sandbox):
    sandbox = make_sandbox(demo=False, synthetic_accounts=50_000)
    syn = "acct_1Syn{:012d}".format
    with httpx.Client(verify=False, base_url=sandbox.url, headers={"Authorization": f"Bearer {DEMO_API_KEY}"}) as client:
        def ids(**params):
            page = client.get("/v1/accounts", params={"limit": 100, **params}).json()
            return [a["id"] for a in page["data"]], page["has_more"]

        assert ids() == ([syn(n) for n in range(50_000, 49_900, -1)], True)
        # 100 before the 100th newest, 100 after the 101st oldest: exactly 50,000 in order
        assert ids(ending_before=syn(49_900)) == ([syn(n) for n in range(50_000, 49_900, -1)], False)
        assert ids(starting_after=syn(101)) == ([syn(n) for n in range(100, 0, -1)], False)
        assert ids(starting_after=syn(25_000)) == ([syn(n) for n in range(24_999, 24_899, -1)], True)
        tenth = client.get(f"/v1/accounts/{syn(10)}").json()
        assert_fixture_shape(tenth)
        assert ids(**{"created[lte]": tenth["created"]}) == ([syn(n) for n in range(10, 0, -1)], False)
        assert client.get(f"/v1/accounts/{syn(50_001)}").status_code == 403
