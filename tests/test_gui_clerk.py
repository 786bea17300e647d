"""Every ledger's form and page used as a clerk uses them: mouse, Tab, keys, input method.

Parametrised from the catalog: a new ledger or field kind is driven by these same tests.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.ledgers import catalog
from app.ui.pages.ledger_page import LedgerPage
from tests.gui_harness import focus_target, holds_focus, prepare

LEDGERS = [lg.id for lg in catalog.LEDGERS]


def _page(clerk, qtbot, store, ledger_id: str) -> LedgerPage:
    page = LedgerPage(store, ledger_id)
    qtbot.addWidget(page)
    page.resize(1000, 600)
    clerk.activate(page)
    return page


def _new_button(page):
    return page.toolbar.widgetForAction(page.act_new)


def _fill_by_tab(clerk, form, entries) -> None:
    """Click into the first field, then Tab from field to field typing each entry."""
    keys = list(form.widgets)
    clerk.click(form.widgets[keys[0]])  # every ledger's first field is typed, not a list
    for i, key in enumerate(keys):
        w = form.widgets[key]
        if i:
            clerk.tab()
        assert holds_focus(w), f"Tab did not reach {key}: focus is on {QApplication.focusWidget()}"
        clerk.enter(w, entries[key])


def _assert_row(store, lg, row_id, entries) -> None:
    row = store.get(lg.id, row_id)
    got = {k: row[k] for k in entries}
    want = {k: e.expected for k, e in entries.items()}
    assert got == want


@pytest.mark.parametrize("ledger_id", LEDGERS)
def test_new_record_typed_through_every_field(clerk, qtbot, store, ledger_id):
    """新增 by mouse, every field reached by Tab and typed, Ctrl+Enter saves, Esc closes."""
    lg = catalog.get(ledger_id)
    entries = prepare(store, lg)
    page = _page(clerk, qtbot, store, ledger_id)
    before = store.count(ledger_id)

    def drive(form):
        _fill_by_tab(clerk, form, entries)
        assert form.save_button.isEnabled(), form.errors
        clerk.key(Qt.Key_Return, Qt.ControlModifier)  # 保存并新增
        assert store.count(ledger_id) == before + 1, form.errors
        assert "已保存第 1 条" in form.status.text()
        clerk.key(Qt.Key_Escape)  # the next record is untouched: closes without asking
        assert not form.isVisible()

    clerk.run_modal(lambda: clerk.click(_new_button(page)), drive)
    row_id = max(r["id"] for r in store.rows(ledger_id))
    _assert_row(store, lg, row_id, entries)
    assert page.model.rowCount() == before + 1  # the page shows it
    assert page.current_id() == row_id


@pytest.mark.parametrize("ledger_id", LEDGERS)
def test_tab_through_an_empty_form_and_click_into_every_field(clerk, qtbot, store, ledger_id):
    """The issue's crash: focus into empty count fields (by Tab and by mouse) must be quiet."""
    lg = catalog.get(ledger_id)
    prepare(store, lg)
    page = _page(clerk, qtbot, store, ledger_id)

    def drive(form):
        keys = list(form.widgets)
        focus_target(form.widgets[keys[0]]).setFocus(Qt.TabFocusReason)
        for key in keys[1:]:
            clerk.tab()
            assert holds_focus(form.widgets[key]), f"Tab skipped {key}"
        for key in keys:  # and back, by mouse
            w = form.widgets[key]
            if w.metaObject().className() in ("ChoiceField",):
                continue  # a click opens the list: the clerk chooses by keyboard instead
            clerk.click(w)
            assert holds_focus(w), f"a click did not put the cursor into {key}"
            assert form.widgets[key].value() in (None, form.raw()[key])
        text = next(k for k in keys if lg.field(k).kind in ("text", "longtext"))
        clerk.click(form.widgets[text])
        clerk.type("打了几个字")
        clerk.answer_box("继续编辑")
        clerk.key(Qt.Key_Escape)  # typed something: Esc asks, 继续编辑 keeps the form
        assert form.isVisible() and form.widgets[text].value() == "打了几个字"
        clerk.answer_box("不保存")
        clerk.key(Qt.Key_Escape)
        assert not form.isVisible()
        assert clerk.boxes == ["刚才录入的内容还没有保存。"] * 2

    page.table.setFocus()
    clerk.run_modal(lambda: clerk.key(Qt.Key_N, Qt.ControlModifier), drive)  # 新增 by its shortcut
    assert store.count(ledger_id) == 0


@pytest.mark.parametrize("ledger_id", LEDGERS)
def test_edit_an_existing_row_with_blank_counts(clerk, qtbot, store, ledger_id):
    """Enter on a row opens it; click into every field (blank counts too); change; 保存."""
    lg = catalog.get(ledger_id)
    entries = prepare(store, lg)
    values = {k: e.expected for k, e in entries.items() if lg.field(k).kind not in ("int", "decimal")}
    row_id = store.save(ledger_id, values)
    page = _page(clerk, qtbot, store, ledger_id)
    page.table.setFocus()
    page.select_id(row_id)
    edited = next(f for f in lg.fields if f.kind in ("text", "longtext"))

    def drive(form):
        assert form.row_id == row_id
        for w in form.widgets.values():
            if w.metaObject().className() == "ChoiceField":
                focus_target(w).setFocus(Qt.TabFocusReason)
            else:
                clerk.click(w)
            assert holds_focus(w)
        clerk.click(form.widgets[edited.key])
        clerk.enter(form.widgets[edited.key], type(entries[edited.key])("改过的内容"))
        clerk.click(form.save_button)
        assert not form.isVisible(), form.errors

    clerk.run_modal(lambda: clerk.key(Qt.Key_Return), drive)
    row = store.get(ledger_id, row_id)
    assert row[edited.key] == "改过的内容"
    for f in lg.fields:
        if f.kind in ("int", "decimal"):
            assert row[f.key] is None  # a blank count stays blank: focus did not invent a 0
        elif f.key != edited.key:
            assert row[f.key] == values[f.key]
    assert store.count(ledger_id) == 1


def test_side_bar_search_and_delete_by_keyboard(clerk, qtbot, store):
    """Ctrl+L into the side bar, arrows through every ledger, Enter into the table, Ctrl+F to
    search, Delete to the 回收站 — no mouse."""
    from PySide6.QtWidgets import QMessageBox

    from app.ui.main_window import MainWindow

    row = {"date": "2024-03-05", "form": "专题培训", "audience": "全体干部职工"}
    for topic in ("宪法学习", "民法典讲座", "安全生产培训"):
        store.save("study_sessions", {**row, "topic": topic})
    w = MainWindow(store)
    qtbot.addWidget(w)
    clerk.activate(w)
    qtbot.waitUntil(lambda: "home" in w.pages, timeout=10000)
    clerk.key(Qt.Key_L, Qt.ControlModifier)
    assert w.nav.hasFocus()
    seen = []
    for _ in range(w.nav.topLevelItemCount() + len(catalog.LEDGERS) + 2):
        clerk.key(Qt.Key_Down)
        key = w.current_key()
        if key and key.startswith("ledger:") and key not in seen:
            seen.append(key)
    assert seen == [f"ledger:{lg.id}" for lg in catalog.in_group_order()]

    w.nav.setCurrentItem(w._items["ledger:study_sessions"])
    clerk.key(Qt.Key_Return)  # into the page's table
    page = w.pages["ledger:study_sessions"]
    assert page.table.hasFocus()
    clerk.key(Qt.Key_F, Qt.ControlModifier)
    assert page.search.hasFocus()
    clerk.type("民法典")
    clerk.key(Qt.Key_Return)
    assert page.model.rowCount() == 1
    page.table.setFocus()
    page.table.selectRow(0)
    clerk.answer_box(QMessageBox.Yes)
    clerk.key(Qt.Key_Delete)
    assert store.count("study_sessions") == 2
    assert {r["topic"] for r in store.rows("study_sessions")} == {"宪法学习", "安全生产培训"}
    assert "移入回收站" in clerk.boxes[0]
