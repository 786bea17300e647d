"""A ledger is one declaration (issue 20): a 17th and 18th ledger declared in this test alone —
a roster with a 身份证号 (personal, the lookup field) and a ledger referring to it (cascading on
purge) — go through the form, import, export, pack and merge, purge, the report and the demo
with no other code.  And the catalog's declarations agree with themselves."""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest

from app.cli import main
from app.core import checks
from app.core.demo.generator import fill, generate
from app.core.figures.compute import compute
from app.core.ledgers import catalog
from app.core.ledgers.catalog import (
    VILLAGE,
    Field,
    Ledger,
    Rule,
    choice_field,
    date_field,
    long_text_field,
    text_field,
)
from app.core.ledgers.validation import id_check_char, mask_idcard
from app.core.report.coverage import ledger_rows
from app.core.storage.common import StoreError
from app.core.storage.store import Store
from tests.fixtures.sheets import write_csv


def _id(first17: str) -> str:
    return first17 + id_check_char(first17)


ID_A = _id("50023019800101123")
ID_B = _id("50023019900202234")

ROSTER = Ledger(
    "aid_recipients", "帮扶对象名册", "重点人群",
    (
        text_field("name", "姓名", True, width=10),
        Field("id_number", "身份证号", "idcard", width=20, personal=True),
        choice_field("aid_type", "帮扶类型", ("低保户", "特困户", "临时救助"), True),
        Field(VILLAGE, "村（社区）", "text", width=12),
        date_field("listed_on", "纳入日期", True),
        date_field("ended_on", "退出日期"),
    ),
    rules=(
        Rule("required_when", ("id_number", "aid_type"), when=("低保户", "特困户"), message="须填身份证号"),
        Rule("date_order", ("listed_on", "ended_on"), message="退出日期不能早于纳入日期"),
    ),
    start_field="listed_on", end_field="ended_on", title_field="name",
    lookup_field="id_number", picker_fields=(VILLAGE, "aid_type"),
)  # fmt: skip
RECORDS = Ledger(
    "aid_visits", "帮扶记录", "重点人群",
    (
        date_field("date", "日期", True),
        Field("recipient_id", "帮扶对象", "ref", True, ref="aid_recipients", indexed=True, on_purge="cascade"),
        text_field("helper", "帮扶人", True, width=10),
        Field("amount", "帮扶金额（元）", "decimal", min_value=0, max_value=catalog.AMOUNT_MAX),
        long_text_field("record", "帮扶情况"),
    ),
    title_field="record",
)  # fmt: skip
NEW = (ROSTER.id, RECORDS.id)


@pytest.fixture
def declared(monkeypatch):
    """The catalog with the two ledgers added: nothing but the declaration."""
    ledgers = (*catalog.LEDGERS, ROSTER, RECORDS)
    monkeypatch.setattr(catalog, "LEDGERS", ledgers)
    monkeypatch.setattr(catalog, "BY_ID", {lg.id: lg for lg in ledgers})
    monkeypatch.setattr(catalog, "BY_NAME", {lg.name: lg for lg in ledgers})
    return ledgers


@pytest.fixture
def new_store(declared, db_path):
    """A database opened after the declaration: its tables made from it."""
    s = Store.open(db_path)
    yield s
    s.close()


def _person(store: Store, name: str, number: str | None, aid_type: str = "低保户", **kw) -> int:
    row = {"name": name, "id_number": number, "aid_type": aid_type, "village": "武平村", "listed_on": "2024-01-05"}
    return store.save(ROSTER.id, {**row, **kw})


def _visit(store: Store, person, day: str = "2024-03-01", **kw) -> int:
    return store.save(RECORDS.id, {"date": day, "recipient_id": person, "helper": "周", **kw})


def run(capsys, *argv) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- the declarations agree with themselves -------------------------------------------------------

UNIQUE_KINDS = ("text", "idcard", "phone")  # a value that can name one row: not a date, count or list


def declaration_problems(ledgers: tuple[Ledger, ...]) -> list[str]:
    by_id = {lg.id: lg for lg in ledgers}
    place = {lg.id: i for i, lg in enumerate(ledgers)}
    problems = []
    if len(by_id) != len(ledgers) or len({lg.name for lg in ledgers}) != len(ledgers):
        problems.append("ledger ids and names are unique")
    for lg in ledgers:
        keys = set(lg.keys)
        named = [lg.title_field, lg.lookup_field, lg.start_field, lg.end_field, *lg.picker_fields]
        problems += [f"{lg.id}: {k} is not a field" for k in named if k is not None and k not in keys]
        if lg.group not in catalog.GROUPS:
            problems.append(f"{lg.id}: group {lg.group}")
        if lg.lookup_field in keys and lg.field(lg.lookup_field).kind not in UNIQUE_KINDS:
            problems.append(f"{lg.id}: lookup field {lg.lookup_field} cannot name one row")
        if lg.lookup_field is not None and lg.lookup_field == lg.title_field:
            problems.append(f"{lg.id}: the lookup field is the title")
        for f in lg.fields:
            if f.kind == "ref" and f.ref not in by_id:
                problems.append(f"{lg.id}.{f.key}: refers to no ledger ({f.ref})")
            elif f.kind == "ref" and place[f.ref] > place[lg.id]:
                # merge and the demo insert in catalog order: the rows pointed at come first
                problems.append(f"{lg.id}.{f.key}: {f.ref} is declared after it")
            if f.kind == "ref" and f.ref in by_id and by_id[f.ref].title_field is None:
                problems.append(f"{lg.id}.{f.key}: {f.ref} has no title to show")
            if f.kind != "ref" and (f.ref is not None or f.on_purge != "refuse"):
                problems.append(f"{lg.id}.{f.key}: ref or on_purge on a {f.kind} field")
            if f.on_purge not in ("refuse", "cascade"):
                problems.append(f"{lg.id}.{f.key}: on_purge {f.on_purge}")
        for rule in lg.rules:
            problems += [f"{lg.id}: rule on {k}" for k in rule.fields if k not in keys]
    overviews = [lg.overview for lg in ledgers if lg.overview]
    if len(set(overviews)) != len(overviews):
        problems.append("overview pages are unique")
    return problems


def test_the_catalog_declarations_are_consistent():
    assert declaration_problems(catalog.LEDGERS) == []
    assert declaration_problems((*catalog.LEDGERS, ROSTER, RECORDS)) == []
    kp = catalog.get("key_persons")
    assert (kp.lookup_field, kp.picker_fields, kp.overview) == ("id_number", ("village", "category"), "重点人群总览")
    assert catalog.get("visits").field("person_id").on_purge == "cascade"


@pytest.mark.parametrize(
    "broken",
    [
        replace(ROSTER, lookup_field="listed_on"),  # a date names no one
        replace(ROSTER, picker_fields=("town",)),
        replace(ROSTER, title_field="nickname"),
        replace(RECORDS, fields=(replace(RECORDS.fields[0], on_purge="cascade"), *RECORDS.fields[1:]), _by_key={}),
        replace(RECORDS, fields=(replace(RECORDS.fields[1], ref="nowhere"), *RECORDS.fields[2:]), _by_key={}),
    ],
)
def test_an_inconsistent_declaration_is_caught(broken):
    ours = tuple(broken if lg.id == broken.id else lg for lg in (ROSTER, RECORDS))
    assert declaration_problems((*catalog.LEDGERS, *ours))


def test_a_ledger_declared_before_the_ledger_it_refers_to_is_caught():
    assert declaration_problems((*catalog.LEDGERS, RECORDS, ROSTER)) == [
        "aid_visits.recipient_id: aid_recipients is declared after it"
    ]


# -- the form ---------------------------------------------------------------------------------------


def _fill_by_tab(clerk, form, entries: dict[str, str]) -> None:
    """Click into the first field, Tab from field to field, type (or choose) each entry."""
    from PySide6.QtWidgets import QApplication

    from tests.gui_harness import Entry, holds_focus

    keys = list(form.widgets)
    clerk.click(form.widgets[keys[0]])
    for i, key in enumerate(keys):
        w = form.widgets[key]
        if i:
            clerk.tab()
        assert holds_focus(w), f"Tab did not reach {key}: focus is on {QApplication.focusWidget()}"
        value = entries.get(key, "")
        if hasattr(w, "findText") and not w.isEditable():
            if value:
                clerk.enter(w, Entry(choice=value))
        else:
            clerk.enter(w, Entry(value))


def _new_record(clerk, qtbot, store, ledger_id: str, entries: dict[str, str]) -> int:
    from PySide6.QtCore import Qt

    from app.ui.pages.ledger_page import LedgerPage

    page = LedgerPage(store, ledger_id)
    qtbot.addWidget(page)
    page.resize(1000, 600)
    clerk.activate(page)
    seen = {}

    def drive(form):
        seen["placeholders"] = {
            k: w.lineEdit().placeholderText() for k, w in form.widgets.items() if getattr(w, "lineEdit", lambda: None)()
        }
        seen["offered"] = {
            k: [w.itemText(i) for i in range(w.count())] for k, w in form.widgets.items() if hasattr(w, "itemText")
        }
        _fill_by_tab(clerk, form, entries)
        assert form.save_button.isEnabled(), form.errors
        clerk.key(Qt.Key_S, Qt.ControlModifier)  # 保存 and close
        assert not form.isVisible(), form.errors

    clerk.run_modal(lambda: clerk.click(page.toolbar.widgetForAction(page.act_new)), drive)
    assert page.model.rowCount() == store.count(ledger_id)  # the page shows it
    return seen


def test_the_form_saves_a_typed_row_and_the_reference_offers_the_roster(clerk, qtbot, new_store):
    s = new_store
    typed = {"name": "钱七", "id_number": ID_A, "aid_type": "特困户", "village": "武平村", "listed_on": "2024年3月5日"}
    seen = _new_record(clerk, qtbot, s, ROSTER.id, typed)
    assert seen["offered"]["aid_type"][-3:] == ["低保户", "特困户", "临时救助"]
    (row,) = s.rows(ROSTER.id)
    assert {k: row[k] for k in typed} == {**typed, "listed_on": "2024-03-05"}
    _person(s, "孙八", ID_B, "临时救助", village="双龙村")

    seen = _new_record(clerk, qtbot, s, RECORDS.id, {"date": "2024-04-01", "recipient_id": "钱七", "helper": "周"})
    assert seen["placeholders"]["recipient_id"] == "输入姓名或身份证号"  # from the title and lookup fields
    # pinyin order, each with its picker fields
    assert seen["offered"]["recipient_id"] == ["钱七（武平村，特困户）", "孙八（双龙村，临时救助）"]
    (visit,) = s.rows(RECORDS.id)
    assert (visit["date"], visit["recipient_id"], visit["helper"]) == ("2024-04-01", row["id"], "周")


def test_the_form_takes_a_reference_typed_as_its_id_number(clerk, qtbot, new_store):
    """Waits for the store's resolver to read ``Ledger.lookup_field``."""
    s = new_store
    pid = _person(s, "钱七", ID_A)
    _person(s, "钱七", ID_B)  # the name is not unique: the number names one
    _new_record(clerk, qtbot, s, RECORDS.id, {"date": "2024-04-01", "recipient_id": ID_B, "helper": "周"})
    assert [r["recipient_id"] for r in s.rows(RECORDS.id)] == [pid + 1]


# -- import and export ------------------------------------------------------------------------------


def test_import_keeps_a_row_without_a_column_as_incomplete(declared, db_path, tmp_path, capsys):
    db = db_path
    rows = [["姓名", "身份证号", "村（社区）", "纳入日期"], ["钱七", ID_A, "武平村", "2024-03-05"]]
    code, out, _ = run(capsys, "--db", db, "import", "帮扶对象名册", write_csv(tmp_path / "名册.csv", rows))
    assert code == 0 and "待补充" in out and "帮扶类型" in out
    s = Store.open(db)
    try:
        (row,) = s.rows(ROSTER.id)
        assert row["incomplete"] == '{"aid_type": ""}' and row["id_number"] == ID_A
        found = [f for f in checks.run(s, 2024) if f.code == "incomplete" and f.ledger == ROSTER.id]
        assert found and "缺帮扶类型" in found[0].detail
    finally:
        s.close()


def test_import_resolves_a_reference_by_name(new_store, db_path, tmp_path, capsys):
    pid = _person(new_store, "钱七", ID_A)
    new_store.close()
    rows = [["日期", "帮扶对象", "帮扶人", "帮扶金额（元）"], ["2024-03-05", "钱七", "周", "300"]]
    code, _, err = run(capsys, "--db", db_path, "import", "帮扶记录", write_csv(tmp_path / "记录.csv", rows))
    assert code == 0, err
    s = Store.open(db_path)
    try:
        assert [(r["recipient_id"], r["amount"]) for r in s.rows(RECORDS.id)] == [(pid, 300.0)]
    finally:
        s.close()


def test_import_resolves_a_reference_by_id_number(new_store, db_path, tmp_path, capsys):
    """Waits for the store's resolver to read ``Ledger.lookup_field``."""
    _person(new_store, "钱七", ID_A)
    pid = _person(new_store, "钱七", ID_B)
    new_store.close()
    rows = [["日期", "帮扶对象", "帮扶人"], ["2024-03-05", ID_B, "周"]]
    code, _, err = run(capsys, "--db", db_path, "import", "帮扶记录", write_csv(tmp_path / "记录.csv", rows))
    assert code == 0, err
    s = Store.open(db_path)
    try:
        assert [r["recipient_id"] for r in s.rows(RECORDS.id)] == [pid]
        assert s.count_incomplete(RECORDS.id) == 0
    finally:
        s.close()


def test_import_refuses_a_reference_by_a_wrong_id_number(new_store, tmp_path):
    """A reference typed as a 身份证号 with a wrong check digit is a bad row, as a 走访's is: the
    referenced ledger is looked up by an idcard field."""
    from app.core.io.importer import import_file

    _person(new_store, "钱七", ID_A)
    wrong = ID_B[:17] + ("0" if ID_B[17] != "0" else "1")
    rows = [["日期", "帮扶对象", "帮扶人"], ["2024-03-02", "钱七", "周"], ["2024-03-03", wrong, "周"]]
    result = import_file(new_store, RECORDS.id, write_csv(tmp_path / "记录.csv", rows), skip_bad=True)
    assert (result.bad_rows, result.count) == (1, 1)


def _csv(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_export_masks_the_id_number_unless_full_ids_are_asked(new_store, db_path, tmp_path, capsys):
    _person(new_store, "钱七", ID_A)
    twin = _person(new_store, "钱七", ID_B)
    _visit(new_store, twin)
    new_store.close()
    db, out = db_path, tmp_path / "名册.csv"
    assert run(capsys, "--db", db, "export", "帮扶对象名册", out)[0] == 0
    text = out.read_text(encoding="utf-8-sig")
    assert ID_A not in text and ID_B not in text and mask_idcard(ID_A) in text
    assert run(capsys, "--db", db, "export", "aid_recipients", out, "--full-id")[0] == 0
    assert ID_A in out.read_text(encoding="utf-8-sig")
    visits = tmp_path / "记录.csv"
    assert run(capsys, "--db", db, "export", "帮扶记录", visits)[0] == 0
    assert _csv(visits)[1][1] == "钱七"  # the name, never the whole number
    assert run(capsys, "--db", db, "export", "帮扶记录", visits, "--full-id")[0] == 0
    assert _csv(visits)[1][1] == ID_B  # the name is not unique: the lookup field names the one
    s = Store.open(db)
    try:
        assert sorted(e["ledger"] for e in s.audit_entries() if e["action"] == "reveal") == sorted(NEW)
    finally:
        s.close()


# -- pack and merge ---------------------------------------------------------------------------------


def test_a_pack_of_the_new_ledgers_is_encrypted_and_merges_with_its_references(declared, tmp_path, capsys):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    s = Store.open(a)
    p1 = _person(s, "钱七", ID_A)
    p2 = _person(s, "孙八", ID_B, "临时救助")
    _visit(s, p1, "2024-03-01")
    _visit(s, p2, "2024-03-02", amount=200)
    s.set_setting("office", "民政办")
    s.close()
    Store.open(b).close()
    pack = tmp_path / "民政.fzpack"
    code, _, err = run(capsys, "--db", a, "pack", "--out", pack, "--ledgers", "帮扶记录")
    assert code == 2 and "帮扶" in err and "--no-password" in err and not pack.exists()
    code, out, err = run(capsys, "--db", a, "pack", "--out", pack, "--ledgers", "帮扶记录", "--password", "pw1-2024!")
    assert code == 0, err
    assert "已加密" in out and "帮扶对象名册 2 条" in out and "帮扶记录 2 条" in out  # the roster goes along
    assert ID_A.encode() not in pack.read_bytes()
    code, out, err = run(capsys, "--db", b, "merge", pack, "--password", "pw1-2024!")
    assert code == 0 and "已合并" in out, err
    s = Store.open(b)
    try:
        people = {r["id"]: r["name"] for r in s.rows(ROSTER.id)}
        assert sorted(people.values()) == ["孙八", "钱七"]
        assert sorted((people[v["recipient_id"]], v["amount"]) for v in s.rows(RECORDS.id)) == [
            ("孙八", 200.0),
            ("钱七", None),
        ]
        assert {r["id_number"] for r in s.rows(ROSTER.id)} == {ID_A, ID_B}
    finally:
        s.close()


# -- purge ------------------------------------------------------------------------------------------


def test_purge_takes_the_deleted_records_along_and_is_refused_while_a_live_one_points(new_store):
    """Waits for the store's purge to read ``Field.on_purge``."""
    s = new_store
    gone, kept = _person(s, "钱七", ID_A), _person(s, "孙八", ID_B)
    old_visit = _visit(s, gone)
    live_visit = _visit(s, kept)
    s.delete(RECORDS.id, [old_visit])
    s.delete(ROSTER.id, [gone, kept])
    with pytest.raises(StoreError, match="引用"):
        s.purge(ROSTER.id, [kept])
    assert s.get(ROSTER.id, kept, include_deleted=True) is not None
    assert s.purge(ROSTER.id, [gone]) == 1
    assert s.get(RECORDS.id, old_visit, include_deleted=True) is None  # went with its person
    assert s.get(RECORDS.id, live_visit) is not None
    purged = [(e["ledger"], e["row_id"]) for e in s.audit_entries() if e["action"] == "purge"]
    assert sorted(purged) == [(ROSTER.id, gone), (RECORDS.id, old_visit)]
    assert not any(ID_A in str(e["old"]) for e in s.audit_entries())  # the audit keeps it masked


# -- the demo and the report ------------------------------------------------------------------------


def test_the_demo_fills_the_new_ledgers_and_the_demo_test_holds(declared, tmp_path):
    from tests import test_demo

    s = Store.open(tmp_path / "demo.db")
    try:
        counts = fill(s, 2024)
        assert counts[ROSTER.id] > 0 and counts[RECORDS.id] > 0
        test_demo.test_every_ledger_is_populated_and_every_row_obeys_the_rules((s, counts))
        test_demo.assert_reproduces_reference(compute(s, 2024))
        numbers = [r["id_number"] for r in s.rows(ROSTER.id) if r["id_number"]]
        assert numbers and len(set(numbers)) == len(numbers)
        names = {r["id"] for r in s.rows(ROSTER.id)}
        assert {v["recipient_id"] for v in s.rows(RECORDS.id)} <= names
    finally:
        s.close()


def test_the_planned_ledgers_demo_rows_do_not_move(monkeypatch):
    before = generate(2024)
    ledgers = (*catalog.LEDGERS, ROSTER, RECORDS)
    monkeypatch.setattr(catalog, "LEDGERS", ledgers)
    monkeypatch.setattr(catalog, "BY_ID", {lg.id: lg for lg in ledgers})
    monkeypatch.setattr(catalog, "BY_NAME", {lg.name: lg for lg in ledgers})
    after = generate(2024)
    assert {k: v for k, v in after.items() if k not in NEW} == before
    assert set(after) - set(before) == set(NEW)


def test_the_report_is_made_with_the_new_rows_and_check_names_the_ledgers_it_leaves_out(declared, tmp_path, capsys):
    db = tmp_path / "demo.db"
    s = Store.open(db)
    fill(s, 2024)
    try:
        counts = ledger_rows(s, 2024)
        assert counts[ROSTER.id] > 0 and counts[RECORDS.id] > 0
        unreported = [f for f in checks.run(s, 2024) if f.code == "ledger_unreported"]
        assert sorted(f.ledger for f in unreported) == sorted(NEW)
        assert "帮扶对象名册2024年有记录，报告中没有写到" in [f.title for f in unreported]
    finally:
        s.close()
    out = tmp_path / "报告.docx"
    code, text, err = run(capsys, "--db", db, "report", "--year", "2024", "--out", out)
    assert code == 0, err
    assert out.exists() and out.stat().st_size > 0
    code, text, err = run(capsys, "--db", db, "check", "--year", "2024")
    assert code == 0 and "帮扶记录2024年有记录，报告中没有写到" in text


def test_the_id_check_reads_every_idcard_field(new_store):
    from tests.test_checks import raw_insert  # rows past the validator, as an old file might hold

    s = new_store
    wrong = ID_A[:17] + ("0" if ID_A[17] != "0" else "1")
    bad = raw_insert(s, ROSTER.id, name="错号", id_number=wrong, aid_type="临时救助", listed_on="2024-01-01")
    missing = raw_insert(s, ROSTER.id, name="无号", aid_type="低保户", listed_on="2024-01-01")
    raw_insert(s, ROSTER.id, name="临时", aid_type="临时救助", listed_on="2024-01-01")  # optional for 临时救助
    raw_insert(s, ROSTER.id, name="早走", aid_type="低保户", listed_on="2020-01-01", ended_on="2022-01-01")
    (f,) = [f for f in checks.run(s, 2024) if f.code == "idcards_invalid"]
    assert (f.ledger, f.title, f.severity, f.row_ids) == (ROSTER.id, "身份证号无效", "error", [bad, missing])
    assert f.detail.splitlines()[1] == "无号（低保户）：未填写身份证号"
    assert wrong not in f.detail and "校验位" in f.detail


# -- the window -------------------------------------------------------------------------------------


def test_the_side_bar_lists_the_new_ledgers_and_the_declared_overview(qtbot, declared, new_store, monkeypatch):
    from app.ui.main_window import MainWindow

    renamed = replace(catalog.BY_ID["key_persons"], overview="重点人员总览", _by_key={})
    ledgers = tuple(renamed if lg.id == "key_persons" else lg for lg in catalog.LEDGERS)
    monkeypatch.setattr(catalog, "LEDGERS", ledgers)
    monkeypatch.setattr(catalog, "BY_ID", {lg.id: lg for lg in ledgers})
    monkeypatch.setattr(catalog, "BY_NAME", {lg.name: lg for lg in ledgers})
    w = MainWindow(new_store)
    qtbot.addWidget(w)
    nav = w.nav
    group = next(
        nav.topLevelItem(i) for i in range(nav.topLevelItemCount()) if nav.topLevelItem(i).text(0) == "重点人群"
    )
    names = [group.child(i).text(0) for i in range(group.childCount())]
    assert names == ["重点人员总览", "重点人员名册", "走访记录", "帮扶对象名册", "帮扶记录"]
    assert w._items["key_persons"] is group.child(0)  # the overview page keeps the ledger's id
    page = w.show_page(f"ledger:{RECORDS.id}")
    assert w.nav.currentItem().text(0) == "帮扶记录" and page is not None
