"""The sync against answers a real Stripe never gives: it must end, and keep only real accounts."""

from __future__ import annotations

import json

import httpx

from app.directory.index import DirectoryIndex
from app.directory.sync import DirectorySync
from app.sandbox.accounts import account_json
from app.sandbox.seed import DEMO_SPECS
from app.stripe import ApiKey, StripeClient

KEY = ApiKey("sk_test_" + "x1" * 12)


def page(accounts, has_more=True):
    return {"object": "list", "data": accounts, "has_more": has_more, "url": "/v1/accounts"}


async def test_a_server_stuck_on_one_page_stops_the_sync_keeping_the_page(tmp_path):
    import pytest

    from app.directory.sync import SyncStopped

    stuck = [account_json(DEMO_SPECS[n], 1_767_225_600) for n in ("custom_due", "express_ok", "standard_ok")]
    calls = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        if request.url.path == "/v1/account":
            return httpx.Response(403, json={"error": {"type": "invalid_request_error", "message": "no"}})
        return httpx.Response(200, content=json.dumps(page(stuck)).encode())

    with DirectoryIndex.open(tmp_path / "accounts-x.sqlite3") as index:
        async with StripeClient(KEY, transport=httpx.MockTransport(answer), max_retries=0) as client:
            with pytest.raises(SyncStopped) as stopped:
                await DirectorySync(client, index, concurrency=3).run()
        assert "did not end as it should" in stopped.value.explanation
        assert sorted(r[0] for r in index.conn.execute("SELECT id FROM accounts")) == sorted(a["id"] for a in stuck)
    assert len(calls) < 40


async def test_list_items_without_an_account_id_are_skipped_and_counted(tmp_path):
    good = account_json(DEMO_SPECS["custom_due"], 1_767_225_600)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/account":
            return httpx.Response(403, json={"error": {"type": "invalid_request_error", "message": "no"}})
        items = [{"id": "not_an_account", "object": "account"}, good, "a string", {"id": "acct_../x"}]
        return httpx.Response(200, json=page(items, has_more=False))

    with DirectoryIndex.open(tmp_path / "accounts-x.sqlite3") as index:
        async with StripeClient(KEY, transport=httpx.MockTransport(answer), max_retries=0) as client:
            result = await DirectorySync(client, index).run()
        assert result.skipped == 3 and index.count() == 1  # nothing planted, the good one kept


async def test_a_page_that_is_not_a_list_stops_the_sync_with_the_clients_error(tmp_path):
    import pytest

    from app.stripe.errors import StripeError

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/account":
            return httpx.Response(403, json={"error": {"type": "invalid_request_error", "message": "no"}})
        return httpx.Response(200, json={"object": "list", "data": {"id": "acct_1"}, "has_more": False})

    with DirectoryIndex.open(tmp_path / "accounts-x.sqlite3") as index:
        async with StripeClient(KEY, transport=httpx.MockTransport(answer), max_retries=0) as client:
            with pytest.raises(StripeError):
                await DirectorySync(client, index).run()
        assert index.count() == 0 and index.state("run_phase") == "first page"  # resumable, nothing planted
