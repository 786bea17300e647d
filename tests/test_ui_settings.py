"""设置 page: names, villages, extra choices, backups, password."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from app.ui.forms.record_form import RecordForm
from app.ui.pages.settings_page import SettingsPage


def test_settings_saved(qtbot, store):
    page = SettingsPage(store)
    qtbot.addWidget(page)
    assert page.county.text() == "" and page.town.text() == ""  # no invented office
    page.county.setText("武隆区")
    page.town.setText("白马镇")
    page.villages.setPlainText("白马村\n中坪村\n白马村\n")
    page.font_scheme.setCurrentIndex(page.font_scheme.findData("windows"))
    page.choice_field.setCurrentIndex(page.choice_field.findData("disputes.source"))
    assert "自主排查" in page.choice_defaults.text()
    page.choice_extra.setPlainText("网格员上报\n自主排查")  # a default is not added twice
    page.save()
    assert store.setting("county") == "武隆区" and store.setting("town") == "白马镇"
    assert store.issuer == "武隆区白马镇人民政府"
    assert store.setting("villages") == ["白马村", "中坪村"]
    assert store.setting("report.font_scheme") == "windows"
    assert store.choices("disputes", "source")[-1] == "网格员上报"
    assert store.setting("choices.disputes.source") == ["网格员上报"]

    form = RecordForm(store, "disputes")  # the form offers the new choice and the villages
    qtbot.addWidget(form)
    assert form.widgets["source"].findText("网格员上报") >= 0
    words = form.widgets["village"].completer().model().stringList()
    assert words[:2] == ["白马村", "中坪村"]


def test_settings_refuse_empty_names(qtbot, store, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    store.set_setting("county", "丰都县")
    store.set_setting("town", "武平镇")
    page = SettingsPage(store)
    qtbot.addWidget(page)
    page.town.setText("")
    page.save()
    assert shown and store.setting("town") == "武平镇"
    assert "乡镇（街道）名称" in shown[0]


def test_backup_now_and_password(qtbot, store, monkeypatch, tmp_path):
    from app.ui.dialogs.password_dialog import RecoveryCodeDialog

    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    codes = []
    monkeypatch.setattr(RecoveryCodeDialog, "exec", lambda self: codes.append(self.code) or 1)  # shown once
    page = SettingsPage(store)
    qtbot.addWidget(page)
    if page.backup is not None:
        dest = tmp_path / "b.db"
        assert page.make_backup(str(dest)) == dest
        assert dest.exists()
    if page.password is not None:
        assert page.change_password(text="秘密12345678")
        assert len(codes) == 1 and codes[0].count("-") == 5
        assert page.password.has_password(store)
        assert page.password.check_password(store, "秘密12345678")
        assert page.clear_password_button.isEnabled()
        assert page.change_password(clear=True, text="")
        assert not page.password.has_password(store)


def test_restore_confirmation_says_what_the_backup_holds(qtbot, store, tmp_path, monkeypatch):
    page = SettingsPage(store)
    qtbot.addWidget(page)
    assert page.backup is not None
    store.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "x"})
    good = page.backup.make_backup(store.path, tmp_path / "good.db")
    assert "共 1 条记录" in page.describe_backup(str(good))
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 100)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    assert page.describe_backup(str(bad)) is None and shown


def test_recipient_and_font_scheme_set_by_the_clerk(qtbot, store, monkeypatch):
    """主送机关 typed, 报告字体 picked from the list with the mouse, 保存设置 clicked."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.core.report import installed_fonts
    from tests.gui_harness import Clerk, wait_until

    monkeypatch.setattr(installed_fonts, "installed_faces", lambda: frozenset())  # a stock Windows PC
    store.set_setting("county", "丰都县")
    store.set_setting("town", "武平镇")
    page = SettingsPage(store)
    qtbot.addWidget(page)
    page.resize(900, 900)
    clerk = Clerk(qtbot)
    clerk.activate(page)
    assert page.font_scheme.currentData() == "auto"  # the default: what the PC has
    assert "未安装公文标准字体" in page.font_scheme.currentText()
    assert page.recipient.text() == ""

    clerk.click(page.recipient)
    clerk.type("丰都县人民政府")

    clerk.click(page.font_scheme)  # the list opens
    view = page.font_scheme.view()
    wait_until(lambda: view.isVisible())
    # the open list ignores a release within a double-click interval of opening (Qt's guard
    # against the opening click's own release choosing an item): the clerk's hand is slower
    qtbot.wait(QApplication.doubleClickInterval() + 100)
    row = page.font_scheme.findData("windows")
    rect = view.visualRect(view.model().index(row, 0))
    QTest.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
    wait_until(lambda: not view.isVisible())
    assert page.font_scheme.currentText().startswith("Windows 自带字体")

    clerk.click(page.save_button)
    assert store.setting("report.recipient") == "丰都县人民政府"
    assert store.setting("report.font_scheme") == "windows"

    again = SettingsPage(store)  # what the page shows next time
    qtbot.addWidget(again)
    assert again.recipient.text() == "丰都县人民政府" and again.font_scheme.currentData() == "windows"


def test_phone_typed_in_settings_reaches_the_returns(qtbot, demo_store, tmp_path):
    """Issue 18: the office's 联系电话, typed in 设置, is printed on every return."""
    from openpyxl import load_workbook

    from app.core.returns.xlsx import export
    from tests.gui_harness import Clerk

    page = SettingsPage(demo_store)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    clerk = Clerk(qtbot).watch()
    try:
        clerk.click(page.phone)
        clerk.type("023-70601234")
        page.save()
        clerk.check()
    finally:
        clerk.stop()
    assert demo_store.setting("phone") == "023-70601234"
    out = export(demo_store, "2024Q2", tmp_path / "r.xlsx", ["行政执法"])
    assert "联系电话：023-70601234" in load_workbook(out).active["A2"].value
