"""报表 page driven as a clerk does: pick 上季度, click a number to see its rows, 导出."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from app.core import periods
from app.core.returns.compute import TOTAL, compute, rows_for
from app.core.returns.definitions import RETURNS_LIST, for_recipient
from app.ui.pages import returns_page
from app.ui.pages.returns_page import ReturnsPage
from app.ui.widgets import file_dialogs

TODAY = dt.date(2024, 8, 20)  # 上季度 = 2024年第二季度


@pytest.fixture
def page(qtbot, demo_store):
    p = ReturnsPage(demo_store, today=TODAY)
    qtbot.addWidget(p)
    p.resize(1200, 900)
    p.show()
    qtbot.waitExposed(p)
    qtbot.waitUntil(lambda: p._data is not None, timeout=20000)
    yield p
    qtbot.waitUntil(lambda: not any(w.is_running() for w in p._workers), timeout=20000)


def _cell_index(box, item: str, column: str):
    t = box.model.table
    row = t.all_items().index(item)
    col = 1 + t.keys.index(column)
    return box.model.index(row, col)


def _click(qtbot, box, index):
    box.view.scrollTo(index)
    pos = box.view.visualRect(index).center()
    qtbot.mouseClick(box.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_pick_last_quarter_shows_every_return(qtbot, page, demo_store):
    with qtbot.waitSignal(page.loaded, timeout=20000):
        qtbot.mouseClick(page.picker.quick_buttons["上季度"], Qt.MouseButton.LeftButton)
    assert page.period() == periods.parse("2024Q2")
    assert page.picker.part_combo.currentText() == "第二季度" and page.picker.year_combo.year() == 2024
    box = page.boxes["disputes_by_village"]
    assert box.title() == "武平镇2024年第二季度矛盾纠纷排查化解情况统计表"
    assert "统计时段：2024年4月1日至2024年6月30日" in box.info_label.text()
    expected = compute(demo_store, "2024Q2", "disputes_by_village")
    model = box.model
    assert model.rowCount() == len(expected.all_items())
    assert model.headerData(0, Qt.Orientation.Horizontal) == "村（社区）"
    total_row = model.rowCount() - 1
    assert model.index(total_row, 0).data() == TOTAL
    keys = expected.keys
    assert model.index(total_row, 1 + keys.index("registered")).data() == str(expected.value(TOTAL, "registered"))
    rate = model.index(total_row, 1 + keys.index("success_rate")).data()
    assert rate.endswith("%")
    for key in ("disputes_by_type", "key_person_changes", "enforcement"):
        assert page.boxes[key].model.rowCount() > 1


def test_clicking_a_number_opens_its_rows(qtbot, page, demo_store):
    with qtbot.waitSignal(page.loaded, timeout=20000):
        qtbot.mouseClick(page.picker.quick_buttons["上季度"], Qt.MouseButton.LeftButton)
    box = page.boxes["disputes_by_village"]
    with qtbot.waitSignal(page.open_rows, timeout=2000) as sig:
        _click(qtbot, box, _cell_index(box, TOTAL, "success"))
    ledger, ids = rows_for(demo_store, "2024Q2", "disputes_by_village", TOTAL, "success")[0]
    assert sig.args == [ledger, ids] and ledger == "disputes"
    assert len(ids) == box.model.table.value(TOTAL, "success") > 0

    kp = page.boxes["key_person_changes"]
    with qtbot.waitSignal(page.open_rows, timeout=2000) as sig:
        _click(qtbot, kp, _cell_index(kp, "安置帮教对象", "visits"))
    assert sig.args[0] == "visits"
    assert len(sig.args[1]) == kp.model.table.value("安置帮教对象", "visits")


def test_a_zero_or_a_label_opens_nothing(qtbot, page):
    box = page.boxes["enforcement"]
    t = box.model.table
    zero = next(i for i in t.items if t.value(i, "joint") == 0)
    with qtbot.assertNotEmitted(page.open_rows, wait=200):
        _click(qtbot, box, _cell_index(box, zero, "joint"))
        _click(qtbot, box, box.model.index(0, 0))


def test_part_picked_with_the_keyboard(qtbot, page):
    with qtbot.waitSignal(page.loaded, timeout=20000):
        qtbot.mouseClick(page.picker.quick_buttons["上季度"], Qt.MouseButton.LeftButton)
    page.picker.part_combo.setFocus()
    with qtbot.waitSignal(page.loaded, timeout=20000):
        qtbot.keyClick(page.picker.part_combo, Qt.Key.Key_Down)
    assert page.period() == periods.parse("2024Q3")
    assert page.boxes["enforcement"].title() == "武平镇2024年第三季度行政执法情况统计表"


def test_custom_range_shows_its_dates(qtbot, page):
    combo = page.picker.part_combo
    combo.setFocus()
    with qtbot.waitSignal(page.loaded, timeout=20000):
        qtbot.keyClick(combo, Qt.Key.Key_End)  # the last entry: 自定义时段
    assert combo.currentText() == "自定义时段"
    assert page.picker.from_edit.isVisible() and not page.picker.year_combo.isEnabled()
    assert page.period().kind == "range"
    assert page.boxes["enforcement"].title().startswith("武平镇2024年1月1日至2024年12月31日")


def test_export_writes_the_xlsx(qtbot, page, tmp_path, monkeypatch):
    with qtbot.waitSignal(page.loaded, timeout=20000):
        qtbot.mouseClick(page.picker.quick_buttons["上季度"], Qt.MouseButton.LeftButton)
    out = tmp_path / "季度报表"
    asked = {}

    def fake_dialog(parent, caption, suggested, filters, **kwargs):
        asked["suggested"] = suggested
        return str(out)

    monkeypatch.setattr(file_dialogs, "save_file_name", fake_dialog)
    with qtbot.waitSignal(page.exported, timeout=30000) as sig:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert sig.args == [str(out) + ".xlsx"]
    assert asked["suggested"].endswith("武平镇2024年第二季度报表.xlsx")
    wb = load_workbook(str(out) + ".xlsx")
    assert len(wb.sheetnames) == len(RETURNS_LIST)
    assert wb.worksheets[0]["A1"].value == "武平镇2024年第二季度矛盾纠纷排查化解情况统计表"
    assert "报表已导出" in page.status_label.text() and page.open_folder_button.isVisibleTo(page)
    assert page.export_button.isEnabled()


def test_cancelled_dialog_writes_nothing(qtbot, page, monkeypatch):
    monkeypatch.setattr(file_dialogs, "save_file_name", lambda *a, **k: "")
    with qtbot.assertNotEmitted(page.exported, wait=200):
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)


def test_opens_on_the_last_quarter_the_ledgers_have(qtbot, demo_store):
    assert returns_page.default_period(demo_store, dt.date(2024, 8, 20)) == periods.parse("2024Q2")
    assert returns_page.default_period(demo_store, dt.date(2026, 12, 1)) == periods.parse("2024Q4")


def test_in_the_main_window_a_number_shows_its_rows(qtbot, demo_store):
    from app.ui.main_window import MainWindow

    w = MainWindow(demo_store)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    page = w.show_page("returns")
    qtbot.waitUntil(lambda: page._data is not None, timeout=20000)
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.set_period(periods.parse("2024Q2"))
    box = page.boxes["enforcement"]
    index = _cell_index(box, TOTAL, "penalties")
    _click(qtbot, box, index)
    qtbot.waitUntil(lambda: w.current_key() == "ledger:penalties", timeout=5000)
    ledger_page = w.pages["ledger:penalties"]
    n = box.model.table.value(TOTAL, "penalties")
    qtbot.waitUntil(lambda: ledger_page.model.rowCount() == n, timeout=5000)


def test_recipient_and_year_to_date_chosen_like_a_clerk(qtbot, page, demo_store, tmp_path, monkeypatch):
    """Issue 18: 报送单位 党政办 shows and exports only its returns; 年度累计 ticked by a click adds
    the columns from 1 January, and a number there opens its rows."""
    from tests.gui_harness import Clerk

    clerk = Clerk(qtbot).watch()
    try:
        with qtbot.waitSignal(page.loaded, timeout=20000):
            qtbot.mouseClick(page.picker.quick_buttons["上季度"], Qt.MouseButton.LeftButton)
        assert page.boxes["dispute_prevention"].isVisible() and page.boxes["publicity"].isVisible()
        page.recipient_combo.setFocus()
        clerk.choose(page.recipient_combo, "党政办")
        shown = [k for k, box in page.boxes.items() if box.isVisible()]
        assert shown == [r.key for r in for_recipient("党政办")] == ["enforcement", "publicity"]

        with qtbot.waitSignal(page.loaded, timeout=20000):
            qtbot.mouseClick(page.ytd_box, Qt.MouseButton.LeftButton, pos=page.ytd_box.rect().center())
        assert page.ytd_box.isChecked()
        box = page.boxes["enforcement"]
        headers = [box.model.headerData(i, Qt.Orientation.Horizontal) for i in range(box.model.columnCount())]
        assert "行政检查" in headers and "累计行政检查" in headers
        total = box.model.table.value(TOTAL, "ytd:inspections")
        first_half = compute(demo_store, "2024-01-01..2024-06-30", "enforcement")
        assert total == first_half.value(TOTAL, "inspections") > box.model.table.value(TOTAL, "inspections")
        with qtbot.waitSignal(page.open_rows, timeout=2000) as sig:
            _click(qtbot, box, _cell_index(box, TOTAL, "ytd:inspections"))
        assert sig.args[0] == "inspections" and len(sig.args[1]) == total

        out = tmp_path / "党政办"
        monkeypatch.setattr(returns_page.file_dialogs, "save_file_name", lambda *a, **k: str(out))
        with qtbot.waitSignal(page.exported, timeout=30000):
            qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
        wb = load_workbook(str(out) + ".xlsx")
        assert [ws["A1"].value for ws in wb.worksheets] == [
            "武平镇2024年第二季度行政执法情况统计表",
            "武平镇2024年第二季度普法宣传活动情况统计表",
        ]
        assert wb.worksheets[0].cell(3, 2).value.startswith("本期")
        clerk.check()
    finally:
        clerk.stop()
