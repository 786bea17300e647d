"""Personal information declared once (issue 19, items 7, 9 and 10).

- Which fields are personal is the catalog's ``Field.personal``: a ledger nobody else lists,
  holding a 身份证号, travels only in encrypted packs and is exported masked.
- A message that quotes a cell (an import error, a validation error, a finding) never shows
  a whole 身份证号, on the command line or in the window.
- The audit keeps personal values masked; the migration to the current schema masks what was
  written before; purging a person leaves the number nowhere readable: not in the database
  file, its write-ahead log, a backup made afterwards, nor the audit.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from app.cli import main
from app.core.exchange import container
from app.core.exchange.container import PackError
from app.core.exchange.pack import make_pack
from app.core.io.exporter import export_ledger
from app.core.ledgers import catalog
from app.core.ledgers.catalog import Field, Ledger
from app.core.ledgers.validation import ValidationError, id_check_char
from app.core.safety import backup
from app.core.storage import schema
from app.core.storage.store import Store

ID_A = "50023019901009785" + id_check_char("50023019901009785")
ID_B = "11010519491231002" + id_check_char("11010519491231002")
ID_C = "50023019901009123" + id_check_char("50023019901009123")  # the same person, mistyped
OLD_ID = "500230901009785"  # a 15-digit number of the old kind


def _forms(number: str) -> list[bytes]:
    """The number as it could sit in a file: UTF-8, UTF-16 either way round."""
    return [number.encode(), number.encode("utf-16-le"), number.encode("utf-16-be")]


# -- item 10: the catalog's declaration ----------------------------------------------------


def is_personal(ledger_id: str) -> bool:
    from app.core.exchange.pack import is_personal

    return is_personal(ledger_id)


@pytest.fixture
def seventeenth(monkeypatch):
    """A 17th ledger, declared here alone: nothing in the program lists it."""
    aid = Ledger(
        "legal_aid", "法律援助台账", "矛盾纠纷",
        (
            Field("date", "日期", "date", True, indexed=True),
            Field("name", "受援人", "text", True),
            Field("id_no", "受援人身份证号", "idcard", personal=True),
            Field("matter", "援助事项", "longtext"),
        ),
        title_field="name",
    )  # fmt: skip
    ledgers = (*catalog.LEDGERS, aid)
    monkeypatch.setattr(catalog, "LEDGERS", ledgers)
    monkeypatch.setattr(catalog, "BY_ID", {lg.id: lg for lg in ledgers})
    monkeypatch.setattr(catalog, "BY_NAME", {lg.name: lg for lg in ledgers})
    return aid


def test_a_new_ledger_with_a_personal_field_is_encrypted_in_packs_and_masked_in_exports(seventeenth, tmp_path):
    s = Store.open(tmp_path / "a.db")
    try:
        s.set_setting("office", "司法所")
        s.save("legal_aid", {"date": "2024-03-05", "name": "张三", "id_no": ID_A, "matter": "讨薪"})
        assert is_personal("legal_aid") and not is_personal("meetings")
        with pytest.raises(PackError, match="必须设置密码") as caught:
            make_pack(s, tmp_path / "p.fzpack", ["legal_aid"])
        assert "法律援助台账" in str(caught.value)
        summary = make_pack(s, tmp_path / "p.fzpack", ["legal_aid"], password="secret-pw")
        assert summary.encrypted and container.read(tmp_path / "p.fzpack").encrypted
        assert ID_A.encode() not in (tmp_path / "p.fzpack").read_bytes()

        for suffix in (".csv", ".xlsx"):
            out = tmp_path / f"aid{suffix}"
            assert export_ledger(s, "legal_aid", out) == 1
            if suffix == ".csv":
                with open(out, encoding="utf-8-sig", newline="") as fh:
                    row = next(csv.DictReader(fh))
                assert row["受援人身份证号"] == ID_A[:6] + "********" + ID_A[-4:]
            else:
                from openpyxl import load_workbook

                cells = [c for r in load_workbook(out).active.iter_rows(values_only=True) for c in r]
                assert ID_A not in cells and ID_A[:6] + "********" + ID_A[-4:] in cells
        # the audit keeps it masked too
        assert not [e for e in s.audit_entries() if ID_A in json.dumps(e, ensure_ascii=False)]
    finally:
        s.close()


def test_the_built_in_personal_ledgers_follow_from_the_declaration():
    assert [f.key for lg in catalog.LEDGERS for f in lg.fields if f.personal] == ["id_number"]
    assert sorted(lg.id for lg in catalog.LEDGERS if is_personal(lg.id)) == ["key_persons", "visits"]


# -- item 7: messages ----------------------------------------------------------------------


def test_import_errors_on_the_command_line_never_show_a_whole_id(tmp_path, capsys):
    path = tmp_path / "m.csv"
    lines = ["日期,会议名称,会议类型,主持人", f"{ID_A},春季会议,其他,王", f"{OLD_ID},夏季会议,其他,李"]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    db = tmp_path / "x.db"
    for extra in ([], ["--dry-run"]):
        assert main(["--db", str(db), "import", "meetings", str(path), *extra]) != 0
        out = capsys.readouterr()
        text = out.out + out.err
        assert "不是可识别的日期" in text and ID_A[:6] + "********" + ID_A[-4:] in text
        assert ID_A not in text and OLD_ID not in text


def test_validation_errors_and_findings_mask_ids(store):
    with pytest.raises(ValidationError) as caught:
        store.save("meetings", {"date": ID_B, "title": "会", "meeting_type": "其他", "chair": ID_A})
    assert ID_B not in str(caught.value) and "110105********" in str(caught.value)
    assert all(ID_B not in e.message for e in caught.value.errors)
    from app.core.error_text import describe_error
    from app.core.report.checks import Finding

    assert ID_A not in Finding("x", "t", "error", "key_persons", [1], f"身份证号 {ID_A}").detail
    assert ID_A not in describe_error(RuntimeError(f"“{ID_A}”出错"))
    assert ID_A not in describe_error(KeyError(f"没有“{ID_A}”"))


# -- item 9: the audit and a purge ---------------------------------------------------------


def _person(number: str) -> dict:
    return {"name": "王五", "id_number": number, "category": "社区矫正对象", "listed_on": "2024-02-01"}


def test_purging_a_person_leaves_no_readable_id_anywhere(db_path, tmp_path):
    s = Store.open(db_path)
    try:
        keep = s.save("key_persons", {**_person(ID_B), "name": "赵六"})
        rid = s.save("key_persons", _person(ID_C))
        s.save("key_persons", _person(ID_A), rid)  # corrected: the old value was an ID too
        s.save("visits", {"date": "2024-03-01", "person_id": rid, "visitor": "李", "method": "电话"})
        s.delete("visits", [1])
        s.delete("key_persons", [rid])
        assert s.purge("key_persons", [rid]) == 1
        rows = s.conn.execute("SELECT old, new, note FROM audit").fetchall()
        assert not [r for r in rows if ID_A[:14] in json.dumps(r, ensure_ascii=False)]
        assert any(r[0] and ID_A[:6] + "********" + ID_A[-4:] in r[0] for r in rows)  # masked, still readable
        assert s.get("key_persons", keep)["id_number"] == ID_B  # the others' numbers as they were
        made = backup.make_backup(db_path, tmp_path / "later.db")
        files = [db_path, Path(f"{db_path}-wal"), made]
        for f in files:
            data = f.read_bytes() if f.exists() else b""
            for form in (*_forms(ID_A), *_forms(ID_C)):
                assert form not in data, f"{f.name} holds the purged number"
        assert ID_B.encode() in db_path.read_bytes() + Path(f"{db_path}-wal").read_bytes()
    finally:
        s.close()


def _audit_text(conn) -> str:
    return json.dumps(conn.execute("SELECT old, new, note FROM audit").fetchall(), ensure_ascii=False)


def test_the_migration_masks_the_audit_written_before(db_path):
    s = Store.open(db_path)
    s.save("key_persons", _person(ID_A))
    s.save("meetings", {"date": "2024-03-05", "title": "会", "meeting_type": "其他", "chair": "王", "note": OLD_ID})
    s.close()
    # the database as the previous version left it: whole numbers in the audit
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute(
        "UPDATE audit SET new = replace(replace(new, ?, ?), ?, ?)",
        (ID_A[:6] + "********" + ID_A[-4:], ID_A, OLD_ID[:6] + "*****" + OLD_ID[-4:], OLD_ID),
    )
    conn.execute(
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, '操作日志不可修改'); END"
    )
    # the version just before the step that masks the audit (later steps may follow it)
    before = next(v for v, step in schema.MIGRATIONS.items() if step.__name__ == "_mask_personal_data_in_audit")
    conn.execute(f"PRAGMA user_version={before}")
    conn.commit()
    assert ID_A in _audit_text(conn) and OLD_ID in _audit_text(conn)
    conn.close()

    s = Store.open(db_path)
    try:
        assert s.schema_version == schema.SCHEMA_VERSION
        text = _audit_text(s.conn)
        assert ID_A not in text and OLD_ID not in text and ID_A[:6] + "********" + ID_A[-4:] in text
        assert "王五" in text  # the rest of the entries as they were
        with pytest.raises(sqlite3.DatabaseError, match="不可修改"):  # append-only again
            s.conn.execute("UPDATE audit SET note = 'x'")
        with pytest.raises(sqlite3.DatabaseError, match="不可删除"):
            s.conn.execute("DELETE FROM audit")
    finally:
        s.close()


def test_the_import_dialog_shows_masked_ids_in_its_reasons(qtbot, store, tmp_path):
    pytest.importorskip("pytestqt")
    from app.ui.dialogs.import_dialog import ImportDialog

    path = tmp_path / "m.csv"
    path.write_text(f"日期,会议名称,会议类型,主持人\n{ID_A},春季会议,其他,王\n", "utf-8")
    dlg = ImportDialog(store, "meetings", path=path)
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(dlg.preview_ready, timeout=20000):
        pass
    cells = [dlg.errors_table.item(i, j).text() for i in range(dlg.errors_table.rowCount()) for j in range(3)]
    assert any("500230********7853" in c for c in cells)
    assert not [c for c in cells if ID_A in c] and ID_A not in dlg.status_label.text()
