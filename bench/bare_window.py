"""The bare baseline for start-up benchmarks: a plain PySide6 main window, nothing else.

Run as ``python -c SCRIPT``; prints ``shown`` after its first paint and quits, as the
program's window does in ``bench/window_harness.py``.
"""

SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv[:1])
class W(QMainWindow):
    painted = False
    def paintEvent(self, e):
        super().paintEvent(e)
        if not self.painted:
            self.painted = True
            print("shown", flush=True)
            QTimer.singleShot(0, app.quit)
w = W()
w.setWindowTitle("法治台账")
w.setCentralWidget(QLabel("法治台账"))
w.resize(1280, 800)
w.show()
sys.exit(app.exec())
"""
