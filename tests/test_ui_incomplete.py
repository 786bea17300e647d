"""待补充 in the window: the ledger page marks such rows and filters them (“待补充 N 条”), the
form opened on one says what is missing and what the cell said, saving it whole completes
it, and 首页 shows the count."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.core.io.importer import import_file
from app.ui.forms.record_form import RecordForm
from app.ui.pages.dashboard import DashboardPage
from app.ui.pages.ledger_page import LedgerPage
from tests.fixtures.sheets import write_csv
from tests.test_ui_form import _choose

ROWS = [
    ["日期", "咨询人", "咨询方式", "咨询事项"],
    ["2024-03-05", "张三", "来访", "离婚财产"],
    ["2024-03-06", "李四", "飞鸽传书", "拖欠工资"],
    ["2024-03-07", "王五", "", "土地承包"],
]


def _imported(store, tmp_path):
    result = import_file(store, "consultations", write_csv(tmp_path / "咨询.csv", ROWS))
    assert result.written and result.incomplete == 2


def _column(page, key) -> list[str]:
    col = next(i for i, f in enumerate(page.model.fields) if f.key == key)
    return [page.model.data(page.model.index(r, col)) for r in range(page.model.rowCount())]


def test_the_ledger_page_marks_and_filters_incomplete_rows_and_the_form_completes_one(qtbot, store, tmp_path):
    _imported(store, tmp_path)
    page = LedgerPage(store, "consultations")
    qtbot.addWidget(page)
    page.show()
    assert page.model.rowCount() == 3
    button = page.incomplete_button
    assert button.isVisible() and button.text() == "待补充 2 条"
    # the marker: the missing cell says so (with what the cell held), the row is tinted
    assert _column(page, "channel") == ["〔待补充〕", "〔待补充：飞鸽传书〕", "来访"]  # newest first
    col = next(i for i, f in enumerate(page.model.fields) if f.key == "matter")
    assert page.model.data(page.model.index(1, col), Qt.ToolTipRole) == "待补充：缺咨询方式（原文“飞鸽传书”）"
    assert page.model.data(page.model.index(1, col), Qt.BackgroundRole) is not None
    assert page.model.data(page.model.index(2, col), Qt.BackgroundRole) is None
    qtbot.mouseClick(button, Qt.LeftButton)
    assert button.isChecked() and page.model.rowCount() == 2 and "（已筛选）" in page.count_label.text()

    def complete():
        form = QApplication.activeModalWidget()
        assert isinstance(form, RecordForm)
        banner = form.incomplete_banner
        assert banner.isVisible() and "缺咨询方式（原文“飞鸽传书”）" in banner.text()
        assert not form.save_button.isEnabled() or form.errors  # the form stays strict
        _choose(form.widgets["channel"], "网络")
        qtbot.mouseClick(form.save_button, Qt.LeftButton)

    page.select_id(page.model.row_id(1))  # the 飞鸽传书 row
    assert _column(page, "matter")[1] == "拖欠工资"
    QTimer.singleShot(0, complete)
    page.edit_current()
    row = next(r for r in store.rows("consultations") if r["matter"] == "拖欠工资")
    assert row["channel"] == "网络" and row["incomplete"] is None
    assert button.text() == "待补充 1 条" and page.model.rowCount() == 1
    assert json.loads(store.rows("consultations")[2]["incomplete"]) == {"channel": ""}


def test_the_home_page_shows_the_count(qtbot, store, tmp_path):
    _imported(store, tmp_path)
    page = DashboardPage(store)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.set_year(2024)
    assert page.incomplete_button.isVisible() and page.incomplete_button.text() == "待补充 2 条"
    todos = [page.todo_list.item(i).text() for i in range(page.todo_list.count())]
    assert any("待补充的记录" in t and "（2条）" in t for t in todos)
    with qtbot.waitSignal(page.open_rows, timeout=5000) as sig:
        qtbot.mouseClick(page.incomplete_button, Qt.LeftButton)
    assert sig.args[0] == "consultations" and len(sig.args[1]) == 2
    qtbot.waitUntil(lambda: not any(w.is_running() for w in page._workers), timeout=60000)
