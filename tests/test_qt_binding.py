"""The Qt binding must not leak references to ``None``.

PySide6 6.12.0 on Python 3.11 dropped one reference to ``None`` on every void Qt call, and
after a few thousand calls CPython aborted with "Fatal Python error: none_dealloc".  We pin
a release without the bug; this test fails if a version bump brings it back.
"""

import subprocess
import sys

SCRIPT = r"""
import sys
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
before = sys.getrefcount(None)
for i in range(20000):
    label.setText("x")
    app.processEvents()
after = sys.getrefcount(None)
print(before - after)
"""


def test_void_qt_calls_keep_references_to_none():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lost = int(done.stdout.strip().splitlines()[-1])
    assert lost < 1000, f"{lost} references to None lost in 20,000 Qt calls"
