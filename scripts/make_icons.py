"""Render the one icon source, ``resources/linkdesk.svg``, into every file a platform needs.

    .venv/bin/python scripts/make_icons.py [--check]

Writes (all committed, so that a build needs neither this script nor QtSvg):

* ``app/icons/linkdesk-N.png`` for N in 16 … 512: the window icon, loaded at run time through
  ``importlib.resources`` (:mod:`app.icons`);
* ``packaging/icons/hicolor/NxN/apps/io.github.linkdesk.Linkdesk.png`` and
  ``…/scalable/apps/io.github.linkdesk.Linkdesk.svg``: the freedesktop icon theme tree that the
  desktop entry's ``Icon=`` names;
* ``packaging/linkdesk.ico`` (Windows: PNG-compressed entries 16 … 256) and
  ``packaging/linkdesk.icns`` (macOS: PNG entries 16 … 1024), written here byte by byte: both
  containers are a small header and a table of embedded PNGs, so no Pillow is needed.

``--check`` renders into memory and exits 1 if a committed file is missing or differs.
Uses Qt's own SVG renderer on the offscreen platform; no window opens.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "linkdesk.svg"
ICON_NAME = "io.github.linkdesk.Linkdesk"

# Window / theme sizes (freedesktop's hicolor theme has directories for each of these).
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# Windows reads PNG-compressed entries from Vista on; 256 is the largest an ICO can describe.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# macOS: the OSType of each PNG entry and its pixel size (the @2x types share pixels with the
# next size up; Finder picks by type, so each type gets its own entry).
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512),
    (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512),
)


def render_png(svg: bytes, size: int) -> bytes:
    """The SVG drawn on a transparent ``size``×``size`` ARGB image, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise ValueError("the icon source is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG"):
        raise RuntimeError("Qt could not encode a PNG")
    return bytes(buffer.data())


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (raises ValueError if it is not a PNG)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


def build_ico(pngs: dict[int, bytes]) -> bytes:
    """An ICO file whose entries are the given PNGs (size → bytes), smallest first."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, count
    offset = 6 + 16 * len(sizes)
    table, images = b"", b""
    for size in sizes:
        data = pngs[size]
        if not 1 <= size <= 256:
            raise ValueError(f"an ICO entry cannot be {size} px")
        dim = 0 if size == 256 else size  # 0 means 256 in the one-byte fields
        table += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        images += data
    return header + table + images


def read_ico(data: bytes) -> list[tuple[int, bytes]]:
    """(size, PNG bytes) of each entry of an ICO file; checks the structure as it goes."""
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    if reserved != 0 or kind != 1 or count == 0:
        raise ValueError("not an ICO file")
    entries = []
    for i in range(count):
        w, h, _colours, _res, _planes, _bpp, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        if offset + length > len(data):
            raise ValueError("an ICO entry runs past the end of the file")
        png = data[offset:offset + length]
        size = w or 256
        if png_size(png) != (size, h or 256):
            raise ValueError(f"ICO entry {i} says {size} px but holds a {png_size(png)} PNG")
        entries.append((size, png))
    return entries


def build_icns(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file with one PNG entry per type in :data:`ICNS_TYPES`."""
    body = b""
    for ostype, size in ICNS_TYPES:
        data = pngs[size]
        body += ostype + struct.pack(">I", 8 + len(data)) + data
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def read_icns(data: bytes) -> list[tuple[bytes, bytes]]:
    """(OSType, PNG bytes) of each entry of an ICNS file; checks the lengths as it goes."""
    if data[:4] != b"icns" or struct.unpack(">I", data[4:8])[0] != len(data):
        raise ValueError("not an ICNS file, or its length field is wrong")
    entries, pos = [], 8
    while pos < len(data):
        ostype = data[pos:pos + 4]
        (length,) = struct.unpack(">I", data[pos + 4:pos + 8])
        if length < 8 or pos + length > len(data):
            raise ValueError("an ICNS entry runs past the end of the file")
        entries.append((ostype, data[pos + 8:pos + length]))
        pos += length
    return entries


def outputs(svg: bytes) -> dict[Path, bytes]:
    """Every generated file (path relative to the repository root → its bytes)."""
    sizes = sorted(set(PNG_SIZES) | set(ICO_SIZES) | {size for _, size in ICNS_TYPES})
    pngs = {size: render_png(svg, size) for size in sizes}
    files: dict[Path, bytes] = {}
    for size in PNG_SIZES:
        files[Path("app/icons") / f"linkdesk-{size}.png"] = pngs[size]
        files[Path("packaging/icons/hicolor") / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"] = pngs[size]
    files[Path("packaging/icons/hicolor/scalable/apps") / f"{ICON_NAME}.svg"] = svg
    files[Path("packaging/linkdesk.ico")] = build_ico({s: pngs[s] for s in ICO_SIZES})
    files[Path("packaging/linkdesk.icns")] = build_icns(pngs)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files; write nothing")
    parser.add_argument("--root", type=Path, default=ROOT, help="write under this folder (default: the repository)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    stale = []
    for rel, data in outputs(SOURCE.read_bytes()).items():
        target = args.root / rel
        if args.check:
            if not target.is_file() or target.read_bytes() != data:
                stale.append(str(rel))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        print(f"wrote {rel} ({len(data):,} bytes)")
    if stale:
        print("out of date (run scripts/make_icons.py):\n  " + "\n  ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
