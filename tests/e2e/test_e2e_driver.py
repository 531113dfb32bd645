"""The test driver is no side door: without LINKDESK_TEST_DRIVER nothing of it is imported or
listening, and it refuses a socket folder other users could reach."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from e2e_app import offscreen_platform, user_environment

pytestmark = pytest.mark.slow

# The real window, closed by its own hook 300 ms after start; then which modules were loaded.
RUN = textwrap.dedent("""
    import sys
    from app.cli import gui_main
    status = gui_main([])
    print("driver loaded" if any(m.startswith("app.testing") for m in sys.modules) else "driver not loaded")
    print("QtTest loaded" if "PySide6.QtTest" in sys.modules else "QtTest not loaded")
    raise SystemExit(status)
""")


def run_window(tmp_path, **extra: str) -> subprocess.CompletedProcess:
    env = user_environment(tmp_path / "home", {"QT_QPA_PLATFORM": offscreen_platform(tmp_path),
                                               "LINKDESK_TEST_CLOSE_AFTER_MS": "300", **extra})
    return subprocess.run([sys.executable, "-c", RUN], env=env, capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)


def test_without_the_variable_nothing_of_the_driver_is_loaded(tmp_path):
    done = run_window(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["driver not loaded", "QtTest not loaded"]


def test_a_socket_in_a_folder_others_can_enter_is_refused(tmp_path):
    folder = tmp_path / "open"
    folder.mkdir()
    os.chmod(folder, 0o755)
    socket_path = folder / "driver.sock"
    done = run_window(tmp_path, LINKDESK_TEST_DRIVER=str(socket_path))
    assert done.returncode == 0, done.stderr
    assert "test driver not started" in done.stderr and "mode 0700" in done.stderr
    assert not socket_path.exists()


def test_with_a_private_folder_the_driver_answers(tmp_path, launch):
    app = launch()
    assert app.call("ping") == "pong"
    assert app.status()["data_dir"].startswith(str(tmp_path))  # the throwaway home, never the real one
    app.close()
