"""重点人群 page: roster with masked IDs, logged reveal, one-click 记录走访, the year's 变动."""

import datetime as dt
import itertools

import pytest
from PySide6.QtCore import Qt

from app.core.figures.breakdowns import key_person_changes
from app.ui.dialogs.visit_dialog import VisitDialog
from app.ui.pages.key_persons_page import CHANGE_COLUMNS, KeyPersonsPage, monthly_changes


@pytest.fixture
def page(qtbot, demo_store):
    p = KeyPersonsPage(demo_store)
    qtbot.addWidget(p)
    p.set_year(2024)
    return p


def _row_of(page, person_id):
    for i in range(page.roster.rowCount()):
        if page.roster.item(i, 0).data(Qt.ItemDataRole.UserRole) == person_id:
            return i
    raise AssertionError(person_id)


def _a_person(store, category="安置帮教对象"):
    return next(r for r in store.rows("key_persons") if r["category"] == category and not r["released_on"])


def test_roster_masks_id_numbers(page, demo_store):
    person = _a_person(demo_store)
    row = _row_of(page, person["id"])
    shown = page.roster.item(row, 1).text()
    assert shown != person["id_number"]
    assert shown.startswith(person["id_number"][:6]) and shown.endswith(person["id_number"][-4:])
    assert "*" in shown
    assert page.roster.rowCount() == demo_store.count("key_persons")


def test_reveal_shows_the_number_and_is_logged(qtbot, page, demo_store):
    person = _a_person(demo_store)
    page.select_person(person["id"])
    assert page.id_label.text() != person["id_number"]
    qtbot.mouseClick(page.reveal_button, Qt.MouseButton.LeftButton)
    assert page.id_label.text() == person["id_number"]
    entry = demo_store.audit_entries(limit=1)[0]
    assert entry["action"] == "reveal" and entry["row_id"] == person["id"]
    qtbot.mouseClick(page.reveal_button, Qt.MouseButton.LeftButton)  # 隐藏 again
    assert page.id_label.text() != person["id_number"]


def test_selecting_a_person_lists_their_visits(page, demo_store):
    person = _a_person(demo_store)
    page.select_person(person["id"])
    visits = demo_store.rows("visits", where="person_id = ?", params=[person["id"]])
    assert visits
    assert page.visits_table.rowCount() == len(visits)
    dates = {page.visits_table.item(i, 0).text() for i in range(len(visits))}
    assert dates == {v["date"] for v in visits}
    assert page.history.item(0).text().startswith(person["listed_on"])


def test_record_visit_from_a_person(qtbot, page, demo_store, monkeypatch):
    person = _a_person(demo_store)
    page.select_person(person["id"])
    before = len(demo_store.rows("visits", where="person_id = ?", params=[person["id"]]))

    def fill_and_save(dialog):
        assert dialog.person["id"] == person["id"]
        assert dialog.date_edit.date().toString("yyyy-MM-dd") == dt.date.today().isoformat()
        dialog.visitor_edit.setText("王走访")
        dialog.record_edit.setPlainText("在家务农，情绪稳定")
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(VisitDialog, "exec", fill_and_save)
    with qtbot.waitSignal(page.visit_recorded, timeout=2000) as sig:
        qtbot.mouseClick(page.visit_button, Qt.MouseButton.LeftButton)
    row = demo_store.get("visits", sig.args[0])
    assert row["person_id"] == person["id"]
    assert row["visitor"] == "王走访" and row["date"] == dt.date.today().isoformat()
    assert page.selected_person_id() == person["id"]
    assert page.visits_table.rowCount() == before + 1


def test_visit_without_visitor_is_refused(qtbot, page, demo_store):
    person = _a_person(demo_store)
    page.select_person(person["id"])
    n = demo_store.count("visits")
    dialog = page.make_visit_dialog()
    qtbot.addWidget(dialog)
    dialog.visitor_edit.setText("")
    dialog.save()
    assert "走访人" in dialog.error_label.text()
    assert dialog.result() != VisitDialog.DialogCode.Accepted
    assert demo_store.count("visits") == n


def test_changes_of_the_year(qtbot, page, demo_store):
    changes = key_person_changes(demo_store, 2024)
    t = page.changes_table
    for i, cat in enumerate(changes):
        assert t.item(i, 0).text() == cat
        for j, (key, _label) in enumerate(CHANGE_COLUMNS, 1):
            assert int(t.item(i, j).text()) == changes[cat][key]
    assert changes["安置帮教对象"] == {"opening": 48, "added": 12, "released": 12, "closing": 48}
    # clicking 新增 of 安置帮教对象 opens exactly those people
    row = list(changes).index("安置帮教对象")
    page.tabs.setCurrentIndex(1)
    with qtbot.waitSignal(page.open_rows, timeout=2000) as sig:
        page.changes_table.cellClicked.emit(row, 2)
    ledger, ids = sig.args
    added = [r["id"] for r in demo_store.rows("key_persons", 2024, where="category = ?", params=["安置帮教对象"])]
    assert ledger == "key_persons" and sorted(ids) == sorted(added) and len(ids) == 12


def test_monthly_changes_add_up_to_the_year(demo_store):
    rows = [r for r in demo_store.rows("key_persons") if r["category"] == "安置帮教对象"]
    months = monthly_changes(rows, 2024)
    year = key_person_changes(demo_store, 2024)["安置帮教对象"]
    assert len(months[0]["opening"]) == year["opening"]
    assert len(months[-1]["closing"]) == year["closing"]
    assert sum(len(m["added"]) for m in months) == year["added"]
    assert sum(len(m["released"]) for m in months) == year["released"]
    for a, b in itertools.pairwise(months):
        assert a["closing"] == b["opening"]
        assert len(b["closing"]) == len(b["opening"]) + len(b["added"]) - len(b["released"])
