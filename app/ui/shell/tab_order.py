"""The main window's Tab order follows what is seen, top to bottom and left to right (issue 19):
the account field, Look up, Sync, the picker, what the look-up says (its wait, its error), the
summary, the form (its error, then its fields as shown), Cancel and Create, then the newest card,
its Copy first. Qt's default order is the order widgets were made in, which is not the screen's
(Sync is made last, with the services; each card as its link arrives)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget


def chain_tab_order(w: Any) -> None:
    """Chain the left column of the main window ``w`` (again when a control is added)."""
    panel, form = w.account_panel, w.form
    sync = w.directory.sync_button if w.directory is not None else None
    chain = [panel.input, panel.button, sync, panel.picker, panel.wait.cancel_button,
             *panel.error_box.tab_stops(), panel.summary.tree, panel.summary.ready_copy,
             *form.error_box.tab_stops(), form.type, form.refresh_url, form.return_url, form.fields,
             form.future, form.cancel_button, form.create_button]
    chain = [widget for widget in chain if widget is not None]
    for first, second in zip(chain, chain[1:]):
        QWidget.setTabOrder(first, second)
    cards = w.links.cards()
    if cards:
        put_card_after_create(w, cards[0])
    else:
        QWidget.setTabOrder(form.create_button, w.tabs)


def put_card_after_create(w: Any, card: QWidget) -> None:
    """The newest card (on top of the list) comes right after Create: its Copy first (what is
    sent next), then its other stops. The list has just put them near its own place in the
    chain (after its viewport): they are looked for from there."""
    stops: list[QWidget] = []
    widget = w.links.nextInFocusChain()
    while widget is not w.links and (not stops or card.isAncestorOf(widget)):
        if card.isAncestorOf(widget) and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            stops.append(widget)
        widget = widget.nextInFocusChain()
    copy = card.findChild(QWidget, "copyButton")
    if copy in stops:
        stops.remove(copy)
        stops.insert(0, copy)
    previous: QWidget = w.form.create_button
    for stop in stops:
        QWidget.setTabOrder(previous, stop)
        previous = stop
