"""The window on a call: busy states per action, waiting and cancelling said plainly, the banner
never moving the form, look-up before create, the verdict, and cards that fit at every width."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from mainwindow_helpers import find, look_up, wait_until
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QMessageBox, QPushButton, QWidget

from app.countdown import LinkState
from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY
from app.sandbox.accounts import account_json
from app.sandbox.seed import DEMO_SPECS
from app.stripe.client import StripeClient
from app.stripe.keys import ApiKey
from app.stripe.models import Account
from app.verdict import account_verdict

ACCOUNT_LINKS = "/v1/account_links"


async def settle() -> None:
    """Let Qt lay out and paint (its events run on the same loop; never ``processEvents()``
    inside a coroutine: qasync would re-enter a task)."""
    for _ in range(5):
        await asyncio.sleep(0.01)


def _posts(transport) -> list[str]:
    return [path for method, path in transport.requests if method == "POST"]


# -- busy states, waiting, cancelling --------------------------------------------------------
async def test_a_look_up_is_busy_on_look_up_and_a_create_on_create(window, accounts, sandbox):
    look, create = find(window, "lookupButton", QPushButton), find(window, "createButton", QPushButton)
    sandbox.inject_fault("timeout", delay=30)
    find(window, "accountInput").setText(accounts["custom_due"])
    task = asyncio.ensure_future(window.lookup_account())
    await wait_until(lambda: window.busy)
    assert look.text() == "Looking up…" and not look.isEnabled()
    assert create.text() == "Create link" and not create.isEnabled()  # not "Creating…"
    assert find(window, "lookupCancelButton").isVisible() and not find(window, "cancelButton").isVisible()
    assert find(window, "lookupWaitText", QLabel).text().startswith("Looking up acct_1LdCustomDue0001")
    window.cancel_request()
    assert await task is None


async def test_a_create_is_busy_on_create_only(window, accounts, sandbox):
    look, create = find(window, "lookupButton", QPushButton), find(window, "createButton", QPushButton)
    await look_up(window, accounts["custom_due"])
    sandbox.inject_fault("timeout", delay=30, path=ACCOUNT_LINKS)
    task = asyncio.ensure_future(window.create_link())
    await wait_until(lambda: window.busy)
    assert create.text() == "Creating…" and look.text() == "Look up" and not look.isEnabled()
    assert find(window, "cancelButton").isVisible() and not find(window, "lookupCancelButton").isVisible()
    assert find(window, "createWaitText", QLabel).text() == "Creating the link…"
    window.cancel_request()
    assert await task is None


async def test_esc_says_what_was_cancelled_and_it_stays(window, accounts, sandbox, qtbot):
    sandbox.inject_fault("timeout", delay=30)
    find(window, "accountInput").setText(accounts["custom_due"])
    task = asyncio.ensure_future(window.lookup_account())
    await wait_until(lambda: window.busy)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert await task is None
    said = find(window, "lookupWaitText", QLabel)
    assert said.isVisible() and said.text().startswith("Look-up of acct_1LdCustomDue0001 cancelled")
    assert window.statusBar().currentMessage() == said.text()
    assert not find(window, "lookupCancelButton").isVisible()  # nothing left to cancel
    await asyncio.sleep(0)  # (one turn of the loop: the busy state is over and it is still said)
    assert said.isVisible() and not window.busy


async def test_esc_during_a_create_says_so_until_the_next_request(window, accounts, sandbox, qtbot):
    await look_up(window, accounts["custom_due"])
    sandbox.inject_fault("timeout", delay=30, path=ACCOUNT_LINKS)
    task = asyncio.ensure_future(window.create_link())
    await wait_until(lambda: window.busy)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert await task is None
    said = find(window, "createWaitText", QLabel)
    assert said.isVisible() and "Harbor Street Bakery" in said.text() and "cancelled" in said.text()
    await look_up(window, accounts["custom_due"])  # the next request starts afresh
    assert not find(window, "createWait").isVisible()


class GatedTransport(httpx.AsyncBaseTransport):
    """Real HTTP; the Nth request waits for ``release`` first (the test looks meanwhile)."""

    def __init__(self, hold: int) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.hold, self.count = hold, 0
        self.release = asyncio.Event()
        self.holding = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        if self.count == self.hold:
            self.holding.set()
            await self.release.wait()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_a_retry_says_still_waiting_for_stripe_try_2_of_3(window, accounts, sandbox, services, clock):
    async def no_wait(_seconds: float) -> None:
        return None

    gate = GatedTransport(hold=2)
    old = services.client
    services.client = StripeClient(ApiKey(DEMO_API_KEY), api_base=sandbox.url, clock=clock, transport=gate,
                                   max_retries=2, sleep=no_wait)
    try:
        sandbox.inject_fault("500")  # the first try fails; the second waits at the gate
        find(window, "accountInput").setText(accounts["custom_due"])
        task = asyncio.ensure_future(window.lookup_account())
        await asyncio.wait_for(gate.holding.wait(), 5)
        said = find(window, "lookupWaitText", QLabel)
        assert said.text() == "Still waiting for Stripe (try 2 of 3)…"
        assert find(window, "lookupCancelButton").isVisible()  # Cancel beside it
        gate.release.set()
        assert (await task) is not None
        assert not find(window, "lookupWait").isVisible()
    finally:
        await services.client.aclose()
        services.client = old


# -- errors said once, nothing moves ------------------------------------------------------------
async def test_the_banner_never_moves_the_form(window, accounts, sandbox):
    await look_up(window, accounts["custom_due"])
    await settle()
    create = find(window, "createButton")
    account = find(window, "accountInput")
    before = (create.mapTo(window, QPoint(0, 0)), account.mapTo(window, QPoint(0, 0)))
    sandbox.inject_fault("500", path=ACCOUNT_LINKS)
    assert await window.create_link() is None
    assert find(window, "createErrorBox").isVisible()  # said by the form now (issue 19), not below the tabs
    await settle()
    assert (create.mapTo(window, QPoint(0, 0)), account.mapTo(window, QPoint(0, 0))) == before


async def test_all_url_errors_are_shown_at_once_and_nothing_is_sent(window, accounts, transport):
    find(window, "accountInput").setText(accounts["custom_due"])
    find(window, "refreshUrlInput", QLineEdit).setText("")
    find(window, "returnUrlInput", QLineEdit).setText("not an address")
    assert await window.create_link() is None
    refresh, back = find(window, "refreshUrlError", QLabel), find(window, "returnUrlError", QLabel)
    assert refresh.isVisible() and back.isVisible()
    assert "https://example.com/onboarding/refresh" in refresh.text()  # the example fits the field
    assert transport.requests == []


async def test_enter_in_an_empty_account_box_does_nothing(window, transport, qtbot):
    box = find(window, "accountInput", QLineEdit)
    box.setText("   ")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    await asyncio.sleep(0)
    assert not find(window, "accountError").isVisible() and transport.requests == []


# -- create: look up first, confirm, primary action ---------------------------------------------
async def test_ctrl_enter_looks_a_typed_id_up_before_creating(window, accounts, transport):
    await look_up(window, accounts["custom_due"])
    find(window, "accountInput").setText(accounts["express_new"])  # typed, not looked up
    find(window, "typeSelector", QComboBox).setCurrentIndex(1)  # Update: not for this account
    transport.requests.clear()
    card = await window.create_link()
    assert card is not None and card.account_id == accounts["express_new"]
    assert transport.requests[0] == ("GET", f"/v1/accounts/{accounts['express_new']}")
    assert _posts(transport) == [ACCOUNT_LINKS]
    assert window.account_panel.account.id == accounts["express_new"]
    assert card.link_type == "account_onboarding"  # the look-up refused Update before sending


async def test_a_rejected_account_asks_first_naming_the_reason(window, accounts, transport):
    await look_up(window, accounts["custom_rejected"])
    task = asyncio.ensure_future(window.create_link())
    await wait_until(lambda: window.findChild(QMessageBox, "confirmDialog") is not None)
    box = window.findChild(QMessageBox, "confirmDialog")
    assert not box.isModal()  # awaited, not exec()
    assert "suspected fraud" in box.text()
    assert box.defaultButton().objectName() == "confirmRejectButton"
    box.defaultButton().click()
    assert await task is None and _posts(transport) == []

    task = asyncio.ensure_future(window.create_link())
    await wait_until(lambda: window.findChild(QMessageBox, "confirmDialog") is not None
                     and window.findChild(QMessageBox, "confirmDialog").isVisible())
    window.findChild(QPushButton, "confirmAcceptButton").click()
    assert await task is not None and _posts(transport) == [ACCOUNT_LINKS]


async def test_after_a_link_is_made_copy_is_the_primary_action_and_done_at_once(window, accounts, clipboard):
    find(window, "accountInput").setText(accounts["custom_due"])
    card = await window.create_link()
    copy = find(card, "copyButton", QPushButton)
    assert copy.isDefault() and copy.property("primary") is True
    assert QApplication.focusWidget() is copy
    assert clipboard.text() == card.full_url  # "Copy new links at once" is on by default
    window.actions_by_name["copyNewLinksAction"].setChecked(False)
    clipboard.clear()
    second = await window.flow.regenerate(card)
    assert second is not None and clipboard.text() == ""
    # Regenerate sits apart from Present
    present, regenerate = find(second, "presentButton"), find(second, "regenerateButton")
    if present.y() == regenerate.y():
        assert regenerate.x() - present.geometry().right() > 12


# -- the verdict and what follows from it ------------------------------------------------------
@pytest.mark.parametrize("name", sorted(DEMO_ACCOUNTS))
async def test_the_summary_starts_with_the_verdict_for_every_demo_account(window, name, clock):
    await look_up(window, DEMO_ACCOUNTS[name])
    verdict = find(window, "accountVerdict", QLabel)
    expected = account_verdict(Account.from_api(account_json(DEMO_SPECS[name], int(clock.time())))).text
    assert verdict.isVisible() and verdict.text() == expected
    heading = find(window, "requirementsHeading", QLabel).text()
    tree = find(window, "requirementsTree")
    statuses = [tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) for i in range(tree.topLevelItemCount())]
    if any(key in ("disabled", "pending_verification") for key in statuses):
        assert heading.startswith("Account status")  # not "what Stripe needs" above a rejection
    else:
        assert heading == "What Stripe still needs"


async def test_nothing_due_now_preselects_everything_with_the_reason(window, accounts):
    fields = find(window, "fieldsSelector", QComboBox)
    await look_up(window, accounts["embedded_only"])
    assert fields.currentData() == "eventually_due"
    note = find(window, "fieldsNote", QLabel)
    assert note.isVisible() and "empty flow" in note.text()
    await look_up(window, accounts["custom_due"])  # needs things now: back to the default
    assert fields.currentData() == "currently_due" and not note.isVisible()


async def test_have_ready_lists_each_thing_once_and_copies(window, accounts, clipboard):
    await look_up(window, accounts["custom_errors"])
    listed = find(window, "haveReadyList", QLabel).text()
    assert listed.count("ID document") == 1  # due and rejected: once
    find(window, "copyHaveReadyButton", QPushButton).click()
    assert clipboard.text().startswith("Have ready for Blue Lantern Books:")
    await look_up(window, accounts["standard_ok"])
    assert not find(window, "haveReady").isVisible()  # nothing to prepare


async def test_the_picker_offers_demo_and_recent_accounts(window, accounts, transport):
    picker = find(window, "accountPicker", QComboBox)
    assert picker.isVisible()
    ids = [picker.itemData(i) for i in range(picker.count())]
    assert set(DEMO_ACCOUNTS.values()) <= set(ids)
    find(window, "accountInput").setText(accounts["custom_due"])
    assert await window.create_link() is not None
    await wait_until(lambda: any(picker.itemText(i) == "Recent" for i in range(picker.count())), timeout=10)
    recent = [picker.itemText(i) for i in range(picker.count())].index("Recent")
    assert picker.itemData(recent + 1) == accounts["custom_due"]
    find(window, "accountInput", QLineEdit).setText("")
    sent = len(transport.requests)
    picker.activated.emit(recent + 1)
    await wait_until(lambda: len(transport.requests) > sent and not window.busy)
    assert find(window, "accountInput", QLineEdit).text() == accounts["custom_due"]


# -- cards at every width; expired cards --------------------------------------------------------
def _outside(card, viewport: QWidget) -> list[str]:
    visible = QRect(QPoint(0, 0), viewport.size())
    out = []
    for child in card.findChildren(QWidget):
        if not child.isVisible():
            continue
        rect = QRect(child.mapTo(viewport, QPoint(0, 0)), child.size())
        if rect.left() < visible.left() or rect.right() > visible.right():
            out.append(f"{child.objectName() or type(child).__name__} {rect.left()}..{rect.right()}")
    return out


@pytest.mark.parametrize("width", [720, 800, 1024, 1920])
async def test_nothing_on_a_card_is_cut_off_at_any_width(window, accounts, clock, width):
    await look_up(window, accounts["express_new"])
    older = await window.create_link()
    clock.advance(400)
    older.tick()
    find(window, "accountInput").setText(accounts["custom_due"])
    newer = await window.create_link()
    window.resize(width, 480 if width == 720 else 768)
    await wait_until(lambda: window.width() == width)
    await settle()
    viewport = window.links.viewport()
    for card in (newer, older):
        assert _outside(card, viewport) == [], (width, card.account_id)
    assert find(newer, "linkAccountId", QLabel).text() == accounts["custom_due"]  # never cut
    tabs = window.tabs.tabBar()
    assert tabs.tabRect(0).right() < tabs.width()  # the Links tab is not covered


async def test_expired_cards_are_one_line_and_not_counted(window, accounts, clock):
    await look_up(window, accounts["custom_due"])
    first = await window.create_link()
    assert window.tabs.tabText(0) == "Links (1)"
    clock.advance(400)
    first.tick()
    assert first.state is LinkState.EXPIRED and first.is_collapsed()
    assert window.tabs.tabText(0) == "Links"
    second = await window.create_link()
    assert second is not None and window.tabs.tabText(0) == "Links (1)"


async def test_the_tabs_are_named(window):
    assert window.tabs.accessibleName() and window.tabs.tabBar().accessibleName()


# -- History -------------------------------------------------------------------------------------
async def test_history_at_800_px_shows_status_and_offers_sandbox(window, accounts):
    from app.ui.history.model import HistoryModel

    find(window, "accountInput").setText(accounts["custom_due"])
    assert await window.create_link() is not None
    window.resize(800, 600)
    window.show_history()
    panel = window.history_panel
    await panel.settled()
    await settle()
    view = find(panel, "historyView")
    header = view.horizontalHeader()
    status_right = header.sectionViewportPosition(HistoryModel.STATUS) + header.sectionSize(HistoryModel.STATUS)
    assert status_right <= view.viewport().width()
    mode = find(panel, "historyModeFilter", QComboBox)
    mode.setCurrentIndex(mode.findText("Sandbox"))
    assert panel.current_query().profile == "sandbox" and panel.current_query().mode is None


async def test_a_narrowed_window_gives_the_account_column_back_when_widened(window):
    from app.ui.shell.narrow import LEFT_NARROW

    window.resize(1280, 800)
    await wait_until(lambda: window.width() == 1280)
    wide_left = window.splitter.sizes()[0]
    assert wide_left > LEFT_NARROW
    window.resize(720, 480)
    await wait_until(lambda: window.splitter.sizes()[0] == LEFT_NARROW)
    window.resize(1280, 800)
    await wait_until(lambda: window.splitter.sizes()[0] == wide_left)
