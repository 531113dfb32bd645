"""Which server and key the app uses: the sandbox when no key is set up, else STRIPE_API_KEY."""

import pytest

from app.clock import FakeClock
from app.services import DEFAULT_API_BASE, build_services, open_connection
from app.stripe.errors import ValidationError


def test_no_key_falls_back_to_the_built_in_sandbox():
    connection = open_connection(environ={})
    try:
        assert connection.is_sandbox and connection.profile == "sandbox"
        assert connection.api_base.startswith("http://127.0.0.1:")
        assert connection.mode == "test"
    finally:
        connection.close()
    assert connection.sandbox is None  # closed, and closing again is harmless
    connection.close()


def test_key_from_environment_talks_to_stripe():
    connection = open_connection(environ={"STRIPE_API_KEY": "sk_live_abcdefghijklmnop1234"})
    assert not connection.is_sandbox
    assert connection.api_base == DEFAULT_API_BASE
    assert connection.mode == "live"
    assert "abcdefghijklmnop" not in repr(connection)


def test_sandbox_flag_wins_over_a_key():
    connection = open_connection(use_sandbox=True, environ={"STRIPE_API_KEY": "sk_live_abcdefghijklmnop1234"})
    try:
        assert connection.is_sandbox and connection.mode == "test"
    finally:
        connection.close()


def test_api_base_without_a_key_is_for_stripe_mock():
    connection = open_connection(api_base="http://localhost:12111", environ={})
    assert not connection.is_sandbox
    assert connection.api_base == "http://localhost:12111"
    assert connection.mode == "test"


def test_publishable_key_is_refused_without_echoing_it():
    with pytest.raises(ValidationError) as info:
        open_connection(environ={"STRIPE_API_KEY": "pk_test_abcdefghijklmnop1234"})
    assert info.value.field == "api_key"
    assert "abcdefghijklmnop" not in str(info.value)


async def test_build_services_and_close_twice(tmp_path):
    services = build_services(data_dir=str(tmp_path / "d"), use_sandbox=True, clock=FakeClock())
    assert services.paths.data_dir == tmp_path / "d"
    assert services.history.path.parent == tmp_path / "d"  # opened lazily, on first use
    await services.aclose()
    await services.aclose()
    assert services.connection.sandbox is None


def _services(tmp_path, clock=None):
    return build_services(data_dir=str(tmp_path / "d"), api_base="http://127.0.0.1:9", clock=clock or FakeClock(),
                          environ={"STRIPE_API_KEY": "sk_test_services0000000000"})


async def test_the_window_opens_history_on_the_worker_thread(tmp_path, monkeypatch):
    import threading

    from app.history.store import UI_BUSY_TIMEOUT_MS, HistoryStore

    opened_on = []
    real_open = HistoryStore.open

    def spy(*args, **kwargs):
        opened_on.append(threading.current_thread().name)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(HistoryStore, "open", spy)
    services = _services(tmp_path)
    try:
        services.start_opening_history()
        store = await services.open_history()
        assert len(opened_on) == 1 and opened_on[0].startswith("linkdesk-history")
        assert services.history is store and await services.open_history() is store  # opened once
        assert store.busy_timeout_ms == UI_BUSY_TIMEOUT_MS  # the Qt thread never waits 5 s
        assert store.count() == 0  # handed over: usable on this thread
    finally:
        await services.aclose()
    assert services._history is None and services._history_worker is None


async def test_a_history_that_cannot_open_raises_the_same_error_without_retrying(tmp_path, monkeypatch):
    import sqlite3

    from app.history import HistoryVersionError
    from app.history.store import HistoryStore

    (tmp_path / "d").mkdir()
    with sqlite3.connect(tmp_path / "d" / "history.sqlite3") as db:
        db.execute("PRAGMA user_version = 999")
    db.close()
    before = (tmp_path / "d" / "history.sqlite3").read_bytes()
    calls = []
    real_open = HistoryStore.open
    monkeypatch.setattr(HistoryStore, "open", lambda *a, **k: calls.append(1) or real_open(*a, **k))
    services = _services(tmp_path)
    try:
        with pytest.raises(HistoryVersionError):
            await services.open_history()
        with pytest.raises(HistoryVersionError):
            services.history  # noqa: B018 - the property is the call under test
        assert calls == [1]  # not opened again on the calling thread
    finally:
        await services.aclose()
    assert (tmp_path / "d" / "history.sqlite3").read_bytes() == before


async def test_closing_while_the_history_opens_closes_it_cleanly(tmp_path):
    services = _services(tmp_path)
    services.start_opening_history()
    await services.aclose()  # waits for the opening, then closes store and worker
    assert services._history is None and services._history_worker is None
    await services.aclose()


async def test_the_command_line_opens_history_in_place_with_the_full_busy_timeout(tmp_path):
    from app.history.store import BUSY_TIMEOUT_MS

    services = _services(tmp_path)
    try:
        assert services.history.busy_timeout_ms == BUSY_TIMEOUT_MS
        assert services._history_worker is None  # no thread for a command
    finally:
        await services.aclose()


async def test_history_writable_check_before_sending(tmp_path):
    from app.history import HistoryError
    from app.history.errors import HistoryStorageError

    services = build_services(data_dir=str(tmp_path / "ok"), use_sandbox=True, clock=FakeClock())
    try:
        services.check_history_writable()  # opens the history and finds it writable
        assert services._history is not None
    finally:
        await services.aclose()
    (tmp_path / "file").write_text("")
    blocked = build_services(data_dir=str(tmp_path / "file"), use_sandbox=True, clock=FakeClock())
    try:
        for _ in range(2):  # the same clear error every time, never a traceback
            with pytest.raises(HistoryStorageError, match="is a file") as caught:
                blocked.check_history_writable()
            assert isinstance(caught.value, HistoryError) and str(tmp_path / "file") in str(caught.value)
    finally:
        await blocked.aclose()


async def test_a_closed_history_is_never_opened_again(tmp_path):
    from app.history import HistoryError

    services = build_services(data_dir=str(tmp_path / "d"), use_sandbox=True, clock=FakeClock())
    try:
        services.start_opening_history()  # as the window does after its first paint
        await services.close_history()  # closed while opening: the opened store is closed too
        assert services._history is None and services._history_worker is None
        services.start_opening_history()  # a late call (a timer after shutdown) starts nothing
        assert services._history_worker is None and services._history_opening is None
        with pytest.raises(HistoryError, match="closed"):
            await services.open_history()
        with pytest.raises(HistoryError, match="closed"):
            services.history_worker  # noqa: B018 - no new thread that nobody would close
        await services.close_history()
    finally:
        await services.aclose()
