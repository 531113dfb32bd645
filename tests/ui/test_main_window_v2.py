"""The window on a platform that uses Accounts v2, against the sandbox over real loopback HTTP:
which API is shown, the v2 summary and configurations, creating, errors, retry and history."""

from __future__ import annotations

import pytest
from mainwindow_helpers import find, look_up, wait_until
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton

from app.countdown import LinkState
from app.paths import AppPaths
from app.sandbox import DEMO_API_KEY
from app.services import Connection, Services
from app.stripe.client import StripeClient
from app.stripe.keys import ApiKey
from app.stripe.v2_models import AccountLinkV2, AccountV2

V2_LINKS = "/v2/core/account_links"


@pytest.fixture
def accounts_api() -> str:
    return "v2"


@pytest.fixture
async def services(sandbox, clock, transport, tmp_path, accounts_api):
    client = StripeClient(ApiKey(DEMO_API_KEY), api_base=sandbox.url, clock=clock, transport=transport,
                          max_retries=0)
    built = Services(
        clock=clock,
        paths=AppPaths.resolve(tmp_path / "data"),
        connection=Connection(ApiKey(DEMO_API_KEY), sandbox.url, "sandbox", sandbox, accounts_api=accounts_api),
        client=client,
    )
    yield built
    await built.aclose()


@pytest.mark.parametrize("accounts_api", ["v1", "v2"])
async def test_the_window_says_which_api_is_in_use(window, accounts_api):
    label = find(window, "accountsApiLabel", QLabel)
    assert label.isVisible() and label.text() == f"Accounts {accounts_api}"


async def test_lookup_reads_the_v2_account_and_shows_its_configurations(window, accounts, transport):
    account = await look_up(window, accounts["custom_eu"])
    assert isinstance(account, AccountV2)
    assert ("GET", f"/v2/core/accounts/{accounts['custom_eu']}") in transport.requests
    assert not any(path.startswith("/v1/") for _, path in transport.requests)
    summary = window.account_panel.summary.text()
    assert "Atelier Brandt GmbH" in summary and "Accounts v2" in summary
    assert "Customer configuration applied" in summary and "Merchant configuration applied" in summary
    note = find(window, "configurationsNote", QLabel)
    assert note.isVisible() and note.text().startswith("Configurations: Customer, Merchant.")
    assert window.form.update_allowed()


async def test_v2_requirements_read_like_v1(window, accounts):
    await look_up(window, accounts["custom_pastdue"])
    summary = window.account_panel.summary.text()
    assert "Past due (2)" in summary and "Bank account for payouts" in summary


async def test_update_is_gated_by_v2s_rule(window, accounts):
    await look_up(window, accounts["express_new"])
    assert not window.form.update_allowed()
    note = find(window, "typeNote", QLabel)
    assert note.text() == "Update links are not available for this account."  # one short line
    assert "onboarding" in note.accessibleDescription()  # v2's own reason, also its tooltip


async def test_create_makes_a_v2_link_records_it_and_says_what_it_covers(window, accounts, services, transport, clock):
    await look_up(window, accounts["custom_due"])
    find(window, "accountInput").setText(accounts["custom_due"])
    card = await window.create_link()
    assert card is not None, window.banner.message.text()
    assert isinstance(card.link, AccountLinkV2) and card.link.url.startswith("https://accounts.stripe.com/r/")
    assert transport.posts() == [V2_LINKS]
    assert card.state is LinkState.ACTIVE and card.link.ttl == 600
    assert find(card, "linkCountdown", QLabel).text().startswith(("Open within 10:00", "Open within 9:59"))
    assert "The last link covers: Merchant." in find(window, "configurationsNote", QLabel).text()
    assert "It covers: Merchant." in window.statusBar().currentMessage()
    entry = services.history.query()[0]
    assert entry.outcome == "created" and entry.url == card.link.url and entry.account_name == "Harbor Street Bakery"
    assert (entry.accounts_api, entry.configurations) == ("v2", "merchant")  # which API made it, what it covers
    clock.advance(601)
    await wait_until(lambda: card.state is LinkState.EXPIRED)
    # Create again from the v2 row: a v2 request again (no return URL: v2 needs none)
    window.history_panel.createAgainRequested.emit(services.history.get(entry.id))
    again = await window.create_link()
    assert again is not None and isinstance(again.link, AccountLinkV2)
    assert transport.posts() == [V2_LINKS, V2_LINKS]
    assert services.history.query()[0].accounts_api == "v2" and not window.banner.isVisible()


async def test_v2_error_is_shown_with_request_id(window, services):
    find(window, "accountInput").setText("acct_1DoesNotExist00")
    assert await window.create_link() is None  # looked up first, through v2: Stripe does not know it
    error = window.account_panel.error
    assert "through Accounts v2" in error.text()  # v2's own explanation, at the field
    assert "Code: not_found" in error.toolTip() and "Request id: req_" in error.toolTip()
    assert services.history.query() == []  # an unknown account: nothing was asked of Stripe


@pytest.mark.parametrize("accounts_api", ["v1"])
async def test_create_again_from_a_v2_row_on_a_v1_profile_says_which_api_will_be_used(window, services, accounts):
    from app.history.entry import HistoryEntry

    entry = services.history.record(HistoryEntry(
        account_id=accounts["custom_due"], link_type="account_onboarding", mode="test",
        refresh_url="https://example.com/reauth", return_url="", attempted_at=services.clock.time(),
        accounts_api="v2", configurations="merchant"))
    window.history_panel.createAgainRequested.emit(entry)
    assert find(window, "refreshUrlInput").text() == "https://example.com/reauth"
    assert "made through Accounts v2; this profile uses Accounts v1" in window.banner.message.text()
    await wait_until(lambda: window.account_panel.account is not None)  # the look-up it started
    assert "this profile uses Accounts v1" in window.banner.message.text()  # still there to read


async def test_retry_after_a_server_error_makes_the_link(window, accounts, sandbox, transport):
    sandbox.inject_fault("500", path=V2_LINKS)
    find(window, "accountInput").setText(accounts["custom_due"])
    assert await window.create_link() is None
    retry = find(window, "createRetryButton", QPushButton)
    assert retry.isVisible()
    retry.click()
    await wait_until(lambda: len(window.links.cards()) == 1)
    assert transport.posts() == [V2_LINKS, V2_LINKS]


async def test_lost_answer_is_replayed_with_the_same_key(window, accounts, sandbox, transport):
    sandbox.inject_fault("drop", after_processing=True, path=V2_LINKS)
    find(window, "accountInput").setText(accounts["custom_due"])
    assert await window.create_link() is None
    find(window, "createRetryButton", QPushButton).click()
    await wait_until(lambda: len(window.links.cards()) == 1)
    assert transport.keys[0] == transport.keys[1]
    assert window.links.cards()[0].state is LinkState.ACTIVE


async def test_update_link_through_v2(window, accounts, transport):
    await look_up(window, accounts["custom_due"])
    find(window, "typeSelector", QComboBox).setCurrentIndex(1)
    card = await window.create_link()
    assert card is not None and card.link.use_case == "account_update"


async def test_v2_needs_no_return_url_but_checks_one_that_is_given(window, accounts, transport):
    find(window, "accountInput").setText(accounts["custom_due"])
    find(window, "returnUrlInput").setText("")
    card = await window.create_link()
    assert card is not None, window.banner.message.text()
    find(window, "returnUrlInput").setText("ftp://example.com/back")
    assert await window.create_link() is None
    assert find(window, "returnUrlError", QLabel).isVisible()
    assert transport.posts() == [V2_LINKS]


async def test_qr_and_present_mode_work_the_same_for_v2_links(window, accounts, clock, services, transport):
    import zxingcpp
    from PySide6.QtGui import QImage

    def decode(widget) -> list[str]:
        grey = widget.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
        return [r.text for r in zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)]

    await look_up(window, accounts["custom_due"])
    find(window, "accountInput").setText(accounts["custom_due"])
    card = await window.create_link()
    assert decode(find(card, "linkQr")) == [card.link.url]  # the whole URL, token after '#' included
    find(card, "presentButton", QPushButton).click()
    present = window.flow.present_window
    assert present is not None and decode(find(present, "presentQr")) == [card.link.url]
    find(present, "autoRefreshCheck").setChecked(True)
    clock.advance(601)
    present.tick()
    await present.refresh_task
    assert present.state is LinkState.ACTIVE and present.link.url != card.link.url
    assert isinstance(present.link, AccountLinkV2) and services.history.count() == 2
    assert transport.posts() == [V2_LINKS, V2_LINKS]
    present.close()
