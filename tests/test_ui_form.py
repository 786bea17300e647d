"""The record form driven as a clerk does: typing, Enter, Ctrl+Enter, Esc."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from app.ui.forms.record_form import RecordForm
from tests.gui_harness import Clerk

pytest.importorskip("pytestqt")


def type_text(qtbot, target, text: str) -> None:
    """Keys for ASCII; Chinese arrives as an input-method commit, as a real IME sends it."""
    run = ""
    for ch in [*text, None]:
        if ch is not None and ch.isascii():
            if run:
                event = QInputMethodEvent()
                event.setCommitString(run)
                QApplication.sendEvent(target, event)
                run = ""
            qtbot.keyClicks(target, ch)
        elif ch is not None:
            run += ch
        elif run:
            event = QInputMethodEvent()
            event.setCommitString(run)
            QApplication.sendEvent(target, event)


def _type(qtbot, widget, text: str) -> None:
    target = getattr(widget, "edit", widget)
    if hasattr(target, "lineEdit") and not hasattr(target, "clear"):
        target = target.lineEdit()
    target.setFocus()
    target.selectAll()
    qtbot.keyClick(target, Qt.Key_Delete)
    type_text(qtbot, target, text)


def _choose(widget, text: str) -> None:
    i = widget.findText(text)
    assert i >= 0, text
    widget.setCurrentIndex(i)


def _disputes_form(qtbot, store, **kw) -> RecordForm:
    form = RecordForm(store, "disputes", **kw)
    qtbot.addWidget(form)
    form.show()
    return form


def test_typed_record_is_saved(qtbot, store):
    form = _disputes_form(qtbot, store)
    w = form.widgets
    _type(qtbot, w["registered_on"], "2024年3月5日")
    _choose(w["source"], "自主排查")
    _choose(w["dispute_type"], "邻里")
    _type(qtbot, w["village"], "武平村")
    _type(qtbot, w["parties"], "张三、李四")
    _type(qtbot, w["summary"], "排水沟堵塞引发邻里纠纷")
    _choose(w["status"], "调解成功")
    _type(qtbot, w["closed_on"], "2024/3/9")
    _type(qtbot, w["amount"], "1200.5")
    assert form.save_button.isEnabled(), form.errors
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    assert not form.isVisible()
    rows = store.rows("disputes")
    assert len(rows) == 1
    r = rows[0]
    assert (r["registered_on"], r["closed_on"], r["source"], r["status"]) == (
        "2024-03-05",
        "2024-03-09",
        "自主排查",
        "调解成功",
    )
    assert r["summary"] == "排水沟堵塞引发邻里纠纷" and r["amount"] == 1200.5
    assert r["parties"] == "张三、李四"


def test_bad_input_shows_reason_and_saves_nothing(qtbot, store):
    form = _disputes_form(qtbot, store)
    w = form.widgets
    _type(qtbot, w["registered_on"], "2024-13-40")
    assert form.error_labels["registered_on"].isVisible()
    assert "日期" in form.error_labels["registered_on"].text()
    assert not form.save_button.isEnabled()
    _type(qtbot, w["registered_on"], "2024-03-05")
    _choose(w["source"], "群众申请")
    _choose(w["dispute_type"], "合同")
    _type(qtbot, w["summary"], "欠款")
    _choose(w["status"], "终止")  # closed without a 结案日期: a cross-field rule
    assert "结案日期" in form.error_labels["closed_on"].text()
    assert form.error_labels["closed_on"].isVisible()
    assert not form.save_button.isEnabled()
    form.save_and_next()  # Ctrl+Enter on an invalid form writes nothing
    assert store.count("disputes") == 0
    _type(qtbot, w["closed_on"], "2024-03-01")  # before registration
    assert "不能早于" in form.error_labels["closed_on"].text()
    form.save()
    assert store.count("disputes") == 0
    _type(qtbot, w["closed_on"], "2024-03-06")
    assert form.save_button.isEnabled()
    assert not form.error_labels["closed_on"].isVisible()


def test_ctrl_enter_keeps_date_and_choices(qtbot, store):
    form = _disputes_form(qtbot, store)
    w = form.widgets
    _type(qtbot, w["registered_on"], "2024-05-06")
    _choose(w["source"], "法院委派")
    _choose(w["dispute_type"], "劳动争议")
    _choose(w["status"], "调解中")
    _type(qtbot, w["summary"], "第一件")
    qtbot.keyClick(w["summary"], Qt.Key_Return, Qt.ControlModifier)
    assert store.count("disputes") == 1
    assert form.isVisible()
    assert w["registered_on"].value() == "2024-05-06"
    assert w["source"].value() == "法院委派" and w["status"].value() == "调解中"
    assert w["summary"].value() is None
    assert not form.error_labels["summary"].isVisible()  # a fresh record does not scold
    _type(qtbot, w["summary"], "第二件")
    qtbot.keyClick(w["summary"], Qt.Key_Enter, Qt.ControlModifier)
    rows = store.rows("disputes")
    assert [r["summary"] for r in rows] == ["第一件", "第二件"]
    assert {r["dispute_type"] for r in rows} == {"劳动争议"}
    assert "第 2 条" in form.status.text()


def test_enter_moves_to_next_field_and_escape_cancels(qtbot, store):
    form = RecordForm(store, "consultations")
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    w = form.widgets
    w["person"].setFocus()
    type_text(qtbot, w["person"], "王五")
    qtbot.keyClick(w["person"], Qt.Key_Return)
    assert form.focusWidget() is w["village"]
    clerk = Clerk(qtbot)
    clerk.answer_box("继续编辑")  # something was typed: Esc asks first
    qtbot.keyClick(w["village"], Qt.Key_Escape)
    assert form.isVisible() and w["person"].value() == "王五"
    assert "没有保存" in clerk.boxes[-1]
    clerk.answer_box("不保存")
    qtbot.mouseClick(form.cancel_button, Qt.LeftButton)
    assert not form.isVisible()
    assert store.count("consultations") == 0
    clerk.stop()


def test_edit_existing_row_and_numbers(qtbot, store):
    row_id = store.save(
        "study_sessions",
        {"date": "2024-01-02", "form": "专题培训", "audience": "全体干部职工", "topic": "宪法", "participants": 30},
    )
    form = RecordForm(store, "study_sessions", row_id=row_id)
    qtbot.addWidget(form)
    form.show()
    w = form.widgets
    assert w["topic"].value() == "宪法" and w["participants"].value() == 30
    _type(qtbot, w["passed"], "40")  # more passed than took part
    assert "不能大于" in form.error_labels["passed"].text()
    assert not form.save_button.isEnabled()
    _type(qtbot, w["passed"], "28")
    form.save_and_close()
    assert store.get("study_sessions", row_id)["passed"] == 28
    assert store.count("study_sessions") == 1


def test_names_and_person_picker(qtbot, store):
    for name, no in (("张强", "A1"), ("李明", "A2")):
        store.save("enforcement_officers", {"name": name, "cert_no": no, "certified_on": "2020-01-01"})
    pid = store.save(
        "key_persons",
        {"name": "赵六", "category": "吸毒人员", "village": "武平村", "listed_on": "2023-01-01"},
    )
    form = RecordForm(store, "inspections")
    qtbot.addWidget(form)
    officers = form.widgets["officers"]
    assert officers._names.stringList() == ["张强", "李明"]
    _type(qtbot, officers, "张强")
    assert "至少" in form.errors.get("officers", "")
    _type(qtbot, officers, "张强、李明")
    assert "officers" not in form.errors

    visit = RecordForm(store, "visits")
    qtbot.addWidget(visit)
    picker = visit.widgets["person_id"]
    assert picker.count() == 1 and "武平村" in picker.itemText(0)
    picker.setCurrentIndex(0)
    assert picker.value() == pid
    _type(qtbot, visit.widgets["visitor"], "刘")
    _choose(visit.widgets["method"], "电话")
    visit.save_and_close()
    assert store.rows("visits")[0]["person_id"] == pid


def test_date_picked_from_calendar_and_optional_date_left_empty(qtbot, store):
    from PySide6.QtCore import QDate

    form = _disputes_form(qtbot, store)
    date = form.widgets["registered_on"]
    _type(qtbot, date, "2024/2/3")
    date.popup()  # Alt+Down or the 日历 button
    assert date.calendar.selectedDate() == QDate(2024, 2, 3)
    date.calendar.clicked.emit(QDate(2024, 2, 14))
    assert date.value() == "2024-02-14" and not date.menu.isVisible()
    assert form.widgets["closed_on"].value() is None  # an optional date may stay empty
    assert "closed_on" not in form.errors


def test_date_typed_on_opening_replaces_the_prefilled_one(qtbot, store):
    """The new form opens with today's date in the focused date field: typing replaces it
    (seen on Xvfb: "2026-12-012024-03-05" when the date was appended)."""
    form = RecordForm(store, "study_sessions")
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    date = form.widgets["date"]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is date)
    assert date.text()  # prefilled
    qtbot.wait(10)  # the deferred selection
    qtbot.keyClicks(QApplication.focusWidget(), "2024-03-05")
    assert date.value() == "2024-03-05"
