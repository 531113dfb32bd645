"""An in-process driver for the end-to-end tests (tests/e2e): the real app, driven from outside.

Loaded only when ``LINKDESK_TEST_DRIVER`` names a Unix socket path (see :func:`start_driver`);
otherwise nothing here is imported and no socket is opened. The socket's folder must belong to
this user and be closed to everyone else (mode 0700, as ``tempfile.mkdtemp`` makes it): anyone
who can connect can drive the window.

The protocol is JSON lines: a request ``{"id": n, "cmd": "click", "args": {...}}`` gets one
reply ``{"id": n, "ok": true, "result": ...}`` or ``{"id": n, "ok": false, "error": "..."}``.
Commands run on the qasync loop, i.e. on the Qt thread. Anything that touches widgets runs as a
plain loop callback (:func:`_soon`), never inside this driver's own task step: a slot that opens
a nested event loop (``exec()``) would otherwise step other tasks re-entrantly ("Cannot enter
into task"). Waiting polls with ``await asyncio.sleep``; nothing here calls ``processEvents()``.

Widgets are found by ``objectName`` (see :func:`resolve`): ``"createButton"``; a path
``"linkCard[0]/copyButton"`` (each step among the previous step's descendants; ``[n]`` picks the
n-th visible match in reading order, top to bottom then left to right, ``[-1]`` the last);
``"@Delete all"`` a button by its text; ``":QLineEdit"`` a widget by its class (Qt's own unnamed
parts: ``"historyNoteDialog/:QLineEdit"``). Several visible matches without an index is an
error: a test says which one it means.

:func:`layout_problems` is what every end-to-end step checks: an unexpected error, a clipped
word-wrapped label, a control of the flow outside the screen, its window or a scroll area's
visible part.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import stat
import sys
import time
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QAction, QContextMenuEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

ENV = "LINKDESK_TEST_DRIVER"
WRONG_WORDS = ("went wrong",)  # the unexpected-error banner's words
POLL_S = 0.02


class DriverError(Exception):
    """A command could not be carried out; its text goes back to the test."""


# -- finding widgets ----------------------------------------------------------------------------
_SEGMENT = re.compile(r"^(?P<name>[^\[\]]+)(?:\[(?P<index>-?\d+)\])?$")


def _visible(obj: QObject) -> bool:
    return obj.isVisible() if isinstance(obj, QWidget) else True


def _roots() -> list[QWidget]:
    return list(QApplication.topLevelWidgets())


def _matches(parents: list[QObject] | None, name: str) -> list[QObject]:
    found: list[QObject] = []
    seen: set[int] = set()

    def add(obj: QObject) -> None:
        if id(obj) not in seen:
            seen.add(id(obj))
            found.append(obj)

    if name.startswith("@"):  # a button by its text (mnemonic ampersands ignored)
        text = name[1:]
        for parent in parents or _roots():
            for button in [parent, *parent.findChildren(QAbstractButton)]:
                if isinstance(button, QAbstractButton) and button.text().replace("&", "") == text:
                    add(button)
        return found
    if name.startswith(":"):  # by class, for Qt's own unnamed parts (a dialog's line edit)
        kind = name[1:]
        for parent in parents or _roots():
            for obj in [parent, *parent.findChildren(QObject)]:
                if any(cls.__name__ == kind for cls in type(obj).__mro__) and (parents is None or obj is not parent):
                    add(obj)
        return found
    for parent in parents or _roots():
        if parents is None and parent.objectName() == name:
            add(parent)
        for child in parent.findChildren(QObject, name):
            add(child)
    return found


def _reading_order(obj: QObject) -> tuple[int, int]:
    if isinstance(obj, QWidget):
        corner = obj.mapToGlobal(QPoint(0, 0))
        return corner.y(), corner.x()
    return 0, 0


def resolve_all(path: str) -> list[QObject]:
    """Every visible object the path names (see the module docstring)."""
    current: list[QObject] | None = None
    for segment in path.split("/"):
        match = _SEGMENT.match(segment)
        if match is None:
            raise DriverError(f"not a widget path: {path!r}")
        shown = [o for o in _matches(current, match.group("name")) if _visible(o)]
        shown.sort(key=_reading_order)  # [0] is the top one (the newest card), as a user counts
        if match.group("index") is not None:
            index = int(match.group("index"))
            if not -len(shown) <= index < len(shown):
                return []
            shown = [shown[index]]
        current = shown
        if not current:
            return []
    return current or []


def resolve(path: str, *, required: bool = True) -> QObject | None:
    """The one visible object ``path`` names; None (or DriverError if ``required``) if none."""
    found = resolve_all(path)
    if len(found) > 1:
        raise DriverError(f"{len(found)} visible objects match {path!r}: say which one, e.g. {path}[0]")
    if not found:
        if required:
            hidden = [o for o in _matches(None, path.split("/")[-1].split("[")[0]) if not _visible(o)]
            raise DriverError(f"no visible widget {path!r}" + (" (there is a hidden one)" if hidden else ""))
        return None
    return found[0]


def _widget(path: str) -> QWidget:
    obj = resolve(path)
    if not isinstance(obj, QWidget):
        raise DriverError(f"{path!r} is a {type(obj).__name__}, not a widget")
    return obj


def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def _rect(rect: QRect) -> list[int]:
    return [rect.x(), rect.y(), rect.width(), rect.height()]


def _text(obj: QObject) -> str | None:
    if isinstance(obj, (QLabel, QLineEdit, QAbstractButton)):
        return obj.text()
    if isinstance(obj, QComboBox):
        return obj.currentText()
    if isinstance(obj, QAction):
        return obj.text()
    if isinstance(obj, QPlainTextEdit):
        return obj.toPlainText()
    if isinstance(obj, QTextEdit):
        return obj.toPlainText()
    if isinstance(obj, QMessageBox):
        return obj.text()
    if isinstance(obj, QWidget) and obj.isWindow():
        return obj.windowTitle()
    return None


def describe(obj: QObject) -> dict[str, Any]:
    """What a test may ask of a widget: text, state, where it is on the screen."""
    info: dict[str, Any] = {"class": type(obj).__name__, "name": obj.objectName(), "text": _text(obj)}
    if isinstance(obj, QAction):
        info.update(visible=obj.isVisible(), enabled=obj.isEnabled(), checked=obj.isChecked())
        return info
    assert isinstance(obj, QWidget)
    info.update(visible=obj.isVisible(), enabled=obj.isEnabled(), focus=obj.hasFocus(),
                geometry=_rect(global_rect(obj)), tooltip=obj.toolTip(),
                accessible_name=obj.accessibleName())
    if isinstance(obj, QAbstractButton):
        info["checked"] = obj.isChecked()
    if isinstance(obj, QListWidget):
        info["items"] = [obj.item(i).text() for i in range(obj.count())]
        info["current_row"] = obj.currentRow()
    elif isinstance(obj, QComboBox):
        info["items"] = [obj.itemText(i) for i in range(obj.count())]
        info["current_index"] = obj.currentIndex()
    elif isinstance(obj, QAbstractItemView) and obj.model() is not None:
        info["rows"] = obj.model().rowCount()
    return info


# -- the checks every step makes ----------------------------------------------------------------
def settle_layouts(rounds: int = 6) -> None:
    """Run the posted layout requests (only those: no task step, no timer) so geometry is final."""
    for _ in range(rounds):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def clipped_labels() -> list[str]:
    """Visible word-wrapped labels given less height than their text needs at their width."""
    problems = []
    for top in _roots():
        if not top.isVisible():
            continue
        for label in [top, *top.findChildren(QLabel)]:
            if not isinstance(label, QLabel) or not label.isVisible() or not label.wordWrap() or not label.text():
                continue
            needed = label.heightForWidth(label.width())
            if needed > label.height():
                problems.append(f"label {label.objectName() or '(unnamed)'} {label.text()[:60]!r} is "
                                f"{label.width()}x{label.height()} but needs height {needed} at that width")
    return problems


def outside(widget: QWidget) -> str | None:
    """Why ``widget`` is not wholly visible (off its screen's available area, cut by its window or
    by an ancestor such as a scroll area's viewport), or None."""
    rect = global_rect(widget)
    screen = widget.window().screen() or QGuiApplication.primaryScreen()
    available = screen.availableGeometry()
    name = widget.objectName() or type(widget).__name__
    if not available.contains(rect):
        return f"{name} at {_rect(rect)} is outside the screen's available area {_rect(available)}"
    parent = widget.parentWidget()
    while parent is not None:
        area = global_rect(parent)
        if not area.contains(rect):
            what = parent.objectName() or type(parent).__name__
            return f"{name} at {_rect(rect)} is cut off by {what} at {_rect(area)}"
        if parent.isWindow():
            break
        parent = parent.parentWidget()
    return None


def layout_problems(window: Any, flow: list[str], required: list[str]) -> list[str]:
    """Everything an end-to-end step fails on (see the module docstring).

    ``flow``: controls of the flow being exercised, checked whenever they are visible;
    ``required``: controls that must also be visible now."""
    settle_layouts()
    problems = [f"unexpected error: {type(exc).__name__}: {exc}" for exc in getattr(window, "unexpected", [])]
    for top in _roots():
        if not top.isVisible():
            continue
        for label in [top, *top.findChildren(QLabel)]:
            if isinstance(label, QLabel) and label.isVisible() and any(
                    word in label.text().lower() for word in WRONG_WORDS):
                problems.append(f"an unexpected-error message is shown: {label.text()[:200]!r}")
        if isinstance(top, QMessageBox) and any(word in top.text().lower() for word in WRONG_WORDS):
            problems.append(f"an unexpected-error dialog is shown: {top.text()[:200]!r}")
    problems += clipped_labels()
    for top in _roots():  # a window the operator cannot see whole (its bottom strip, its status bar)
        if top.isVisible() and top.isWindow() and not isinstance(top, QMenu) and \
                top.windowType() not in (Qt.WindowType.ToolTip, Qt.WindowType.Popup):
            screen = top.screen() or QGuiApplication.primaryScreen()
            area = screen.geometry() if top.isFullScreen() else screen.availableGeometry()
            if not area.contains(top.frameGeometry()):
                problems.append(f"window {top.objectName() or type(top).__name__} at "
                                f"{_rect(top.frameGeometry())} is not within the screen's "
                                f"{'' if top.isFullScreen() else 'available '}area {_rect(area)}")
    seen: set[int] = set()
    for path in [*required, *flow]:
        try:
            found = resolve_all(path)
        except DriverError as exc:
            problems.append(str(exc))
            continue
        if not found and path in required:
            problems.append(f"{path} is not visible")
        for obj in found:
            if isinstance(obj, QWidget) and id(obj) not in seen:
                seen.add(id(obj))
                why = outside(obj)
                if why is not None:
                    problems.append(why)
    return problems


# -- acting like a user -------------------------------------------------------------------------
def _test() -> Any:
    from PySide6.QtTest import QTest

    return QTest


def _reachable(widget: QWidget, path: str) -> None:
    """A user can only act on a control they can see and that is enabled."""
    if not widget.isVisible():
        raise DriverError(f"{path} is not visible")
    if not widget.isEnabled():
        raise DriverError(f"{path} is disabled")
    why = outside(widget)
    if why is not None:
        raise DriverError(f"cannot reach {path}: {why}")


def click(path: str, *, button: str = "left", double: bool = False) -> None:
    obj = resolve(path)
    if isinstance(obj, QAction):
        if not obj.isEnabled():
            raise DriverError(f"{path} is disabled")
        obj.trigger()
        return
    assert isinstance(obj, QWidget)
    settle_layouts()
    _reachable(obj, path)
    which = {"left": Qt.MouseButton.LeftButton, "right": Qt.MouseButton.RightButton}[button]
    centre = obj.rect().center()
    if double:
        _test().mouseDClick(obj, which, Qt.KeyboardModifier.NoModifier, centre)
    else:
        _test().mouseClick(obj, which, Qt.KeyboardModifier.NoModifier, centre)


def _key_target(path: str | None) -> QWidget:
    if path:
        widget = _widget(path)
        _reachable(widget, path)
        return widget
    target = QApplication.activePopupWidget() or QApplication.focusWidget() or QApplication.activeWindow()
    if target is None:
        raise DriverError("no widget has the keyboard focus: name one")
    return target


def press(keys: str, path: str | None = None) -> str:
    """Press ``keys`` ("Return", "Down", "Ctrl+A", "Esc") in ``path`` or the focused widget."""
    sequence = QKeySequence(keys)
    if sequence.count() != 1:
        raise DriverError(f"not one key combination: {keys!r}")
    combination = sequence[0]
    target = _key_target(path)
    _test().keyClick(target, combination.key(), combination.keyboardModifiers())
    return target.objectName()


def type_text(path: str, text: str, *, replace: bool = False) -> None:
    """Click into the field (as a user does), then type; ``replace`` selects what is there first."""
    widget = _widget(path)
    _reachable(widget, path)
    if not widget.hasFocus():
        widget.setFocus(Qt.FocusReason.MouseFocusReason)
    Q = _test()
    if replace:
        Q.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        Q.keyClick(widget, Qt.Key.Key_Backspace)
    else:
        Q.keyClick(widget, Qt.Key.Key_End)
    Q.keyClicks(widget, text)


def choose(path: str, text: str) -> None:
    """Open the combo box's list and click the item whose text contains ``text``."""
    combo = _widget(path)
    if not isinstance(combo, QComboBox):
        raise DriverError(f"{path} is not a combo box")
    wanted = [i for i in range(combo.count()) if text in combo.itemText(i)]
    if not wanted:
        raise DriverError(f"{path} has no item containing {text!r}: {[combo.itemText(i) for i in range(combo.count())]}")
    click(path)  # opens the list (a popup: no nested event loop)
    view = combo.view()
    if not view.isVisible():
        raise DriverError(f"clicking {path} did not open its list")
    index = combo.model().index(wanted[0], combo.modelColumn())
    view.scrollTo(index)
    if not view.viewport().rect().contains(view.visualRect(index).center()):
        raise DriverError(f"item {combo.itemText(wanted[0])!r} of {path} is not in view in its list")
    # The pointer over the item makes it current; Enter takes it. (A click right after the list
    # opened would be ignored by Qt as the end of the opening click.)
    view.setCurrentIndex(index)
    _test().keyClick(view, Qt.Key.Key_Return)


def context_menu(path: str, row: int | None = None) -> None:
    """Right-click: a context-menu event at the widget's centre, or at ``row`` of an item view."""
    widget = _widget(path)
    _reachable(widget, path)
    target, pos = widget, widget.rect().center()
    if isinstance(widget, QAbstractItemView) and row is not None:
        model = widget.model()
        if model is None or not 0 <= row < model.rowCount():
            raise DriverError(f"{path} has no row {row}")
        target = widget.viewport()
        pos = widget.visualRect(model.index(row, 0)).center()
    QApplication.sendEvent(target, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, target.mapToGlobal(pos)))


def menu_click(action_name: str) -> None:
    """Click the action ``action_name`` in the open (popped-up) menu that holds it."""
    for menu in _roots():
        if isinstance(menu, QMenu) and menu.isVisible():
            for action in menu.actions():
                if action.objectName() == action_name:
                    if not action.isEnabled():
                        raise DriverError(f"{action_name} is disabled")
                    _test().mouseClick(menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                                       menu.actionGeometry(action).center())
                    return
    raise DriverError(f"no open menu has an action {action_name!r}")


# -- the server ---------------------------------------------------------------------------------
async def _soon(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` as a plain loop callback (not inside this task's step) and return its result."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def run() -> None:
        try:
            result = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting command
            if not future.done():
                future.set_exception(exc)
        else:
            if not future.done():
                future.set_result(result)

    loop.call_soon(run)
    return await future


class Driver:
    def __init__(self, window: Any, paths: Any) -> None:
        self.window = window
        self.paths = paths
        self.server: asyncio.AbstractServer | None = None
        self.flow: list[str] = []  # controls the test has acted on: checked whenever visible
        self._writers: set[asyncio.StreamWriter] = set()
        self.closing = False  # the window was closed: no wait can come true any more
        window.closeRequested.connect(lambda: setattr(self, "closing", True))

    # -- commands -------------------------------------------------------------------------------
    def _remember(self, path: str) -> None:
        if path not in self.flow and not path.startswith("@"):
            self.flow.append(path)

    def cmd_ping(self) -> str:
        return "pong"

    def cmd_status(self) -> dict[str, Any]:
        w = self.window
        services = getattr(w, "services", None)
        connection = getattr(services, "connection", None)
        return {
            "pid": os.getpid(),
            "data_dir": str(self.paths.data_dir),
            "config_dir": str(self.paths.config_dir),
            "services": services is not None,
            "mode": getattr(connection, "mode", None),
            "profile": getattr(connection, "profile", None),
            "built": bool(getattr(w, "built", False)),
            "unexpected": [f"{type(e).__name__}: {e}" for e in getattr(w, "unexpected", [])],
            "tasks": sorted(t.get_name() for t in w.tracker.pending),
            "title": w.windowTitle(),
            "status_message": w.statusBar().currentMessage(),
            "platform": QGuiApplication.platformName(),
        }

    def cmd_find(self, name: str) -> dict[str, Any] | None:
        obj = resolve(name, required=False)
        return describe(obj) if obj is not None else None

    def cmd_count(self, name: str) -> int:
        return len(resolve_all(name))

    def cmd_info(self, name: str) -> dict[str, Any]:
        obj = resolve(name)
        assert obj is not None
        return describe(obj)

    async def cmd_click(self, name: str, button: str = "left", double: bool = False) -> None:
        await _soon(lambda: click(name, button=button, double=double))
        self._remember(name)

    async def cmd_type(self, name: str, text: str, replace: bool = False) -> None:
        await _soon(lambda: type_text(name, text, replace=replace))
        self._remember(name)

    async def cmd_key(self, keys: str, name: str | None = None) -> str:
        if name is None and QApplication.activeWindow() is None and QApplication.activePopupWidget() is None:
            # Keys go where the keyboard is. With no window active (no window manager here to
            # give the keyboard back to the main window when another one, present mode, closed),
            # do what a window manager does.
            await self.cmd_activate()
        target = await _soon(lambda: press(keys, name))
        if name:
            self._remember(name)
        return target

    async def cmd_choose(self, name: str, text: str) -> None:
        await _soon(lambda: choose(name, text))
        self._remember(name)

    async def cmd_scroll_to(self, name: str) -> None:
        """Scroll every scroll area around ``name`` so that it is in view (as a user scrolls)."""
        def run() -> None:
            from PySide6.QtWidgets import QScrollArea

            widget = _widget(name)
            parent = widget.parentWidget()
            while parent is not None:
                if isinstance(parent, QScrollArea):
                    parent.ensureWidgetVisible(widget)
                parent = parent.parentWidget()
            settle_layouts()

        await _soon(run)

    async def cmd_context_menu(self, name: str, row: int | None = None) -> None:
        await _soon(lambda: context_menu(name, row))

    async def cmd_menu_click(self, action: str) -> None:
        await _soon(lambda: menu_click(action))

    async def cmd_activate(self, timeout: float = 5.0) -> bool:
        """What a window manager does for a new window: raise it and give it the keyboard."""
        def run() -> None:
            self.window.raise_()
            self.window.activateWindow()

        await _soon(run)
        deadline = time.monotonic() + timeout
        while not self.window.isActiveWindow() and time.monotonic() < deadline:
            await asyncio.sleep(POLL_S)
        return self.window.isActiveWindow()

    def cmd_clipboard(self) -> str:
        return QGuiApplication.clipboard().text()

    async def cmd_clear_clipboard(self) -> None:
        await _soon(lambda: QGuiApplication.clipboard().setText(""))

    def cmd_screen(self) -> dict[str, Any]:
        screen = self.window.screen() or QGuiApplication.primaryScreen()
        return {"name": screen.name(), "geometry": _rect(screen.geometry()),
                "available": _rect(screen.availableGeometry()), "dpr": screen.devicePixelRatio()}

    def cmd_window(self) -> dict[str, Any]:
        w = self.window
        return {"geometry": _rect(w.geometry()), "frame": _rect(w.frameGeometry()),
                "state": int(w.windowState().value), "active": w.isActiveWindow(), "visible": w.isVisible()}

    async def cmd_resize(self, width: int, height: int) -> list[int]:
        await _soon(lambda: self.window.resize(width, height))
        deadline = time.monotonic() + 5
        while self.window.size().width() != width and time.monotonic() < deadline:
            await asyncio.sleep(POLL_S)
        await _soon(settle_layouts)
        return _rect(self.window.geometry())

    async def cmd_screenshot(self, path: str, name: str | None = None, screen: bool = False) -> list[int]:
        def grab() -> list[int]:
            settle_layouts()
            if screen:
                shot = (self.window.screen() or QGuiApplication.primaryScreen()).grabWindow(0)
            else:
                widget = _widget(name) if name else self.window
                widget.repaint()
                shot = widget.grab()
            if not shot.save(path):
                raise DriverError(f"could not write {path}")
            return [shot.width(), shot.height()]

        return await _soon(grab)

    async def cmd_check(self, flow: list[str] | None = None, required: list[str] | None = None) -> list[str]:
        await asyncio.sleep(0)  # let posted events of the last action run first
        return await _soon(lambda: layout_problems(self.window, [*self.flow, *(flow or [])], list(required or [])))

    async def cmd_wait(self, conditions: list[dict[str, Any]], timeout: float = 20.0) -> list[Any]:
        """Poll until every condition holds (see :meth:`_holds`); fails after ``timeout`` seconds
        naming the ones that do not."""
        deadline = time.monotonic() + timeout
        while True:
            if self.closing:
                raise DriverError("the app is closing")
            states = [self._holds(c) for c in conditions]
            if all(ok for ok, _ in states):
                return [value for _, value in states]
            if time.monotonic() > deadline:
                failing = [f"{c} (now: {value})" for c, (ok, value) in zip(conditions, states) if not ok]
                raise DriverError(f"not within {timeout} s: " + "; ".join(failing))
            await asyncio.sleep(POLL_S)

    def _holds(self, c: dict[str, Any]) -> tuple[bool, Any]:
        if "idle" in c:  # no tracked task pending but those named in "ignore"
            pending = [t.get_name() for t in self.window.tracker.pending if t.get_name() not in c.get("ignore", ())]
            return not pending, pending
        if "status" in c:  # the status bar's message
            text = self.window.statusBar().currentMessage()
            return c["status"] in text, text
        if "clipboard" in c:
            text = QGuiApplication.clipboard().text()
            return c["clipboard"] in text, text
        name = c["name"]
        if "count" in c:
            n = len(resolve_all(name))
            return n >= c["count"], n
        obj = resolve(name, required=False)
        if "exists" in c:
            return (obj is not None) == c["exists"], obj is not None
        if "visible" in c and not c["visible"]:
            return obj is None, "visible" if obj is not None else "hidden"
        if obj is None:
            return False, "not visible"
        info = describe(obj)
        ok = True
        if "enabled" in c:
            ok &= info.get("enabled") == c["enabled"]
        if "focus" in c:
            ok &= info.get("focus") == c["focus"]
        text = info.get("text") or ""
        if "text_contains" in c:
            ok &= c["text_contains"] in text
        if "text_lacks" in c:
            ok &= c["text_lacks"] not in text
        if "text" in c:
            ok &= text == c["text"]
        if "rows" in c:
            ok &= info.get("rows", -1) >= c["rows"]
        return bool(ok), {k: info.get(k) for k in ("text", "enabled", "focus", "rows")}

    async def cmd_close(self) -> None:
        """Close the main window as the window manager's close button does."""
        def run() -> None:
            handle = self.window.windowHandle()
            if handle is not None:
                handle.close()
            else:
                self.window.close()

        await _soon(run)

    async def cmd_dark(self) -> None:
        """A dark desktop (screenshots): Fusion with a dark palette, as a dark system theme gives."""
        from app.ui.shell.test_dark import apply_dark_desktop

        await _soon(lambda: apply_dark_desktop(QApplication.instance()))

    # -- the socket -------------------------------------------------------------------------------
    async def start(self, path: str) -> None:
        folder = Path(path).parent
        info = folder.stat()
        if info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077:
            raise DriverError(f"{folder} must belong to this user and be closed to others (mode 0700)")
        old = os.umask(0o077)
        try:
            self.server = await asyncio.start_unix_server(self._serve, path=path)
        finally:
            os.umask(old)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while line := await reader.readline():
                reply = await self._answer(line)
                writer.write(json.dumps(reply).encode() + b"\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the test went away, or the app is closing: nothing more to answer
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _answer(self, line: bytes) -> dict[str, Any]:
        request: dict[str, Any] = {}
        try:
            request = json.loads(line)
            handler = getattr(self, f"cmd_{request['cmd']}", None)
            if handler is None:
                raise DriverError(f"unknown command {request['cmd']!r}")
            result = handler(**request.get("args", {}))
            if asyncio.iscoroutine(result):
                result = await result
            return {"id": request.get("id"), "ok": True, "result": result}
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the test
            return {"id": request.get("id"), "ok": False, "error": f"{type(exc).__name__}: {exc}"}

    async def aclose(self) -> None:
        """Stop listening and hang up on the test (it then sees the process exit)."""
        self.closing = True
        if self.server is not None:
            self.server.close()
        for writer in list(self._writers):
            writer.close()
        if self.server is not None:
            await self.server.wait_closed()


async def start_driver(path: str, window: Any, paths: Any) -> Driver | None:
    """Serve the driver on ``path``; None (said on stderr) if it cannot be started there."""
    driver = Driver(window, paths)
    try:
        await driver.start(path)
    except (OSError, DriverError) as exc:
        print(f"linkdesk: test driver not started: {exc}", file=sys.stderr, flush=True)
        return None
    return driver
