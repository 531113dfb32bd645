"""Every button that starts a task or a thread, pressed in the real app (see e2e_app.py).

The flows (test_e2e_flows.py) cover Try the sandbox, Look up (Enter, the button, a suggestion),
Create, Sync accounts, Cancel, the banner's Retry and quitting with work in flight; here are the
rest: the demo-account picker, Regenerate, History's export, note, delete and clear, and the
"Add a Stripe key" dialog's Check key and Save (which then switches the profile).
"""

from __future__ import annotations

import csv

import pytest

from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY
from e2e_steps import BAKERY, IDLE, LINK_PREFIX, create, look_up, try_the_sandbox

pytestmark = pytest.mark.slow

def show_history(app) -> None:
    app.key("Ctrl+2")  # View → History
    app.wait({"name": "historyView", "visible": True}, IDLE)


def test_demo_picker_looks_up_and_regenerate_replaces_the_live_link(launch):
    """One live link per seller (issue 19), through the real entry point: Regenerate makes a new
    link, and the older card hands its link out no more; its URL leaves the clipboard."""
    app = launch()
    try_the_sandbox(app)
    app.wait({"name": "accountPicker", "visible": True})
    app.choose("accountPicker", DEMO_ACCOUNTS["express_ok"])  # Lumen Yoga Studio
    app.wait({"name": "accountName", "text": "Lumen Yoga Studio"}, IDLE)
    first = create(app)
    app.click("linkCard[0]/copyButton")
    assert app.clipboard() == first
    app.click("linkCard[0]/regenerateButton")
    app.wait({"name": "linkCard", "count": 2}, {"name": "linkCard[1]/linkReplacedNote", "visible": True}, IDLE)
    newest = app.info("linkCard[0]/linkUrl")["tooltip"]
    assert newest.startswith(LINK_PREFIX) and newest != first
    assert app.text("linkCard[1]/linkReplacedNote").startswith("Replaced at ")
    assert not app.visible("linkCard[1]/copyButton") and app.visible("linkCard[0]/copyButton")
    assert app.clipboard() != first  # the replaced URL left the clipboard
    app.close()


def test_history_export_writes_what_is_listed(launch, tmp_path):
    app = launch()
    try_the_sandbox(app)
    look_up(app, BAKERY)
    url = create(app)
    show_history(app)
    app.wait({"name": "historyView", "rows": 1})
    app.click("historyExportButton")
    app.wait_visible("historyExportDialog")
    target = tmp_path / "exported.csv"
    app.type("historyExportDialog/fileNameEdit", str(target), replace=True)
    app.key("Return", "historyExportDialog/fileNameEdit")
    app.wait({"name": "historyExportDialog", "visible": False},
             {"name": "historyExportButton", "text": "Export CSV…", "enabled": True}, IDLE)
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["account_id"] for row in rows] == [BAKERY], rows
    assert url not in target.read_text(encoding="utf-8") or rows[0].get("url") == url
    app.close()


def test_history_note_delete_and_clear(launch):
    app = launch()
    try_the_sandbox(app)
    look_up(app, BAKERY)
    create(app)
    create(app)
    create(app)
    show_history(app)
    app.wait({"name": "historyView", "rows": 3})

    app.context_menu("historyView", row=0)
    app.menu_click("historyEditNoteAction")
    app.wait_visible("historyNoteDialog")
    app.type("historyNoteDialog/:QLineEdit", "called back at 10:40")
    app.key("Return", "historyNoteDialog/:QLineEdit")
    app.wait({"name": "historyNoteDialog", "visible": False}, IDLE)
    app.wait({"name": "historyView", "rows": 3}, IDLE)

    app.context_menu("historyView", row=1)
    app.menu_click("historyDeleteAction")
    app.wait({"name": "historyCount", "text_contains": "2"}, IDLE)

    app.click("historyClearButton")
    app.wait_visible("historyClearDialog")
    app.click("historyClearDialog/@Delete all")
    app.wait({"name": "historyEmpty", "visible": True}, IDLE)
    app.close()


def test_add_a_key_checks_it_saves_it_and_switches_to_it(launch, sandbox):
    app = launch()
    app.wait_visible("welcomeView")
    app.click("addKeyButton")
    app.wait_visible("addProfileDialog")
    app.type("profileNameInput", "Harbor platform")
    app.type("keyInput", DEMO_API_KEY)
    app.type("apiBaseInput", sandbox.url, replace=True)
    app.click("checkKeyButton")
    open_dialog = {"idle": True, "ignore": ["account-watch", "add profile"]}  # (that task awaits the dialog)
    app.wait({"name": "saveProfileButton", "enabled": True}, open_dialog)
    app.check("keyCheckResult", "saveProfileButton")
    app.click("saveProfileButton")
    app.wait({"name": "addProfileDialog", "visible": False}, {"name": "accountInput", "enabled": True}, IDLE)
    assert "Harbor platform" in app.status()["title"]
    assert not app.visible("welcomeView")
    look_up(app, BAKERY)  # through the new profile: the test's sandbox answers
    assert app.text("accountName") == "Harbor Street Bakery"
    app.close()
