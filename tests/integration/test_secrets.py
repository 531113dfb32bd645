"""End to end: the API key never reaches a log record, an error text or a file; a link URL never
reaches a log record. Everything logs at DEBUG here, httpx and httpcore included."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from app.cli.entry import main
from app.sandbox import DEMO_ACCOUNTS

LIVE_KEY = "sk_live_" + "51Secret0Key0Never0Shown0Q9Zx"
URLS = ["--refresh-url", "https://example.com/reauth", "--return-url", "https://example.com/return"]


def all_file_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


@pytest.fixture
def live_sandbox(make_sandbox, monkeypatch):
    monkeypatch.setenv("STRIPE_API_KEY", LIVE_KEY)
    return make_sandbox(live=True)


def test_key_and_urls_stay_out_of_logs_errors_and_files(live_sandbox, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    base = ["--api-base", live_sandbox.url]
    out, err = io.StringIO(), io.StringIO()
    assert main(["link", DEMO_ACCOUNTS["custom_due"], "--type", "account_onboarding", "--json", *URLS, *base],
                out=out, err=err) == 0
    url_line = out.getvalue()
    # failures of every kind: refused by Stripe, refused before sending, a 401 echoing the key
    assert main(["link", DEMO_ACCOUNTS["express_new"], "--type", "account_update", *URLS, *base],
                out=out, err=err) == 1
    assert main(["link", DEMO_ACCOUNTS["custom_due"], "--type", "account_onboarding",
                 "--refresh-url", "http://example.com/insecure", "--return-url", "https://example.com/r", *base],
                out=out, err=err) == 2
    assert main(["account", "acct_1NoSuchAccount00", *base], out=out, err=err) == 1
    assert main(["history", "--json"], out=out, err=err) == 0

    logged = "\n".join(r.getMessage() + str(r.args or "") + str(r.exc_info or "") for r in caplog.records)
    assert caplog.records, "nothing was logged: the check would prove nothing"
    assert LIVE_KEY not in logged and LIVE_KEY not in err.getvalue()
    assert "connect.stripe.com/setup" not in logged
    assert "connect.stripe.com/setup" in url_line  # it was printed where asked for
    written = all_file_bytes(tmp_path)
    assert written, "no file was written: the check would prove nothing"
    assert LIVE_KEY.encode() not in written
