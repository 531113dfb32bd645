"""End-to-end tests: the real ``linkdesk-gui`` in a subprocess, driven through its test driver.

Every test runs once per platform: ``offscreen`` (always; its screen is 1366×768, set through
the offscreen plugin's JSON configuration) and ``x11`` (on Xvfb at 1366×768 through
``xvfb-run``; skipped where xvfb-run is not installed: CI installs it). See e2e_app.py for what
every step checks.
"""

from __future__ import annotations

import shutil

import pytest

from e2e_app import RunningApp

PLATFORMS = ("offscreen", "x11")


@pytest.fixture(params=PLATFORMS)
def platform(request) -> str:
    if request.param == "x11" and shutil.which("xvfb-run") is None:
        pytest.skip("xvfb-run is not installed, so the X11 run cannot start (apt-get install xvfb xauth)")
    return request.param


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_passed = report.passed
    return report


@pytest.fixture
def launch(platform, tmp_path, request):
    """``launch(args=(...), env={...}, screen=(w, h))`` starts the app (a fresh home each time, unless
    ``workdir`` names an earlier one) and returns its :class:`RunningApp`. Whatever a test
    leaves running is killed at the end, and the test fails for it."""
    started: list[RunningApp] = []

    def start(*, args: tuple[str, ...] = (), env: dict[str, str] | None = None,
              screen: tuple[int, int] | None = None, workdir=None) -> RunningApp:
        folder = workdir or tmp_path / f"run{len(started)}"
        folder.mkdir(exist_ok=True)
        app = RunningApp.start(folder, platform, tuple(args), env, **({"screen": screen} if screen else {}))
        started.append(app)
        return app

    yield start
    left = [app for app in started if app.proc.poll() is None]
    for app in left:
        app.kill()
    if getattr(request.node, "e2e_passed", False):
        assert not left, "the test left the app running (it must end with close(), terminate() or a quit)"


@pytest.fixture
def sandbox():
    """A sandbox of the test's own (real HTTP on 127.0.0.1), for runs that need faults or
    changes the app's built-in sandbox cannot be asked for. The app reaches it with
    ``--api-base sandbox.url`` and ``STRIPE_API_KEY`` = the demo key (e2e_app.sandbox_options)."""
    from app.sandbox import SandboxServer

    server = SandboxServer().start()
    yield server
    server.stop()

