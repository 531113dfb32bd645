"""The QR code of a link, painted module by module so it stays sharp at any size.

The matrix comes from segno (error correction M, never Micro QR). The widget paints black
modules on white whatever the palette, with the 4-module quiet zone, each module a whole
number of *device* pixels and no antialiasing: a phone camera reads it on a laptop screen or
on a projector alike. Once the link has expired the matrix is not painted at all, so nobody
can scan a dead link (or a still-secret one from a screenshot of an expired card).

"Copy QR image" puts the secret on the clipboard as a picture, so it goes through the window's
:class:`~app.ui.links.clipboard.ClipboardGuard` with the link's deadline, like a copied URL: cleared
at expiry and at shutdown if still there. A widget without a guard offers no copy.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import TYPE_CHECKING

import segno
from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QFileDialog, QMenu, QSizePolicy, QWidget

if TYPE_CHECKING:
    from app.ui.links.clipboard import ClipboardGuard

QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks
_DARK = QColor(0, 0, 0)
_LIGHT = QColor(255, 255, 255)
_FOCUS_MARGIN = 3  # device pixels kept free around the code for the focus ring


def _make(text: str) -> segno.QRCode:
    """Error correction M, never Micro QR, and a fixed data mask.

    Every one of the eight masks gives a valid code that phones decode; segno's search for the
    mask with the lowest penalty score costs about 3 ms in pure Python, which is a third of the
    budget from a response's arrival to its card being painted (bench/ui_latency.py (c)). The
    fixed mask keeps the widget, the saved PNG and the SVG identical, too.
    """
    return segno.make(text, error="m", micro=False, boost_error=False, mask=0)


Matrix = tuple[bytes, ...]  # rows of modules, 1 = dark, 0 = light


def qr_matrix(text: str) -> Matrix:
    """Rows of modules (1 = dark), quiet zone included.

    Built from segno's bare matrix, whose rows are already bytearrays of 0 (light) and 1 (dark),
    with the quiet zone added here by concatenation: no per-module Python at all, where
    ``matrix_iter`` yields module by module; this is on the way from Stripe's answer to the
    card being painted.
    """
    rows = _make(text).matrix
    side = len(rows) + 2 * QUIET_ZONE
    blank, pad = bytes(side), bytes(QUIET_ZONE)
    body = [pad + row + pad for row in rows]
    return (blank,) * QUIET_ZONE + tuple(body) + (blank,) * QUIET_ZONE


def matrix_image(matrix: Matrix, module: int) -> QImage:
    """The code as an image, ``module`` pixels per module: one pixel per module made straight
    from the matrix's bytes (0 = white, 1 = black), then scaled up without smoothing, so every
    module is a whole square of pixels. A tenth of a millisecond, where filling each run of
    dark modules with QPainter took over two."""
    n = len(matrix)
    if n == 0:
        return QImage()
    data = b"".join(matrix)
    one = QImage(data, n, n, n, QImage.Format.Format_Indexed8)
    one.setColorTable([_LIGHT.rgba(), _DARK.rgba()])
    side = n * max(1, int(module))
    scaled = one.scaled(side, side, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation)
    return scaled.convertToFormat(QImage.Format.Format_RGB32)  # a copy: ``data`` may go now


def qr_image(text: str, module_px: int) -> QImage:
    """The code as an image, ``module_px`` pixels per module, quiet zone included."""
    return matrix_image(qr_matrix(text), module_px)


def qr_svg(text: str) -> bytes:
    """The code as a standalone SVG document (black on an explicit white background)."""
    buffer = io.BytesIO()
    _make(text).save(
        buffer, kind="svg", scale=8, border=QUIET_ZONE, dark="#000", light="#fff", xmldecl=True
    )
    return buffer.getvalue()


def save_qr_png(text: str, path: str | Path, module_px: int = 10) -> Path:
    """Write the code as a PNG. Raises OSError when the file cannot be written."""
    target = Path(path)
    if not qr_image(text, module_px).save(str(target), "PNG"):
        raise OSError(f"Could not write {target}")
    return target


def save_qr_svg(text: str, path: str | Path) -> Path:
    """Write the code as an SVG. Raises OSError when the file cannot be written."""
    target = Path(path)
    target.write_bytes(qr_svg(text))
    return target


def copy_qr_image(text: str, guard: "ClipboardGuard", deadline_monotonic: float, module_px: int = 10) -> bool:
    """Copy the code as an image through ``guard``: cleared when the link expires. False (nothing
    copied) once the link has expired."""
    return guard.copy_image(qr_image(text, module_px), deadline_monotonic, url=text)


class QrWidget(QWidget):
    """A square, crisp QR code of ``text``; blank with a notice once expired.

    ``statusMessage`` reports the outcome of the context-menu actions (copy, save). Copying
    needs ``clipboard_guard`` and the link's ``deadline_monotonic`` (see the module docstring).
    """

    statusMessage = Signal(str)

    def __init__(self, text: str = "", parent: QWidget | None = None, *,
                 clipboard_guard: "ClipboardGuard | None" = None,
                 deadline_monotonic: float | None = None) -> None:
        super().__init__(parent)
        self._guard = clipboard_guard
        self._deadline = deadline_monotonic
        self.setObjectName("linkQr")
        self.setAccessibleName("QR code of the link")
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._text = ""
        self._matrix: Matrix = ()
        self._pixmap: QPixmap | None = None  # the code as last drawn (see _code_pixmap)
        self._pixmap_key: tuple | None = None
        self._expired = False
        self._expired_text = "Expired"
        self._dialog: QFileDialog | None = None
        self.setText(text)

    # -- state -------------------------------------------------------------------------------
    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text == self._text:
            return
        self._text = text
        self._matrix = qr_matrix(text) if text else ()
        self.setAccessibleDescription("Scan with a phone camera to open the link." if text else "")
        self.updateGeometry()
        self.update()

    def setDeadline(self, deadline_monotonic: float | None) -> None:
        """When the shown link expires (monotonic): a copied image is cleared then."""
        self._deadline = deadline_monotonic

    def setClipboardGuard(self, guard: "ClipboardGuard | None") -> None:
        self._guard = guard

    def isExpired(self) -> bool:
        return self._expired

    def expiredText(self) -> str:
        """The notice painted in place of an expired code ("" paints none)."""
        return self._expired_text if self._expired else ""

    def setExpired(self, expired: bool, text: str = "Expired") -> None:
        """Hide the code (not merely fade it: a faded code still scans) and show ``text``
        (none with ``text=""``: the empty outline, for a card that says "Expired" elsewhere)."""
        if (expired, text) == (self._expired, self._expired_text):
            return
        self._expired = expired
        self._expired_text = text
        if expired:
            self.setAccessibleDescription(text or "QR code hidden: the link has expired.")
        else:
            self.setAccessibleDescription("Scan with a phone camera to open the link.")
        self.update()

    @property
    def modules(self) -> int:
        """Modules per side, quiet zone included (0 without text)."""
        return len(self._matrix)

    def module_size(self) -> int:
        """Device pixels per module at the current size."""
        if not self._matrix:
            return 0
        dpr = self.devicePixelRatioF()
        side = min(round(self.width() * dpr), round(self.height() * dpr)) - 2 * _FOCUS_MARGIN
        return max(1, math.floor(side / self.modules))

    # -- geometry ----------------------------------------------------------------------------
    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    def sizeHint(self) -> QSize:
        side = max(self.modules, 29) * 4
        return QSize(side, side)

    def minimumSizeHint(self) -> QSize:
        side = max(self.modules, 29) * 2
        return QSize(side, side)

    # -- painting ----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            if self._expired or not self._matrix:
                self._paint_placeholder(painter)
            else:
                self._paint_code(painter)
        finally:
            painter.end()

    def _device_square(self) -> tuple[QPoint, int]:
        """Top-left corner and side of the code, quiet zone included, in device pixels."""
        dpr = self.devicePixelRatioF()
        width, height = round(self.width() * dpr), round(self.height() * dpr)
        if self._matrix:
            side = len(self._matrix) * self.module_size()
        else:
            side = max(0, min(width, height) - 2 * _FOCUS_MARGIN)
        return QPoint((width - side) // 2, (height - side) // 2), side

    def _paint_code(self, painter: QPainter) -> None:
        # Work in device pixels so that a fractional scale factor (125 %, 150 %) still gives
        # whole-pixel modules.
        dpr = self.devicePixelRatioF()
        painter.scale(1 / dpr, 1 / dpr)
        origin, side = self._device_square()
        painter.drawPixmap(origin, self._code_pixmap(self.module_size()))
        if self.hasFocus():
            painter.setPen(QPen(self.palette().highlight().color(), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRect(origin, QSize(side, side)).adjusted(-2, -2, 1, 1))

    def _code_pixmap(self, module: int) -> QPixmap:
        """The code drawn once per matrix and module size: a card is repainted many times (its
        countdown, the list's layout as cards come and go) and a blit costs microseconds where
        making the image costs a tenth of a millisecond (bench/ui_latency.py (b), (c))."""
        key = (self._matrix, module)
        if self._pixmap_key != key or self._pixmap is None:
            pixmap = QPixmap.fromImage(matrix_image(self._matrix, module))
            pixmap.setDevicePixelRatio(1.0)
            self._pixmap, self._pixmap_key = pixmap, key
        return self._pixmap

    def _paint_placeholder(self, painter: QPainter) -> None:
        """Where the code would be: a dashed outline of the same size and the notice."""
        dpr = self.devicePixelRatioF()
        origin, side = self._device_square()
        square = QRectF(origin.x() / dpr, origin.y() / dpr, side / dpr, side / dpr)
        if square.width() <= 8:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        palette = self.palette()
        painter.setPen(QPen(palette.mid().color(), 1.5, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(square.adjusted(1, 1, -1, -1), 8, 8)
        if not self._expired or not self._expired_text:
            return
        font = QFont(self.font())
        font.setPixelSize(max(11, round(square.width() / 9)))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(palette.placeholderText().color())
        painter.drawText(square.adjusted(8, 8, -8, -8), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                         self._expired_text)

    # -- actions -----------------------------------------------------------------------------
    def _can_export(self) -> bool:
        return bool(self._matrix) and not self._expired

    def _can_copy(self) -> bool:
        return self._can_export() and self._guard is not None and self._deadline is not None

    def copy_image(self) -> None:
        if self._can_copy():
            assert self._guard is not None and self._deadline is not None
            if copy_qr_image(self._text, self._guard, self._deadline):
                self.statusMessage.emit("QR image copied. It will be cleared from the clipboard when the link expires.")

    def save_to(self, path: str | Path) -> None:
        """Save as PNG or SVG by the file's suffix (PNG when it has none), reporting the result."""
        if not self._can_export():
            return
        target = Path(path)
        try:
            if target.suffix.lower() == ".svg":
                save_qr_svg(self._text, target)
            else:
                save_qr_png(self._text, target)
        except OSError as exc:
            self.statusMessage.emit(f"Could not save the QR code: {exc.strerror or exc}")
        else:
            self.statusMessage.emit(f"QR code saved to {target}.")

    def build_menu(self) -> QMenu:
        """The context menu (a separate method so tests can inspect its actions)."""
        menu = QMenu(self)
        menu.setAccessibleName("QR code actions")
        for label, slot, enabled in (
            ("Copy QR image", self.copy_image, self._can_copy()),
            ("Save QR as PNG…", lambda: self._ask_path("png"), self._can_export()),
            ("Save QR as SVG…", lambda: self._ask_path("svg"), self._can_export()),
        ):
            action = menu.addAction(label)
            action.setEnabled(enabled)
            action.triggered.connect(slot)
        return menu

    def _ask_path(self, kind: str) -> None:
        """Non-blocking save dialog (no nested event loop under qasync)."""
        dialog = QFileDialog(self, f"Save QR code as {kind.upper()}")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(kind)
        dialog.setNameFilter("PNG image (*.png)" if kind == "png" else "SVG image (*.svg)")
        dialog.selectFile(f"account-link-qr.{kind}")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.fileSelected.connect(self.save_to)
        self._dialog = dialog
        dialog.open()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.build_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        menu.popup(event.globalPos())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_F10 and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            menu = self.build_menu()
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            menu.popup(self.mapToGlobal(self.rect().center()))
            return
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_image()
            return
        super().keyPressEvent(event)
