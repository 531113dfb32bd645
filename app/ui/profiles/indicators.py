"""What tells the operator, at a glance, which mode the window is in.

* :class:`LiveBand` (``liveBand``): a red band across the window while a live profile is in use,
  naming the platform. Hidden in test mode and in the sandbox (the header badge says TEST or
  SANDBOX there).
* :func:`window_title`: ``Linkdesk — Acme live · LIVE``.
* :func:`add_present_corner`: LIVE (or TEST, SANDBOX) in present mode's corner for the operator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from app.ui.shell.toolbar import BADGES

if TYPE_CHECKING:
    from app.profiles.model import Profile

LIVE_RED, LIVE_BORDER = BADGES["live"][1], BADGES["live"][3]
_LABEL = ("QLabel {{ background-color: {bg}; color: {fg}; border: 1px solid {border}; border-radius: 4px; "
          "padding: 2px 10px; font-weight: 700; letter-spacing: 1px; }}")


def badge_style(label: str) -> str:
    """The header badge's colours for SANDBOX, TEST or LIVE."""
    _text, bg, fg, border = BADGES[label.lower()]
    return _LABEL.format(bg=bg, fg=fg, border=border)


def window_title(profile: "Profile | None") -> str:
    if profile is None:
        return "Linkdesk"
    return f"Linkdesk — {profile.name} · {profile.label}"


class LiveBand(QLabel):
    """The band across the top of the window in live mode (plain text: the platform's name came
    from the network)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="liveBand", textFormat=Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(f"QLabel {{ background-color: {LIVE_RED}; color: #ffffff; font-weight: 700; "
                           f"letter-spacing: 1px; padding: 5px; border-bottom: 2px solid {LIVE_BORDER}; }}")
        self.setAccessibleName("Live mode")
        self.hide()

    def show_profile(self, profile: "Profile | None") -> None:
        if profile is None or not profile.live:
            self.hide()
            self.clear()
            return
        self.setText(f"LIVE — {profile.platform} — real accounts, real single-use links")
        self.setToolTip("This profile uses a live key. Links are real; the first one of a session asks first.")
        self.show()


def add_present_corner(window: QWidget, profile: "Profile | None", *, live: bool = False) -> QLabel | None:
    """Put the mode (LIVE, TEST or SANDBOX) in the top-left corner of present mode's window, for
    the operator (the seller's eyes are on the code). It floats over the layout, always shown,
    unlike the operator's bars that appear only when used. Returns the label."""
    text = profile.label if profile is not None else ("LIVE" if live else None)
    if text is None:
        return None
    corner = QLabel(text, window, objectName="presentModeLabel", textFormat=Qt.TextFormat.PlainText)
    corner.setStyleSheet(badge_style(text))
    corner.setAccessibleName(f"Mode: {text}")
    corner.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    if profile is not None:
        corner.setToolTip(profile.platform)
    corner.adjustSize()
    corner.move(12, 12)
    corner.raise_()
    corner.show()
    return corner
