"""The PySide6 front end over ``app.core``.

PySide6 is pinned to 6.11.3: 6.12.0 on Python 3.11 drops a reference to ``None`` on every
void Qt call and the process aborts after a few thousand (tests/test_qt_binding.py).
"""
