"""``linkdesk link`` killed while it waits for Stripe's answer (issue 18): the attempt was written
before the request went out, so the history says the link may exist, and ``--retry ID`` gets the
link Stripe made for the dead process (the same Idempotency-Key: Stripe replays it).

Real processes, a real sandbox on 127.0.0.1 holding its answer back (fault ``timeout``), and a
real signal. The order is forced, not timed: the signal is sent once the sandbox holds the
request, and the retry once the sandbox has carried the first request out."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CUSTOM = DEMO_ACCOUNTS["custom_due"]
URLS = ["--refresh-url", "https://example.com/reauth", "--return-url", "https://example.com/return"]
HOLD_S = 3.0  # the sandbox holds the answer this long; the signal comes as soon as it holds it


def user_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE")}
    env.update(PYTHONPATH=str(REPO), STRIPE_API_KEY=DEMO_API_KEY, **extra)
    return env


def linkdesk(*argv: str, data: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *argv, "--data-dir", str(data)], env=user_env(),
                          capture_output=True, text=True, timeout=60, cwd=REPO)


def wait_for(condition, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=lambda s: signal.Signals(s).name)
def test_a_link_killed_while_waiting_leaves_an_unknown_row_that_a_retry_turns_into_the_same_link(
        logged_sandbox, tmp_path, sig):
    sandbox = logged_sandbox
    data = tmp_path / "data"
    sandbox.inject_fault("timeout", delay=HOLD_S, method="POST", path="/v1/account_links")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "link", CUSTOM, "--type", "account_onboarding", *URLS,
         "--api-base", sandbox.url, "--data-dir", str(data)],
        env=user_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        wait_for(lambda: sandbox.faults.pending() == 0 or proc.poll() is not None, "the request to reach the sandbox")
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(sig)
        out, _err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode != 0 and "https://" not in out  # it died before printing any link

    listed = linkdesk("history", "--json", data=data)
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert (row["outcome"], row["status"], row["account_id"]) == ("unknown", "unknown", CUSTOM)
    assert row["idempotency_key"] and row["link_type"] == "account_onboarding" and row["profile"]
    table = linkdesk("history", data=data)
    assert "outcome unknown: the link may exist; it expires by " in table.stdout
    csv = linkdesk("history", "--csv", data=data)
    assert ",unknown," in csv.stdout

    # the sandbox carries the held request out (it made the link the dead process never saw)...
    wait_for(lambda: any("POST /v1/account_links" in line for line in sandbox.lines), "the sandbox to answer")
    with httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {DEMO_API_KEY}"}) as api:
        made = api.post("/v1/account_links", headers={"Idempotency-Key": row["idempotency_key"]}, data={
            "account": CUSTOM, "type": "account_onboarding", "refresh_url": "https://example.com/reauth",
            "return_url": "https://example.com/return"}).json()
    # ...and the retry, with the attempt's key, gets that very link and completes the same row
    retried = linkdesk("link", "--retry", str(row["id"]), "--json", "--api-base", sandbox.url, data=data)
    assert retried.returncode == 0, retried.stderr
    link = json.loads(retried.stdout)
    assert link["url"] == made["url"] and link["created"] == made["created"]
    (after,) = json.loads(linkdesk("history", "--json", data=data).stdout)
    assert (after["id"], after["outcome"], after["status"]) == (row["id"], "created", "active")


def test_retry_refuses_an_attempt_that_has_an_outcome(sandbox, tmp_path):
    data = tmp_path / "data"
    made = linkdesk("link", CUSTOM, "--type", "account_onboarding", *URLS, "--api-base", sandbox.url, data=data)
    assert made.returncode == 0, made.stderr
    (row,) = json.loads(linkdesk("history", "--json", data=data).stdout)
    assert row["outcome"] == "created" and row["idempotency_key"]
    again = linkdesk("link", "--retry", str(row["id"]), "--api-base", sandbox.url, data=data)
    assert again.returncode == 2 and "not an attempt of unknown outcome" in again.stderr
    assert linkdesk("link", "--retry", "999", "--api-base", sandbox.url, data=data).returncode == 2
    mixed = linkdesk("link", CUSTOM, "--retry", str(row["id"]), "--api-base", sandbox.url, data=data)
    assert mixed.returncode == 2 and "--retry ID takes no account" in mixed.stderr


def test_an_accounts_v2_link_killed_while_waiting_is_retried_with_its_key(logged_sandbox, tmp_path):
    sandbox = logged_sandbox
    data = tmp_path / "data"
    sandbox.inject_fault("timeout", delay=HOLD_S, method="POST", path="/v2/core/account_links")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "link", CUSTOM, "--type", "account_onboarding", *URLS, "--accounts-api", "v2",
         "--api-base", sandbox.url, "--data-dir", str(data)],
        env=user_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        wait_for(lambda: sandbox.faults.pending() == 0 or proc.poll() is not None, "the request to reach the sandbox")
        assert proc.poll() is None, proc.communicate()
        proc.kill()
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    (row,) = json.loads(linkdesk("history", "--json", data=data).stdout)
    assert (row["outcome"], row["accounts_api"]) == ("unknown", "v2")
    wait_for(lambda: any("POST /v2/core/account_links" in line for line in sandbox.lines), "the sandbox to answer")
    first = linkdesk("link", "--retry", str(row["id"]), "--json", "--api-base", sandbox.url, data=data)
    assert first.returncode == 0, first.stderr
    link = json.loads(first.stdout)
    assert link["accounts_api"] == "v2" and link["url"].startswith("https://accounts.stripe.com/")
    (after,) = json.loads(linkdesk("history", "--json", data=data).stdout)
    assert (after["id"], after["outcome"], after["accounts_api"]) == (row["id"], "created", "v2")
