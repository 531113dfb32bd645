"""The window started on a data folder it cannot use, or on a chosen one: a real process,
offscreen, closed by its test hook. No traceback, and its files stay private and in the
chosen folder."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def start_window(*args: str, close_after_ms: int = 400) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LINKDESK_TEST_CLOSE_AFTER_MS=str(close_after_ms),
               PYTHONPATH=str(REPO))
    env.pop("LINKDESK_DATA_DIR", None)
    return subprocess.run([sys.executable, "-m", "app", *args], env=env, capture_output=True, text=True,
                          timeout=60, cwd=REPO)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_data_folder_that_cannot_be_created_opens_the_window_with_a_message_not_a_crash(tmp_path):
    proc = start_window("--data-dir", "/proc/linkdesk-test")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert not Path("/proc/linkdesk-test").exists()


def test_a_file_where_the_data_folder_should_be(tmp_path):
    squatter = tmp_path / "data"
    squatter.write_text("mine")
    proc = start_window("--data-dir", str(squatter))
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert squatter.read_text() == "mine"


def test_a_chosen_data_folder_holds_the_settings_file_private(tmp_path):
    data = tmp_path / "data"
    old = os.umask(0o022)
    try:
        proc = start_window("--data-dir", str(data), close_after_ms=1500)
    finally:
        os.umask(old)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    settings = data / "linkdesk.ini"
    assert settings.is_file() and stat.S_IMODE(settings.stat().st_mode) == 0o600
    assert not list((tmp_path / "home").rglob("linkdesk.ini"))  # nothing left in ~/.config
    assert {p.name: stat.S_IMODE(p.stat().st_mode) & 0o077 for p in data.iterdir()} == {
        p.name: 0 for p in data.iterdir()}
