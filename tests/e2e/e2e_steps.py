"""Steps shared by the end-to-end tests: what an operator does, in a few words each."""

from __future__ import annotations

import json
import subprocess
import time

from app.sandbox import DEMO_ACCOUNTS
from e2e_app import gui_command, user_environment

BAKERY = DEMO_ACCOUNTS["custom_due"]  # Harbor Street Bakery
EXPRESS_NEW = DEMO_ACCOUNTS["express_new"]  # no name, 12 items past due: the longest summary
LINK_PREFIX = "https://connect.stripe.com/setup/c/"
IDLE = {"idle": True, "ignore": ["account-watch"]}  # the onboarding watch runs while a link lives


def try_the_sandbox(app) -> None:
    """The first start: the welcome reads whole, then "Try the sandbox" opens the form."""
    app.wait_visible("welcomeView")
    app.check("welcomeTitle", "welcomeKeyNote", "trySandboxButton", "addKeyButton")
    app.click("trySandboxButton")
    app.wait({"name": "welcomeView", "visible": False}, {"name": "accountInput", "enabled": True})
    app.check("accountInput", "lookupButton", "createButton", "sandboxBadge")


def look_up(app, account: str) -> None:
    app.type("accountInput", account, replace=True)
    app.key("Return")  # Enter in the account box looks up what is typed
    app.wait({"name": "accountSummary", "visible": True}, {"name": "lookupButton", "text": "Look up"},
             IDLE)


def fill_urls(app) -> None:
    """Outside the Sandbox profile the redirect addresses start empty: type them."""
    app.type("refreshUrlInput", "https://example.com/reauth", replace=True)
    app.type("returnUrlInput", "https://example.com/return", replace=True)


def create(app) -> str:
    """Create, and return the new link's URL (the newest card's)."""
    before = app.count("linkCard")
    app.click("createButton")
    app.wait({"name": "linkCard", "count": before + 1}, IDLE)
    url = app.info("linkCard[0]/linkUrl")["tooltip"]
    assert url.startswith(LINK_PREFIX), url
    return url


def history(tmp_path, data_dir) -> list[dict]:
    """The history as ``linkdesk history --json`` prints it (a user's command, the same folder)."""
    command = gui_command()
    if command[0].endswith("linkdesk-gui"):
        command = [command[0][: -len("-gui")]]
    else:
        command = [command[0], "-c", "from app.cli import main; raise SystemExit(main())"]
    done = subprocess.run([*command, "--data-dir", str(data_dir), "history", "--json"],
                          env=user_environment(tmp_path / "cli-home"), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def wait_for_request(sandbox, timeout: float = 30.0) -> None:
    """Until the sandbox has taken the request its queued fault waits for (it is in flight)."""
    deadline = time.monotonic() + timeout
    while sandbox.faults.pending():
        assert time.monotonic() < deadline, "the request never reached the sandbox"
        time.sleep(0.02)
