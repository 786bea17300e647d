"""The password as a clerk meets it: typed into the dialog at start, set in 设置 by clicks and
typing, the recovery code shown once (and it opens the file)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog, QLabel, QLineEdit, QMessageBox

from app.core.safety import encryption
from app.core.storage import keys
from app.core.storage.store import Store

PASSWORD = "武平镇2024!"


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
        assert seen[0].startswith("数据库已加密")
        assert seen[1].startswith("密码或恢复码不正确") and "恢复码" in seen[1]  # the second prompt offers it too
        assert (tmp_path / "prompt.png").exists()
    finally:
        if session is not None:
            session.close(backup=False)
        keys.forget_all()


def _settings(qtbot, db_path):
    from app.ui.pages.settings_page import SettingsPage

    store = Store.open(db_path)
    store.set_setting("county", "丰都县")
    store.set_setting("town", "武平镇")
    page = SettingsPage(store)
    qtbot.addWidget(page)
    page.show()
    return store, page


def _when_modal(kind, act, clerk) -> None:
    """When a modal dialog of ``kind`` opens, ``act(dialog)`` (polls without blocking)."""

    def poll() -> None:
        w = QApplication.activeModalWidget()
        if not isinstance(w, kind) or not w.isVisible():
            QTimer.singleShot(20, poll)
            return
        try:
            act(w)
        except Exception as exc:  # never into Qt's event loop: the test fails on it
            clerk.errors.append(repr(exc))
            w.reject()

    QTimer.singleShot(0, poll)


def _set_password_by_keyboard(clerk, page, password: str, again: str | None = None):
    """设置密码… by mouse; the new password typed twice, Enter between and after."""
    from app.ui.dialogs.password_dialog import NewPasswordDialog

    seen = {}

    def drive(dlg):
        assert isinstance(dlg, NewPasswordDialog)
        seen["title"] = dlg.windowTitle()
        seen["text"] = " ".join(lbl.text() for lbl in dlg.findChildren(QLabel))
        seen["ok"] = dlg.ok_button.text()
        clerk.click(dlg.first)
        clerk.type(password)
        clerk.key(Qt.Key.Key_Return)  # on to the second box
        clerk.type(password if again is None else again)
        clerk.key(Qt.Key.Key_Return)  # 加密数据文件
        if again is not None and again != password:
            seen["problem"] = dlg.problem.text()
            assert dlg.isVisible()
            clerk.type(password)
            clerk.key(Qt.Key.Key_Return)

    clerk.run_modal(lambda: clerk.click(page.set_password_button), drive, timeout=60000)
    return seen


def test_setting_the_password_in_settings_shows_the_recovery_code(clerk, qtbot, db_path):
    from app.ui.dialogs import password_dialog

    store, page = _settings(qtbot, db_path)
    clerk.activate(page)
    shown = {}

    def on_code(dlg):  # the recovery code dialog, once the file is encrypted
        shown["code"] = dlg.code_label.text()
        shown["title"] = dlg.windowTitle()
        clerk.click(dlg.close_button)

    _when_modal(password_dialog.RecoveryCodeDialog, on_code, clerk)
    seen = _set_password_by_keyboard(clerk, page, PASSWORD, again="不一样的")
    assert "code" in shown
    assert "加密数据文件" in seen["title"] and "开机" not in seen["title"] + seen["text"]
    assert "数据文件" in seen["text"] and seen["ok"] == "加密数据文件"
    assert seen["problem"] == "两次输入的密码不一致，请再输入一次。"
    code = shown["code"]
    assert code.count("-") == 5 and "只显示这一次" in shown["title"]
    assert keys.is_encrypted(db_path)
    assert "修改密码" in page.set_password_button.text() and "加密" in page.password_state.text()
    store.save("consultations", {"date": "2024-01-02", "channel": "来访", "matter": "设密码后"})
    store.close()
    keys.forget_all()
    encryption.unlock(db_path, code)  # the recovery code opens it
    s = Store.open(db_path)
    assert s.count("consultations") == 1
    s.close()
    keys.forget_all()


def test_recovery_code_can_be_copied_and_printed(clerk, qtbot, tmp_path, monkeypatch):
    from PySide6.QtPrintSupport import QPrinter

    from app.ui.dialogs import password_dialog

    code = "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ"
    pdf = tmp_path / "恢复码.pdf"

    def printer_chosen(parent):  # the print dialog's 打印, to a PDF file instead of paper
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(pdf))
        return printer

    monkeypatch.setattr(password_dialog, "choose_printer", printer_chosen)
    QApplication.clipboard().clear()

    def drive(dlg):
        clerk.click(dlg.copy_button)
        assert QApplication.clipboard().text() == code
        assert "已复制" in dlg.status.text()
        clerk.click(dlg.print_button)
        assert "打印" in dlg.status.text()
        clerk.click(dlg.close_button)

    dlg = password_dialog.RecoveryCodeDialog(code, issuer="丰都县武平镇人民政府")
    qtbot.addWidget(dlg)
    clerk.run_modal(dlg.exec, drive)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000
    sheet = password_dialog.recovery_sheet(code, "丰都县武平镇人民政府")
    assert code in sheet and "丰都县武平镇人民政府" in sheet and "恢复码" in sheet


def test_print_dialog_cancelled_prints_nothing(clerk, qtbot, monkeypatch):
    from app.ui.dialogs import password_dialog

    monkeypatch.setattr(password_dialog, "choose_printer", lambda parent: None)
    dlg = password_dialog.RecoveryCodeDialog("ABCD-EFGH-JKLM-NPQR-STUV-WXYZ")
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.print_code() is False and dlg.status.text() == ""


def test_bundle_keeps_qt_print_support_but_not_cups():
    """打印… needs QtPrintSupport in the bundle; Linux's CUPS plugin (and libcups) stays out."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("bundle", Path(__file__).resolve().parents[1] / "build" / "bundle.py")
    bundle = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bundle)
    assert "PySide6.QtPrintSupport" not in bundle.EXCLUDES
    assert not bundle.keep_binary("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so")
    assert bundle.keep_binary("PySide6\\plugins\\printsupport\\windowsprintersupport.dll")
