"""帮助: F1 and the 帮助 menu open the Chinese guide shipped in resources/help (offline), and
the bundle carries it where the program looks for it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from app.ui.dialogs.help_dialog import HelpDialog, guide_path
from app.ui.main_window import MainWindow
from tests.gui_harness import wait_until

ROOT = Path(__file__).resolve().parents[1]
TOPICS = ("第一天", "从 Excel 导入", "年度报告", "报表", "数据包", "备份与恢复", "密码与恢复码", "恢复码")


def _window(clerk, qtbot, store) -> MainWindow:
    w = MainWindow(store)
    qtbot.addWidget(w)
    clerk.activate(w)
    qtbot.waitUntil(lambda: "home" in w.pages, timeout=10000)
    return w


def _open_help(w: MainWindow) -> HelpDialog:
    wait_until(lambda: isinstance(w._help, HelpDialog) and w._help.isVisible())
    return w._help


def _done(qtbot, w: MainWindow) -> None:
    home = w.pages["home"]
    qtbot.waitUntil(lambda: not any(x.is_running() for x in home._workers), timeout=60000)


def test_f1_opens_the_guide(clerk, qtbot, store):
    w = _window(clerk, qtbot, store)
    clerk.key(Qt.Key_F1)
    dlg = _open_help(w)
    text = dlg.text()
    for topic in TOPICS:
        assert topic in text, topic
    assert "F1" in text and "Ctrl+S" in text
    assert dlg.browser.source().isLocalFile()  # read from the file, nothing online
    dlg.close()
    _done(qtbot, w)


def test_help_menu_opens_the_guide_and_its_contents_link(clerk, qtbot, store):
    w = _window(clerk, qtbot, store)
    bar = w.menuBar()
    help_action = next(a for a in bar.actions() if a.text().startswith("帮助"))
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.actionGeometry(help_action).center())
    menu = help_action.menu()
    wait_until(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    guide = next(a for a in menu.actions() if a.text() == "使用指南")
    assert guide.shortcut().toString() == "F1"
    QTest.mouseClick(menu, Qt.LeftButton, Qt.NoModifier, menu.actionGeometry(guide).center())
    dlg = _open_help(w)
    browser = dlg.browser
    assert browser.verticalScrollBar().value() == 0
    link = browser.document().find("密码与恢复码")  # the first one: the contents line at the top
    cursor = browser.textCursor()
    cursor.setPosition(link.selectionStart() + 1)
    QTest.mouseClick(browser.viewport(), Qt.LeftButton, Qt.NoModifier, browser.cursorRect(cursor).center())
    wait_until(lambda: browser.verticalScrollBar().value() > 0)  # down to 八、密码与恢复码
    heading = browser.document().find("八、密码与恢复码")
    assert browser.viewport().rect().contains(browser.cursorRect(heading).center())  # now on screen
    dlg.close()
    _done(qtbot, w)


def test_guide_is_a_resource_the_bundle_carries(monkeypatch, tmp_path):
    path = guide_path()
    assert path.is_file() and path == ROOT / "resources" / "help" / "guide.html"
    html = path.read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html  # readable offline, links inside only
    spec = importlib.util.spec_from_file_location("bundle", ROOT / "build" / "bundle.py")
    bundle = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bundle)
    assert (str(path), "resources/help") in bundle.resource_datas()
    assert bundle.keep_data("resources/help/guide.html")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)  # frozen: the bundle's folder
    assert guide_path() == tmp_path / "resources" / "help" / "guide.html"
