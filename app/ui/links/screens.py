"""Which screen present mode uses: the operator's choice, else a second screen, else the primary.

A desk often has a customer-facing monitor, but "the first screen that is not the primary" is a
guess; with three screens, or the roles swapped, the operator must be able to say which. The
choice is remembered by :func:`screen_key` (the screen's name, e.g. ``HDMI-1``, or its geometry
where the platform names none) in the main window's QSettings under :data:`PRESENT_SCREEN_KEY`;
an empty value means automatic. A remembered screen
that is not connected now falls back to automatic, and is used again once it is back.

The functions take anything with ``name()`` and ``geometry()``, so tests use fake screen lists
(offscreen Qt has a single screen).
"""

from __future__ import annotations

from typing import Protocol, Sequence, TypeVar

from PySide6.QtCore import QRect

PRESENT_SCREEN_KEY = "present/screen"
AUTOMATIC = ""
AUTOMATIC_LABEL = "Automatic (second screen)"


class ScreenLike(Protocol):
    def name(self) -> str: ...

    def geometry(self) -> QRect: ...


S = TypeVar("S", bound=ScreenLike)


def screen_key(screen: ScreenLike) -> str:
    """What the choice is saved as: the name, or ``"@x,y wxh"`` when the platform gives none."""
    if screen.name():
        return screen.name()
    g = screen.geometry()
    return f"@{g.x()},{g.y()} {g.width()}x{g.height()}"


def choose_present_screen(screens: Sequence[S], primary: S | None, preferred: str | None = AUTOMATIC) -> S | None:
    """The screen saved as ``preferred`` when connected; else the first non-primary; else the primary."""
    if preferred:
        for screen in screens:
            if screen_key(screen) == preferred:
                return screen
    for screen in screens:
        if screen is not primary:
            return screen
    if primary is not None:
        return primary
    return screens[0] if screens else None


def screen_label(screen: ScreenLike, *, primary: bool = False) -> str:
    """``HDMI-1 — 1920×1080 at 1920, 0 (primary)``: a name the operator can match to a monitor."""
    g = screen.geometry()
    label = f"{screen.name() or 'Screen'} — {g.width()}×{g.height()} at {g.x()}, {g.y()}"
    return f"{label} (primary)" if primary else label


def screen_choices(screens: Sequence[S], primary: S | None, preferred: str | None) -> list[tuple[str, str, bool, bool]]:
    """The "Present on" menu's rows: ``(label, value, checked, enabled)``, automatic first.

    A remembered screen that is not connected is listed (checked, disabled) so the operator sees
    the choice was kept; automatic is used meanwhile.
    """
    preferred = preferred or AUTOMATIC
    keys = [screen_key(screen) for screen in screens]
    rows = [(AUTOMATIC_LABEL, AUTOMATIC, preferred == AUTOMATIC, True)]
    for screen, key in zip(screens, keys):
        rows.append((screen_label(screen, primary=screen is primary), key, preferred == key, True))
    if preferred != AUTOMATIC and preferred not in keys:
        rows.append((f"{preferred} (not connected: automatic is used)", preferred, True, False))
    return rows
