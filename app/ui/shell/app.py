"""Start and stop the window: QApplication, the qasync loop, services, and a clean exit.

Start-up order is chosen for speed: the window is built and shown first; httpx, the Stripe
client, the sandbox and the history database are imported and started only after its first
paint. Shutdown follows the recipe in qt-facts.md: the app does not quit when the last window
closes; ``closeEvent`` sets an asyncio.Event the main coroutine awaits; the coroutine then
cancels and awaits every tracked task, closes the services and returns. Closing with requests
in flight therefore exits 0 with no traceback and no "Task was destroyed" warning.

Unexpected errors (a slot raising, a task failing) go to one place: ``sys.excepthook`` and the
loop's exception handler show them in the window's error banner and write the traceback to
``linkdesk.log`` in the data folder, never to the operator's face.

Test and benchmark hooks (environment variables, all optional):

* ``LINKDESK_TEST_CLOSE_AFTER_MS=N`` closes the window N ms after the services are attached;
* ``LINKDESK_TEST_LOOKUP=acct_…`` starts looking that account up as soon as possible
  (with a slow sandbox and the close hook: a request in flight at close);
* ``LINKDESK_TEST_DRIVER=<socket path>`` serves the end-to-end tests' driver on that Unix socket
  (:mod:`app.testing.driver`; its folder must be the user's own, mode 0700). Unset, the
  driver is neither imported nor listening;
* ``LINKDESK_REPORT_SHOWN=1`` prints ``shown <time.monotonic()> cpu <time.process_time()>`` on
  the window's first paint (bench/ui_latency.py, bench/startup.py), ``ready …`` on its contents'
  first paint, and ``typable …`` when the event loop has delivered a key to the account field
  (enabled, with the focus): the form ready to type into (:class:`_ReadyToType`).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

from app.icons import DESKTOP_ID, icon_files
from app.paths import AppPaths, StorageError, ensure_private_dir, private_file

if TYPE_CHECKING:  # asyncio, logging, qasync and the services load after the first paint
    import asyncio

    from PySide6.QtGui import QIcon

    from app.ui.shell.main_window import MainWindow

CLOSE_AFTER_ENV = "LINKDESK_TEST_CLOSE_AFTER_MS"
LOOKUP_ENV = "LINKDESK_TEST_LOOKUP"
REPORT_SHOWN_ENV = "LINKDESK_REPORT_SHOWN"
TEST_DRIVER_ENV = "LINKDESK_TEST_DRIVER"
LOG_FILE = "linkdesk.log"


class GuiOptions(NamedTuple):
    """What the window needs from the command line (an argparse Namespace works as well).
    (Not a dataclass: dataclasses is not imported before the first paint.)"""

    data_dir: str | None = None
    api_base: str | None = None
    sandbox: bool = False


def _setup_logging(paths: AppPaths) -> None:
    """Errors go to ``linkdesk.log`` in the data folder (opened on the first error only)."""
    import logging

    from app.private_log import PrivateFileHandler
    from app.redact import RedactingFormatter

    log = logging.getLogger("linkdesk")
    if any(getattr(h, "_linkdesk", False) for h in log.handlers):
        return
    try:
        ensure_private_dir(paths.data_dir)
    except StorageError:
        return  # the window says why the data folder cannot be used; nothing to log into
    handler = PrivateFileHandler(paths.data_dir / LOG_FILE, delay=True, encoding="utf-8")  # mode 0600
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._linkdesk = True  # type: ignore[attr-defined]
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def install_error_hooks(window: "MainWindow", loop: asyncio.AbstractEventLoop) -> None:
    """Show unexpected exceptions in the window (and log them) instead of printing tracebacks."""

    def excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            window.close()
            return
        window.report_unexpected(exc.with_traceback(tb))

    def loop_handler(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            window.report_unexpected(exc)
        else:
            import logging

            logging.getLogger("linkdesk").error("Event loop: %s", context.get("message", "unknown problem"))

    sys.excepthook = excepthook
    loop.set_exception_handler(loop_handler)


class _FirstPaint:
    """Resolves a future (and optionally prints the time) on the window's first paint."""

    def __init__(self, window: Any, report: bool, label: str = "shown") -> None:
        from PySide6.QtCore import QObject

        class Filter(QObject):
            def eventFilter(inner, obj: Any, event: Any) -> bool:  # noqa: N805
                from PySide6.QtCore import QEvent

                if event.type() == QEvent.Type.Paint:
                    self.fire()
                return False

        self.window = window
        self.report = report
        self.label = label
        self.done = False
        self.future: asyncio.Future[None] | None = None
        self.filter = Filter()
        window.installEventFilter(self.filter)

    def fire(self) -> None:
        if self.done:
            return
        self.done = True
        if self.report:
            print(f"{self.label} {time.monotonic():.6f} cpu {time.process_time():.6f}", flush=True)
        self.window.removeEventFilter(self.filter)
        if self.future is not None and not self.future.done():
            self.future.set_result(None)

    async def wait(self, timeout: float = 1.0) -> None:
        import asyncio

        if self.done:
            return
        self.future = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait_for(self.future, timeout)
        except asyncio.TimeoutError:
            pass  # no paint (hidden, minimised): go on


class _ReadyToType:
    """bench/startup.py's headline: the form ready to type into. Once the contents are painted,
    a key press (a key that types nothing) is posted to the account field; when the event loop
    delivers it and the field is enabled and has the keyboard focus, prints ``typable <time>
    cpu <time>`` and swallows the key. Installed with ``LINKDESK_REPORT_SHOWN=1`` only."""

    def __init__(self, field: Any) -> None:
        from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
        from PySide6.QtGui import QKeyEvent

        key = Qt.Key.Key_F35

        class Filter(QObject):
            def eventFilter(inner, obj: Any, event: Any) -> bool:  # noqa: N805
                if event.type() != QEvent.Type.KeyPress or event.key() != key:
                    return False
                if field.isEnabled() and field.hasFocus():
                    print(f"typable {time.monotonic():.6f} cpu {time.process_time():.6f}", flush=True)
                else:
                    print(f"not typable: enabled {field.isEnabled()}, focus {field.hasFocus()}", flush=True)
                field.removeEventFilter(inner)
                return True

        self.filter = Filter()
        field.installEventFilter(self.filter)
        QCoreApplication.postEvent(field, QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier))


async def _main(window: "MainWindow", options: Any, first_paint: _FirstPaint, paths: AppPaths,
                storage_problem: StorageError | None = None) -> int:
    import asyncio

    from app.collector import OwnedCollector
    from app.stripe.errors import LinkdeskError, ValidationError

    from app.ui.common.tasks import install_asyncgen_finalizer

    loop = asyncio.get_running_loop()
    # Garbage is collected on this (the Qt) thread only: a collection on the sandbox's or the
    # history's threads would destroy Qt objects there (app/collector.py).
    collector = OwnedCollector().start()
    collector.run_on(loop)
    install_error_hooks(window, loop)
    install_asyncgen_finalizer(loop)  # qasync's run_forever does not, unlike asyncio's
    closed = asyncio.Event()
    window.closeRequested.connect(closed.set)
    if not window.isVisible():  # closed during the first paint, before this was connected
        closed.set()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, window.close)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    await first_paint.wait()
    await asyncio.sleep(0)  # the loop takes what was typed meanwhile before the services load
    # importlib.resources costs ~5-10 ms, and the window manager takes the icon (_NET_WM_ICON)
    # whenever it is set; on Wayland it comes from the desktop entry.
    from PySide6.QtWidgets import QApplication

    QApplication.setWindowIcon(_window_icon())
    _setup_logging(paths)
    driver = None
    if os.environ.get(TEST_DRIVER_ENV):  # the end-to-end tests only
        try:
            from app.testing.driver import start_driver
        except ImportError:  # a frozen build leaves the driver out (packaging/linkdesk.spec)
            import logging

            logging.getLogger("linkdesk").warning("%s is set, but this build has no test driver", TEST_DRIVER_ENV)
        else:
            driver = await start_driver(os.environ[TEST_DRIVER_ENV], window, paths)
    services = None
    if storage_problem is None:
        try:
            ensure_private_dir(paths.data_dir)
        except StorageError as exc:
            storage_problem = exc
    try:
        if storage_problem is not None:  # no history could be kept: no link may be made
            window.account_panel.setEnabled(False)
            window.show_message("Linkdesk cannot use its data folder.", f"{storage_problem} Nothing was sent.")
            _test_hooks(window)
            await closed.wait()
            return 0
        from app.services import build_services

        from app.profiles.model import ProfileError

        try:
            try:
                services = build_services(data_dir=getattr(options, "data_dir", None),
                                          api_base=getattr(options, "api_base", None),
                                          use_sandbox=bool(getattr(options, "sandbox", False)),
                                          profile=getattr(options, "profile", None),
                                          accounts_api=getattr(options, "accounts_api", None))
            except ProfileError as exc:  # unknown profile, key gone, keyring locked: open on the
                # Sandbox so the operator can pick another profile or enter the key again
                services = build_services(data_dir=getattr(options, "data_dir", None), use_sandbox=True)
                window.show_message("The chosen profile cannot be used; the window opened on the Sandbox.",
                                    str(exc))
        except ValidationError as exc:
            window.show_message(
                f"Linkdesk cannot connect: {exc.message}",
                "Check STRIPE_API_KEY and --api-base, then start Linkdesk again. Nothing was sent.",
            )
        except (LinkdeskError, OSError) as exc:
            window.show_message("Linkdesk cannot connect.", str(exc))
        else:
            window.attach_services(services)
        if window.services is None:  # no connection: nothing to look up with
            window.account_panel.setEnabled(False)
        freeze_startup_objects()
        _test_hooks(window)
        await closed.wait()
    finally:
        await window.shutdown()
        if services is not None:
            await services.aclose()
        if driver is not None:
            await driver.aclose()
        collector.stop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.remove_signal_handler(signum)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
    return 0


def freeze_startup_objects() -> None:
    """Move everything built at start-up out of the garbage collector's sight.

    Tens of thousands of long-lived objects (Qt wrappers, modules) would otherwise be walked by
    every full collection: a 15-20 ms freeze of the Qt thread at a random moment.
    """
    import gc

    gc.freeze()


def _test_hooks(window: "MainWindow") -> None:
    from PySide6.QtCore import QTimer

    account = os.environ.get(LOOKUP_ENV)
    if account and window.services is not None:
        window.account_panel.set_account_text(account)
        window.request_lookup()
    close_after = os.environ.get(CLOSE_AFTER_ENV, "")
    if close_after.isdigit():
        QTimer.singleShot(int(close_after), window.close)


def _window_icon() -> "QIcon":
    """The app icon from the package's PNGs, one per size (rendered from resources/linkdesk.svg).

    With each size given, Qt reads a PNG only when that size is first drawn.
    """
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for size, path in icon_files():
        icon.addFile(str(path), QSize(size, size))
    return icon


def run_gui(options: Any = None) -> int:
    """Run the window until it is closed; returns the exit status (0).

    ``options`` has ``data_dir``, ``api_base`` and ``sandbox`` (:class:`GuiOptions` or the
    command line's argparse Namespace); None means all defaults.
    """
    import gc

    # No automatic collection during start-up: it would walk the tens of thousands of new,
    # long-lived objects (PySide6's types and enums, the widgets) again and again, for almost no
    # garbage: ~10% of the start-up's CPU. _main hands collection to the OwnedCollector, and
    # freezes what start-up built; automatic collection is given back on exit.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run_gui(options)
    finally:
        if collecting:
            gc.enable()


def _run_gui(options: Any) -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    options = options or GuiOptions()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Linkdesk")
    app.setOrganizationName("Linkdesk")
    # The desktop entry's name (packaging/io.github.linkdesk.Linkdesk.desktop): the Wayland app
    # id, so the compositor finds the entry's name and icon for this window.
    app.setDesktopFileName(DESKTOP_ID)
    app.setQuitOnLastWindowClosed(False)
    paths = AppPaths.resolve(getattr(options, "data_dir", None))
    storage_problem: StorageError | None = None
    try:  # with --data-dir the settings live in that folder (AppPaths), readable by the owner only
        ensure_private_dir(paths.config_dir)
        private_file(paths.settings_file, "the window's settings file")
    except StorageError as exc:
        storage_problem = exc  # shown in the window once it is up; nothing is written there
    settings = QSettings(str(paths.settings_file), QSettings.Format.IniFormat)

    from app.ui.shell.main_window import MainWindow

    # The frame first (title, size, position), painted before its contents' modules and Qt
    # classes load: the window is on screen while they do. Nothing can act on it meanwhile:
    # build() runs right after this first paint, before the event loop (qasync) starts.
    window = MainWindow(settings=settings, deferred=True)
    report = os.environ.get(REPORT_SHOWN_ENV) == "1"
    first_paint = _FirstPaint(window, report=report)
    window.show()
    app.processEvents()
    from app.ui.common.theme import install_accessible_palette

    install_accessible_palette(app)  # AA text colours, light or dark, kept when the theme changes
    from app.ui.common.focus_ring import install_focus_ring

    install_focus_ring(app)  # a 2 px AA ring around the keyboard focus
    window.build()
    ready = _FirstPaint(window.centralWidget(), report=report, label="ready")
    # Paint the contents now, before qasync, asyncio and the services are imported: the
    # operator sees the form while the rest loads.
    app.processEvents()
    ready.fire()  # (if the contents were not painted, e.g. a minimised window: not waited for)
    if report:
        probe = _ReadyToType(window.account_panel.input)  # noqa: F841 (kept alive until delivered)
    import qasync

    previous_hook = sys.excepthook
    try:
        return int(qasync.run(_main(window, options, first_paint, paths, storage_problem)))
    finally:
        sys.excepthook = previous_hook
        settings.sync()
