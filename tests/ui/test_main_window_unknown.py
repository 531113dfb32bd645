"""The window and attempts of unknown outcome (issue 18): written before the request is sent,
shown as "outcome unknown" when their process died waiting, never counted as failed or made, and
retried from History with their Idempotency-Key, which gets the link Stripe made then."""

from __future__ import annotations

import asyncio
import socket

import httpx
from mainwindow_helpers import find, wait_until
from PySide6.QtWidgets import QComboBox, QTableView

from app.history import HistoryEntry, HistoryQuery
from app.sandbox import DEMO_API_KEY
from app.stripe.validation import LinkRequest
from app.ui.history.model import HistoryModel

ACCOUNT_LINKS = "/v1/account_links"
GONE_WRITER = f"{socket.gethostname()}:{2**22 + 7}:1"  # a pid above Linux's pid_max: no such process


def left_open(services, clock, account: str, key: str) -> HistoryEntry:
    """What a Linkdesk killed while waiting leaves behind."""
    request = LinkRequest(account, "account_onboarding", "https://example.com/reauth", "https://example.com/return")
    return services.history.open_attempt(HistoryEntry.for_attempt(
        request, key, clock=clock, mode=services.connection.mode, profile=services.connection.profile,
        writer=GONE_WRITER))


def stripe_made_it(sandbox, account: str, key: str) -> dict:
    """The link the dead process's request made (its Idempotency-Key, its parameters)."""
    with httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {DEMO_API_KEY}"}) as api:
        return api.post(ACCOUNT_LINKS, headers={"Idempotency-Key": key}, data={
            "account": account, "type": "account_onboarding", "refresh_url": "https://example.com/reauth",
            "return_url": "https://example.com/return"}).json()


def menu_actions(panel, row: int) -> dict:
    view = panel.findChild(QTableView, "historyView")
    menu = panel.build_context_menu(view.model().index(row, 0))
    menu.deleteLater()
    return {a.objectName(): a for a in menu.actions()}


async def shown(panel) -> HistoryModel:
    """The History rows as read now (the tab need not be the one showing)."""
    task = panel.model.reload()
    await asyncio.wait({task})
    await panel.model.settled()
    return panel.model


async def test_a_link_request_is_on_record_before_it_is_sent(window, accounts, sandbox, transport, services):
    sandbox.inject_fault("timeout", delay=30, path=ACCOUNT_LINKS)
    find(window, "accountInput").setText(accounts["custom_due"])
    task = asyncio.ensure_future(window.create_link())
    try:
        await wait_until(lambda: transport.posts() == [ACCOUNT_LINKS])
        (entry,) = services.history.query()
        assert entry.outcome == "unknown" and entry.idempotency_key == transport.keys[0]
        assert entry.account_id == accounts["custom_due"] and entry.profile == services.connection.profile
    finally:
        window.flow.w.inflight.cancel()  # Esc
        await asyncio.wait_for(task, 5)
    (entry,) = services.history.query()  # the same row, completed
    assert entry.outcome == "failed" and entry.error_code == "cancelled"


async def test_an_attempt_left_open_shows_unknown_counts_as_neither_and_retry_gets_its_link(
        window, accounts, sandbox, services, clock, transport):
    account = accounts["custom_due"]
    opened = left_open(services, clock, account, "linkdesk-left-open-0001")
    made = stripe_made_it(sandbox, account, "linkdesk-left-open-0001")
    panel = window.history_panel
    model = await shown(panel)
    row = model.row_of(opened.id)
    assert model.data(model.index(row, HistoryModel.STATUS)) == "Unknown"
    note = model.data(model.index(row, HistoryModel.NOTE))
    assert note.startswith("outcome unknown: the link may exist; it expires by ")
    # never a failure, never a success: the status filters
    status = find(window, "historyStatusFilter", QComboBox)
    for value, count in (("failed", 0), ("active", 0), ("expired", 0), ("unknown", 1)):
        status.setCurrentIndex(status.findData(value))
        await panel.model.settled()
        await wait_until(lambda: panel.model.shown_query is not None and panel.model.shown_query.status == value)
        assert panel.model.rowCount() == count, value
    status.setCurrentIndex(0)
    model = await shown(panel)
    actions = menu_actions(panel, model.row_of(opened.id))
    assert "historyRetryAction" in actions and "historyReopenAction" not in actions
    actions["historyRetryAction"].trigger()
    await wait_until(lambda: len(window.links.cards()) == 1)
    (card,) = window.links.cards()
    assert card.link.url == made["url"]  # Stripe replayed the link made for the dead process
    assert transport.keys == ["linkdesk-left-open-0001"]
    after = services.history.get(opened.id)
    assert after.outcome == "created" and services.history.count() == 1
    assert services.history.count(HistoryQuery(status="unknown")) == 0


async def test_an_attempt_another_linkdesk_still_waits_for_is_not_offered_for_retry(window, accounts, services, clock):
    from app.history import writers

    request = LinkRequest(accounts["custom_due"], "account_onboarding", "https://example.com/reauth",
                          "https://example.com/return")
    opened = services.history.open_attempt(HistoryEntry.for_attempt(
        request, "linkdesk-waiting-0001", clock=clock, mode="test", profile=services.connection.profile,
        writer=writers.current()))  # a live process (this one) that is still within its deadline
    model = await shown(window.history_panel)
    row = model.row_of(opened.id)
    assert model.data(model.index(row, HistoryModel.STATUS)) == "Waiting"
    assert "historyRetryAction" not in menu_actions(window.history_panel, row)
    clock.advance(120)  # no request waits this long: its writer can no longer complete it
    model.refresh_status()
    assert model.data(model.index(row, HistoryModel.STATUS)) == "Unknown"
