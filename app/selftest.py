"""``linkdesk --self-test``: prove that this installation works, without a screen or a network.

Each check prints one line (``ok`` or ``FAIL`` with the reason); the exit status is 0 when all
passed, 1 otherwise. It is what a frozen build, a pipx install or CI runs to see that nothing
was left out of the package:

* **imports**: every module of ``app`` imports (a module a frozen build forgot fails here);
* **qt**: Qt starts on the offscreen platform, and the platform plugins for a real screen on
  this system are present (``xcb``/``wayland``, ``windows``, ``cocoa``);
* **icon**: the window icon's PNGs load from the package;
* **qr**: a QR code is rendered offscreen and its matrix checked module by module (size, quiet
  zone, finder and timing patterns, the format information's BCH code, error correction M and
  the fixed mask) and against the rendered pixels. Nothing is decoded: no decoder ships;
* **history**: a throwaway history database is opened, written, read back and closed;
* **sandbox**: the built-in sandbox starts on a loopback port, the real Stripe client makes one
  Account Link against it, and the sandbox stops. The link's URL is never printed;
* **keyring**: the platform's keyring backend imports (SecretService, macOS, Windows) and which
  backend answers; no keyring service running is reported, not failed (it depends on the session).

Nothing here touches the user's data folder or settings, reads or writes a keyring entry, or
uses the network beyond 127.0.0.1.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import tempfile
import time
import traceback
from typing import Callable, Sequence, TextIO

#: Modules that run something when imported (``python -m`` entry points): never imported here.
SKIP_MODULES = frozenset({"app.__main__", "app.sandbox.__main__"})
# The end-to-end tests' driver (loaded only when LINKDESK_TEST_DRIVER is set): frozen builds
# leave it out, so an installation is not judged by it.
SKIP_PACKAGES = ("app.testing",)

_FORMAT_MASK = 0x5412  # ISO/IEC 18004 §7.9: XOR applied to the 15 format bits
_FORMAT_GENERATOR = 0x537  # the (15, 5) BCH code's generator polynomial
_EC_LEVEL_M = 0b00  # the format bits of error correction M


class SelfTestFailure(Exception):
    """A check's plain-words reason for failing."""


def app_modules() -> list[str]:
    """Every module name under the ``app`` package (sub-packages included), sorted."""
    import app

    names = {"app"}
    for info in pkgutil.walk_packages(app.__path__, prefix="app."):
        names.add(info.name)
    return sorted(name for name in names - SKIP_MODULES
                  if not any(name == p or name.startswith(p + ".") for p in SKIP_PACKAGES))


def check_imports() -> str:
    names = app_modules()
    failed = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - reported, with the module's name
            failed.append(f"{name} ({type(exc).__name__}: {exc})")
    if failed:
        raise SelfTestFailure("cannot import " + "; ".join(failed))
    if len(names) < 10:  # a package whose modules the walk cannot see (a broken freeze)
        raise SelfTestFailure(f"only {len(names)} modules found in the app package")
    return f"{len(names)} modules of app"


def _gui_app():
    """The process's QGuiApplication, created on the offscreen platform if there is none."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        # -platform wins over QT_QPA_PLATFORM: the self-test never needs (or opens) a screen.
        app = QGuiApplication([sys.argv[0] if sys.argv else "linkdesk", "-platform", "offscreen"])
    return app


def _screen_plugins() -> tuple[str, ...]:
    if sys.platform.startswith("win"):
        return ("windows",)
    if sys.platform == "darwin":
        return ("cocoa",)
    return ("xcb", "wayland")


def check_qt() -> str:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QDir, QLibraryInfo

    app = _gui_app()
    folder = QDir(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath) + "/platforms")
    plugins = sorted(
        name.split(".")[0].removeprefix("libq").removeprefix("q")
        for name in folder.entryList(QDir.Filter.Files)
    )
    wanted = _screen_plugins()
    if not any(any(p == w or p.startswith(w) for p in plugins) for w in wanted):
        raise SelfTestFailure(
            f"no Qt platform plugin for a screen ({' or '.join(wanted)}) in {len(plugins)} found: "
            f"{', '.join(plugins) or 'none'}"
        )
    return f"PySide6 {pyside_version}, platform {app.platformName()}; plugins: {', '.join(plugins)}"


def check_icon() -> str:
    from PySide6.QtGui import QImage

    from app.icons import SIZES, icon_files

    _gui_app()
    found = icon_files()
    if [size for size, _ in found] != list(SIZES):
        raise SelfTestFailure(f"icon sizes {[s for s, _ in found]} in the package, expected {list(SIZES)}")
    for size, path in found:
        image = QImage.fromData(path.read_bytes())
        if image.width() != size or image.height() != size:
            raise SelfTestFailure(f"linkdesk-{size}.png is {image.width()}×{image.height()}")
    return f"{len(found)} sizes, {SIZES[0]}–{SIZES[-1]} px"


def _format_bits(matrix: "Sequence[Sequence[int]]", q: int, n: int) -> tuple[int, int]:
    """The two copies of the 15 format bits (bit 14 first), read as ISO/IEC 18004 places them."""

    def at(row: int, col: int) -> int:
        return int(matrix[q + row][q + col])

    first_positions = [(8, c) for c in range(6)] + [(8, 7), (8, 8), (7, 8)] + [(r, 8) for r in range(5, -1, -1)]
    second_positions = [(n - 1 - i, 8) for i in range(7)] + [(8, n - 8 + i) for i in range(8)]
    # first_positions lists bits 14 … 0; second_positions lists bits 14 … 0 as well.
    first = second = 0
    for (r1, c1), (r2, c2) in zip(first_positions, second_positions):
        first = (first << 1) | at(r1, c1)
        second = (second << 1) | at(r2, c2)
    return first, second


def check_qr_matrix(matrix: "Sequence[Sequence[int]]", quiet: int) -> str:
    """Raise SelfTestFailure unless ``matrix`` is a well-formed QR code symbol (M, mask 0)."""
    total = len(matrix)
    n = total - 2 * quiet
    if any(len(row) != total for row in matrix) or n < 21 or n > 177 or (n - 17) % 4:
        raise SelfTestFailure(f"a {total}-module matrix is not a QR code size")
    version = (n - 17) // 4

    def dark(row: int, col: int) -> bool:
        return matrix[quiet + row][quiet + col]

    for i in range(total):
        for j in range(total):
            inside = quiet <= i < quiet + n and quiet <= j < quiet + n
            if not inside and matrix[i][j]:
                raise SelfTestFailure("the quiet zone has a dark module")
    for top, left in ((0, 0), (0, n - 7), (n - 7, 0)):
        for r in range(7):
            for c in range(7):
                ring = max(abs(r - 3), abs(c - 3))
                if dark(top + r, left + c) != (ring != 2):
                    raise SelfTestFailure(f"the finder pattern at ({top}, {left}) is wrong")
    for k in range(8, n - 8):
        if dark(6, k) != (k % 2 == 0) or dark(k, 6) != (k % 2 == 0):
            raise SelfTestFailure("a timing pattern is wrong")
    if not dark(n - 8, 8):
        raise SelfTestFailure("the dark module is missing")
    first, second = _format_bits(matrix, quiet, n)
    if first != second:
        raise SelfTestFailure("the two copies of the format information differ")
    bits = first ^ _FORMAT_MASK
    data, remainder = bits >> 10, bits & 0x3FF
    check = data
    for _ in range(10):
        check = (check << 1) ^ ((check >> 9) * _FORMAT_GENERATOR)
    if check & 0x3FF != remainder:
        raise SelfTestFailure("the format information fails its BCH check")
    level, mask = data >> 3, data & 0b111
    if level != _EC_LEVEL_M or mask != 0:
        raise SelfTestFailure(f"format says level bits {level:02b}, mask {mask}; expected M (00), mask 0")
    return f"version {version}, {n}×{n} modules, error correction M, mask 0"


def check_qr() -> str:
    from app.ui.links.qr import QUIET_ZONE, qr_image, qr_matrix

    _gui_app()
    text = "https://connect.stripe.com/setup/s/acct_1LdSelfTest0001/selftest"
    matrix = qr_matrix(text)
    summary = check_qr_matrix(matrix, QUIET_ZONE)
    module = 4
    image = qr_image(text, module)
    if image.width() != len(matrix) * module:
        raise SelfTestFailure(f"the image is {image.width()} px wide for {len(matrix)} modules of {module} px")
    for y, row in enumerate(matrix):
        for x, is_dark in enumerate(row):
            pixel = image.pixelColor(x * module + module // 2, y * module + module // 2)
            if (pixel.lightness() < 128) != is_dark:
                raise SelfTestFailure(f"rendered module ({x}, {y}) does not match the matrix")
    return f"rendered offscreen and checked: {summary}"


def check_history() -> str:
    from app.clock import SystemClock
    from app.history.entry import HistoryEntry
    from app.history.store import HistoryStore
    from app.stripe.models import AccountLink
    from app.stripe.validation import LinkRequest

    clock = SystemClock()
    with tempfile.TemporaryDirectory(prefix="linkdesk-selftest-") as folder:
        store = HistoryStore.open(folder, clock=clock, store_urls=False)
        try:
            now = int(clock.time())
            request = LinkRequest("acct_1LdSelfTest0001", "account_onboarding",
                                  "https://example.com/reauth", "https://example.com/return")
            link = AccountLink(url="https://example.com/not-a-link", created=now, expires_at=now + 300)
            store.record(HistoryEntry.for_link(request, link, clock=clock, mode="test"))
            count = store.count()
        finally:
            store.close()
        if count != 1:
            raise SelfTestFailure(f"wrote one entry, read back {count}")
    return "a throwaway database opened, one entry written and read back, closed"


def check_sandbox() -> str:
    import asyncio

    from app.clock import SystemClock
    from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY, SandboxServer
    from app.stripe.client import StripeClient
    from app.stripe.keys import ApiKey
    from app.stripe.validation import LinkRequest

    clock = SystemClock()
    server = SandboxServer(clock=clock.time).start()
    try:
        async def one_link():
            async with StripeClient(ApiKey(DEMO_API_KEY), api_base=server.url, clock=clock) as client:
                request = LinkRequest(DEMO_ACCOUNTS["custom_due"], "account_onboarding",
                                      "https://example.com/reauth", "https://example.com/return")
                return await client.create_account_link(request.validated(live=False))

        started = time.perf_counter()
        link = asyncio.run(one_link())
        took = (time.perf_counter() - started) * 1000
    finally:
        server.stop()
    if not link.url.startswith("https://") or link.expires_at <= link.created:
        raise SelfTestFailure("the sandbox answered with a malformed link")
    return (f"sandbox started and stopped; one link made by the Stripe client in {took:.0f} ms "
            f"(expires in {link.expires_at - link.created} s, request id {link.request_id})")


#: The keyring backend module each platform relies on (packaging/linkdesk.spec bundles it).
KEYRING_BACKEND = {
    "linux": "keyring.backends.SecretService",
    "darwin": "keyring.backends.macOS",
    "win32": "keyring.backends.Windows",
}


def check_keyring() -> str:
    """The platform's keyring backend imports (a packaging fault fails here); whether a keyring
    service is running is reported, not failed: that depends on the session, not the install."""
    import logging

    class Collect(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.ERROR)
            self.messages: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.messages.append(record.getMessage())

    # keyring logs (not raises) a backend it cannot load: a module a frozen build left out.
    collect = Collect()
    log = logging.getLogger("keyring")
    log.addHandler(collect)
    propagate, log.propagate = log.propagate, False
    try:
        import keyring
        from keyring.backends import fail

        module = KEYRING_BACKEND.get(sys.platform)
        if module is not None:
            importlib.import_module(module)
        backend = keyring.get_keyring()
    finally:
        log.removeHandler(collect)
        log.propagate = propagate
    if collect.messages:
        raise SelfTestFailure("; ".join(collect.messages))
    if isinstance(backend, fail.Keyring):
        return (f"{module or 'no backend for ' + sys.platform} is installed; no keyring service answers "
                "in this session (keys can still come from STRIPE_API_KEY)")
    return f"backend {type(backend).__module__}.{type(backend).__name__}"


CHECKS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("imports", check_imports),
    ("qt", check_qt),
    ("icon", check_icon),
    ("qr", check_qr),
    ("history", check_history),
    ("sandbox", check_sandbox),
    ("keyring", check_keyring),
)


def run_self_test(out: TextIO | None = None, checks: tuple[tuple[str, Callable[[], str]], ...] = CHECKS) -> int:
    """Run ``checks`` (all of them by default), print one line each, and return the exit status
    (0 all passed, 1 not)."""
    out = out or sys.stdout
    from app import __version__

    frozen = " (frozen)" if getattr(sys, "frozen", False) else ""
    print(f"linkdesk {__version__} self-test{frozen}: Python {sys.version.split()[0]} on {sys.platform}", file=out)
    failed = []
    for name, check in checks:
        started = time.perf_counter()
        try:
            detail = check()
        except SelfTestFailure as exc:
            failed.append(name)
            print(f"FAIL {name}: {exc}", file=out)
            continue
        except Exception as exc:  # noqa: BLE001 - any crash is a failed check, shown whole
            failed.append(name)
            last = traceback.extract_tb(exc.__traceback__)[-1]
            print(f"FAIL {name}: {type(exc).__name__}: {exc} "
                  f"(at {os.path.basename(last.filename)}:{last.lineno})", file=out)
            continue
        print(f"ok   {name}: {detail} [{(time.perf_counter() - started) * 1000:.0f} ms]", file=out)
    if failed:
        print(f"self-test FAILED: {len(failed)} of {len(checks)} checks ({', '.join(failed)})", file=out)
        return 1
    print(f"self-test passed: {len(checks)} checks", file=out)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_self_test())
