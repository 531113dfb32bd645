"""The application icon at every size, shipped inside the package (no Qt here).

The PNGs are rendered from ``resources/linkdesk.svg`` by ``scripts/make_icons.py``. PNGs rather
than the SVG, so that the window icon needs no QtSvg (left out of the frozen build) and each size
is drawn once at build time instead of at every start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

#: The freedesktop id: the desktop file's name (without .desktop), the icon theme name, the AppStream
#: component id, and what ``QGuiApplication.setDesktopFileName`` must be given (the Wayland app id).
DESKTOP_ID = "io.github.linkdesk.Linkdesk"

#: The sizes of ``linkdesk-N.png`` in this package; kept equal to scripts/make_icons.py.
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def icon_files() -> list[tuple[int, "Traversable"]]:
    """(pixel size, file) of each icon PNG in the package, smallest first; only those present.

    Pass each to ``QIcon.addFile(str(path), QSize(size, size))``: with the size given, Qt reads a
    file only when that size is first drawn.
    """
    from importlib.resources import files  # ~5-10 ms: not on the first paint's path

    here = files(__name__)
    found = []
    for size in SIZES:
        path = here.joinpath(f"linkdesk-{size}.png")
        if path.is_file():
            found.append((size, path))
    return found
