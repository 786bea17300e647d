"""A ledger page as a clerk uses it: add through the form, filter, search, delete, export."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.ui.forms.record_form import RecordForm
from app.ui.pages.ledger_page import LedgerPage
from tests.test_ui_form import _choose, _type


def _add(store, date, channel, matter, person=None):
    return store.save("consultations", {"date": date, "channel": channel, "matter": matter, "person": person})


def _page(qtbot, store, ledger="consultations") -> LedgerPage:
    page = LedgerPage(store, ledger)
    qtbot.addWidget(page)
    page.show()
    return page


def _column(page, key) -> list[str]:
    col = next(i for i, f in enumerate(page.model.fields) if f.key == key)
    return [page.model.data(page.model.index(r, col)) for r in range(page.model.rowCount())]


def test_new_record_through_form_appears_in_table(qtbot, store):
    page = _page(qtbot, store)
    assert page.model.rowCount() == 0

    def fill_form():
        form = QApplication.activeModalWidget()
        assert isinstance(form, RecordForm)
        _type(qtbot, form.widgets["date"], "2024.6.1")
        _choose(form.widgets["channel"], "电话")
        _type(qtbot, form.widgets["matter"], "土地承包合同到期后如何续签")
        qtbot.mouseClick(form.save_button, Qt.LeftButton)

    QTimer.singleShot(0, fill_form)
    page.new_record()
    assert store.count("consultations") == 1
    assert store.rows("consultations")[0]["date"] == "2024-06-01"
    assert _column(page, "matter") == ["土地承包合同到期后如何续签"]
    assert "共 1 条" in page.count_label.text()
    assert page.current_id() == store.rows("consultations")[0]["id"]


def test_filter_by_year_month_and_search(qtbot, store):
    _add(store, "2023-05-02", "来访", "婚姻家庭纠纷咨询", "甲")
    _add(store, "2024-03-10", "电话", "土地流转合同", "乙")
    _add(store, "2024-03-20", "网络", "劳动报酬被拖欠", "丙")
    _add(store, "2024-07-01", "来访", "宅基地土地纠纷", "丁")
    page = _page(qtbot, store)
    assert page.model.rowCount() == 4
    assert _column(page, "date")[0] == "2024-07-01"  # newest first
    page.set_year(2024)
    assert page.model.rowCount() == 3
    page.set_month(3)
    assert sorted(_column(page, "person")) == ["丙", "乙"]
    assert "共 2 条（已筛选）" in page.count_label.text()
    page.set_month(None)
    page.set_search("土地")  # two characters: LIKE
    assert sorted(_column(page, "person")) == ["丁", "乙"]
    page.set_year(None)
    page.set_search("土地 纠纷")
    assert _column(page, "person") == ["丁"]
    page.set_search("劳动报酬")  # three or more: the FTS index (built on first search)
    assert _column(page, "person") == ["丙"]
    page.set_search("")
    assert page.model.rowCount() == 4


def test_search_uses_fts_once_built(qtbot, store):
    from app.core.storage import query

    _add(store, "2024-01-05", "来访", "房屋买卖合同纠纷")
    page = _page(qtbot, store)
    page.set_search("买卖合同")
    qtbot.waitUntil(lambda: query.has_fts(store, "consultations"), timeout=5000)
    page.apply_filter()
    assert page.model.rowCount() == 1
    _add(store, "2024-01-06", "电话", "借款买卖合同")  # triggers keep the index current
    page.refresh()
    assert page.model.rowCount() == 2


def test_delete_goes_to_recycle_bin(qtbot, store, monkeypatch):
    a = _add(store, "2024-01-01", "来访", "一")
    _add(store, "2024-01-02", "来访", "二")
    page = _page(qtbot, store)
    page.select_id(a)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.No)
    assert page.delete_selected() == 0
    page.act_delete.trigger()  # the toolbar button asks too
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key_Delete)  # and so does the Delete key
    assert store.count("consultations") == 2
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key_Delete)
    assert store.count("consultations") == 1
    assert store.count("consultations", deleted=True) == 1
    assert _column(page, "matter") == ["二"]


def test_enter_edits_and_id_numbers_masked(qtbot, store):
    pid = store.save(
        "key_persons",
        {"name": "张三", "id_number": "11010519491231002X", "category": "社区矫正对象", "listed_on": "2024-01-02"},
    )
    page = _page(qtbot, store, "key_persons")
    assert _column(page, "id_number") == ["110105********002X"]
    page.select_id(pid)

    def edit():
        form = QApplication.activeModalWidget()
        assert isinstance(form, RecordForm) and form.row_id == pid
        _type(qtbot, form.widgets["village"], "武平村")
        form.save_and_close()

    QTimer.singleShot(0, edit)
    qtbot.keyClick(page.table, Qt.Key_Return)
    assert store.get("key_persons", pid)["village"] == "武平村"
    assert _column(page, "village") == ["武平村"]


def test_export_and_template_write_files(qtbot, store, tmp_path):
    _add(store, "2024-01-01", "来访", "一")
    page = _page(qtbot, store)
    out = tmp_path / "out.csv"
    w = page.export_file(str(out))
    qtbot.waitUntil(lambda: not w.is_running(), timeout=20000)
    assert out.exists() and "一" in out.read_text(encoding="utf-8-sig")
    tpl = tmp_path / "tpl.xlsx"
    w = page.save_template(str(tpl))
    qtbot.waitUntil(lambda: not w.is_running(), timeout=30000)
    assert tpl.exists() and tpl.stat().st_size > 0


def test_ten_cases_in_a_row_then_escape(qtbot, store):
    page = _page(qtbot, store, "disputes")

    def burst():
        form = QApplication.activeModalWidget()
        w = form.widgets
        _type(qtbot, w["registered_on"], "2024-04-01")
        for name, text in (("source", "自主排查"), ("dispute_type", "邻里"), ("status", "调解中")):
            _choose(w[name], text)
        for i in range(10):
            _type(qtbot, w["summary"], f"第{i + 1}件纠纷")
            qtbot.keyClick(w["summary"], Qt.Key_Return, Qt.ControlModifier)
        qtbot.keyClick(w["summary"], Qt.Key_Escape)

    QTimer.singleShot(0, burst)
    page.new_record()
    assert store.count("disputes") == 10
    assert page.model.rowCount() == 10
    assert {r["registered_on"] for r in store.rows("disputes")} == {"2024-04-01"}
    assert page.model.row_id(page.table.currentIndex().row()) == max(r["id"] for r in store.rows("disputes"))
