"""File → Keep active link URLs in history: saved, applied to the open history at once."""

from __future__ import annotations

from PySide6.QtGui import QAction

from app.preferences import Preferences
from mainwindow_helpers import find


async def test_turning_url_keeping_off_saves_it_and_erases_stored_urls(window, accounts):
    action = find(window, "storeUrlsAction", QAction)
    assert action.isEnabled() and action.isChecked()
    find(window, "accountInput").setText(accounts["custom_due"])
    card = await window.create_link()
    assert card is not None
    history = window.services.history
    newest = history.query(limit=1)[0]
    assert newest.url == card.link.url  # active, so kept for reopening

    action.trigger()  # off

    assert not action.isChecked()
    assert Preferences.load(window.services.paths.preferences_file).store_urls is False
    assert history.get(newest.id).url is None
    again = await window.create_link()
    assert again is not None and history.query(limit=1)[0].url is None

    action.trigger()  # on again
    assert Preferences.load(window.services.paths.preferences_file).store_urls is True
    third = await window.create_link()
    assert history.query(limit=1)[0].url == third.link.url
    await window.shutdown()
