"""Looking an account up: the summary in plain words, refused input, the link-type rule."""

from __future__ import annotations

from mainwindow_helpers import find, look_up, wait_until
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QTreeWidget, QWidget


def _tree_items(tree: QTreeWidget) -> list[tuple[str, str]]:
    """(text, tooltip) of every requirement line (children of the section items)."""
    out = []
    for i in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(i)
        out += [(top.child(j).text(0), top.child(j).toolTip(0)) for j in range(top.childCount())]
    return out


async def test_lookup_shows_name_facts_and_requirements_in_words(window, accounts, transport):
    account = await look_up(window, accounts["custom_due"])
    summary = find(window, "accountSummary")
    assert summary.isVisible()
    text = window.account_panel.summary.text()
    assert "Harbor Street Bakery" in text
    assert "orders@harborstreetbakery.example.com" in text and accounts["custom_due"] in text
    assert "Custom account — your platform collects requirements, no Stripe Dashboard" in text
    assert "Charges enabled" in text and "Payouts enabled" in text
    items = dict(_tree_items(find(window, "requirementsTree", QTreeWidget)))
    # humanised, with the raw path kept in the tooltip
    assert items["Bank account for payouts"] == "external_account"
    assert items["Tax ID (company)"] == "company.tax_id"
    assert items["Additional ID document (representative)"] == "representative.verification.additional_document"
    assert "Due now (3) — by" in text and "(in 14 days)" in text
    assert ("GET", f"/v1/accounts/{account.id}") in transport.requests


async def test_lookup_accepts_a_pasted_dashboard_address(window, accounts):
    url = f"https://dashboard.stripe.com/test/connect/accounts/{accounts['custom_pastdue']}/activity"
    account = await look_up(window, url)
    assert account.id == accounts["custom_pastdue"]
    assert find(window, "accountInput", QLineEdit).text() == accounts["custom_pastdue"]
    text = window.account_panel.summary.text()
    assert "Disabled: required information is past due" in text
    assert "Past due (2)" in text and "Charges disabled" in text


async def test_requirement_errors_show_their_reason(window, accounts):
    await look_up(window, accounts["custom_errors"])
    tree = find(window, "requirementsTree", QTreeWidget)
    texts = [t for t, _ in _tree_items(tree)]
    assert any("ID document" in t and " — " in t for t in texts), texts


async def test_invalid_account_is_marked_at_the_field_and_nothing_is_sent(window, transport):
    for text in ("", "hello", "https://example.com/acct_123"):
        find(window, "accountInput").setText(text)
        assert await window.lookup_account() is None
        error = find(window, "accountError", QLabel)
        assert error.isVisible() and error.text()
        assert find(window, "accountInput").property("invalid") is True
    assert transport.requests == []


async def test_unknown_account_is_said_once_at_the_field_with_code_and_request_id(window, transport):
    find(window, "accountInput").setText("acct_1DoesNotExist00")
    assert await window.lookup_account() is None
    assert not find(window, "errorBanner").isVisible()  # not a second time in the banner
    error = find(window, "accountError", QLabel)
    assert error.isVisible() and error.text()
    assert "account_invalid" in error.toolTip() and "req_" in error.toolTip()
    assert len(transport.requests) == 1


async def test_account_update_disabled_for_express_with_the_reason(window, accounts):
    type_box = find(window, "typeSelector", QComboBox)
    await look_up(window, accounts["custom_due"])
    update = type_box.model().item(type_box.findData("account_update"))
    assert update.isEnabled()
    type_box.setCurrentIndex(type_box.findData("account_update"))

    await look_up(window, accounts["express_new"])
    assert not update.isEnabled()
    assert type_box.currentData() == "account_onboarding"  # moved off the refused type
    note = find(window, "typeNote", QLabel)
    assert note.isVisible() and note.text() == "Update links are not available for this account."
    assert "onboarding links" in note.toolTip()  # the details, in one short line's tooltip
    assert "onboarding links" in update.toolTip()


async def test_sandbox_badge_and_default_urls(window):
    badge = find(window, "sandboxBadge", QLabel)
    assert badge.isVisible() and badge.text() == "SANDBOX"
    assert find(window, "refreshUrlInput", QLineEdit).text() == "https://example.com/reauth"
    assert find(window, "returnUrlInput", QLineEdit).text() == "https://example.com/return"


async def test_every_control_has_an_accessible_name(window):
    names = ["accountInput", "lookupButton", "typeSelector", "refreshUrlInput", "returnUrlInput",
             "fieldsSelector", "futureRequirementsSelector", "createButton", "cancelButton",
             "retryButton", "copyRequestIdButton"]
    for name in names:
        assert find(window, name).accessibleName(), name


async def test_tab_order_follows_the_work(window):
    order = ["accountInput", "lookupButton", "directorySyncButton", "accountPicker", "typeSelector",
             "refreshUrlInput", "returnUrlInput", "fieldsSelector", "futureRequirementsSelector"]
    for first, second in zip(order, order[1:]):
        assert _next_tab_stop(find(window, first)) is find(window, second), (first, second)


def _next_tab_stop(widget: QWidget) -> QWidget:
    """Where Tab goes from ``widget``: the next widget in the chain that takes Tab focus."""
    nxt = widget.nextInFocusChain()
    while not (nxt.focusPolicy() & Qt.FocusPolicy.TabFocus and nxt.isVisible() and nxt.isEnabled()):
        nxt = nxt.nextInFocusChain()
    return nxt


async def test_help_lists_every_shortcut_of_the_window(window, qtbot):
    from PySide6.QtGui import QKeySequence, QShortcut

    window.actions_by_name["shortcutsAction"].trigger()
    box = window.findChild(QWidget, "shortcutsDialog")
    assert box is not None and box.isVisible()
    text = box.informativeText()
    for needle in ("Ctrl+K / Ctrl+L", "Ctrl+Return", "Ctrl+Shift+C", "Esc", "F5", "F1", "Ctrl+,",
                   "Ctrl+Alt+1…9", "Use profile 1…9 of the profile list", "N / Space"):
        assert needle in text, needle
    # Generated from the window itself: every key of every action and shortcut is listed.
    native = QKeySequence.SequenceFormat.NativeText
    keys = [k for a in window.actions() for k in a.shortcuts()]
    keys += [s.key() for s in window.findChildren(QShortcut)]
    for key in keys:
        shown = key.toString(native)
        assert shown in text or (shown.startswith("Ctrl+Alt+") and "Ctrl+Alt+1…9" in text), shown
    box.close()


async def test_ctrl_k_and_ctrl_l_go_to_the_account_field_and_its_search(window, qtbot):
    from PySide6.QtGui import QKeySequence

    action = window.actions_by_name["focusAccountAction"]
    assert [k.toString() for k in action.shortcuts()] == ["Ctrl+K", "Ctrl+L"]
    field = find(window, "accountInput")
    field.setText("harbor")
    for key in (Qt.Key.Key_K, Qt.Key.Key_L):
        find(window, "createButton").setFocus()
        window.activateWindow()
        await wait_until(window.isActiveWindow)
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert field.hasFocus() and field.selectedText() == "harbor"  # typing replaces it: a new search
    assert window.actions_by_name["copyNewestAction"].shortcut() == QKeySequence("Ctrl+Shift+C")


async def test_geometry_and_urls_are_remembered(qtbot, services, settings, accounts, no_quit_on_close):
    from app.ui.shell.main_window import MainWindow

    first = MainWindow(services, settings=settings)
    first.show()
    first.resize(781, 533)  # the offscreen screen is 800 x 600
    find(first, "accountInput").setText(accounts["custom_due"])
    find(first, "returnUrlInput").setText("https://example.com/welcome-back")
    assert await first.create_link() is not None
    first.close()
    await first.shutdown()

    reopened = QSettings(settings.fileName(), QSettings.Format.IniFormat)
    second = MainWindow(services, settings=reopened)
    second.show()
    assert (second.width(), second.height()) == (781, 533)
    assert find(second, "returnUrlInput").text() == "https://example.com/welcome-back"
    second.close()
    await second.shutdown()
    for win in (first, second):
        win.deleteLater()


async def test_account_type_none_is_not_called_a_none_account(window, accounts):
    await look_up(window, accounts["embedded_only"])
    controller = find(window, "accountController", QLabel).text()
    assert controller.startswith("Connected account — Stripe collects requirements")
    assert "None" not in controller


async def test_an_email_that_is_the_name_is_not_shown_twice(window, accounts):
    account = await look_up(window, accounts["express_new"])
    assert find(window, "accountName", QLabel).text() == account.email
    assert account.email not in find(window, "accountMeta", QLabel).text()


async def test_requirements_tree_shows_every_line_and_wraps_long_ones(window, accounts, qtbot):
    window.resize(900, 700)
    await look_up(window, accounts["express_new"])  # 14 lines: more than the old, clipped tree held
    tree = find(window, "requirementsTree", QTreeWidget)
    await wait_until(lambda: tree.width() > 0)
    assert tree.verticalScrollBar().maximum() == 0
    last = tree.topLevelItem(tree.topLevelItemCount() - 1)
    last = last.child(last.childCount() - 1) if last.childCount() else last
    assert tree.visualItemRect(last).bottom() <= tree.viewport().height()

    await look_up(window, accounts["custom_errors"])
    top = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
               if tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) == "errors")
    reason = top.child(0)
    assert tree.fontMetrics().horizontalAdvance(reason.text(0)) > tree.viewport().width()  # too long for a line
    line = tree.fontMetrics().height()
    await wait_until(lambda: tree.visualItemRect(reason).height() >= 2 * line)  # wrapped, not "…"
    assert tree.visualItemRect(reason).bottom() <= tree.viewport().height()


async def test_editing_the_id_marks_the_summary_as_not_yet_looked_up(window, accounts):
    await look_up(window, accounts["custom_due"])
    panel, note = window.account_panel, find(window, "accountStaleNote", QLabel)
    assert not panel.is_stale() and not note.isVisible()
    find(window, "accountInput").setText(accounts["express_ok"])
    assert panel.is_stale() and note.isVisible() and "Harbor Street Bakery" in note.text()
    assert not find(window, "accountSummary").isEnabled()
    find(window, "accountInput").setText(f"https://dashboard.stripe.com/connect/accounts/{accounts['custom_due']}")
    assert not panel.is_stale()  # the same account, pasted as a Dashboard address
    find(window, "accountInput").setText(accounts["express_ok"])
    await window.lookup_account()
    assert not panel.is_stale() and not note.isVisible() and find(window, "accountSummary").isEnabled()


async def test_a_failed_lookup_of_another_account_does_not_leave_the_old_summary(window, accounts, sandbox):
    await look_up(window, accounts["express_new"])
    type_box = find(window, "typeSelector", QComboBox)
    update = type_box.model().item(type_box.findData("account_update"))
    assert not update.isEnabled()
    find(window, "accountInput").setText("acct_1DoesNotExist00")
    assert await window.lookup_account() is None
    assert window.account_panel.account is None and not find(window, "accountSummary").isVisible()
    assert update.isEnabled() and not find(window, "typeNote", QLabel).isVisible()  # no stale refusal

    await look_up(window, accounts["custom_due"])  # the same account failing again keeps its summary
    sandbox.inject_fault("502_html")
    assert await window.lookup_account() is None
    assert find(window, "accountSummary").isVisible() and window.account_panel.account is not None


async def test_tab_goes_through_the_summary_before_the_link_options(window, accounts):
    await look_up(window, accounts["custom_due"])
    assert _next_tab_stop(find(window, "accountPicker")) is find(window, "requirementsTree")
    after = _next_tab_stop(find(window, "requirementsTree"))
    if after is find(window, "copyHaveReadyButton"):  # the summary's "Have ready" Copy, under the list
        after = _next_tab_stop(after)
    assert after is find(window, "typeSelector")
    assert not find(window, "leftScroll").focusPolicy() & Qt.FocusPolicy.TabFocus


async def test_the_left_column_fits_a_narrow_window(window, accounts, qtbot):
    window.resize(900, 700)
    await look_up(window, accounts["express_new"])
    scroll, column = find(window, "leftScroll"), find(window, "leftColumn")
    await wait_until(lambda: column.width() <= scroll.viewport().width())
    form = find(window, "linkForm")
    assert form.mapTo(scroll.viewport(), form.rect().topRight()).x() <= scroll.viewport().width()


async def test_no_two_alt_shortcuts_share_a_letter(window):
    """Alt+letter of the form labels and of the menus: a shared letter makes neither work at once
    (Alt+F was both File and Refresh URL)."""
    import re

    letters = [re.search(r"&(\w)", a.text()).group(1).lower() for a in window.menuBar().actions()]
    letters += [re.search(r"&(\w)", label.text()).group(1).lower()
                for label in window.findChildren(QLabel) if label.buddy() is not None and "&" in label.text()]
    assert len(letters) == len(set(letters)), sorted(letters)
