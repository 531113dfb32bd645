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

Widgets are found by ``objectName`` (:mod:`app.testing.widgets`): ``"createButton"``; a path
``"linkCard[0]/copyButton"`` (each step among the previous step's descendants; ``[n]`` picks the
n-th visible match in reading order, top to bottom then left to right, ``[-1]`` the last);
``"@Delete all"`` a button by its text; ``":QLineEdit"`` a widget by its class (Qt's own unnamed
parts: ``"historyNoteDialog/:QLineEdit"``). Several visible matches without an index is an
error: a test says which one it means.

:mod:`app.testing.checks` is what every end-to-end step checks: an unexpected error, a clipped
word-wrapped label, a window bigger than its screen, a control of the flow outside the screen,
its window or a scroll area's visible part. :mod:`app.testing.actions` acts as a user does.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
import time
from pathlib import Path
from typing import Any, Callable

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app.testing.actions import choose, click, context_menu, menu_click, press, type_text
from app.testing.checks import layout_problems, settle_layouts
from app.testing.widgets import DriverError, describe, find_widget, rect_list, resolve, resolve_all

POLL_S = 0.02


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

            widget = find_widget(name)
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
        return {"name": screen.name(), "geometry": rect_list(screen.geometry()),
                "available": rect_list(screen.availableGeometry()), "dpr": screen.devicePixelRatio()}

    def cmd_window(self) -> dict[str, Any]:
        w = self.window
        return {"geometry": rect_list(w.geometry()), "frame": rect_list(w.frameGeometry()),
                "state": int(w.windowState().value), "active": w.isActiveWindow(), "visible": w.isVisible()}

    async def cmd_resize(self, width: int, height: int) -> list[int]:
        await _soon(lambda: self.window.resize(width, height))
        deadline = time.monotonic() + 5
        while self.window.size().width() != width and time.monotonic() < deadline:
            await asyncio.sleep(POLL_S)
        await _soon(settle_layouts)
        return rect_list(self.window.geometry())

    async def cmd_screenshot(self, path: str, name: str | None = None, screen: bool = False) -> list[int]:
        def grab() -> list[int]:
            settle_layouts()
            if screen:
                shot = (self.window.screen() or QGuiApplication.primaryScreen()).grabWindow(0)
            else:
                widget = find_widget(name) if name else self.window
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
        from app.testing.dark import apply_dark_desktop

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
