"""An exception in an event handler: one message, logged, and the window keeps working."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from app.ui import errors
from app.ui.main_window import MainWindow


class Broken(QLineEdit):
    """A field whose focus-in handler fails, like the count field of issue 9 did."""

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        raise TypeError("'<' not supported between instances of 'NoneType' and 'int'")


def _click_from_event_loop(qtbot, w) -> None:
    """As the platform delivers a click: from the event loop, where the hook sees what fails.
    (A click sent straight from Python hands the handler's exception back to the caller.)"""
    QTimer.singleShot(0, lambda: QTest.mouseClick(w, Qt.LeftButton))
    qtbot.wait(30)


def activate(qtbot, w) -> None:
    w.show()
    w.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)


def _boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


@pytest.fixture
def hooked(monkeypatch):
    now = [1000.0]
    reporter = errors.ErrorReporter(clock=lambda: now[0])
    monkeypatch.setattr(errors, "reporter", reporter)
    old = sys.excepthook
    errors.install_exception_hook()
    yield reporter, now
    sys.excepthook = old
    for box in _boxes():
        box.close()


@pytest.mark.qt_no_exception_capture
def test_error_in_a_handler_shows_one_message_and_the_window_works(qtbot, store, hooked):
    reporter, now = hooked
    w = MainWindow(store)
    qtbot.addWidget(w)
    broken = Broken()
    w.statusBar().addWidget(broken)
    activate(qtbot, w)
    qtbot.waitUntil(lambda: "home" in w.pages, timeout=10000)
    for _ in range(3):  # focus comes back to the field again and again
        w.nav.setFocus()
        _click_from_event_loop(qtbot, broken)
    assert reporter.shown == 1
    boxes = _boxes()
    assert len(boxes) == 1
    assert boxes[0].windowTitle() == "程序出错" and "TypeError" in boxes[0].text()
    assert not boxes[0].isModal()
    assert "NoneType" in errors.error_log_path().read_text(encoding="utf-8")

    # the window still works while the message is open: a click in the side bar opens a ledger
    assert QApplication.activeModalWidget() is None
    item = w._items["ledger:disputes"]
    QTest.mouseClick(w.nav.viewport(), Qt.LeftButton, Qt.NoModifier, w.nav.visualItemRect(item).center())
    assert w.current_key() == "ledger:disputes"

    # closed, then the same error right after: no new message
    QTest.mouseClick(boxes[0].button(QMessageBox.Ok), Qt.LeftButton)
    qtbot.waitUntil(lambda: not _boxes())
    activate(qtbot, w)
    w.nav.setFocus()
    _click_from_event_loop(qtbot, broken)
    assert reporter.shown == 1 and not _boxes()

    # a different error does get its message; the same one again only after a quiet while
    try:
        raise ValueError("另一个错误")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    assert reporter.shown == 2
    now[0] += errors.QUIET_SECONDS + 1
    activate(qtbot, w)
    w.nav.setFocus()
    _click_from_event_loop(qtbot, broken)
    assert reporter.shown == 3, reporter.keys
