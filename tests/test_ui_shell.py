"""Start-up, the main window, translations, the exception hook, first run, the lock."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox

from app.core import paths
from app.core.ledgers import catalog
from app.core.storage.store import Store
from app.ui import app as ui_app
from app.ui import main_window
from app.ui.dialogs import secret_prompt
from app.ui.main_window import MainWindow
from app.ui.widgets import file_dialogs

ROOT = Path(__file__).resolve().parents[1]


# the window started as the program starts it, noted from outside (as bench/bench_startup.py)
STARTUP = r"""
import sys
from app.ui import app as ui_app

app = ui_app.application()
ctl = ui_app.Controller(app, ui_app.Path(sys.argv[1]))
ctl.start_window_first()
ctl.window.first_painted.connect(lambda: print("shown", flush=True))

def attached():
    heavy = [m for m in ("matplotlib", "docx", "openpyxl") if m in sys.modules]
    print("attached", ",".join(heavy) or "-", flush=True)
    app.quit()

ctl.window.attached.connect(attached)
app.exec()
ctl.window.close()
ctl.stop()
"""


def _setup_done(db_path) -> None:
    s = Store.open(db_path)
    s.set_setting("setup_done", True)
    s.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "x"})
    s.close()


def _run(args, timeout=120) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))  # FAZHI_DATA_DIR: conftest's
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def test_startup_imports_nothing_heavy(db_path):
    _setup_done(db_path)
    out = _run(["-c", STARTUP, str(db_path)])
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["shown", "attached -"], out.stdout + out.stderr  # the window first


def test_check_window_opens_every_page_and_quits(db_path):
    """``--check-window``, IT's check of an install: the window painted, every page opened."""
    _setup_done(db_path)
    out = _run(["-m", "app", "--db", str(db_path), "--check-window"], timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == f"窗口已打开：{db_path}"
    assert lines[-1] == f"各页均已打开（{len(catalog.LEDGERS) + 8} 页）。"
    assert "Traceback" not in out.stderr
    assert importlib.import_module("app.core.safety.backup").list_backups(db_path) == []  # a check writes nothing


def test_check_window_names_a_page_that_will_not_open(qtbot, db_path, monkeypatch, capsys):
    from app.ui import errors

    _setup_done(db_path)
    monkeypatch.setattr(errors, "reporter", errors.ErrorReporter())
    monkeypatch.setitem(main_window.EXTERNAL_PAGES, "report", ("app.ui.pages.no_such_page", "X"))
    assert ui_app.run_gui(str(db_path), check=True) == 1
    out = capsys.readouterr()
    assert out.out.startswith("窗口已打开：")
    assert "页面打不开：年度报告（" in out.err
    assert "各页均已打开" not in out.out


def test_run_gui_quits_when_the_clerk_will_not_wait(qtbot, db_path, monkeypatch):
    lock = importlib.import_module("app.core.safety.lock")
    Store.open(db_path).close()
    held = lock.acquire(db_path)
    try:
        monkeypatch.setattr(ui_app, "ask_read_only", lambda holder: False)  # 退出
        assert ui_app.run_gui(str(db_path)) == 1
    finally:
        held.release()


def _window(qtbot, store) -> MainWindow:
    w = MainWindow(store)
    qtbot.addWidget(w)
    return w


def test_main_window_title_and_side_bar(qtbot, store):
    w = _window(qtbot, store)
    assert w.windowTitle() == "法治台账 — 未设置单位名称"  # never another town's name
    store.set_setting("county", "丰都县")
    store.set_setting("town", "武平镇")
    w.update_title()
    assert w.windowTitle() == "法治台账 — 丰都县武平镇人民政府"
    tops = [w.nav.topLevelItem(i).text(0) for i in range(w.nav.topLevelItemCount())]
    assert tops == ["首页", *catalog.GROUPS, "年度报告", "报表", "数据交换", "设置", "回收站", "操作日志"]
    assert not w.pages  # nothing built before it is shown
    page = w.show_page("ledger:disputes")
    assert list(w.pages) == ["ledger:disputes"]
    assert w.nav.currentItem().text(0) == "矛盾纠纷台账"
    assert "共 0 条" in w.status_label.text()
    assert w.show_page("ledger:disputes") is page  # made once
    enforcement = next(w.nav.topLevelItem(i) for i in range(w.nav.topLevelItemCount()) if tops[i] == "行政执法")
    names = [enforcement.child(i).text(0) for i in range(enforcement.childCount())]
    assert names == ["执法人员名册", "执法事项清单", "行政检查台账", "行政处罚台账"]


def test_nav_click_opens_page_and_settings_update_title(qtbot, store):
    w = _window(qtbot, store)
    w.show()
    qtbot.waitUntil(lambda: "home" in w.pages, timeout=10000)  # the 首页 opens after the first paint
    w.nav.setCurrentItem(w._items["audit"])
    assert w.current_key() == "audit"
    settings = w.show_page("settings")
    settings.county.setText("丰都县")
    settings.town.setText("白马镇")
    settings.save()
    assert w.windowTitle() == "法治台账 — 丰都县白马镇人民政府"
    w.close()


def test_open_rows_shows_just_those_rows(qtbot, store):
    ids = [
        store.save("consultations", {"date": f"2024-01-0{d}", "channel": "来访", "matter": str(d)}) for d in range(1, 6)
    ]
    w = _window(qtbot, store)
    w.open_rows("consultations", [ids[1], ids[3]])
    page = w.pages["ledger:consultations"]
    assert page.model.rowCount() == 2
    assert page.only_bar.isVisibleTo(page)
    page.show_all()
    assert page.model.rowCount() == 5


def test_qt_dialogs_in_chinese(qapp):
    assert ui_app.load_translations(qapp)
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"


def test_exception_hook_logs_and_tells_in_chinese(qapp, monkeypatch):
    from app.ui import errors

    reporter = errors.ErrorReporter()
    monkeypatch.setattr(errors, "reporter", reporter)
    try:
        raise PermissionError(13, "denied", "D:/台账/x.db")
    except PermissionError:
        errors.exception_hook(*sys.exc_info())
    log = (paths.logs_dir() / "error.log").read_text(encoding="utf-8")
    assert "PermissionError" in log and "Traceback" in log
    (box,) = reporter.open_boxes.values()
    assert "没有权限访问" in box.text() and "error.log" in box.text()
    box.close()


def test_first_run_setup(qtbot, store, monkeypatch):
    from app.ui.dialogs.setup_dialog import SetupDialog

    def fake_exec(dlg):
        dlg.county.setText("武隆区")
        assert not dlg.ok_button.isEnabled()
        dlg.town.setText("白马镇")
        assert dlg.ok_button.isEnabled() and "武隆区白马镇人民政府" in dlg.issuer.text()
        return 1

    offered = []  # the Excel offer is ticked by default; this clerk cancels the file dialog
    monkeypatch.setattr(file_dialogs, "open_file_names", lambda *a, **k: offered.append(a) or [])
    monkeypatch.setattr(SetupDialog, "exec", fake_exec)
    ui_app.first_run(store)
    assert len(offered) == 1
    assert store.issuer == "武隆区白马镇人民政府"
    assert store.setting("setup_done") is True
    monkeypatch.setattr(SetupDialog, "exec", lambda dlg: pytest.fail("asked twice"))
    ui_app.first_run(store)  # only once


def test_first_run_offers_demo(qtbot, store, monkeypatch):
    from app.ui.dialogs import setup_dialog

    def fake_exec(dlg):
        assert not dlg.demo.isHidden()  # offered on every install: the demo ships with the program
        dlg.county.setText("丰都县")
        dlg.town.setText("武平镇")
        dlg.demo.setChecked(True)
        return 1

    monkeypatch.setattr(setup_dialog.SetupDialog, "exec", fake_exec)
    ui_app.first_run(store)
    assert store.count("disputes") > 0


def test_database_in_use_opens_read_only(qtbot, db_path, monkeypatch):
    lock = importlib.import_module("app.core.safety.lock")
    Store.open(db_path).close()
    held = lock.acquire(db_path)
    try:
        asked = []
        monkeypatch.setattr(ui_app, "ask_read_only", lambda holder: asked.append(holder) or True)
        session = ui_app.open_session(db_path)
        assert asked and session is not None and session.readonly
        assert session.store.readonly
        w = MainWindow(session.store)
        qtbot.addWidget(w)
        assert w.windowTitle().endswith("（只读）")
        page = w.show_page("ledger:consultations")
        assert not page.act_new.isEnabled() and not page.act_delete.isEnabled()
        session.close()
        monkeypatch.setattr(ui_app, "ask_read_only", lambda holder: False)
        assert ui_app.open_session(db_path) is None  # the clerk chose 退出
    finally:
        held.release()
    session = ui_app.open_session(db_path)  # free again: read-write, and locked by us
    assert session is not None and not session.readonly and lock.held_here(db_path)
    session.close()
    assert not lock.held_here(db_path)


def test_restore_from_backup_reopens_window(qtbot, db_path, monkeypatch):
    backup = importlib.import_module("app.core.safety.backup")
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    s = Store.open(db_path)
    s.set_setting("setup_done", True)
    s.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "备份前"})
    s.close()
    saved = backup.make_backup(db_path)
    ctl = ui_app.Controller(QCoreApplication.instance(), db_path)
    assert ctl.start()
    first = ctl.window
    ctl.session.store.save("consultations", {"date": "2024-01-02", "channel": "电话", "matter": "备份后"})
    settings = first.show_page("settings")
    assert settings.restore_backup(str(saved))  # the 从备份恢复 button, file already chosen
    assert ctl.window is not first
    qtbot.addWidget(ctl.window)
    assert [r["matter"] for r in ctl.session.store.rows("consultations")] == ["备份前"]
    ctl.window.close()
    ctl.stop()


def test_import_button_opens_preview_dialog(qtbot, store, monkeypatch):
    dialogs = importlib.import_module("app.ui.dialogs.import_dialog")
    opened = []

    def fake_exec(dlg):
        opened.append(dlg)
        store.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "导入的"})
        return 1

    monkeypatch.setattr(dialogs.ImportDialog, "exec", fake_exec)
    w = MainWindow(store)
    qtbot.addWidget(w)
    page = w.show_page("ledger:consultations")
    monkeypatch.setattr(file_dialogs, "open_file_name", lambda *a, **k: "")
    page.act_import.trigger()
    assert opened and page.model.rowCount() == 1


def test_keyboard_from_side_bar_into_table(qtbot, store):
    store.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "x"})
    w = _window(qtbot, store)
    w.show()
    qtbot.waitUntil(lambda: "home" in w.pages, timeout=10000)
    w.nav.setCurrentItem(w._items["ledger:consultations"])
    w.nav.itemActivated.emit(w._items["ledger:consultations"], 0)
    page = w.pages["ledger:consultations"]
    assert w.focusWidget() is page.table and page.current_id() is not None
    store.delete("consultations", page.current_id())  # written elsewhere: 回收站 re-reads on show
    recycle = w.show_page("recycle")
    w.show_page("audit")
    assert "移入回收站" in [w.pages["audit"].model.data(w.pages["audit"].model.index(0, 2))]
    assert recycle._total == 1 and recycle.current_ledger() == "consultations"
    w.close()


def test_closing_makes_the_daily_backup_and_frees_the_lock(qtbot, db_path, monkeypatch):
    backup = importlib.import_module("app.core.safety.backup")
    lock = importlib.import_module("app.core.safety.lock")
    session = ui_app.open_session(db_path)
    assert session is not None and lock.held_here(db_path)
    session.store.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "x"})
    session.close()
    assert not lock.held_here(db_path)
    made = backup.list_backups(db_path)
    assert len(made) == 1 and "auto" in made[0].name


def test_password_asked_at_start(qtbot, db_path, monkeypatch):
    password = importlib.import_module("app.core.safety.password")
    keys = importlib.import_module("app.core.storage.keys")
    s = Store.open(db_path)
    password.set_password(s, "对的密码2024!")  # the file is encrypted now
    s.close()
    keys.forget_all()  # as a new start of the program: the key is not known
    answers = iter([("错的", True), ("对的密码2024!", True)])
    monkeypatch.setattr(secret_prompt.QInputDialog, "getText", lambda *a, **k: next(answers))
    session = ui_app.open_session(db_path)
    assert session is not None and session.store.count("consultations") == 0
    session.close(backup=False)
    keys.forget_all()
    monkeypatch.setattr(secret_prompt.QInputDialog, "getText", lambda *a, **k: ("错的", True))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    assert ui_app.open_session(db_path) is None  # three wrong answers
    monkeypatch.setattr(secret_prompt.QInputDialog, "getText", lambda *a, **k: ("", False))
    assert ui_app.open_session(db_path) is None  # cancelled
    keys.forget_all()
    lock = importlib.import_module("app.core.safety.lock")
    assert not lock.held_here(db_path)


def test_the_bundled_chinese_font_is_registered(qapp):
    from PySide6.QtGui import QFontDatabase

    families = ui_app.load_fonts()
    assert families, "bundled font not loaded"
    assert families[0] in QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
