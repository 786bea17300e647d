"""Issue 9's walk-through, item by item: each thing a new user tripped over, checked."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QMessageBox

from app.core.ledgers import catalog
from app.core.storage import query
from app.ui.dialogs.setup_dialog import SetupDialog
from app.ui.models.audit_model import COLUMNS, AuditModel
from app.ui.pages import settings_page
from app.ui.pages.ledger_page import LedgerPage
from app.ui.pages.recycle_page import RecyclePage
from app.ui.pages.settings_page import SettingsPage
from tests.gui_harness import Clerk

ROOT = Path(__file__).resolve().parents[1]
THIS = dt.date.today().year


def _form_labels(widget) -> list[str]:
    out = []
    for form in widget.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.LabelRole)
            if item is not None and isinstance(item.widget(), QLabel):
                out.append(item.widget().text())
    return out


def test_no_invented_office(store):
    assert store.setting("county") == "" and store.setting("town") == "" and store.issuer == ""
    assert "丰都" not in json.dumps(store.settings(), ensure_ascii=False)
    store.set_setting("county", "武隆区")
    store.set_setting("town", "白马镇")
    assert store.issuer == "武隆区白马镇人民政府"


def test_one_name_for_the_town_in_setup_and_settings(qtbot, store):
    page = SettingsPage(store)
    dlg = SetupDialog(store)
    qtbot.addWidget(page)
    qtbot.addWidget(dlg)
    for labels in (_form_labels(page), _form_labels(dlg)):
        assert "乡镇（街道）名称：" in labels and "单位名称：" not in labels


def test_audit_log_speaks_chinese(qtbot, store):
    store.set_setting("county", "丰都县")
    store.set_setting("town", "武平镇")
    store.set_setting("setup_done", True)
    store.set_setting("choices.disputes.source", ["网格员上报"])
    store.set_report_text(2024, "date", "2025-01-20")
    model = AuditModel(store)
    shown = " | ".join(
        str(model.data(model.index(r, c)) or "") for r in range(model.rowCount()) for c in range(model.columnCount())
    )
    for internal in ("setup_done", "True", "town", "county", "choices.", "date："):
        assert internal not in shown, shown
    for label in ("乡镇（街道）名称：武平镇", "县（区）名称：丰都县", "已完成首次设置：是", "矛盾纠纷台账“来源”的选项"):
        assert label in shown, shown
    assert "成文日期：2025-01-20" in shown


def test_audit_log_says_empty_rather_than_nothing(qtbot, store):
    values = {"date": "2024-03-05", "form": "专题培训", "audience": "全体干部职工", "topic": "宪法"}
    row = store.save("study_sessions", values)
    store.delete("study_sessions", row)
    model = AuditModel(store)
    old_values = [str(model.data(model.index(r, COLUMNS.index("原值"))) or "") for r in range(model.rowCount())]
    assert "删除时间：（空）" in old_values  # moved to the 回收站 from not deleted


def test_recycle_bin_shows_when_deleted_in_side_bar_order(qtbot, store):
    a = store.save("consultations", {"date": "2024-01-02", "channel": "来访", "matter": "甲"})
    store.save("study_sessions", {"date": "2024-01-03", "form": "专题培训", "audience": "全体干部职工", "topic": "乙"})
    store.delete("consultations", [a])
    page = RecyclePage(store)
    qtbot.addWidget(page)
    names = [page.ledgers.item(i).text().split("（")[0] for i in range(page.ledgers.count())]
    assert names == [lg.name for lg in catalog.in_group_order()]
    page.select_ledger("consultations")
    header = page.table.horizontalHeader()
    first = header.logicalIndex(0)
    assert page.model.headerData(first, Qt.Horizontal) == "删除时间"
    when = page.model.data(page.model.index(0, first))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", when), when


def test_year_lists_run_from_first_data_year_to_next_year(qtbot, store):
    assert query.year_choices(store) == [THIS + 1, THIS]  # no data: this year and next
    store.save("consultations", {"date": f"{THIS - 3}-05-01", "channel": "来访", "matter": "x"})
    assert query.year_choices(store) == list(range(THIS + 1, THIS - 4, -1))
    page = LedgerPage(store, "consultations")
    qtbot.addWidget(page)
    years = [page.year_combo.itemData(i) for i in range(page.year_combo.count())]
    assert years == [None, *range(THIS + 1, THIS - 4, -1)]


def test_backup_to_a_chosen_file(qtbot, store, tmp_path, monkeypatch):
    usb = tmp_path / "U盘"
    usb.mkdir()
    asked = {}

    def pick(parent, caption, start, filters):
        asked.update(caption=caption, start=start)
        return str(usb / "台账备份")

    monkeypatch.setattr(settings_page, "save_file_name", pick)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    page = SettingsPage(store)
    qtbot.addWidget(page)
    Clerk(qtbot).activate(page)
    if page.backup is None:
        pytest.skip("backups not in this build")
    qtbot.mouseClick(page.backup_to, Qt.LeftButton)
    assert asked["caption"] == "备份到" and asked["start"].endswith(".db")
    assert (usb / "台账备份.db").exists()


def test_file_dialog_is_chinese_throughout(qtbot, qapp, tmp_path):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QHeaderView

    from app.ui.app import load_translations
    from app.ui.widgets import file_dialogs

    load_translations(qapp)
    (tmp_path / "子文件夹").mkdir()
    (tmp_path / "台账.db").write_bytes(b"")
    dlg = file_dialogs._dialog(None, "备份到", str(tmp_path), "备份文件 (*.db)")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.findChildren(QHeaderView) and dlg.findChildren(QHeaderView)[0].count() > 0)
    texts = [w.text() for w in dlg.findChildren(QLabel)] + [w.text() for w in dlg.findChildren(QAbstractButton)]
    for h in dlg.findChildren(QHeaderView):
        texts += [h.model().headerData(i, Qt.Horizontal) for i in range(h.count())]
    view_model = dlg.findChildren(QHeaderView)[0].model()
    qtbot.waitUntil(lambda: view_model.rowCount(view_model.index(str(tmp_path), 0)) == 2)
    parent = view_model.index(str(tmp_path), 0)
    texts += [view_model.data(view_model.index(r, 2, parent)) for r in range(2)]  # the 类型 column
    texts += [
        c.itemText(i)
        for c in dlg.findChildren(QComboBox)
        if c.objectName() == "fileTypeCombo"
        for i in range(c.count())
    ]
    english = [t for t in texts if t and re.search(r"[A-Za-z]{3,}", str(t)) and "db" not in str(t).lower()]
    assert not english, english
    assert "文件夹" in texts


def test_an_empty_year_chart_has_whole_numbers(monkeypatch):
    pytest.importorskip("matplotlib")
    from app.core.report import charts

    figs = []
    monkeypatch.setattr(charts, "_png", lambda fig: figs.append(fig) or b"")
    charts._pair_by_month("学法", 2025, [0] * 12, [0] * 12, "场次")
    charts._pair_by_category("纠纷", 2025, {"邻里": 0}, {"邻里": 0}, "件数")
    charts._key_persons("重点人员", {"社区矫正对象": {}})
    for fig, axis in zip(figs, ("y", "x", "y"), strict=True):
        ax = fig.axes[0]
        ticks = ax.get_yticks() if axis == "y" else ax.get_xticks()
        ticks = [t for t in ticks if (ax.get_ylim() if axis == "y" else ax.get_xlim())[0] <= t]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks


GEOMETRY = r"""
import json, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app.core.storage.store import Store
from app.ui.forms.record_form import RecordForm
from app.ui.main_window import MainWindow
store = Store.open(sys.argv[1])
area = app.primaryScreen().availableGeometry()
w = MainWindow(store, start_page="settings")
w.show()
out = {"area": [area.width(), area.height()], "pages": {}}
for key in w._items:
    w.show_page(key)
    app.processEvents()
    g, m = w.frameGeometry(), w.minimumSizeHint()
    out["pages"][key] = [g.x(), g.y(), g.width(), g.height(), m.width(), m.height()]
forms = {}
for ledger in ("disputes", "key_persons", "study_sessions"):
    f = RecordForm(store, ledger)
    f.show()
    app.processEvents()
    forms[ledger] = [f.frameGeometry().width(), f.frameGeometry().height(), f.minimumSizeHint().height()]
    f.close()
out["forms"] = forms
w.close()
print(json.dumps(out))
"""


@pytest.mark.parametrize("size", ["1366x768", "1280x720"])
@pytest.mark.parametrize("scale", ["1", "1.25"])
def test_window_and_forms_fit_small_screens(db_path, tmp_path, size, scale):
    from app.core.storage.store import Store

    s = Store.open(db_path)
    s.set_setting("setup_done", True)
    s.close()
    width, height = (int(v) for v in size.split("x"))
    config = tmp_path / "screen.json"
    screen = {"name": "laptop", "x": 0, "y": 0, "width": width, "height": height, "logicalDpi": 96, "dpr": 1}
    config.write_text(json.dumps({"screens": [screen]}))
    env = dict(
        os.environ,
        QT_QPA_PLATFORM=f"offscreen:configfile={config}",
        QT_SCALE_FACTOR=scale,
        FAZHI_DATA_DIR=str(tmp_path / "data"),
    )
    run = subprocess.run(
        [sys.executable, "-c", GEOMETRY, str(db_path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])
    aw, ah = out["area"]
    assert (aw, ah) == (round(width / float(scale)), round(height / float(scale)))
    for key, (x, y, w, h, mw, mh) in out["pages"].items():
        assert x >= 0 and y >= 0 and x + w <= aw and y + h <= ah, (key, out)
        assert mw <= aw and mh <= ah, (key, "minimum size larger than the screen", out)
    for ledger, (w, h, mh) in out["forms"].items():
        assert w <= aw and h <= ah and mh <= ah, (ledger, out)


def test_window_remembers_its_size_and_place(qtbot, store):
    from app.ui.main_window import MainWindow

    w = MainWindow(store)
    qtbot.addWidget(w)
    w.show()
    w.resize(700, 500)
    w.move(40, 30)
    place = w.geometry()
    w.close()
    again = MainWindow(store)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (700, 500)
    assert again.geometry() == place
