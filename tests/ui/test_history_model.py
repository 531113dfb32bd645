"""HistoryModel: lazy pages from SQL, status from the injected clock, and Qt's model checks."""

from PySide6.QtCore import QModelIndex, Qt

from app.clock import FakeClock
from app.history import HistoryEntry, HistoryQuery
from app.ui.history_model import HistoryModel

URL = "https://connect.stripe.com/setup/c/acct_1Model/ModelSecret01"


def make_entry(clock: FakeClock, n: int, **changes) -> HistoryEntry:
    now = clock.time()
    entry = HistoryEntry(
        account_id=f"acct_1Model{n:05d}", link_type="account_onboarding", mode="live" if n % 2 else "test",
        refresh_url="https://p.example/r", return_url="https://p.example/ok", attempted_at=now - n,
        account_name=f"Shop {n}", account_email=f"owner{n}@shop.example", created=1_700_000_000,
        expires_at=1_700_000_300, local_expires_at=now - n + 300,
    )
    return entry.with_changes(**changes)


def test_model_passes_qt_model_tester_when_empty(qtmodeltester, store, clock):
    model = HistoryModel(store, clock, page_size=40)
    model.reload()
    qtmodeltester.check(model)
    assert model.rowCount() == 0


def test_model_passes_qt_model_tester_with_several_pages(qtmodeltester, store, clock):
    # A fresh model: Qt's tester, left attached, runs its checks (and fetchMore) from inside
    # a later modelReset before it has noted that the reset ended, and then reports the
    # rows fetched as "inserted during a reset" - a tester artefact, not a model fault.
    store.record_many(make_entry(clock, n) for n in range(130))
    store.record(make_entry(clock, 999, outcome="failed", error_code="account_invalid", error_message="nope"))
    model = HistoryModel(store, clock, page_size=40)
    model.set_query(HistoryQuery())
    assert model.rowCount() == 40
    qtmodeltester.check(model)
    assert model.rowCount() > 40  # the tester fetched more pages itself
    while model.canFetchMore(QModelIndex()):  # the tester, still attached, checks each insert
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 131
    model.refresh_status()  # dataChanged, checked by the tester too


def test_pages_are_fetched_on_demand(store, clock):
    store.record_many(make_entry(clock, n) for n in range(450))
    model = HistoryModel(store, clock, page_size=200)
    model.reload()
    assert (model.rowCount(), model.total) == (200, 450)
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 450 and not model.canFetchMore(QModelIndex())
    ids = [model.entry(r).id for r in range(model.rowCount())]
    assert len(set(ids)) == 450
    assert [model.entry(r).account_id for r in (0, 449)] == ["acct_1Model00000", "acct_1Model00449"]


def test_filters_run_in_sql_and_report_the_total(store, clock):
    store.record_many(make_entry(clock, n) for n in range(300))
    model = HistoryModel(store, clock, page_size=50)
    totals = []
    model.totalChanged.connect(totals.append)
    model.set_query(HistoryQuery(mode="live"))
    assert model.total == 150 and model.rowCount() == 50
    model.set_query(HistoryQuery(text="shop 12", mode="live"))  # shop 12x, 12 and 1xx... odd ones
    expected = [n for n in range(300) if n % 2 and "shop 12" in f"shop {n}"]
    assert [model.entry(r).account_id for r in range(model.rowCount())] == [f"acct_1Model{n:05d}" for n in expected]
    assert totals == [150, len(expected)]


def test_columns_show_time_account_type_status_mode_note(store, clock):
    active = store.record(make_entry(clock, 0, url=URL))
    store.set_note(active.id, "phoned\nthe owner")
    store.record(make_entry(clock, 1, outcome="failed", error_code="account_invalid", error_message="No access",
                            request_id="req_42", link_type="account_update"))
    model = HistoryModel(store, clock)
    model.reload()

    def text(row, column, role=Qt.ItemDataRole.DisplayRole):
        return model.data(model.index(row, column), role)

    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)] == list(HistoryModel.HEADERS)
    assert text(0, HistoryModel.ACCOUNT) == "Shop 0 (acct_1Model00000)"
    assert text(0, HistoryModel.STATUS) == "Active 5:00"
    assert text(0, HistoryModel.TYPE) == "Onboarding" and text(1, HistoryModel.TYPE) == "Update"
    assert (text(0, HistoryModel.MODE), text(1, HistoryModel.MODE)) == ("Test", "Live")
    assert text(0, HistoryModel.NOTE) == "phoned the owner"
    assert text(0, HistoryModel.TIME).count(":") == 2
    # words in the cell; Stripe's code and the request id (for support) in the tooltip
    assert text(1, HistoryModel.STATUS) == "Failed"
    assert text(1, HistoryModel.STATUS, Qt.ItemDataRole.ToolTipRole) == (
        "No access\nCode: account_invalid\nRequest id: req_42")
    assert text(1, HistoryModel.STATUS, Qt.ItemDataRole.ForegroundRole) is not None
    assert text(0, HistoryModel.STATUS, Qt.ItemDataRole.ForegroundRole) is None
    assert text(0, HistoryModel.ACCOUNT, Qt.ItemDataRole.ToolTipRole) == "Shop 0\nacct_1Model00000\nowner0@shop.example"
    assert text(0, 0, HistoryModel.EntryRole).id == active.id
    clock.advance(61)
    assert text(0, HistoryModel.STATUS) == "Active 3:59"
    clock.advance(239)
    assert text(0, HistoryModel.STATUS) == "Expired"


def test_refresh_status_repaints_only_the_status_column(qtbot, store, clock):
    store.record_many(make_entry(clock, n) for n in range(5))
    model = HistoryModel(store, clock)
    model.reload()
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.refresh_status()
    top, bottom = blocker.args[0], blocker.args[1]
    assert (top.row(), top.column(), bottom.row(), bottom.column()) == (0, HistoryModel.STATUS, 4, HistoryModel.STATUS)


def test_cancelled_and_sandbox_attempts_are_said_in_words(store, clock):
    store.record(make_entry(clock, 0, outcome="failed", error_code="cancelled", error_message="Cancelled by you",
                            profile="sandbox"))
    store.record(make_entry(clock, 2, outcome="failed", error_code="APIError", error_message="Bad gateway"))
    model = HistoryModel(store, clock)
    model.reload()

    def text(row, column, role=Qt.ItemDataRole.DisplayRole):
        return model.data(model.index(row, column), role)

    assert text(0, HistoryModel.STATUS) == "Cancelled"
    assert text(0, HistoryModel.STATUS, Qt.ItemDataRole.ToolTipRole) == "Cancelled by you"
    assert text(0, HistoryModel.STATUS, Qt.ItemDataRole.ForegroundRole) is None  # the operator's choice
    assert text(0, HistoryModel.MODE) == "Sandbox" and "sandbox" in text(0, HistoryModel.MODE,
                                                                      Qt.ItemDataRole.ToolTipRole)
    assert text(1, HistoryModel.STATUS) == "Failed"  # never "Failed (apierror)"
