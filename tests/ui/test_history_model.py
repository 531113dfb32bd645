"""HistoryModel: pages read on the worker thread, stale results dropped, Qt's model checks."""

import threading

import pytest
from PySide6.QtCore import QModelIndex, Qt

from app.clock import FakeClock
from app.history import HistoryEntry, HistoryQuery
from app.history.worker import HistoryWorker
from app.ui.history.model import HistoryModel, time_text

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


@pytest.fixture
async def make_model(qtbot, history_worker, clock):
    made = []

    def make(page_size: int = 200, worker=None) -> HistoryModel:
        model = HistoryModel(worker or history_worker, clock, page_size=page_size)
        made.append(model)
        return model

    yield make
    for model in made:
        await model.aclose()


async def loaded(model: HistoryModel, query: HistoryQuery | None = None) -> HistoryModel:
    model.set_query(query if query is not None else model.query)
    await model.settled()
    return model


def hold(worker: HistoryWorker) -> threading.Event:
    """Occupy the worker thread until the returned event is set (jobs queue behind it)."""
    gate = threading.Event()
    worker.submit(gate.wait, 10)
    return gate


def drain(worker: HistoryWorker) -> None:
    """Block until every job queued so far has run on the worker (their results are then
    waiting for the event loop, which has not run yet)."""
    worker.submit(lambda: None).result(timeout=10)


async def test_model_passes_qt_model_tester_when_empty(qtmodeltester, make_model):
    model = await loaded(make_model(page_size=40))
    qtmodeltester.check(model)
    assert model.rowCount() == 0 and model.total == 0 and not model.loading


async def test_model_passes_qt_model_tester_with_several_pages(qtmodeltester, make_model, store, clock):
    store.record_many(make_entry(clock, n) for n in range(130))
    store.record(make_entry(clock, 999, outcome="failed", error_code="account_invalid", error_message="nope"))
    model = await loaded(make_model(page_size=40))
    assert model.rowCount() == 40
    qtmodeltester.check(model)  # its fetchMore only asks; the page arrives later
    await model.settled()
    assert model.rowCount() > 40
    while model.canFetchMore(QModelIndex()):  # the tester, still attached, checks each insert
        model.fetchMore(QModelIndex())
        await model.settled()
    assert model.rowCount() == 131
    model.refresh_status()  # dataChanged, checked by the tester too
    await loaded(model, HistoryQuery(text="shop 12"))  # a reset with the tester attached
    assert model.rowCount() == len([n for n in range(130) if "12" in str(n)])


async def test_pages_are_fetched_on_demand_off_the_qt_thread(make_model, store, clock, history_worker):
    store.record_many(make_entry(clock, n) for n in range(450))
    model = make_model(page_size=200)
    model.reload()
    assert model.rowCount() == 0 and model.loading  # asked, not yet answered: nothing blocked
    await model.settled()
    assert (model.rowCount(), model.total) == (200, 450)
    assert model.canFetchMore(QModelIndex())
    gate = hold(history_worker)
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())  # a view asking again while the page is on its way
    gate.set()
    await model.settled()
    assert model.rowCount() == 400  # one page, not two
    model.fetchMore(QModelIndex())
    await model.settled()
    assert model.rowCount() == 450 and not model.canFetchMore(QModelIndex())
    ids = [model.entry(r).id for r in range(model.rowCount())]
    assert len(set(ids)) == 450
    assert [model.entry(r).account_id for r in (0, 449)] == ["acct_1Model00000", "acct_1Model00449"]


async def test_filters_run_in_sql_and_report_the_total(make_model, store, clock):
    store.record_many(make_entry(clock, n) for n in range(300))
    model = make_model(page_size=50)
    totals = []
    model.totalChanged.connect(totals.append)
    await loaded(model, HistoryQuery(mode="live"))
    assert model.total == 150 and model.rowCount() == 50
    await loaded(model, HistoryQuery(text="shop 12", mode="live"))  # shop 12x, 12 and 1xx... odd ones
    expected = [n for n in range(300) if n % 2 and "shop 12" in f"shop {n}"]
    assert [model.entry(r).account_id for r in range(model.rowCount())] == [f"acct_1Model{n:05d}" for n in expected]
    assert totals == [150, len(expected)]
    assert model.shown_query == HistoryQuery(text="shop 12", mode="live")


async def test_rows_show_before_the_total_and_a_short_page_needs_no_count(make_model, store, clock,
                                                                          history_worker):
    store.record_many(make_entry(clock, n) for n in range(30))
    statements: list[str] = []
    await history_worker.run(lambda s: s.conn.set_trace_callback(statements.append))
    model = make_model(page_size=10)
    seen = []
    model.loaded.connect(lambda: seen.append(("rows", model.rowCount())))
    model.totalChanged.connect(lambda total: seen.append(("total", total)))
    await loaded(model)
    assert seen == [("rows", 10), ("total", 30)]  # the rows did not wait for the count
    assert len([sql for sql in statements if "count(*)" in sql]) == 1
    seen.clear()
    await loaded(model, HistoryQuery(text="shop 2"))  # 12 matches: one page of 10 and a count
    await loaded(model, HistoryQuery(text="shop 29"))  # one match: the page says it all
    assert seen == [("rows", 10), ("total", 12), ("rows", 1), ("total", 1)]
    assert len([sql for sql in statements if "count(*)" in sql]) == 2
    await history_worker.run(lambda s: s.conn.set_trace_callback(None))


async def test_a_query_superseded_while_queued_never_runs(make_model, store, clock, history_worker):
    store.record_many(make_entry(clock, n) for n in range(30))
    statements: list[str] = []
    await history_worker.run(lambda s: s.conn.set_trace_callback(statements.append))
    model = make_model()
    totals = []
    model.totalChanged.connect(totals.append)
    gate = hold(history_worker)
    for text in ("s", "sh", "sho", "shop 2"):  # typed while the worker was busy
        model.set_query(HistoryQuery(text=text))
    gate.set()
    await model.settled()
    searches = [sql for sql in statements if "instr(search_text" in sql]
    assert len(searches) == 1 and "instr(search_text, '2')" in searches[0]  # only the last one ran
    assert totals == [len([n for n in range(30) if "2" in str(n)])]
    await history_worker.run(lambda s: s.conn.set_trace_callback(None))


async def test_an_older_result_arriving_after_a_newer_query_is_dropped(make_model, store, clock, history_worker):
    store.record_many(make_entry(clock, n) for n in range(30))
    model = make_model()
    totals = []
    model.totalChanged.connect(totals.append)
    model.set_query(HistoryQuery(text="shop 1"))
    drain(history_worker)  # the older search has finished on the worker; its result waits
    model.set_query(HistoryQuery(text="shop 29"))  # newer: asked before the older one is applied
    await model.settled()
    assert [model.entry(r).account_id for r in range(model.rowCount())] == ["acct_1Model00029"]
    assert totals == [1]  # the older result never reached the view


async def test_a_page_fetched_for_an_older_query_is_not_appended(make_model, store, clock, history_worker):
    store.record_many(make_entry(clock, n) for n in range(60))
    model = await loaded(make_model(page_size=20))
    model.fetchMore(QModelIndex())
    drain(history_worker)
    await loaded(model, HistoryQuery(mode="live"))
    assert model.rowCount() == 20 and all(model.entry(r).mode == "live" for r in range(20))


async def test_a_database_that_cannot_be_read_is_said_not_raised(make_model, clock, tmp_path):
    worker = HistoryWorker(tmp_path / "missing" / "history.sqlite3", clock=clock)
    try:
        model = make_model(worker=worker)
        failures = []
        model.loadFailed.connect(failures.append)
        await loaded(model)
        assert len(failures) == 1 and "could not be read" in failures[0]
        assert model.rowCount() == 0
    finally:
        await worker.aclose()


async def test_v2_links_say_so_in_the_type_and_the_onboarding_seen_has_its_column(make_model, store, clock):
    v2 = store.record(make_entry(clock, 0, accounts_api="v2", configurations="merchant,recipient"))
    v1 = store.record(make_entry(clock, 1, link_type="account_update"))
    store.set_note(v1.id, "operator's note")
    store.set_onboarding_outcome(v1.id, "details submitted at 10:42; charges enabled at 10:44")
    model = await loaded(make_model())

    def text(row, column, role=Qt.ItemDataRole.DisplayRole):
        return model.data(model.index(row, column), role)

    assert (text(0, HistoryModel.TYPE), text(1, HistoryModel.TYPE)) == ("Onboarding (v2)", "Update")
    assert text(0, HistoryModel.TYPE, Qt.ItemDataRole.ToolTipRole) == (
        "Made through Stripe's Accounts v2 API; covers: merchant, recipient")
    assert text(1, HistoryModel.TYPE, Qt.ItemDataRole.ToolTipRole) is None
    assert text(1, HistoryModel.ONBOARDING) == "details submitted at 10:42; charges enabled at 10:44"
    assert text(1, HistoryModel.NOTE) == "operator's note"  # the outcome leaves the note alone
    assert text(1, HistoryModel.STATUS, Qt.ItemDataRole.ToolTipRole) == (
        "Seen while the link was active: details submitted at 10:42; charges enabled at 10:44")
    assert text(0, HistoryModel.ONBOARDING) == "" and text(0, HistoryModel.STATUS, Qt.ItemDataRole.ToolTipRole) is None
    assert v2.id is not None


async def test_columns_show_time_account_type_status_mode_note(make_model, store, clock):
    active = store.record(make_entry(clock, 0, url=URL))
    store.set_note(active.id, "phoned\nthe owner")
    store.record(make_entry(clock, 1, outcome="failed", error_code="account_invalid", error_message="No access",
                            request_id="req_42", link_type="account_update"))
    model = await loaded(make_model())

    def text(row, column, role=Qt.ItemDataRole.DisplayRole):
        return model.data(model.index(row, column), role)

    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)] == list(HistoryModel.HEADERS)
    assert text(0, HistoryModel.ACCOUNT) == "Shop 0 (acct_1Model00000)"
    assert text(0, HistoryModel.STATUS) == "Active 5:00"
    assert text(0, HistoryModel.TYPE) == "Onboarding" and text(1, HistoryModel.TYPE) == "Update"
    assert (text(0, HistoryModel.MODE), text(1, HistoryModel.MODE)) == ("Test", "Live")
    assert text(0, HistoryModel.NOTE) == "phoned the owner"
    assert text(0, HistoryModel.TIME) == time_text(clock.time())  # the fake clock is not today
    assert text(0, HistoryModel.TIME, Qt.ItemDataRole.ToolTipRole).count(":") == 2  # seconds in the tooltip
    assert text(1, HistoryModel.NOTE) == "No access"  # why it failed, visible in the row
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


async def test_refresh_status_repaints_only_the_status_column(qtbot, make_model, store, clock):
    store.record_many(make_entry(clock, n) for n in range(5))
    model = await loaded(make_model())
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.refresh_status()
    top, bottom = blocker.args[0], blocker.args[1]
    assert (top.row(), top.column(), bottom.row(), bottom.column()) == (0, HistoryModel.STATUS, 4, HistoryModel.STATUS)


async def test_cancelled_and_sandbox_attempts_are_said_in_words(make_model, store, clock):
    store.record(make_entry(clock, 0, outcome="failed", error_code="cancelled", error_message="Cancelled by you",
                            profile="sandbox"))
    store.record(make_entry(clock, 2, outcome="failed", error_code="APIError", error_message="Bad gateway"))
    model = await loaded(make_model())

    def text(row, column, role=Qt.ItemDataRole.DisplayRole):
        return model.data(model.index(row, column), role)

    assert text(0, HistoryModel.STATUS) == "Cancelled"
    assert text(0, HistoryModel.STATUS, Qt.ItemDataRole.ToolTipRole) == "Cancelled by you"
    assert text(0, HistoryModel.STATUS, Qt.ItemDataRole.ForegroundRole) is None  # the operator's choice
    assert text(0, HistoryModel.MODE) == "Sandbox" and "sandbox" in text(0, HistoryModel.MODE,
                                                                      Qt.ItemDataRole.ToolTipRole)
    assert text(1, HistoryModel.STATUS) == "Failed"  # never "Failed (apierror)"


def test_todays_rows_show_the_time_only_older_ones_the_date_too():
    import datetime as dt

    now = dt.datetime(2026, 3, 5, 14, 2, 11)
    today = now.date()
    assert time_text(now.timestamp(), today) == "14:02:11"
    assert time_text((now - dt.timedelta(days=1)).timestamp(), today) == "2026-03-04 14:02"


def test_the_account_cell_elides_the_name_and_keeps_the_id(qapp):
    from PySide6.QtGui import QFont, QFontMetrics

    from app.ui.history.delegates import account_cell_text

    fm = QFontMetrics(QFont())
    name, account = "Harbor Street Bakery and Patisserie", "acct_1LdCustomDue0001"
    whole = f"{name} ({account})"
    assert account_cell_text(name, account, fm.horizontalAdvance(whole) + 1, fm) == whole
    narrow = account_cell_text(name, account, fm.horizontalAdvance(whole) // 2 + 20, fm)
    assert narrow.endswith(f" ({account})") and "…" in narrow  # the name gave way, the id did not
    shown_name = narrow[: -len(f" ({account})")]
    start, end = shown_name.split("…")  # elided in its middle: both ends of the name are seen
    assert name.startswith(start) and name.endswith(end) and start and end
    assert account_cell_text(None, account, 400, fm) == account


async def test_a_replaced_link_says_what_replaced_it(make_model, store, clock):
    old = store.record(make_entry(clock, 2))
    new = store.record(make_entry(clock, 1))
    store.set_replaced_by(old.id, new.id)
    model = await loaded(make_model())
    rows = {model.data(model.index(r, 0), HistoryModel.EntryRole).id: r for r in range(model.rowCount())}
    note = model.index(rows[old.id], HistoryModel.NOTE)
    assert model.data(note) == f"Replaced by #{new.id}"
    assert f"#{new.id}" in model.data(note, Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(rows[new.id], HistoryModel.NOTE)) == ""
