"""The baseline of the start-up benches (bench/startup.py, bench/ui_latency.py): a bare PySide6
QMainWindow shown the way Linkdesk's window is, reporting its first paint as Linkdesk does with
LINKDESK_REPORT_SHOWN=1. No import of app/ here: ui_latency.py --root measures another checkout.
"""

BARE = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1280, 820)
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print(f"shown {time.monotonic():.6f} cpu {time.process_time():.6f}", flush=True)
            QTimer.singleShot(0, app.quit)
        return False
first = FirstPaint()
window.installEventFilter(first)
window.show()
app.exec()
"""

# For reference only (not the target's baseline): the same bare window with one line of text,
# which makes Qt load fonts (fontconfig) before the first paint, as any window with text must.
BARE_WITH_TEXT = BARE.replace(
    'window.resize(1280, 820)',
    'window.resize(1280, 820)\nfrom PySide6.QtWidgets import QLabel\nwindow.setCentralWidget(QLabel("Linkdesk"))')

