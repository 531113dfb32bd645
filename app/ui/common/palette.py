"""Colour arithmetic for readable text, with no Qt: WCAG contrast and the colour of each role.

Every coloured text in the window (secondary grey, red errors, amber warnings, greyed-out
text) is chosen here, per palette, so that it reaches WCAG AA against the backgrounds it is
drawn on: 4.5:1 for text, 3:1 for large text (24 px, or 18.7 px bold). A theme's own grey that
already reads well is kept; one that does not is moved towards the text colour just far enough.
:mod:`app.ui.common.theme` applies this to a ``QPalette``.

Colours are ``(r, g, b)`` tuples of 0–255 or ``"#rrggbb"`` strings.
"""

from __future__ import annotations

from typing import Iterable, Sequence, Union

RGB = tuple[int, int, int]
Colour = Union[RGB, str]

AA_TEXT = 4.5
AA_LARGE_TEXT = 3.0
# Chosen colours aim a little above the threshold, so rounding to whole 0–255 steps (and a
# theme's slightly different grey) cannot drop them under it.
TARGET = 4.7

# The accent each role starts from, on light and on dark backgrounds (adjusted if a theme's
# background needs it).
ACCENTS: dict[str, tuple[str, str]] = {
    #          light      dark
    "error": ("#c4262e", "#ff8f87"),
    "warning": ("#8f4a00", "#f5b74e"),
    "success": ("#1d7a35", "#6fd38c"),
}

# Translucent tints drawn behind text (status chips, the error banner): ``(rgb, alpha 0–255)``.
# Text on them keeps the palette's colours, so those colours must read on the tint too.
TINTS: dict[str, tuple[RGB, int]] = {
    "ok": ((40, 167, 69), 41),  # 0.16
    "bad": ((220, 53, 69), 36),  # 0.14
    "banner": ((220, 53, 69), 31),  # 0.12
}


def css_rgba(tint: str, alpha: int | None = None) -> str:
    """A tint as a style-sheet ``rgba(...)`` (``alpha`` overrides, e.g. for a border)."""
    (r, g, b), own = TINTS[tint]
    a = own if alpha is None else alpha
    return f"rgba({r}, {g}, {b}, {a})"


def parse(colour: Colour) -> RGB:
    """``"#rgb"``, ``"#rrggbb"`` or an ``(r, g, b)`` tuple, as a tuple."""
    if isinstance(colour, str):
        text = colour.strip().lstrip("#")
        if len(text) == 3:
            text = "".join(c * 2 for c in text)
        if len(text) != 6:
            raise ValueError(f"not a #rrggbb colour: {colour!r}")
        return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))
    r, g, b = colour
    return (int(r), int(g), int(b))


def to_hex(colour: Colour) -> str:
    r, g, b = parse(colour)
    return f"#{r:02x}{g:02x}{b:02x}"


def relative_luminance(colour: Colour) -> float:
    """WCAG 2 relative luminance, 0 (black) to 1 (white)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = parse(colour)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(foreground: Colour, background: Colour) -> float:
    """WCAG 2 contrast ratio, 1 to 21 (the order of the two does not matter)."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    light, dark = max(a, b), min(a, b)
    return (light + 0.05) / (dark + 0.05)


def worst_ratio(foreground: Colour, backgrounds: Iterable[Colour]) -> float:
    return min(contrast_ratio(foreground, bg) for bg in backgrounds)


def composite(foreground: Colour, alpha: int, background: Colour) -> RGB:
    """What a translucent colour (``alpha`` 0–255) looks like drawn over ``background``."""
    f, b = parse(foreground), parse(background)
    a = max(0, min(255, alpha)) / 255
    return tuple(round(fc * a + bc * (1 - a)) for fc, bc in zip(f, b))  # type: ignore[return-value]


def mix(a: Colour, b: Colour, t: float) -> RGB:
    """``a`` moved a fraction ``t`` (0–1) of the way to ``b``."""
    ca, cb = parse(a), parse(b)
    return tuple(round(x + (y - x) * t) for x, y in zip(ca, cb))  # type: ignore[return-value]


def is_dark(background: Colour) -> bool:
    return relative_luminance(background) < 0.18


def ensure_contrast(foreground: Colour, backgrounds: Sequence[Colour], toward: Colour,
                    minimum: float = AA_TEXT, target: float = TARGET) -> RGB:
    """``foreground`` itself if it reaches ``minimum`` on every background, else the nearest
    colour on the way to ``toward`` (the palette's own text colour) that reaches ``target``.

    The result keeps the hue as far as it can: a grey stays a grey, a red stays red, only
    darker (or lighter, on a dark theme).
    """
    start = parse(foreground)
    if not backgrounds:
        return start
    lums = [relative_luminance(bg) for bg in backgrounds]

    def worst(colour: RGB) -> float:
        own = relative_luminance(colour)
        return min((max(own, b) + 0.05) / (min(own, b) + 0.05) for b in lums)

    if worst(start) >= minimum:
        return start
    end = parse(toward)
    # Coarse steps find the first tenth of the way that is enough (the ratio is not monotonic
    # on the whole way: a colour may first cross the background's own lightness), then halving
    # narrows it down to about 1/1000.
    low = 0.0
    for tenth in range(1, 11):
        t = tenth / 10
        if worst(mix(start, end, t)) >= target:
            high = t
            break
        low = t
    else:
        return end
    for _ in range(7):
        middle = (low + high) / 2
        if worst(mix(start, end, middle)) >= target:
            high = middle
        else:
            low = middle
    return mix(start, end, high)


def role_colour(role: str, backgrounds: Sequence[Colour], text: Colour) -> RGB:
    """The accent for ``role`` ("error", "warning", "success") readable on ``backgrounds``,
    moved towards ``text`` if a theme's background needs it."""
    light, dark = ACCENTS[role]
    start = dark if is_dark(backgrounds[0]) else light
    return ensure_contrast(start, backgrounds, text)


def secondary_colour(grey: Colour, backgrounds: Sequence[Colour], text: Colour) -> RGB:
    """Secondary (muted) text: the theme's grey if it reads well enough, else a darker one
    (lighter on a dark theme) on the way to the text colour."""
    return ensure_contrast(grey, backgrounds, text)


def focus_colour(highlight: Colour, backgrounds: Sequence[Colour], text: Colour) -> RGB:
    """The keyboard focus ring: the theme's highlight, moved towards the text colour until it
    reaches AA (4.5:1, more than the 3:1 WCAG asks of a focus indicator) on every background."""
    return ensure_contrast(highlight, backgrounds, text)
