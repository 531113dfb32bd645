"""The account directory in the window: suggestions as you type (``accountSearch``), the sync
offered when there is no index, picking a result, and onboarding progress shown live."""

from __future__ import annotations

import asyncio

import pytest
from mainwindow_helpers import find, look_up, wait_until
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QProgressBar, QPushButton, QToolButton

from app.ui.account.directory_search import NO_INDEX


def suggestions(window) -> list[str]:
    popup = find(window, "accountSearch", QListWidget)
    return [popup.item(i).text() for i in range(popup.count())] if popup.isVisible() else []


async def type_into(qtbot, window, text: str) -> None:
    field = find(window, "accountInput", QLineEdit)
    field.clear()
    qtbot.keyClicks(field, text)


async def test_without_an_index_the_field_points_to_sync_then_suggests_as_you_type(qtbot, window, transport):
    field = find(window, "accountInput", QLineEdit)
    field.setFocus()
    await type_into(qtbot, window, "harb")
    assert suggestions(window) == [NO_INDEX] and "Sync accounts" in NO_INDEX and "press Enter" not in NO_INDEX
    assert transport.requests == []  # the note costs no request
    qtbot.keyClick(field, Qt.Key.Key_Return)  # Enter is the look-up's, not the note's (issue 17)
    assert window.directory.sync_task is None and not find(window, "directorySyncProgress").isVisible()
    await wait_until(lambda: find(window, "accountError", QLabel).isVisible())  # "harb" is no id: refused
    assert suggestions(window) == [] and window.directory.sync_task is None
    assert transport.requests == []

    sync_button = find(window, "directorySyncButton", QToolButton)
    assert sync_button.isVisible() and sync_button.text() == "Sync accounts"
    qtbot.mouseClick(sync_button, Qt.MouseButton.LeftButton)  # syncing is its own action
    task = window.directory.sync_task
    assert task is not None and find(window, "directorySyncProgress", QProgressBar).isVisible()
    result = await task
    assert result is not None and result.total == 14 and not find(window, "directorySyncProgress").isVisible()
    assert "Accounts synced: 14 new" in window.statusBar().currentMessage()

    field.setFocus()
    await type_into(qtbot, window, "HARB bak")
    shown = suggestions(window)
    assert shown and shown[0].startswith("Harbor Street Bakery  ·  US  ·  charges on  ·  3 due by ")
    assert shown[0].endswith("  ·  orders@harborstreetbakery.example.com")
    assert window.directory.search.last_search_ms < 1000
    qtbot.keyClick(field, Qt.Key.Key_Return)  # picks the highlighted suggestion and looks it up
    assert field.text() == "acct_1LdCustomDue0001" and suggestions(window) == []
    await wait_until(lambda: window.account_panel.account is not None)
    assert window.account_panel.account.id == "acct_1LdCustomDue0001"
    assert ("GET", "/v1/accounts/acct_1LdCustomDue0001") in transport.requests


async def test_a_mistyped_id_and_enter_is_looked_up_as_typed_and_not_found(qtbot, window, transport):
    """With or without an index, Enter on an id looks up that id: never a sync, never another
    account that merely starts the same way, and a wrong id is "not found" at the field."""
    field = find(window, "accountInput", QLineEdit)
    error = find(window, "accountError", QLabel)
    for synced in (False, True):
        if synced:
            await window.directory.sync()
        field.setFocus()
        await type_into(qtbot, window, "acct_1LdCustomDue000")  # one character short of a real id
        if synced:  # the ids that start so are offered, none highlighted
            assert suggestions(window)[0].startswith("acct_1LdCustomDue0001  ·  Harbor Street Bakery")
            assert find(window, "accountSearch", QListWidget).currentRow() == -1
        else:
            assert suggestions(window) == [NO_INDEX]
        before = len(transport.requests)
        qtbot.keyClick(field, Qt.Key.Key_Return)
        assert window.directory.sync_task is None or window.directory.sync_task.done()
        await wait_until(lambda: len(transport.requests) > before and not window.busy)
        assert error.isVisible() and transport.requests[before:] == [("GET", "/v1/accounts/acct_1LdCustomDue000")]
        assert error.text().startswith("Stripe cannot find account acct_1LdCustomDue000") and "mistyped" in error.text()
        assert field.text() == "acct_1LdCustomDue000"
        assert window.account_panel.account is None and not window.banner.isVisible()
    assert window.directory.last_result is not None  # the one sync: the explicit call above

    await type_into(qtbot, window, "acct_1LdCustomDue000")
    qtbot.keyClick(field, Qt.Key.Key_Down)  # moving to a suggestion makes it Enter's choice
    qtbot.keyClick(field, Qt.Key.Key_Return)
    await wait_until(lambda: window.account_panel.account is not None)
    assert window.account_panel.account.id == "acct_1LdCustomDue0001"


async def test_arrow_keys_move_through_suggestions_and_escape_closes_them(qtbot, window):
    await window.directory.sync()
    field = find(window, "accountInput", QLineEdit)
    field.setFocus()
    await type_into(qtbot, window, "s")
    popup = find(window, "accountSearch", QListWidget)
    assert popup.count() >= 2 and popup.currentRow() == 0
    qtbot.keyClick(field, Qt.Key.Key_Down)
    assert popup.currentRow() == 1 and field.hasFocus()
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert not popup.isVisible() and field.text() == "s"
    await type_into(qtbot, window, "zzzz nothing")
    assert suggestions(window) == []
    await type_into(qtbot, window, "acct_1LdCustomDue0001")  # a whole id: nothing to suggest
    assert suggestions(window) == []


async def test_onboarding_progress_is_shown_live_and_stops_when_the_account_changes(qtbot, window, sandbox,
                                                                                   clock, accounts, services):
    express = accounts["express_new"]
    steps = {2: dict(details_submitted=True), 3: dict(charges_enabled=True)}
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.advance(seconds)
        if len(sleeps) in steps:
            sandbox.update_account(express, **steps[len(sleeps)])
        await asyncio.sleep(0)

    window.directory.watch_sleep = fake_sleep
    window.directory.watch_start_ms = 0
    await look_up(window, express)
    find(window, "accountInput").setText(express)
    card = await window.create_link()
    assert card is not None
    label = find(window, "accountWatch", QLabel)
    assert label.isVisible() and label.text().startswith("Watching onboarding")
    await wait_until(lambda: "Charges enabled" in label.text())
    assert label.isVisible() and "Details submitted" in label.text()
    assert window.account_panel.account.charges_enabled  # the summary follows the fresh reads
    watcher, task = window.directory.watcher, window.directory.watch_task
    await look_up(window, accounts["custom_due"])
    assert watcher.stop_reason == "switched" and not label.isVisible()
    assert await task == "switched"  # it ends at once (a read in flight is let finish, then dropped)
    assert watcher.outcome().startswith("details submitted at ")
    [entry] = [e for e in services.history.query() if e.account_id == express]
    assert entry.id == window.flow.sources[card].history_id
    assert entry.onboarding_outcome == watcher.outcome() and entry.note is None  # its own field, not the note
    panel = await window.history_tab.ready()
    window.history_tab.show()
    await panel.settled()
    assert not panel.view.isColumnHidden(panel.model.ONBOARDING)
    assert panel.model.data(panel.model.index(0, panel.model.ONBOARDING)) == watcher.outcome()


async def test_the_watchs_outcome_leaves_an_operators_note_alone_and_replaces_an_earlier_outcome(window, services):
    from app.history.entry import HistoryEntry

    entry = services.history.record(HistoryEntry(
        account_id="acct_1LdExpressNew001", link_type="account_onboarding", mode="test",
        refresh_url="https://example.com/r", return_url="https://example.com/ok", attempted_at=services.clock.time(),
        note="Maria will finish tomorrow"))
    assert await window.directory.record_outcome(entry.id, "details submitted at 10:42")
    assert await window.directory.record_outcome(entry.id, "details submitted at 10:42; charges enabled at 10:44")
    stored = services.history.get(entry.id)
    assert stored.note == "Maria will finish tomorrow"
    assert stored.onboarding_outcome == "details submitted at 10:42; charges enabled at 10:44"
    assert not await window.directory.record_outcome(entry.id + 1000, "details submitted at 10:50")  # no such entry


async def test_stop_button_cancels_a_sync_which_the_next_one_resumes(qtbot, window, sandbox):
    import gc

    directory = window.directory
    sandbox.inject_fault("timeout", delay=0.5, path="/v1/accounts")  # the first page takes a while
    task = directory.start_sync(full=True)
    await wait_until(lambda: directory._runner is not None)
    assert not gc.isenabled()  # no collection in the sync's thread while it runs
    assert directory._gc_release is not None  # its share of the pause, for runs without the owned collector
    qtbot.mouseClick(find(window, "directorySyncCancel", QPushButton), Qt.MouseButton.LeftButton)
    first = await task
    assert first is not None and first.cancelled and directory._gc_release is None  # given back
    assert "Sync stopped" in window.statusBar().currentMessage()
    assert find(window, "directorySyncButton", QToolButton).isEnabled()
    second = await directory.sync()
    assert second is not None and not second.cancelled and second.total == 14
    full = find(window, "directoryFullSyncAction", QAction)
    full.trigger()
    third = await directory.sync_task
    assert third is not None and third.full and third.total == 14


async def test_another_profile_searches_its_own_index(qtbot, window, services):
    from types import SimpleNamespace

    await window.directory.sync()
    field = find(window, "accountInput", QLineEdit)
    field.setFocus()
    await type_into(qtbot, window, "harb")
    assert suggestions(window)[0].startswith("Harbor Street Bakery")
    first_index = window.directory._index
    previous = services.connection.source
    services.connection.source = SimpleNamespace(id="p_other")  # as a profile switch leaves it
    try:
        await type_into(qtbot, window, "harb")
        assert suggestions(window) == [NO_INDEX]  # that profile has not synced yet
        assert first_index._conn is None  # the other profile's index was let go
    finally:
        services.connection.source = previous


# The completer's popup is a window of its own, which the offscreen platform cannot raise or
# give the keyboard to; the real window's platform can.
@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support grabbing")
async def test_one_list_at_a_time_when_a_recent_account_matches_the_typed_id(qtbot, window, accounts):
    """The field's completer offers the profile's recent accounts in a popup of its own; the
    directory's list would lie under it, half hidden (seen in the real window)."""
    from PySide6.QtCore import QStringListModel
    from PySide6.QtWidgets import QCompleter

    await window.directory.sync()
    field = find(window, "accountInput", QLineEdit)
    field.setFocus()
    await type_into(qtbot, window, "acct_1LdCustomD")
    assert suggestions(window)  # no recent account yet: the directory's list
    completer = field.completer()
    if completer is None:  # as app.ui.profiles.controller builds it, for a window without profiles
        completer = QCompleter(field)
        completer.setModel(QStringListModel(completer))
        field.setCompleter(completer)
    completer.model().setStringList([accounts["custom_due"]])
    await type_into(qtbot, window, "acct_1LdCustomD")
    assert suggestions(window) == []  # the recent accounts' popup alone
    await type_into(qtbot, window, "acct_1LdExpress")
    shown = suggestions(window)  # no recent account starts so: the directory's list again
    assert shown and all(s.startswith("acct_1LdExpress") for s in shown)  # led by the id that matched
    await type_into(qtbot, window, "harb")
    assert suggestions(window)[0].startswith("Harbor Street Bakery")  # names: always the directory's
