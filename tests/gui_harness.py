"""A clerk at the keyboard: the one harness the GUI tests share.

Everything goes through focus, as a person's input does: a mouse click into a field, Tab to
the next one, keys for digits and ASCII, an input-method commit (``QInputMethodEvent`` with
a commit string) for Chinese, Down arrows to choose from a list, Ctrl+Enter, Esc.  Keys go
to ``QApplication.focusWidget()``, never straight to a widget the clerk is not in.

``Clerk`` also watches for trouble: an exception that reaches ``sys.excepthook`` (a Python
exception inside a Qt event handler or slot) or a critical Qt message fails the test.

The values a clerk types come from the catalog (``sample``): a new field kind or a new
ledger is driven without a new test, and one the harness cannot type fails loudly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer, qInstallMessageHandler
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QMessageBox, QWidget

from app.core.ledgers import catalog
from app.core.ledgers.validation import id_check_char

ID_FIRST17 = "11010519491231002"
VALID_ID = ID_FIRST17 + id_check_char(ID_FIRST17)
PERSON = {"name": "赵六", "category": "吸毒人员", "village": "武平村", "listed_on": "2023-01-01"}


@dataclass
class Entry:
    """What the clerk does in one field, and what must land in the database."""

    keys: str | None = None  # typed: ASCII as key presses, the rest as input-method commits
    choice: str | None = None  # chosen from the list with the Down key
    expected: Any = None


def sample(store, lg: catalog.Ledger, f: catalog.Field, n: int) -> Entry:
    """The ``n``-th field of its kind in ``lg``: a value that passes the ledger's rules.

    Dates ascend and counts descend along the form, so "不能早于" and "不能大于" hold."""
    if f.kind == "date":
        if n == 0:
            return Entry("2024年3月5日", expected="2024-03-05")
        return Entry(f"2024-03-{5 + n:02d}", expected=f"2024-03-{5 + n:02d}")
    if f.kind == "int":
        return Entry(str(30 - 2 * n), expected=30 - 2 * n)
    if f.kind == "decimal":
        return Entry("1200.5", expected=1200.5)
    if f.kind == "choice":
        choices = store.choices(lg.id, f.key)
        pick = choices[min(1, len(choices) - 1)]
        return Entry(choice=pick, expected=pick)
    if f.kind in ("text", "longtext"):
        text = f"{f.label.split('（')[0]}测试"
        return Entry(text, expected=text)
    if f.kind == "names":
        return Entry("张强、李明", expected="张强、李明")
    if f.kind == "ref":
        return Entry(PERSON["name"], expected=None)  # the person's id: filled by ``prepare``
    if f.kind == "idcard":
        return Entry(VALID_ID, expected=VALID_ID)
    if f.kind == "phone":
        return Entry("13800138000", expected="13800138000")
    raise AssertionError(f"the harness cannot type a {f.kind!r} field ({lg.id}.{f.key}): teach it")


def prepare(store, lg: catalog.Ledger) -> dict[str, Entry]:
    """Rows the ledger's form refers to, and the entries for every field."""
    entries: dict[str, Entry] = {}
    seen: dict[str, int] = {}
    for f in lg.fields:
        n = seen.get(f.kind, 0)
        seen[f.kind] = n + 1
        entries[f.key] = sample(store, lg, f, n)
        if f.kind == "ref":
            pid = store.save(f.ref, dict(PERSON))
            entries[f.key].expected = pid
    return entries


def focus_target(w: QWidget) -> QWidget:
    """The widget that holds keyboard focus for a field widget."""
    proxy = w.focusProxy()
    while proxy is not None and proxy.focusProxy() is not None:
        proxy = proxy.focusProxy()
    if proxy is not None:
        return proxy
    if isinstance(w, QComboBox) and w.isEditable():
        return w.lineEdit()
    return w


def holds_focus(w: QWidget) -> bool:
    f = QApplication.focusWidget()
    return f is not None and (f is w or w.isAncestorOf(f))


class Clerk:
    """Mouse and keyboard; fails the test on an exception or a critical Qt message."""

    def __init__(self, qtbot=None):
        self.qtbot = qtbot  # not needed: the harness also runs in a plain subprocess
        self.errors: list[str] = []
        self.boxes: list[str] = []  # texts of the message boxes answered
        self._old_hook = None
        self._old_handler = None
        self._watching = False

    # -- watching for trouble -------------------------------------------------------------

    def watch(self) -> Clerk:
        if self._watching:
            return self
        self._watching = True
        self._old_hook = sys.excepthook
        sys.excepthook = self._hook
        self._old_handler = qInstallMessageHandler(self._qt_message)
        return self

    def _hook(self, exc_type, exc, tb) -> None:
        import traceback

        self.errors.append("".join(traceback.format_exception(exc_type, exc, tb)))

    def _qt_message(self, mode, context, message: str) -> None:
        from PySide6.QtCore import QtMsgType

        if mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            self.errors.append(f"Qt: {message}")

    def stop(self) -> None:
        if not self._watching:
            return
        self._watching = False
        sys.excepthook = self._old_hook
        qInstallMessageHandler(self._old_handler)

    def check(self) -> None:
        """Fail now if anything went wrong so far."""
        QApplication.processEvents()
        if self.errors:
            errors, self.errors = self.errors, []
            raise AssertionError("an exception reached the event loop:\n" + "\n".join(errors))

    # -- windows --------------------------------------------------------------------------

    def activate(self, window: QWidget) -> None:
        """Bring ``window`` to the front as the clerk's click on it would (offscreen too)."""
        self.watch()
        window.show()
        window.raise_()
        window.windowHandle().requestActivate()
        wait_until(lambda: QApplication.activeWindow() is window)

    def run_modal(self, open_it: Callable[[], Any], drive: Callable[[QWidget], Any], timeout: int = 20000):
        """``open_it`` opens a modal dialog with ``exec()``; ``drive(dialog)`` runs inside it.

        A failure inside ``drive`` closes every modal dialog (the ``exec`` returns) and is
        raised here, with the dialog's own result."""
        self.watch()
        failure: list[BaseException] = []
        done = []

        def start() -> None:
            dialog = QApplication.activeModalWidget()
            if dialog is None:
                QTimer.singleShot(20, start)
                return
            try:
                self.activate(dialog)
                drive(dialog)
            except BaseException as exc:  # handed back to the test
                failure.append(exc)
                close_modals()
            finally:
                done.append(True)

        QTimer.singleShot(0, start)
        result = open_it()
        if failure:
            raise failure[0]
        assert done, "the dialog never opened"
        self.check()
        return result

    def answer_box(self, button_text, then: Callable[[], Any] | None = None) -> None:
        """When a message box opens, press its ``button_text`` button (by mouse)."""

        def press() -> None:
            box = QApplication.activeModalWidget()
            if not isinstance(box, QMessageBox):
                QTimer.singleShot(20, press)
                return
            self.boxes.append(box.text())
            if isinstance(button_text, QMessageBox.StandardButton):
                button = box.button(button_text)
            else:
                button = next((b for b in box.buttons() if b.text().replace("&", "") == button_text), None)
            if button is None:
                self.errors.append(f"no {button_text!r} in {[b.text() for b in box.buttons()]}: {box.text()}")
                box.reject()
                return
            behind = box.parentWidget().window() if box.parentWidget() is not None else None
            QTest.mouseClick(button, Qt.LeftButton)
            if behind is not None and behind.isVisible():  # the window manager's part, offscreen
                behind.windowHandle().requestActivate()
            if then is not None:
                then()

        QTimer.singleShot(0, press)

    # -- mouse and keys -------------------------------------------------------------------

    def click(self, w: QWidget) -> None:
        """A left click in the middle of ``w`` (a field's edit, a button)."""
        target = focus_target(w) if not isinstance(w, QAbstractButton) else w
        QTest.mouseClick(target, Qt.LeftButton, Qt.NoModifier, QPoint(target.width() // 2, target.height() // 2))
        self.check()

    def key(self, key, modifiers=Qt.NoModifier) -> None:
        if QApplication.focusWidget() is None:  # a window is still being activated
            wait_until(lambda: QApplication.focusWidget() is not None, timeout=2)
        target = QApplication.focusWidget()
        QTest.keyClick(target, key, modifiers)
        self.check()

    def tab(self, back: bool = False) -> None:
        self.key(Qt.Key_Backtab if back else Qt.Key_Tab, Qt.ShiftModifier if back else Qt.NoModifier)

    def type(self, text: str) -> None:
        """ASCII as key presses, everything else as input-method commits, into the focus."""
        run = ""
        for ch in [*text, None]:
            if ch is not None and not ch.isascii():
                run += ch
                continue
            if run:
                event = QInputMethodEvent()
                event.setCommitString(run)
                QApplication.sendEvent(QApplication.focusWidget(), event)
                run = ""
            if ch is not None:
                QTest.keyClicks(QApplication.focusWidget(), ch)
        self.check()

    def clear_field(self) -> None:
        self.key(Qt.Key_A, Qt.ControlModifier)
        self.key(Qt.Key_Delete)

    def choose(self, combo: QComboBox, text: str) -> None:
        """Down until ``text`` is current (the combo has focus), as a clerk picks from a list."""
        assert holds_focus(combo), f"{combo.objectName()} does not have focus"
        i = combo.findText(text)
        assert i >= 0, f"{text!r} is not offered by {combo.objectName()}"
        for _ in range(combo.count() + 1):
            if combo.currentIndex() == i:
                return
            self.key(Qt.Key_Up if combo.currentIndex() > i else Qt.Key_Down)
        raise AssertionError(f"could not reach {text!r} in {combo.objectName()} by keyboard")

    def enter(self, field_widget: QWidget, entry: Entry) -> None:
        """The clerk is in this field: replace what it holds with ``entry``."""
        if entry.choice is not None:
            self.choose(field_widget, entry.choice)
            return
        self.clear_field()
        self.type(entry.keys or "")  # suggestions may pop up: the next Tab moves on


def wait_until(condition: Callable[[], Any], timeout: float = 5.0) -> None:
    """Run the event loop until ``condition()`` holds (AssertionError after ``timeout`` s)."""
    import time

    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        QApplication.processEvents()
        time.sleep(0.01)


def close_modals() -> None:
    """Reject every open modal dialog, innermost first (after a failed drive)."""
    for _ in range(10):
        w = QApplication.activeModalWidget()
        if w is None:
            return
        w.reject() if hasattr(w, "reject") else w.close()
        QApplication.processEvents()
