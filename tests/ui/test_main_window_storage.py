"""The window on a data folder whose disk fills up: Create is refused before anything is sent,
with a message naming the history file (a real tmpfs of 1 MB; root only, skipped otherwise)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from mainwindow_helpers import find

pytestmark = pytest.mark.slow


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs mounted where the window's data folder goes (set up before the window)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a real full file system needs root and mount(8)")
    disk = tmp_path / "data"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield disk
    if subprocess.run(["umount", str(disk)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def fill(disk) -> None:
    with open(disk / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass


async def test_a_full_disk_refuses_create_before_sending(small_disk, window, accounts, services, transport):
    assert services.history.path.parent == small_disk  # the window's history is on the small disk
    fill(small_disk)
    try:
        find(window, "accountInput").setText(accounts["custom_due"])
        assert await window.create_link() is None
        assert transport.posts() == []  # nothing was sent to Stripe
        banner = find(window, "errorBanner")
        assert banner.isVisible() and "disk is full" in window.banner.details.text()
        assert "no link was requested" in window.banner.message.text()
        assert window.links.cards() == []
    finally:
        (small_disk / "filler").unlink()
    card = await window.create_link()  # space again: the same Create works
    assert card is not None and transport.posts() == ["/v1/account_links"]
