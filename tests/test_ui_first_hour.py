"""The window's first hour (issue 16), each step by mouse and keyboard as a clerk does it:
a filter from 首页 ends when the clerk leaves the page or saves a new record; 首页's year list
offers a year as soon as data for it exists; Ctrl+S and Enter save a form; 操作日志 reads
Chinese, not settings keys."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.core.io import mapping
from app.core.report import paragraphs
from app.core.storage import query
from app.ui.forms.record_form import RecordForm
from app.ui.main_window import MainWindow
from app.ui.pages.figure_helpers import default_year
from tests.gui_harness import holds_focus, wait_until

THIS_YEAR = dt.date.today().year


def _window(clerk, qtbot, store) -> MainWindow:
    w = MainWindow(store)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    clerk.activate(w)
    qtbot.waitUntil(lambda: "home" in w.pages, timeout=10000)
    home = w.pages["home"]
    qtbot.waitUntil(lambda: home._data is not None, timeout=30000)
    return w


def _finish(qtbot, w: MainWindow) -> None:
    """Let the 首页's workers end before the window goes."""
    home = w.pages.get("home")
    if home is not None:
        qtbot.waitUntil(lambda: not any(x.is_running() for x in home._workers), timeout=60000)


def _side_bar(clerk, w: MainWindow, key: str) -> None:
    """A click on the side bar's item for ``key``."""
    item = w._items[key]
    w.nav.scrollToItem(item)
    QTest.mouseClick(w.nav.viewport(), Qt.LeftButton, Qt.NoModifier, w.nav.visualItemRect(item).center())
    clerk.check()
    assert w.current_key() == key


def _consultation(store, date: str, matter: str) -> int:
    return store.save("consultations", {"date": date, "channel": "来访", "matter": matter})


def _fill_consultation(clerk, form: RecordForm, matter: str) -> None:
    """The required fields by mouse and keys: into 村（社区）, Tab to 咨询方式 and pick from its
    list, Tab past 咨询类别 to 咨询事项 and type."""
    _to_channel(clerk, form)
    clerk.tab()
    clerk.tab()
    assert holds_focus(form.widgets["matter"])
    clerk.type(matter)


def _to_channel(clerk, form: RecordForm) -> None:
    clerk.click(form.widgets["village"])
    clerk.tab()
    clerk.choose(form.widgets["channel"], "电话")


def _closes(form: RecordForm) -> None:
    """The form went away (else the test fails here rather than wait on an open dialog)."""
    wait_until(lambda: not form.isVisible(), timeout=3)


def _years(combo) -> list[int]:
    return [combo.itemData(i) for i in range(combo.count())]


# -- a filter from 首页 -------------------------------------------------------------------


def test_filter_from_home_ends_when_leaving_the_page_and_never_hides_a_new_record(clerk, qtbot, store):
    shown_year = default_year()  # the year 首页 opens on (last year in January and February)
    behind = [_consultation(store, f"{shown_year}-01-0{d}", f"今年的咨询{d}") for d in (1, 2)]
    _consultation(store, f"{shown_year - 1}-06-01", "去年的咨询")
    w = _window(clerk, qtbot, store)
    home = w.pages["home"]
    assert home.cards["consultations.count"].value_label.text().startswith("2")

    QTest.mouseClick(home.cards["consultations.count"], Qt.LeftButton)  # the number: its rows
    page = w.pages["ledger:consultations"]
    assert w.current_key() == "ledger:consultations"
    assert page.only_bar.isVisible() and page.only_label.text() == "只显示相关的 2 条记录"
    assert sorted(page.model.row_id(r) for r in range(page.model.rowCount())) == sorted(behind)

    _side_bar(clerk, w, "home")  # away, and back by the side bar
    _side_bar(clerk, w, "ledger:consultations")
    assert not page.only_bar.isVisible()
    assert page.model.rowCount() == 3 and "已筛选" not in page.count_label.text()

    _side_bar(clerk, w, "home")
    QTest.mouseClick(home.cards["consultations.count"], Qt.LeftButton)
    assert page.only_bar.isVisible()

    def drive(form):
        _fill_consultation(clerk, form, "新登记的咨询")
        clerk.key(Qt.Key_S, Qt.ControlModifier)  # Ctrl+S saves and closes
        _closes(form)

    clerk.run_modal(lambda: clerk.click(page.toolbar.widgetForAction(page.act_new)), drive)
    new = next(r["id"] for r in store.rows("consultations") if r["matter"] == "新登记的咨询")
    assert page.model.row_of(new) >= 0, "the record just saved is hidden by the filter from 首页"
    assert not page.only_bar.isVisible() and page.model.rowCount() == 4
    assert page.current_id() == new
    _finish(qtbot, w)


def test_a_record_saved_outside_the_year_shown_is_shown(clerk, qtbot, store):
    from app.ui.pages.ledger_page import LedgerPage

    _consultation(store, f"{THIS_YEAR}-01-01", "今年的咨询")
    _consultation(store, f"{THIS_YEAR - 3}-01-01", "以前的咨询")
    page = LedgerPage(store, "consultations")
    qtbot.addWidget(page)
    page.resize(1200, 600)
    clerk.activate(page)
    page.set_year(THIS_YEAR)
    assert page.model.rowCount() == 1

    def drive(form):
        clerk.click(form.widgets["date"])
        clerk.clear_field()
        clerk.type(f"{THIS_YEAR - 5}-03-04")
        _fill_consultation(clerk, form, "补登的旧咨询")
        clerk.click(form.save_button)

    clerk.run_modal(lambda: clerk.key(Qt.Key_N, Qt.ControlModifier), drive)
    new = next(r["id"] for r in store.rows("consultations") if r["matter"] == "补登的旧咨询")
    assert page.model.row_of(new) >= 0 and page.current_id() == new


# -- 首页's year list -------------------------------------------------------------------------


def test_home_year_list_offers_a_year_once_its_data_arrives(clerk, qtbot, store, monkeypatch):
    from app.ui.dialogs import workbooks

    w = _window(clerk, qtbot, store)
    home = w.pages["home"]
    first = THIS_YEAR - 2
    assert first not in _years(home.year_combo)

    def imported(store_, parent=None, paths=None):  # what the import dialog writes
        for d in (3, 4):
            _consultation(store_, f"{first}-05-0{d}", "导入的咨询")
        return 2

    monkeypatch.setattr(workbooks, "bring_in_workbooks", imported)
    clerk.click(home.excel_button)  # 导入 Excel 台账…
    assert first in _years(home.year_combo)  # no restart
    qtbot.waitUntil(lambda: not any(x.is_running() for x in home._workers), timeout=60000)

    # a record saved on a ledger page brings an earlier year too
    _side_bar(clerk, w, "ledger:consultations")
    page = w.pages["ledger:consultations"]
    earlier = first - 1

    def drive(form):
        clerk.click(form.widgets["date"])
        clerk.clear_field()
        clerk.type(f"{earlier}-08-09")
        _fill_consultation(clerk, form, "手工补登")
        clerk.click(form.save_button)

    clerk.run_modal(lambda: clerk.click(page.toolbar.widgetForAction(page.act_new)), drive)
    assert store.count("consultations") == 3
    _side_bar(clerk, w, "home")
    assert earlier in _years(home.year_combo)
    assert _years(home.year_combo) == query.year_choices(store)
    _finish(qtbot, w)


def test_year_list_reads_the_data_again_when_opened(clerk, qtbot, store):
    from app.ui.pages.figure_helpers import YearCombo

    combo = YearCombo(store=store)
    qtbot.addWidget(combo)
    clerk.activate(combo)
    assert THIS_YEAR - 4 not in _years(combo)
    shown = combo.currentData()
    _consultation(store, f"{THIS_YEAR - 4}-02-02", "别处写入的")
    clerk.click(combo)  # the list drops down
    assert THIS_YEAR - 4 in _years(combo) and combo.currentData() == shown
    clerk.key(Qt.Key_Escape)


# -- saving a form ----------------------------------------------------------------------------


def _open_form(clerk, qtbot, store):
    from app.ui.pages.ledger_page import LedgerPage

    page = LedgerPage(store, "consultations")
    qtbot.addWidget(page)
    page.resize(1000, 600)
    clerk.activate(page)
    return page


def test_ctrl_s_saves_and_closes_the_form(clerk, qtbot, store):
    page = _open_form(clerk, qtbot, store)
    seen = {}

    def drive(form):
        _fill_consultation(clerk, form, "Ctrl+S 保存的")
        seen["form"] = form
        clerk.key(Qt.Key_S, Qt.ControlModifier)
        _closes(form)

    clerk.run_modal(lambda: clerk.key(Qt.Key_N, Qt.ControlModifier), drive)
    assert [r["matter"] for r in store.rows("consultations")] == ["Ctrl+S 保存的"]
    assert not seen["form"].isVisible()
    assert page.model.rowCount() == 1


def test_enter_in_the_last_field_moves_to_save_and_enter_saves(clerk, qtbot, store):
    _open_form(clerk, qtbot, store)
    seen = {}

    def drive(form):
        _fill_consultation(clerk, form, "回车保存的")
        last = list(form.widgets)[-1]
        clerk.click(form.widgets[last])
        clerk.type("王律师")
        clerk.key(Qt.Key_Return)  # the last field: on to 保存
        assert QApplication.focusWidget() is form.save_button
        assert store.count("consultations") == 0
        seen["form"] = form
        clerk.key(Qt.Key_Return)  # 保存
        _closes(form)

    clerk.run_modal(lambda: clerk.key(Qt.Key_N, Qt.ControlModifier), drive)
    rows = store.rows("consultations")
    assert [(r["matter"], r["answered_by"]) for r in rows] == [("回车保存的", "王律师")]
    assert not seen["form"].isVisible()


def test_enter_in_the_last_field_with_something_missing_keeps_the_work(clerk, qtbot, store):
    _open_form(clerk, qtbot, store)

    def drive(form):
        _to_channel(clerk, form)
        last = list(form.widgets)[-1]
        clerk.click(form.widgets[last])
        clerk.type("王律师")
        clerk.key(Qt.Key_Return)  # 咨询事项 is still empty
        assert form.isVisible() and holds_focus(form.widgets["matter"])
        assert form.error_labels["matter"].isVisible()
        assert form.widgets[last].value() == "王律师" and form.widgets["channel"].value() == "电话"
        clerk.type("补上的事项")
        clerk.key(Qt.Key_S, Qt.ControlModifier)
        _closes(form)

    clerk.run_modal(lambda: clerk.key(Qt.Key_N, Qt.ControlModifier), drive)
    assert [(r["matter"], r["answered_by"]) for r in store.rows("consultations")] == [("补上的事项", "王律师")]


# -- 操作日志 ------------------------------------------------------------------------------------


def test_audit_page_shows_no_internal_keys(clerk, qtbot, store):
    store.set_setting("county", "丰都县")
    store.set_setting("report.2024.date", "2025-01-20")
    mapping.remember(
        store, "study_sessions", mapping.Mapping({"学习内容": "topic"}, {"form": {"集中学习": "理论学习中心组"}})
    )
    text = "〔year〕年坚持学法。全年共组织开展法治学习教育〔study.sessions|approx〕次。"
    paragraphs.save(store, 2024, "study", text)
    store.set_report_text(2024, "shortcomings", "学法不够深入。")
    w = _window(clerk, qtbot, store)
    _side_bar(clerk, w, "audit")
    page = w.pages["audit"]
    model = page.model
    shown = [
        str(model.data(model.index(r, c)) or "") for r in range(model.rowCount()) for c in range(model.columnCount())
    ]
    everything = "\n".join(shown)
    for key in ("import_mapping", "report.2024", "study", "topic", "form", "shortcomings", "county", "〔year〕"):
        assert key not in everything, f"{key} shown in 操作日志"
    assert "设置 报告成文日期（2024年）" in shown
    assert "设置 导入映射（学法培训台账）" in shown
    assert "导入映射（学法培训台账）：列“学习内容”→主题；形式“集中学习”→理论学习中心组" in shown
    assert any(s.startswith("2024年报告段落“（一）深入学习贯彻习近平法治思想”") for s in shown)
    assert "2024年报告“存在的不足”" in shown
    assert any("〔法治学习教育" in s for s in shown)
    assert "设置 县（区）名称" in shown
    _finish(qtbot, w)
