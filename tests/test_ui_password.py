"""The password as a clerk meets it: typed into the dialog at start, set in 设置 by clicks and
typing, the recovery code shown once (and it opens the file)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox

from app.core.safety import encryption
from app.core.storage import keys
from app.core.storage.store import Store

PASSWORD = "武平镇2024"


def _type(edit: QLineEdit, text: str) -> None:
    """As a clerk types: ASCII by key presses, Chinese as an input method commits it."""
    for ch in text:
        if ch.isascii():
            QTest.keyClicks(edit, ch)
        else:
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QApplication.sendEvent(edit, event)


def _answer(steps: list, seen: list, shots: str | None = None) -> None:
    """Handle the modal dialogs as they come: type into an input dialog and press Enter, or
    read a message box and press Enter; ``steps`` are the texts to type, in order."""

    done: set[int] = set()  # dialogs answered (one may linger a moment after Return)

    def handle() -> None:
        try:
            _handle()
        except Exception as exc:  # never into Qt's event loop: recorded, the test fails on it
            seen.append(f"error: {exc!r}")

    def _handle() -> None:
        w = QApplication.activeModalWidget()
        if w is None or id(w) in done or not w.isVisible():
            if steps:
                QTimer.singleShot(20, handle)
            return
        done.add(id(w))
        if isinstance(w, QInputDialog):
            seen.append(w.labelText())
            edit = w.findChild(QLineEdit)
            edit.setFocus()
            _type(edit, steps.pop(0) if steps else "")
            if shots and len(seen) == 1:
                w.grab().save(shots)
        elif isinstance(w, QMessageBox):
            seen.append(w.text())
            if steps:
                steps.pop(0)
        QTest.keyClick(w, Qt.Key.Key_Return)
        if steps:
            QTimer.singleShot(20, handle)

    QTimer.singleShot(0, handle)


def test_encrypted_database_asks_its_password_at_start(qtbot, db_path, tmp_path):
    from app.ui import app as ui_app

    s = Store.open(db_path)
    s.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "加密的记录"})
    s.close()
    encryption.protect(db_path, PASSWORD)
    keys.forget_all()
    seen: list[str] = []
    _answer(["不对", PASSWORD], seen, shots=str(tmp_path / "prompt.png"))
    session = ui_app.open_session(db_path)
    try:
        assert session is not None and session.store.count("consultations") == 1
        assert seen[0].startswith("数据库已加密") and seen[1].startswith("密码不正确")
        assert (tmp_path / "prompt.png").exists()
    finally:
        if session is not None:
            session.close(backup=False)
        keys.forget_all()


def test_setting_the_password_in_settings_shows_the_recovery_code(qtbot, db_path):
    from app.ui.pages.settings_page import SettingsPage

    store = Store.open(db_path)
    page = SettingsPage(store)
    qtbot.addWidget(page)
    page.show()
    seen: list[str] = []
    _answer([PASSWORD, PASSWORD, ""], seen)  # new password, again, then the recovery code box
    qtbot.mouseClick(page.set_password_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: keys.is_encrypted(db_path) and len(seen) >= 3, timeout=20000)
    code = next(line.strip() for line in seen[2].splitlines() if line.strip().count("-") == 5)
    assert "修改密码" in page.set_password_button.text() and "加密" in page.password_state.text()
    store.save("consultations", {"date": "2024-01-02", "channel": "来访", "matter": "设密码后"})
    store.close()
    keys.forget_all()
    encryption.unlock(db_path, code)  # the recovery code opens it
    s = Store.open(db_path)
    assert s.count("consultations") == 1
    s.close()
    keys.forget_all()
