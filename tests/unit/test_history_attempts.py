"""Attempts written before their request is sent (issue 18): open, completed, or left open by a
process that died, shown as "outcome unknown" and never counted as a failure or a success."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from app.clock import FakeClock
from app.history import HistoryEntry, HistoryQuery, HistoryStore
from app.history import writers
from app.history.entry import ANSWER_BOUND_S, UNKNOWN_TTL_S, status_text
from app.history.export import write_csv
from app.stripe.errors import APIError
from app.stripe.models import AccountLink
from app.stripe.validation import LinkRequest

NOW = 1_767_225_600.0
REQUEST = LinkRequest("acct_1Attempt000001", "account_onboarding", "https://p.example/r", "https://p.example/ok")
URL = "https://connect.stripe.com/setup/c/acct_1Attempt000001/Secret"


@pytest.fixture
def store(tmp_path):
    clock = FakeClock(wall=NOW)
    with HistoryStore.open(tmp_path, clock=clock) as opened:
        yield opened, clock


def attempt(clock, key="linkdesk-k1", writer=None, **changes):
    entry = HistoryEntry.for_attempt(REQUEST, key, clock=clock, mode="test", writer=writer or writers.current())
    return entry.with_changes(**changes) if changes else entry


def test_an_open_attempt_is_unknown_until_completed_with_its_link(store):
    s, clock = store
    opened = s.open_attempt(attempt(clock))
    assert (opened.outcome, opened.status(clock.time()), opened.idempotency_key) == ("unknown", "unknown", "linkdesk-k1")
    assert opened.local_expires_at == NOW + ANSWER_BOUND_S + UNKNOWN_TTL_S["v1"]
    assert s.count(HistoryQuery(status="unknown")) == 1
    assert s.count(HistoryQuery(status="failed")) == s.count(HistoryQuery(status="active")) == 0
    assert s.count(HistoryQuery(status="expired")) == 0
    s.set_note(opened.id, "asked by phone")
    clock.advance(2)
    link = AccountLink(url=URL, created=1_767_225_601, expires_at=1_767_225_901, request_id="req_1",
                       received_monotonic=clock.monotonic())
    done = s.complete(opened.id, HistoryEntry.for_link(REQUEST, link, clock=clock, mode="test",
                                                       attempted_at=opened.attempted_at))
    assert done.id == opened.id and done.outcome == "created" and done.status(clock.time()) == "active"
    assert done.url == URL and done.note == "asked by phone" and done.writer is None
    assert done.idempotency_key == "linkdesk-k1"  # kept: what the history holds of this key
    assert s.count() == 1 and s.count(HistoryQuery(status="unknown")) == 0
    assert s.attempt_by_key("linkdesk-k1").outcome == "created"


def test_a_failure_completes_the_same_row(store):
    s, clock = store
    opened = s.open_attempt(attempt(clock))
    error = APIError("Stripe is down", http_status=500, request_id="req_down")
    done = s.complete(opened.id, HistoryEntry.for_failure(REQUEST, error, clock=clock, mode="test"))
    assert (done.id, done.outcome, done.request_id) == (opened.id, "failed", "req_down")
    assert s.count() == 1


def test_an_answer_for_a_row_deleted_meanwhile_is_recorded_anew(store):
    s, clock = store
    opened = s.open_attempt(attempt(clock))
    s.delete(opened.id)
    link = AccountLink(url=URL, created=1_767_225_601, expires_at=1_767_225_901, received_monotonic=clock.monotonic())
    done = s.complete(opened.id, HistoryEntry.for_link(REQUEST, link, clock=clock, mode="test"))
    assert s.count() == 1 and s.get(done.id).outcome == "created" and s.get(done.id).url == URL


def test_the_words_for_an_unknown_outcome_say_when_a_link_would_expire(store):
    s, clock = store
    opened = s.open_attempt(attempt(clock))
    by = time.strftime("%H:%M", time.localtime(opened.local_expires_at))
    assert status_text(opened, clock.time()) == f"outcome unknown: the link may exist; it expires by {by}"
    data = opened.public_dict(clock.time())
    assert data["outcome"] == "unknown" and data["status"] == "unknown" and "url" not in data
    import io

    out = io.StringIO()
    write_csv([opened], out, now_wall=clock.time())
    assert ",unknown," in out.getvalue()


def test_an_attempt_key_tells_what_the_history_holds(store):
    s, clock = store
    assert s.attempt_by_key("linkdesk-none") is None
    opened = s.open_attempt(attempt(clock, key="linkdesk-k9"))
    assert s.attempt_by_key("linkdesk-k9").id == opened.id


def test_an_attempt_without_a_key_or_with_an_outcome_is_not_an_open_attempt(store):
    s, clock = store
    with pytest.raises(ValueError):
        s.open_attempt(attempt(clock, key=""))
    with pytest.raises(ValueError):
        s.open_attempt(attempt(clock).with_changes(outcome="failed"))


# -- whether the writer may still finish -------------------------------------------------------
def test_this_process_may_still_finish_its_own_attempt_until_no_request_could_wait():
    me = writers.current()
    assert writers.may_still_finish(me, NOW, NOW + 1)
    assert not writers.may_still_finish(me, NOW, NOW + ANSWER_BOUND_S + writers.FINISH_MARGIN_S + 1)
    assert not writers.may_still_finish(None, NOW, NOW)


def test_a_writer_that_exited_cannot_finish():
    child = subprocess.run([sys.executable, "-c", "from app.history import writers; print(writers.current())"],
                           capture_output=True, text=True, check=True)
    gone = child.stdout.strip()
    assert gone.split(":")[1] != str(os.getpid())
    assert not writers.may_still_finish(gone, time.time(), time.time())


def test_a_reused_pid_does_not_pass_for_the_writer():
    host, pid, start = writers.current().rsplit(":", 2)
    if not start:
        pytest.skip("this system does not tell a process's start time")
    assert not writers.may_still_finish(f"{host}:{pid}:{int(start) - 1}", time.time(), time.time())


def test_another_hosts_writer_is_judged_by_age():
    assert writers.may_still_finish("elsewhere.example:1:1", NOW, NOW + 5)
    assert not writers.may_still_finish("elsewhere.example:1:1", NOW, NOW + 600)
