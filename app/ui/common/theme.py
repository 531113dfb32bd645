"""The window's text colours on a ``QPalette``: every text AA-readable, light or dark.

The arithmetic is in :mod:`app.ui.common.palette` (no Qt); this applies it.

* :func:`accessible_palette` returns the palette with its secondary grey (``PlaceholderText``,
  which :func:`app.ui.common.widgets.muted` and the link cards use) and its greyed-out text
  (``Disabled`` ``WindowText``/``Text``: the struck-out URL of an expired link, the summary of an
  account that is no longer the one typed) made readable on every background the palette has.
  Fusion's light palette draws both far below AA (black at half alpha, 3.9:1; ``#bebebe``, 1.6:1).
* :func:`error_color`, :func:`warning_color`, :func:`success_color`: the accents per palette.
* :func:`focus_color`: the 2 px keyboard focus ring's colour (:mod:`app.ui.common.focus_ring`).
* :func:`install_accessible_palette` applies it to the application now and again whenever the
  application palette changes (the system switching between light and dark).
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from app.ui.common import palette as pal

_R = QPalette.ColorRole
_G = QPalette.ColorGroup
_GROUPS = (_G.Active, _G.Inactive, _G.Disabled)
_SURFACES = (_R.Window, _R.Base, _R.AlternateBase)


def rgb(colour: QColor, over: QColor | None = None) -> pal.RGB:
    """A QColor as ``(r, g, b)``; a translucent one as it looks drawn over ``over``."""
    own = (colour.red(), colour.green(), colour.blue())
    if colour.alpha() < 255 and over is not None:
        return pal.composite(own, colour.alpha(), (over.red(), over.green(), over.blue()))
    return own


def backgrounds(palette: QPalette) -> list[pal.RGB]:
    """Every surface text may sit on: window, input and alternate-row colours, in each group
    (a greyed-out label can sit on an enabled card; a muted one inside a disabled box), and
    the status chips' and error banner's tints over the window."""
    seen: list[pal.RGB] = []
    for group in _GROUPS:
        for role in _SURFACES:
            colour = rgb(palette.color(group, role))
            if colour not in seen:
                seen.append(colour)
        window = rgb(palette.color(group, _R.Window))
        for tint, alpha in pal.TINTS.values():  # chips and the banner, over the window
            colour = pal.composite(tint, alpha, window)
            if colour not in seen:
                seen.append(colour)
    return seen


def _text(palette: QPalette) -> pal.RGB:
    return rgb(palette.color(_G.Active, _R.WindowText))


def _qcolor(colour: pal.RGB) -> QColor:
    return QColor(*colour)


def secondary_color(palette: QPalette) -> QColor:
    """Muted text: the palette's placeholder grey, darkened (or lightened) to AA if needed."""
    return _cached("secondary", palette, lambda: _qcolor(pal.secondary_colour(
        rgb(palette.color(_G.Active, _R.PlaceholderText), palette.color(_G.Active, _R.Window)),
        backgrounds(palette), _text(palette))))


def disabled_text_color(palette: QPalette, role: QPalette.ColorRole = _R.WindowText) -> QColor:
    """Greyed-out text, still AA-readable (it still says something: an expired URL, an old summary)."""
    grey = rgb(palette.color(_G.Disabled, role), palette.color(_G.Disabled, _R.Window))
    return _qcolor(pal.secondary_colour(grey, backgrounds(palette), _text(palette)))


def error_color(palette: QPalette | None = None) -> QColor:
    """Red for errors and failures, AA on this palette's surfaces (the application's by default)."""
    return _role("error", palette)


def warning_color(palette: QPalette | None = None) -> QColor:
    """Amber for "expiring soon", AA on this palette's surfaces."""
    return _role("warning", palette)


def success_color(palette: QPalette | None = None) -> QColor:
    return _role("success", palette)


def focus_color(palette: QPalette | None = None) -> QColor:
    """The focus ring: the palette's highlight, AA on every surface of this palette."""
    palette = palette if palette is not None else QGuiApplication.palette()
    return _cached("focus", palette, lambda: _qcolor(pal.focus_colour(
        rgb(palette.color(_G.Active, _R.Highlight)), backgrounds(palette), _text(palette))))


_BY_KEY: dict[tuple[str, int], QColor] = {}
_BY_COLOURS: dict[tuple[str, tuple[int, ...]], QColor] = {}
_KEY_ROLES = (*_SURFACES, _R.WindowText, _R.Text, _R.PlaceholderText, _R.Highlight)


def _cached(name: str, palette: QPalette, make: Callable[[], QColor]) -> QColor:
    """Remembered per palette (its cacheKey: the History model asks on every repaint of a row)
    and per set of colours it depends on (each widget's palette is its own copy, with its own
    cacheKey, but most hold the same colours)."""
    fast = (name, palette.cacheKey())
    found = _BY_KEY.get(fast)
    if found is None:
        slow = (name, tuple(palette.color(g, r).rgba() for g in _GROUPS for r in _KEY_ROLES))
        found = _BY_COLOURS.get(slow)
        if found is None:
            found = make()
            if len(_BY_COLOURS) > 64:
                _BY_COLOURS.clear()
            _BY_COLOURS[slow] = found
        if len(_BY_KEY) > 256:
            _BY_KEY.clear()
        _BY_KEY[fast] = found
    return QColor(found)


def _role(role: str, palette: QPalette | None) -> QColor:
    palette = palette if palette is not None else QGuiApplication.palette()
    return _cached(role, palette, lambda: _qcolor(pal.role_colour(role, backgrounds(palette), _text(palette))))


def accessible_palette(palette: QPalette) -> QPalette:
    """``palette`` with AA-readable secondary and greyed-out text (other roles untouched)."""
    fixed = QPalette(palette)
    secondary = secondary_color(palette)
    for group in _GROUPS:
        fixed.setColor(group, _R.PlaceholderText, secondary)
    for role in (_R.WindowText, _R.Text):
        fixed.setColor(_G.Disabled, role, disabled_text_color(palette, role))
    return fixed


class AccessiblePalette(QObject):
    """Keeps the application palette readable: applied once, again after each palette change.

    Listens to the application's palette signal and the system's colour-scheme signal, not to
    an application-wide event filter (that would run Python for every event of the app).
    """

    def __init__(self, app: QGuiApplication) -> None:
        super().__init__(app)
        self._app = app
        self.apply()
        app.paletteChanged.connect(self.apply)
        # The system switching light/dark: the new palette is in place once this turn ends.
        app.styleHints().colorSchemeChanged.connect(self._scheme_changed)

    @Slot()
    def _scheme_changed(self, *_: object) -> None:
        QTimer.singleShot(0, self, self.apply)

    @Slot()
    def apply(self, *_: object) -> None:
        current = self._app.palette()
        fixed = accessible_palette(current)
        if fixed != current:  # (setPalette signals the change that brings us back here)
            self._app.setPalette(fixed)


_KEEPER = "linkdeskAccessiblePalette"


def install_accessible_palette(app: QGuiApplication) -> AccessiblePalette:
    """Make the application's text colours AA now and after every palette change (once per app)."""
    # (findChild in C++: app.children() would wrap every child in Python, ~100 ms at start-up.)
    found = app.findChild(QObject, _KEEPER, Qt.FindChildOption.FindDirectChildrenOnly)
    if isinstance(found, AccessiblePalette):
        found.apply()
        return found
    keeper = AccessiblePalette(app)
    keeper.setObjectName(_KEEPER)
    return keeper
