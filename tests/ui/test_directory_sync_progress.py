"""The window's sync progress says when Stripe rate-limits the sync, and when the next try is due
(issue 18, point 13)."""

from __future__ import annotations

from mainwindow_helpers import find
from PySide6.QtWidgets import QProgressBar

from app.directory.sync import SyncProgress, clock_time


async def test_the_sync_progress_shows_a_rate_limit_and_the_next_try(window, clock):
    bar = find(window, "directorySyncProgress", QProgressBar)
    window.directory._show_busy()
    window.directory._progress_arrived(SyncProgress(300, 1_000, "windows"))
    assert bar.format() == "Accounts: 300 of about 1,000"
    due = clock.time() + 29
    window.directory._progress_arrived(SyncProgress(300, 1_000, "windows", retry_at=due))
    assert bar.format() == f"Rate limited by Stripe; next try at {clock_time(due)}"
    window.directory._progress_arrived(SyncProgress(400, 1_000, "windows"))  # going again
    assert bar.format() == "Accounts: 400 of about 1,000"
