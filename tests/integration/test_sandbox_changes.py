"""The sandbox's test hooks: accounts created and changed while a client pages or watches."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from app.sandbox import DEMO_API_KEY
from app.sandbox.seed import DEMO_SPECS


def _client(sandbox):
    return httpx.Client(verify=False, base_url=sandbox.url, headers={"Authorization": f"Bearer {DEMO_API_KEY}"})


def _spec(account_id, created, name):
    return dataclasses.replace(DEMO_SPECS["express_ok"], id=account_id, created=created, name=name)


def test_an_added_account_is_listed_in_stripe_order_and_cursors_stay_valid(make_sandbox, sandbox_clock):
    sandbox = make_sandbox(demo=False, synthetic_accounts=250)
    with _client(sandbox) as api:
        first = api.get("/v1/accounts", params={"limit": 100}).json()
        cursor = first["data"][-1]["id"]
        now = int(sandbox_clock.time())
        sandbox.add_account(_spec("acct_1NewB0000000001", now, "Nouveau Café"))
        sandbox.add_account(_spec("acct_1NewA0000000001", now, "Second Same Second"))  # same second, lower id
        # An old created date lands among the old accounts, behind the cursor.
        old = first["data"][-1]["created"] - 5
        sandbox.add_account(_spec("acct_1NewOld00000001", old, "Backdated Bakery"))
        top = api.get("/v1/accounts", params={"limit": 3}).json()["data"]
        assert [a["id"] for a in top[:2]] == ["acct_1NewB0000000001", "acct_1NewA0000000001"]
        assert top[0]["business_profile"]["name"] == "Nouveau Café"
        rest: list[str] = []
        while True:
            page = api.get("/v1/accounts", params={"limit": 100, "starting_after": cursor}).json()
            rest += [a["id"] for a in page["data"]]
            if not page["has_more"]:
                break
            cursor = rest[-1]
        assert len(rest) == 150 + 1 and "acct_1NewOld00000001" in rest
        assert len(api.get("/v1/accounts", params={"limit": 100, "created[gte]": now}).json()["data"]) == 2
    with pytest.raises(ValueError):
        sandbox.add_account(_spec("acct_1NewB0000000001", now, "again"))


def test_an_updated_account_answers_with_its_new_state(sandbox):
    account_id = DEMO_SPECS["express_new"].id
    with _client(sandbox) as api:
        before = api.get(f"/v1/accounts/{account_id}").json()
        assert before["details_submitted"] is False and before["requirements"]["currently_due"]
        sandbox.update_account(account_id, details_submitted=True, currently_due=(), past_due=(),
                               charges_enabled=True, disabled_reason=None)
        after = api.get(f"/v1/accounts/{account_id}").json()
    assert after["details_submitted"] is True and after["charges_enabled"] is True
    assert after["requirements"]["currently_due"] == [] and after["created"] == before["created"]
    with pytest.raises(ValueError):
        sandbox.update_account(account_id, created=1)
    with pytest.raises(KeyError):
        sandbox.update_account("acct_1Nobody000000000", name="x")
