"""A new office's first run: it names itself, then brings last year's Excel workbooks in
(several files at once, each sheet's ledger recognised from its header) before the window,
and has figures without typing a number.  Driven through the modal dialogs as a clerk: typed
names (input-method commits), clicks on 开始使用 and 确认导入."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox

from app.core.figures.compute import compute
from app.ui import app as ui_app
from app.ui.dialogs import import_dialog, workbooks
from app.ui.dialogs.import_dialog import ImportDialog
from app.ui.dialogs.setup_dialog import SetupDialog
from app.ui.pages.dashboard import DashboardPage
from app.ui.widgets import file_dialogs
from tests.fixtures.clerk_book import clerk_workbook
from tests.gui_harness import close_modals, wait_until


def _commit(widget, text: str) -> None:
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def _click(button) -> None:
    """A click where a clerk clicks: the middle of a button, the box of a check box."""
    if isinstance(button, QCheckBox):
        at = QPoint(8, button.height() // 2)
        QTest.mouseClick(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    else:
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)


class Clerk:
    """Answers each modal dialog as it comes up (first_run runs them with exec())."""

    def __init__(self):
        self.seen: list[str] = []
        self.failure: BaseException | None = None

    def step(self) -> None:
        try:
            w = QApplication.activeModalWidget()
            if isinstance(w, SetupDialog) and "setup" not in self.seen:
                self.seen.append("setup")
                assert w.excel.isChecked() and not w.demo.isChecked()  # offered by default
                _commit(w.county, "武隆区")
                _commit(w.town, "白马镇")
                _click(w.ok_button)
            elif isinstance(w, ImportDialog) and w.preview is not None and w.count_written is None:
                if w.confirm_button.isEnabled() and "confirm:" + str(w.path) not in self.seen:
                    self.seen.append("confirm:" + str(w.path))
                    _click(w.confirm_button)
            elif isinstance(w, ImportDialog) and w.count_written is not None:
                self.seen.append(f"written:{w.count_written}")
                _click(w.cancel_button)  # now 关闭
        except BaseException as exc:  # reported by the test, not swallowed by Qt
            self.failure = exc
            close_modals()


def test_first_run_brings_last_years_workbooks_in(qtbot, store, tmp_path, monkeypatch):
    study = clerk_workbook(tmp_path / "2024年学法台账.xlsx", disputes=True)
    picked = []
    monkeypatch.setattr(file_dialogs, "open_file_names", lambda *a, **k: picked.append(a[1]) or [str(study)])
    clerk = Clerk()
    timer = QTimer()
    timer.timeout.connect(clerk.step)
    timer.start(50)
    try:
        ui_app.first_run(store)
    finally:
        timer.stop()
    if clerk.failure:
        raise clerk.failure
    assert picked and "Excel" in picked[0]
    assert clerk.seen[0] == "setup" and "written:8" in clerk.seen
    summary = workbooks._SHOWN.pop()  # after the last workbook: what went where
    assert summary.text() == "共导入 8 条记录：" and "矛盾纠纷台账 3 条" in summary.informativeText()
    summary.close()
    assert store.issuer == "武隆区白马镇人民政府"
    assert store.count("study_sessions") == 5 and store.count("disputes") == 3
    figures = compute(store, 2024)
    assert figures["disputes.court_delegated"] == 1


def test_first_run_skips_the_import_when_unticked(qtbot, store, monkeypatch):
    monkeypatch.setattr(file_dialogs, "open_file_names", lambda *a, **k: (_ for _ in ()).throw(AssertionError))

    def answer(dlg):
        dlg.show()
        _commit(dlg.county, "武隆区")
        _commit(dlg.town, "白马镇")
        _click(dlg.excel)  # the clerk unticks it
        assert not dlg.wants_excel
        return 1

    monkeypatch.setattr(SetupDialog, "exec", answer)
    ui_app.first_run(store)
    assert store.setting("setup_done") is True and store.count("study_sessions") == 0


def test_demo_and_excel_are_never_both_ticked(qtbot, store):
    dlg = SetupDialog(store)
    qtbot.addWidget(dlg)
    dlg.show()
    _click(dlg.demo)
    assert dlg.demo.isChecked() and not dlg.excel.isChecked()
    _click(dlg.excel)
    assert dlg.excel.isChecked() and not dlg.demo.isChecked()


def test_home_page_button_imports_whole_workbooks(qtbot, store, tmp_path, monkeypatch):
    store.set_setting("town", "白马镇")
    book = clerk_workbook(tmp_path / "台账.xlsx")
    monkeypatch.setattr(file_dialogs, "open_file_names", lambda *a, **k: [str(book)])
    opened = []

    def run(dlg):  # the modal loop, as a clerk: wait for the plan, 确认导入, 关闭
        opened.append(dlg)
        dlg.show()
        wait_until(lambda: dlg.preview is not None and dlg.confirm_button.isEnabled(), 20)
        _click(dlg.confirm_button)
        wait_until(lambda: dlg.count_written is not None, 20)
        return 1

    monkeypatch.setattr(import_dialog.ImportDialog, "exec", run)
    page = DashboardPage(store)
    qtbot.addWidget(page)
    page.show()
    assert page.excel_button.isEnabled()
    _click(page.excel_button)
    assert len(opened) == 1 and opened[0].ledger is None  # the whole-workbook dialog
    assert store.count("study_sessions") == 5
    # after the last workbook, the summary: rows per ledger, 待补充, refused
    box = workbooks._SHOWN[-1]
    assert box.text() == "共导入 5 条记录："
    assert box.informativeText().splitlines() == ["　学法培训台账 5 条"]
    box.close()
    qtbot.waitUntil(lambda: not any(w.is_running() for w in page._workers), timeout=60000)
