"""The window against a hostile server (tests/hostile_server.py, real loopback HTTP, no patching).

Every category of issue 8 ends in a clean, plain-language message in the window: no "Something
went wrong", no traceback in the log, no hostile URL in any widget, the clipboard, the history
or an opened URL, and a link Stripe made is never lost. Text from the API (account names, error
messages) shows literally: as plain text in labels, escaped in tooltips.
"""

from __future__ import annotations

import logging

import pytest
from hostile_server import (
    ACCOUNT,
    BAD_LINK_URLS,
    GOOD_LINK_URL,
    HOSTILE_ACCOUNTS,
    HOSTILE_LINK_BODIES,
    HostileServer,
    Reply,
    account_body,
    gzip_bomb,
    json_reply,
    link_body,
    raw_reply,
)
from mainwindow_helpers import find
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QTextDocument
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QPushButton, QWidget

from app.paths import AppPaths
from app.services import Connection, Services
from app.stripe.client import StripeClient
from app.stripe.keys import ApiKey

SECRET = "sk_test_51Hw6Zq3Rt8Kc4Nb9My0Zz9"
SCHEMES = ("https", "http", "file", "javascript", "data")
RICH_NAMES = ["<img width=2000 src=x>", "<b>x</b>", "a <i>b</i> & c", "<table><tr><td>x</td></tr></table>"]


class Script:
    """The hostile server's answers: ``link`` to POST /v1/account_links, ``account`` to the rest."""

    def __init__(self) -> None:
        self.link: Reply = json_reply(link_body())
        self.account: Reply = json_reply(account_body())

    def __call__(self, request_line: str, headers: dict[str, str], body: bytes) -> Reply:
        return self.link if request_line.startswith("POST /v1/account_links") else self.account


class Opened(QObject):
    """Receives every URL the app asks the desktop to open (QDesktopServices URL handlers)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def record(self, url: QUrl) -> None:
        self.urls.append(url.toString())


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def hostile(script):
    server = HostileServer(script).start()
    yield server
    server.stop()


@pytest.fixture
def deadline() -> float:
    return 30.0


@pytest.fixture
async def services(hostile, clock, tmp_path, deadline):
    """As conftest's, but the client talks to the hostile server (this module's override)."""
    client = StripeClient(ApiKey(SECRET), api_base=hostile.url, clock=clock, max_retries=0, deadline=deadline)
    built = Services(clock=clock, paths=AppPaths.resolve(tmp_path / "data"),
                     connection=Connection(ApiKey(SECRET), hostile.url, "default"), client=client)
    yield built
    await built.aclose()


@pytest.fixture
def opened(qapp):
    receiver = Opened()
    for scheme in SCHEMES:
        QDesktopServices.setUrlHandler(scheme, receiver, "record")
    yield receiver.urls
    for scheme in SCHEMES:
        QDesktopServices.unsetUrlHandler(scheme)


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


# -- what the window shows ----------------------------------------------------------------------
def shown(text: str, fmt: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What Qt renders for ``text`` (a tooltip is AutoText: rich when it looks like HTML)."""
    rich = fmt == Qt.TextFormat.RichText or (fmt == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text))
    if not rich:
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def visible_texts(window) -> list[str]:
    """Every text, tooltip and accessible text of the window and its other top-level windows."""
    texts: list[str] = []
    widgets = set(window.findChildren(QWidget)) | {window}
    for top in QApplication.topLevelWidgets():
        widgets |= set(top.findChildren(QWidget)) | {top}
    for widget in widgets:
        texts += [widget.toolTip(), widget.windowTitle(), widget.accessibleName(), widget.accessibleDescription()]
        if isinstance(widget, (QLabel, QLineEdit, QAbstractButton)):
            texts.append(widget.text())
    return [t for t in texts if t]


def assert_clean_failure(window, services, clipboard, opened, logs, *hostile_texts: str) -> str:
    """The window says what went wrong in plain words; nothing hostile is shown, copied, stored,
    opened or logged. Returns the message (said by the control of the request that failed)."""
    [box] = [b for b in (window.banner, window.account_panel.error_box, window.form.error_box) if b.isVisible()]
    message = box.message
    assert message.text()
    assert "Something went wrong" not in message.text()
    assert window.unexpected == []
    secrets = [SECRET, *(t for t in hostile_texts if t)]
    for text in visible_texts(window) + [clipboard.text()]:
        assert not [s for s in secrets if s in text], text
    for entry in services.history.query():
        assert entry.url is None and not [s for s in secrets if s in repr(entry)]
    assert opened == []
    assert window.links.cards() == []
    app_records = [r for r in logs.records if r.name.split(".")[0] in ("app", "linkdesk")]
    assert not [r for r in app_records if r.exc_info], "a traceback reached the log"
    assert not [r for r in app_records if any(s in r.getMessage() for s in secrets)]
    return message.text()


async def create(window):
    find(window, "accountInput").setText(ACCOUNT)
    find(window, "refreshUrlInput", QLineEdit).setText("https://example.com/reauth")
    find(window, "returnUrlInput", QLineEdit).setText("https://example.com/return")
    return await window.create_link()


# -- link URLs ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(BAD_LINK_URLS))
async def test_a_link_that_is_not_a_stripe_address_is_refused_in_the_window(
        window, script, services, clipboard, opened, logs, kind):
    url = BAD_LINK_URLS[kind]
    script.link = json_reply(link_body(url=url), request_id="req_BadUrlWin1")
    assert await create(window) is None
    hostile = url if isinstance(url, str) and len(url) > 12 else ""
    message = assert_clean_failure(window, services, clipboard, opened, logs, hostile)
    assert "not a Stripe address" in message
    assert "req_BadUrlWin1" in window.form.error_box.details.text()
    [entry] = services.history.query()
    assert entry.outcome == "failed" and entry.request_id == "req_BadUrlWin1"


# -- hostile JSON -------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(HOSTILE_LINK_BODIES))
async def test_hostile_json_for_the_link_is_a_plain_message(window, script, services, clipboard, opened, logs, kind):
    script.link = raw_reply(HOSTILE_LINK_BODIES[kind], request_id="req_BadJsonWin")
    assert await create(window) is None
    assert_clean_failure(window, services, clipboard, opened, logs, GOOD_LINK_URL)
    [entry] = services.history.query()
    assert entry.outcome == "failed"
    assert find(window, "createButton", QPushButton).isEnabled()  # the app keeps working


@pytest.mark.parametrize("kind", sorted(HOSTILE_ACCOUNTS))
async def test_a_hostile_account_is_a_plain_message_and_never_costs_a_link(
        window, script, services, clipboard, opened, logs, kind):
    body, _field = HOSTILE_ACCOUNTS[kind]
    script.account = json_reply(body)
    find(window, "accountInput").setText(ACCOUNT)
    assert await window.lookup_account() is None
    assert_clean_failure(window, services, clipboard, opened, logs)
    # Stripe still makes links for it: the link is shown and recorded whatever the account said.
    card = await create(window)
    assert card is not None and card.link.url == GOOD_LINK_URL
    [entry] = services.history.query()
    assert entry.outcome == "created" and entry.account_id == ACCOUNT
    assert opened == [] and window.unexpected == []


@pytest.mark.parametrize("expires_at", [0, 1_767_225_600 - 60, 1_767_225_600 + 10 * 86_400])
async def test_an_implausible_expiry_keeps_the_link_on_stripes_usual_lifetime(window, script, services, expires_at):
    script.link = json_reply(link_body(expires_at=expires_at))
    card = await create(window)
    assert card is not None and card.link.url == GOOD_LINK_URL
    assert card.link.ttl == 300 and not card.link.expiry_trusted
    assert find(card, "linkCountdown", QLabel).text().startswith("Open within 5:00")
    assert services.history.query()[0].outcome == "created"


# -- the transport ------------------------------------------------------------------------------
@pytest.mark.parametrize("deadline", [1.0])
async def test_a_trickling_answer_ends_at_the_deadline_with_a_plain_message(
        window, script, services, clipboard, opened, logs, deadline):
    script.link = Reply(body=b'{"object": "account_link"' + b" " * 400 + b"}", trickle=0.05,
                        headers={"Request-Id": "req_SlowWin001"})
    assert await create(window) is None
    message = assert_clean_failure(window, services, clipboard, opened, logs)
    assert message.startswith("Stripe did not answer in time"), message
    box = window.form.error_box
    assert box.retry_button.isVisibleTo(box)  # worth another try
    assert services.history.query()[0].outcome == "failed"


async def test_a_gzip_bomb_is_refused_with_a_plain_message(window, script, services, clipboard, opened, logs):
    script.link = Reply(body=gzip_bomb(256), headers={"Content-Encoding": "gzip", "Request-Id": "req_BombWin01"})
    assert await create(window) is None
    message = assert_clean_failure(window, services, clipboard, opened, logs)
    assert "too large" in message
    assert services.history.query()[0].outcome == "failed"


# -- the key echoed back ------------------------------------------------------------------------
def echo_key(status: int):
    def script(request_line: str, headers: dict[str, str], body: bytes) -> Reply:
        key = headers["authorization"].removeprefix("Bearer ")
        if request_line.startswith("POST /v1/account_links"):
            return json_reply(link_body(), request_id=key, **{"X-Echo": key})
        return json_reply({"error": {"type": "invalid_request_error", "message": f"Invalid key {key}"}},
                          status=status, request_id=key)
    return script


async def test_a_key_echoed_in_the_request_id_reaches_no_widget_history_or_log(
        window, hostile, services, clipboard, opened, logs):
    hostile.script = echo_key(401)
    find(window, "accountInput").setText(ACCOUNT)
    assert await window.lookup_account() is None
    assert_clean_failure(window, services, clipboard, opened, logs)
    box = window.account_panel.error_box
    assert box.isVisible() and not box.copy_button.isVisibleTo(box)
    card = await create(window)  # the link itself is fine: shown, with no request id
    assert card is not None and card.link.request_id is None
    [entry] = services.history.query()
    assert entry.outcome == "created" and entry.request_id is None
    for text in visible_texts(window) + [clipboard.text()]:
        assert SECRET not in text
    app_records = [r for r in logs.records if r.name.split(".")[0] in ("app", "linkdesk")]
    assert not [r for r in app_records if SECRET in r.getMessage()]  # httpcore's DEBUG traces reach no handler


# -- rich text in names and messages ------------------------------------------------------------
def label_shows(label: QLabel) -> str:
    """What ``label`` renders; an eliding label's whole text (its shown text is cut short)."""
    return shown(getattr(label, "full_text", label.text()), label.textFormat())


@pytest.mark.parametrize("name", RICH_NAMES)
async def test_an_account_name_with_markup_shows_literally_everywhere(window, script, services, name):
    script.account = json_reply(account_body(business_profile={"name": name}))
    find(window, "accountInput").setText(ACCOUNT)
    assert await window.lookup_account() is not None
    assert label_shows(find(window, "accountName", QLabel)) == name  # the summary
    card = await create(window)
    assert card is not None
    card_name = find(card, "linkAccountName", QLabel)
    assert label_shows(card_name) == name and shown(card_name.toolTip()) == name  # the card
    window.show_history()
    await window.history_panel.settled()
    model = window.history_panel.model
    tip = model.data(model.index(0, model.ACCOUNT), Qt.ItemDataRole.ToolTipRole)
    assert shown(tip).splitlines()[0] == name  # the History table's tooltip
    assert model.data(model.index(0, model.ACCOUNT), Qt.ItemDataRole.DisplayRole).startswith(name[:3])
    find(card, "presentButton", QPushButton).click()  # present mode
    present = window.flow.present_window
    try:
        assert label_shows(find(present, "presentAccountName", QLabel)) == name
        assert name in present.windowTitle()  # a window title is never rich text
    finally:
        present.close()


@pytest.mark.parametrize(("param", "label"), [("account", "accountError"), ("refresh_url", "refreshUrlError")])
async def test_a_stripe_message_with_markup_shows_literally(window, script, param, label):
    text = "No such thing: <img width=2000 src=x> <b>bold</b>"
    script.link = json_reply({"error": {"type": "invalid_request_error", "message": text, "param": param}},
                             status=400, request_id="req_MarkupWin01")
    assert await create(window) is None
    # Said once, at the field Stripe named, in plain words; Stripe's own message (markup and all,
    # shown literally) and the request id are the field's tooltip.
    field = find(window, label, QLabel)
    assert field.textFormat() == Qt.TextFormat.PlainText and field.text()
    assert text in shown(field.toolTip()), field.toolTip()
    assert "req_MarkupWin01" in shown(field.toolTip())
    assert window.unexpected == []


async def test_requirement_names_with_markup_show_literally_in_the_tree(window, script):
    from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItemIterator

    due = "<img width=2000 src=x>.<b>x</b>"
    script.account = json_reply(account_body(requirements={"currently_due": [due], "disabled_reason": "<b>r</b>"}))
    find(window, "accountInput").setText(ACCOUNT)
    assert await window.lookup_account() is not None
    tree = find(window, "requirementsTree", QTreeWidget)
    tips, texts = [], []
    items = QTreeWidgetItemIterator(tree)
    while items.value():
        tips.append(items.value().toolTip(0))
        texts.append(items.value().text(0))  # an item's text is always plain
        items += 1
    shown_tips = [shown(t) for t in tips if t]
    assert any(due in t for t in shown_tips + texts), (tips, texts)
    assert not [t for t in shown_tips if "\ufffc" in t]  # no image (or other object) was drawn
    for tip in tips:
        if tip:
            assert shown(tip) == tip or "&lt;" in tip  # plain, or escaped inside a wrapper


def test_plain_tooltip_shows_any_text_literally(qapp):
    from app.ui.common.widgets import plain_tooltip

    for text in RICH_NAMES + ["plain words", "a < b", "line one\nline two <b>", "", "&amp; & <br>"]:
        assert shown(plain_tooltip(text)) == text
    assert plain_tooltip("plain words") == "plain words"  # unchanged when Qt would not read HTML
