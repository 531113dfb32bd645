"""Menus, keyboard shortcuts and the Help texts of the main window.

Every shortcut is an action in a menu, so it is discoverable, and the Help → Keyboard shortcuts
list is generated from the window's actual actions and shortcuts when it opens (those added
elsewhere too: Settings, the profiles' Ctrl+Alt+1…9), so it cannot go stale. Link → Present on lists the
connected screens each time it opens (monitors come and go) and remembers the choice.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable, Mapping

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from app import __version__
from app.ui.links.link_list import COPY_NEW_LINKS_KEY

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

# (menu, object name, text, shortcuts, description for the Help list)
ACTIONS: tuple[tuple[str, str, str, tuple[str, ...], str], ...] = (
    ("&Link", "focusAccountAction", "Go to account", ("Ctrl+K", "Ctrl+L"),
     "Put the cursor in the account box (type an id, or a name or email to search)"),
    ("&Link", "lookupAction", "Look up account", (), "Enter in the account box looks the account up"),
    ("&Link", "createAction", "Create link", ("Ctrl+Return", "Ctrl+Enter"), "Create the Account Link"),
    ("&Link", "createAnotherAction", "Create another live link", ("Ctrl+Shift+Return", "Ctrl+Shift+Enter"),
     "Create a link and keep the account's live one too (asks first)"),
    ("&Link", "cancelAction", "Cancel request", ("Esc",), "Cancel the request in flight"),
    ("&Link", "copyNewestAction", "Copy newest link", ("Ctrl+Shift+C",), "Copy the newest active link"),
    ("&Link", "presentNewestAction", "Present newest link", ("F5",), "Show the newest link's QR code full screen"),
    ("&View", "showLinksAction", "Links", ("Ctrl+1",), "Show the links of this session"),
    ("&View", "showHistoryAction", "History", ("Ctrl+2",), "Show the history of link attempts"),
    ("&File", "quitAction", "Quit", ("Ctrl+Q",), "Close Linkdesk (requests in flight are cancelled)"),
    ("&Help", "shortcutsAction", "Keyboard shortcuts", ("F1",), "This list"),
    ("&Help", "aboutAction", "About Linkdesk", (), ""),
)


def _native(seq: str) -> str:
    return QKeySequence(seq).toString(QKeySequence.SequenceFormat.NativeText)


# Keys that are no action of the window: where they work is part of what they do.
CONTEXT_KEYS: tuple[tuple[str, str], ...] = (
    ("Enter (in the account box)", "Look the account up"),
    ("Esc (in present mode)", "Leave present mode"),
    ("N / Space (in present mode)", "Show a new code once the code has expired"),
)
_DESCRIPTIONS = {name: description for _menu, name, _text, _keys, description in ACTIONS}
# Actions made elsewhere (app.ui.profiles.controller) listed in better words than their text's.
_DESCRIPTIONS["settingsAction"] = "Settings: profiles, link defaults, history, notifications"


def _describe(item: QAction | QShortcut) -> str:
    """What an action or shortcut does, for the list: this table's words, else its own."""
    description = _DESCRIPTIONS.get(item.objectName())
    if description is not None:
        return description
    if isinstance(item, QShortcut):
        return item.whatsThis() or item.objectName()
    return item.statusTip() or item.toolTip().replace("&", "").rstrip("…") or item.text()


def shortcut_rows(window: QWidget) -> list[tuple[str, str]]:
    """(keys, what they do) for every enabled-or-not action and shortcut of ``window`` that has
    a key, in menu order; shortcuts that differ only in a final digit (Ctrl+Alt+1…9) as one row."""
    items: list[QAction | QShortcut] = [a for a in window.actions() if not a.shortcut().isEmpty()]
    items += [s for s in window.findChildren(QShortcut) if not s.key().isEmpty()]
    rows: list[tuple[str, str]] = []
    runs: dict[tuple[str, str], list[str]] = {}
    for item in items:
        keys = item.shortcuts() if isinstance(item, QAction) else [item.key()]
        shown = " / ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
        described = _describe(item)
        digit = re.fullmatch(r"(.*\D)(\d)", shown)
        if digit and digit.group(2) in described:
            pattern = (digit.group(1), described.replace(digit.group(2), "{n}"))
            if pattern not in runs:
                runs[pattern] = []
                rows.append(pattern)  # its place, filled in below
            runs[pattern].append(digit.group(2))
            continue
        rows.append((shown, described))
    out = []
    for keys, what in rows:
        numbers = runs.get((keys, what))
        if numbers is not None:
            span = numbers[0] if len(numbers) == 1 else f"{numbers[0]}…{numbers[-1]}"
            keys, what = keys + span, what.replace("{n}", span)
        out.append((keys, what))
    return out


def shortcuts_text(window: QWidget) -> str:
    """The Help → Keyboard shortcuts list, from ``window``'s actions and shortcuts."""
    rows = [*shortcut_rows(window), *CONTEXT_KEYS]
    return "\n".join(f"{keys:<28} {what}" for keys, what in rows)


def build_menus(
    window: QMainWindow,
    handlers: Mapping[str, Callable[[], object]],
    *,
    settings: QSettings,
    set_store_urls: Callable[[bool], None],
    set_present_screen: Callable[[str], None],
) -> dict[str, QAction]:
    """Create the menus and actions of ``window``; returns them by object name.

    ``handlers`` maps the object name of every action in :data:`ACTIONS` but the Help ones to
    what it does; the menus know nothing else of the window."""
    handlers = {**handlers, "shortcutsAction": lambda: show_shortcuts(window),
                "aboutAction": lambda: show_about(window)}
    menus: dict[str, object] = {}
    actions: dict[str, QAction] = {}
    for menu_name in ("&File", "&Link", "&View", "&Help"):
        menus[menu_name] = window.menuBar().addMenu(menu_name)
    for menu_name, name, text, keys, _description in ACTIONS:
        action = QAction(text, window)
        action.setObjectName(name)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False, h=handlers[name]: h())
        menus[menu_name].addAction(action)  # type: ignore[attr-defined]
        window.addAction(action)
        actions[name] = action
    actions["cancelAction"].setEnabled(False)
    keep_urls = QAction("Keep active link URLs in history", window)
    keep_urls.setObjectName("storeUrlsAction")
    keep_urls.setCheckable(True)
    keep_urls.setChecked(True)
    keep_urls.setEnabled(False)  # until the services (and their preferences) are attached
    keep_urls.setStatusTip("Off: link URLs are never written to disk, and those stored now are erased")
    keep_urls.toggled.connect(set_store_urls)
    file_menu = menus["&File"]
    file_menu.insertAction(actions["quitAction"], keep_urls)  # type: ignore[attr-defined]
    file_menu.insertSeparator(actions["quitAction"])  # type: ignore[attr-defined]
    actions["storeUrlsAction"] = keep_urls
    link_menu = menus["&Link"]
    # On by default: the link is what the operator sends next, so it is on the clipboard at once.
    copy_new = QAction("Copy new links at once", window)
    copy_new.setObjectName("copyNewLinksAction")
    copy_new.setCheckable(True)
    copy_new.setChecked(str(settings.value(COPY_NEW_LINKS_KEY, "true")).lower() == "true")
    copy_new.toggled.connect(lambda on: settings.setValue(COPY_NEW_LINKS_KEY, "true" if on else "false"))
    link_menu.insertAction(actions["copyNewestAction"], copy_new)  # type: ignore[attr-defined]
    actions["copyNewLinksAction"] = copy_new
    screens = build_present_screen_menu(window, settings, set_present_screen)
    link_menu.addMenu(screens)  # type: ignore[attr-defined] - after "Present newest link"
    return actions


def build_present_screen_menu(parent: QWidget, settings: QSettings, choose: Callable[[str], None]) -> QMenu:
    """Link → Present on: "Automatic (second screen)" or one of the connected screens."""
    menu = QMenu("Present &on", parent)
    menu.setObjectName("presentScreenMenu")
    menu.setToolTipsVisible(True)
    menu.aboutToShow.connect(lambda: fill_present_screen_menu(menu, settings, choose))
    fill_present_screen_menu(menu, settings, choose)
    return menu


def fill_present_screen_menu(menu: QMenu, settings: QSettings, choose: Callable[[str], None]) -> None:
    """(Re)list the screens, the saved choice checked."""
    from app.ui.links.screens import PRESENT_SCREEN_KEY, screen_choices

    app = QGuiApplication.instance()
    preferred = str(settings.value(PRESENT_SCREEN_KEY, "") or "")
    menu.clear()
    for old in menu.findChildren(QActionGroup):
        old.deleteLater()
    group = QActionGroup(menu)
    group.setExclusive(True)
    for label, value, checked, enabled in screen_choices(app.screens(), app.primaryScreen(), preferred):
        action = menu.addAction(label)
        action.setCheckable(True)
        action.setChecked(checked)
        action.setEnabled(enabled)
        action.setData(value)
        group.addAction(action)
        action.triggered.connect(lambda _checked=False, v=value: choose(v))
    menu.actions()[0].setToolTip("Another screen than the main one when there is one (a customer display)")


def _message_box(window: QWidget, name: str, title: str, text: str) -> QMessageBox:
    """A non-blocking message box (``open``, never ``exec``: no nested loop under qasync)."""
    from PySide6.QtWidgets import QMessageBox  # on first use: its Python type is not needed to start

    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Close, window)
    box.setObjectName(name)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()
    return box


def show_shortcuts(window: QWidget) -> QMessageBox:
    box = _message_box(window, "shortcutsDialog", "Keyboard shortcuts", "Keyboard shortcuts")
    from html import escape

    box.setInformativeText(f"<pre>{escape(shortcuts_text(window))}</pre>")
    return box


def show_about(window: QWidget) -> QMessageBox:
    return _message_box(
        window, "aboutDialog", "About Linkdesk",
        f"Linkdesk {__version__}\n\nCreate Stripe Connect Account Links at the desk: look the account "
        "up, create a single-use link, show its QR code and keep a local history.",
    )
