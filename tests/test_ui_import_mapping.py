"""The import window as a clerk uses it with last year's workbook: choose the file, the
mapping step (a field for an unknown column picked by keyboard, 不导入 for another, an option
for an unknown value), the preview, 确认导入; the mapping is remembered; importing the same
file again says the rows are duplicates and writes nothing.  And a whole workbook of
several ledgers through ``ImportDialog.for_workbook``."""

from openpyxl import Workbook
from PySide6.QtCore import Qt

from app.core.io.mapping import remembered
from app.ui.dialogs.import_dialog import ImportDialog
from app.ui.widgets import file_dialogs
from tests.fixtures.clerk_book import clerk_workbook

HEAD = ["序号", "学习时间", "方式", "参学对象", "学习内容", "参学人数", "心得体会"]
Q1 = [
    [1, "2024-01-12", "中心组学习", "领导班子", "学习宪法", "12人", "很有收获"],
    [2, "2024-02-20", "夜校", "全体干部职工", "民法典", "35人", ""],
    [3, "2024-03-08", "专题讲座", "全体干部职工", "信访条例", "40人", ""],
]
Q2 = [
    [1, "2024-04-11", "夜校", "党员干部", "行政诉讼法", "28人", ""],
    [2, "2024-05-16", "党委会", "领导班子", "宪法", "11", ""],
]


def _workbook(path):
    wb = Workbook()
    wb.active.title = "填表说明"
    wb.active.append(["每季度一张表"])
    for name, rows in (("一季度", Q1), ("二季度", Q2)):
        ws = wb.create_sheet(name)
        ws.append([f"武平镇2024年学法台账（{name}）"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEAD))
        ws.append(HEAD)
        for r in rows:
            ws.append(r)
        ws.append(["合计", None, None, None, None, "126人"])
    wb.save(path)
    return path


def _open(qtbot, monkeypatch, store, path, ledger="study_sessions"):
    monkeypatch.setattr(file_dialogs, "open_file_name", lambda *a, **k: str(path))
    dlg = ImportDialog(store, ledger)  # the clerk picks the file in the (patched) file dialog
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.preview is not None, timeout=20000)
    return dlg


def _recheck(qtbot, dlg):
    with qtbot.waitSignal(dlg.preview_ready, timeout=20000):
        qtbot.mouseClick(dlg.recheck_button, Qt.MouseButton.LeftButton)


def _pick_by_keyboard(qtbot, combo, data):
    """Focus the combo box and press ↓ until it shows ``data``, as a clerk would."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentData() == data:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(f"{data} not in the combo")


def test_mapping_step_preview_import_then_again_nothing_doubled(qtbot, store, tmp_path, monkeypatch):
    path = _workbook(tmp_path / "2024学法台账.xlsx")
    dlg = _open(qtbot, monkeypatch, store, path)
    # the header lacks 形式 (it is called 方式 here): the rows would come in 待补充, so the
    # mapping step is shown first, with the unknown columns and a fill for the missing one
    assert dlg.confirm_button.isEnabled() and "其中 5 条待补充" in dlg.status_label.text()
    assert dlg.tabs.currentIndex() == 2 and dlg.tabs.tabText(2) == "对应关系（3）"
    assert "“方式”、“心得体会”" in dlg.plan_label.text()
    assert "工作表“填表说明”没有导入" in dlg.plan_label.text()
    _pick_by_keyboard(qtbot, dlg.mapping_panel.combo_for_column("方式"), "form")
    assert dlg.mapping_panel.combo_for_column("方式").currentText() == "形式"
    keep_out = dlg.mapping_panel.combo_for_column("心得体会")
    _pick_by_keyboard(qtbot, keep_out, None)
    assert keep_out.currentText() == "不导入"
    _recheck(qtbot, dlg)
    # now the column is read: its value 夜校 is not an option (2 rows): 待补充, not an error
    assert dlg.confirm_button.isEnabled() and dlg.errors_table.rowCount() == 0
    assert dlg.tabs.currentIndex() == 2 and "其中 2 条待补充" in dlg.status_label.text()
    assert [dlg.rows_table.item(i, 0).text() for i in range(3)] == ["3", "4 待补充", "5"]
    value = dlg.mapping_panel.combo_for_value("夜校")
    _pick_by_keyboard(qtbot, value, "其他")
    _recheck(qtbot, dlg)
    assert remembered(store, "study_sessions").values == {"form": {"夜校": "其他"}}  # kept once confirmed
    assert dlg.confirm_button.isEnabled(), dlg.status_label.text()
    assert "检查通过：共 5 条新记录可以导入" in dlg.status_label.text() and "待补充" not in dlg.status_label.text()
    assert dlg.sheet_picker.isVisible() and dlg.sheet_picker.count() == 2
    assert dlg.rows_table.rowCount() == 3 and dlg.rows_table.item(1, 2).text() == "其他"
    qtbot.keyClick(dlg.sheet_picker, Qt.Key.Key_Down)
    assert dlg.rows_table.rowCount() == 2
    assert store.count("study_sessions") == 0  # nothing written before 确认导入
    with qtbot.waitSignal(dlg.imported, timeout=20000) as sig:
        qtbot.mouseClick(dlg.confirm_button, Qt.MouseButton.LeftButton)
    assert sig.args == [5] and store.count("study_sessions") == 5
    forms = sorted(r["form"] for r in store.rows("study_sessions"))
    assert forms == ["专题讲座", "党委会", "其他", "其他", "理论学习中心组"]
    kept = remembered(store, "study_sessions")
    assert kept.columns == {"方式": "form", "心得体会": None} and kept.values == {"form": {"夜校": "其他"}}
    dlg.close()

    # the same file again: recognised untouched, every row a duplicate, nothing to write
    again = _open(qtbot, monkeypatch, store, path)
    assert "5 条重复，不导入" in again.status_label.text()
    assert not again.confirm_button.isEnabled()
    # the remembered columns and values are listed, chosen as before, so a clerk can revise them
    assert again.tabs.tabText(2) == "对应关系（3）"
    assert again.mapping_panel.combo_for_column("方式").currentText() == "形式"
    assert again.mapping_panel.combo_for_column("心得体会").currentText() == "不导入"
    assert again.mapping_panel.combo_for_value("夜校").currentText() == "其他"
    assert store.count("study_sessions") == 5


def test_a_value_mapping_is_kept_when_the_import_is_cancelled(qtbot, store, tmp_path, monkeypatch):
    path = _workbook(tmp_path / "2024学法台账.xlsx")
    dlg = _open(qtbot, monkeypatch, store, path)
    _pick_by_keyboard(qtbot, dlg.mapping_panel.combo_for_column("方式"), "form")
    _recheck(qtbot, dlg)
    _pick_by_keyboard(qtbot, dlg.mapping_panel.combo_for_value("夜校"), "干部职工会")
    _recheck(qtbot, dlg)
    qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton)
    assert store.count("study_sessions") == 0
    assert remembered(store, "study_sessions").values == {"form": {"夜校": "干部职工会"}}


def test_a_missing_column_filled_with_one_value_in_the_mapping_step(qtbot, store, tmp_path, monkeypatch):
    rows = [["日期", "咨询人", "咨询事项"], ["2024-03-05", "张三", "离婚"], ["2024-03-06", "李四", "欠薪"]]
    from tests.fixtures.sheets import write_xlsx

    path = write_xlsx(tmp_path / "咨询.xlsx", rows)
    dlg = _open(qtbot, monkeypatch, store, path, "consultations")
    assert "其中 2 条待补充" in dlg.status_label.text()
    fill = dlg.mapping_panel.fill_for("咨询方式")
    _pick_by_keyboard(qtbot, fill, "来访")
    _recheck(qtbot, dlg)
    assert "检查通过：共 2 条新记录可以导入" in dlg.status_label.text()
    with qtbot.waitSignal(dlg.imported, timeout=20000):
        qtbot.mouseClick(dlg.confirm_button, Qt.MouseButton.LeftButton)
    assert {r["channel"] for r in store.rows("consultations")} == {"来访"}
    assert store.count_incomplete("consultations") == 0
    assert remembered(store, "consultations").fills == {"channel": "来访"}  # remembered with the import


def test_a_whole_workbook_shows_its_plan_and_imports_every_ledger(qtbot, store, tmp_path):
    path = clerk_workbook(tmp_path / "台账.xlsx", disputes=True)
    dlg = ImportDialog.for_workbook(store, path)
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(dlg.preview_ready, timeout=20000):
        pass
    plan = dlg.plan_label.text()
    assert "导入计划（工作表 → 台账）：" in plan and "一季度 → 学法培训台账（第3行为表头，3 行）" in plan
    assert "矛盾纠纷 → 矛盾纠纷台账（第3行为表头，3 行）" in plan
    assert dlg.confirm_button.isEnabled()
    with qtbot.waitSignal(dlg.imported, timeout=20000) as sig:
        qtbot.mouseClick(dlg.confirm_button, Qt.MouseButton.LeftButton)
    assert sig.args == [8]
    assert store.count("study_sessions") == 5 and store.count("disputes") == 3
    assert "已导入 8 条记录" in dlg.status_label.text()
