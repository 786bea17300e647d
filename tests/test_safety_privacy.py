"""Personal information and the 操作日志.

身份证号 are masked in every output a clerk or a log file can see — exports (unless asked,
and then logged), command-line output and error lines, log files, the report — and the
操作日志 records every change, import, restore and reveal, and cannot be edited.
"""

from __future__ import annotations

import csv
import json
import logging
import sqlite3
import zipfile

import pytest

from app.cli import main
from app.core.ledgers import privacy
from app.core.ledgers.validation import id_check_char, mask_idcard
from app.core.safety import backup, reveal
from app.core.storage.store import Store


def make_id(first17: str) -> str:
    return first17 + id_check_char(first17)


ID_A = make_id("50023019800101123")
ID_B = make_id("50023019921231456")
ID_BAD = ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1")  # wrong check digit
ALL_IDS = (ID_A, ID_B, ID_BAD)


def _person(name: str, number: str, category: str = "社区矫正对象") -> dict:
    return {"name": name, "id_number": number, "category": category, "listed_on": "2024-02-01", "village": "武平村"}


@pytest.fixture
def people_db(db_path):
    s = Store.open(db_path)
    s.set_setting("county", "丰都县")  # the office is named: a report needs it
    s.set_setting("town", "武平镇")
    s.save("key_persons", _person("张三", ID_A))
    s.save("key_persons", _person("李四", ID_B, "安置帮教对象"))
    clean = s.validator("key_persons").clean(_person("王五", ID_A))[0]
    clean["id_number"] = ID_BAD  # an old row typed before validation existed
    s.insert_clean("key_persons", clean)
    s.save("visits", {"date": "2024-03-01", "person_id": ID_A, "visitor": "周干部", "method": "入户走访"})
    s.close()
    return db_path


def _no_full_ids(text: str) -> None:
    for number in ALL_IDS:
        assert number not in text, f"whole ID {number} found"


# -- the masking function and log files ---------------------------------------------------


def test_mask_ids_in_text():
    text = f"导入失败：{ID_A}，另一个 {ID_B.lower()}；编号 12345678901234567890 与 2024-03-05 不变"
    masked = privacy.mask_ids_in_text(text)
    assert masked.count("********") == 2
    assert mask_idcard(ID_A) in masked and ID_A not in masked
    assert "12345678901234567890" in masked and "2024-03-05" in masked
    assert privacy.mask_ids_in_text(ID_BAD) == mask_idcard(ID_BAD)
    assert privacy.mask_ids_in_text("") == ""


def test_log_files_never_hold_a_whole_id(tmp_path):
    log_file = tmp_path / "app.log"
    logger = logging.getLogger("test_safety_privacy")
    logger.propagate = False
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    try:
        privacy.install_log_masking(logger)
        privacy.install_log_masking(logger)  # idempotent
        assert sum(isinstance(f, privacy.MaskIdFilter) for f in handler.filters) == 1
        logger.warning("保存 %s 失败", ID_A)
        logger.info(f"身份证号 {ID_B}")
        try:
            raise ValueError(f"bad row {ID_BAD}")
        except ValueError:
            logger.exception("导入出错")
    finally:
        logger.removeHandler(handler)
        handler.close()
    text = log_file.read_text(encoding="utf-8")
    _no_full_ids(text)
    assert mask_idcard(ID_A) in text and "ValueError: bad row" in text and mask_idcard(ID_BAD) in text


def test_cli_error_lines_never_hold_a_whole_id(people_db, tmp_path, capsys):
    bad = tmp_path / "visits.csv"
    bad.write_text(
        f"日期,重点人员,走访人,走访方式\n2024-03-02,{ID_B[:-1]}0,周干部,电话\n2024-03-02,{ID_BAD},周干部,电话\n",
        encoding="utf-8",
    )
    persons = tmp_path / "persons.csv"
    persons.write_text(f"姓名,身份证号,类别,列管日期\n赵六,{ID_BAD},社区矫正对象,2024-01-01\n", encoding="utf-8")
    assert main(["--db", str(people_db), "import", "visits", str(bad)]) == 2
    assert main(["--db", str(people_db), "import", "key_persons", str(persons)]) == 2
    captured = capsys.readouterr()
    assert "错误" in captured.err
    _no_full_ids(captured.out + captured.err)


# -- exports ------------------------------------------------------------------------------


def test_export_masks_by_default_and_full_ids_only_on_request_and_logged(people_db, tmp_path, capsys):
    out = tmp_path / "名册.csv"
    assert main(["--db", str(people_db), "export", "key_persons", str(out)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    _no_full_ids(text)
    rows = list(csv.DictReader(text.splitlines()))
    assert {r["身份证号"] for r in rows} == {mask_idcard(n) for n in (ID_A, ID_B, ID_BAD)}

    xlsx = tmp_path / "名册.xlsx"
    assert main(["--db", str(people_db), "export", "重点人员名册", str(xlsx)]) == 0
    with zipfile.ZipFile(xlsx) as z:
        _no_full_ids("".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()))
    visits = tmp_path / "走访.xlsx"
    assert main(["--db", str(people_db), "export", "visits", str(visits)]) == 0
    with zipfile.ZipFile(visits) as z:
        _no_full_ids("".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()))
    _no_full_ids(capsys.readouterr().out)
    s = Store.open(people_db)
    assert not [e for e in s.audit_entries() if e["action"] == "reveal"]
    s.close()

    full = tmp_path / "完整.csv"
    assert main(["--db", str(people_db), "export", "key_persons", str(full), "--full-id"]) == 0
    assert ID_A in full.read_text(encoding="utf-8-sig")
    s = Store.open(people_db)
    try:
        reveal = [e for e in s.audit_entries() if e["action"] == "reveal"]
        assert len(reveal) == 1 and "完整身份证号" in reveal[0]["note"]
        _no_full_ids(json.dumps(reveal, ensure_ascii=False))
    finally:
        s.close()


def test_check_and_figures_output_never_hold_a_whole_id(people_db, capsys):
    assert main(["--db", str(people_db), "check", "--year", "2024"]) == 0
    out = capsys.readouterr().out
    assert "身份证号" in out  # the invalid number is reported ...
    _no_full_ids(out)  # ... masked
    assert main(["--db", str(people_db), "figures", "--year", "2024", "--json"]) == 0
    _no_full_ids(capsys.readouterr().out)


def test_report_never_holds_an_id(people_db, tmp_path, capsys):
    out = tmp_path / "报告.docx"
    assert main(["--db", str(people_db), "report", "--year", "2024", "--out", str(out)]) == 0, capsys.readouterr().err
    with zipfile.ZipFile(out) as z:
        xml = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    _no_full_ids(xml)
    for number in (ID_A, ID_B):
        assert mask_idcard(number) not in xml  # not even masked: the report names no one


# -- reveal and the 操作日志 --------------------------------------------------------------


def test_reveal_is_logged_and_rows_are_masked_for_display(people_db):
    s = Store.open(people_db)
    try:
        row = s.rows("key_persons")[0]
        masked = privacy.mask_row("key_persons", row)
        assert masked["id_number"] == mask_idcard(ID_A) and row["id_number"] == ID_A
        assert privacy.mask_row("meetings", {"a": 1}) == {"a": 1}
        assert reveal.reveal_idcard(s, "key_persons", row["id"]) == ID_A
        entry = s.audit_entries(limit=1)[0]
        assert entry["action"] == "reveal" and entry["row_id"] == row["id"] and "张三" in entry["note"]
        _no_full_ids(entry["note"])
        with pytest.raises(KeyError):
            reveal.reveal_idcard(s, "meetings", 1)
        # the audit keeps the number masked (issue 19: a purge must leave no whole ID)
        insert = next(e for e in s.audit_entries(200) if e["action"] == "insert" and "张三" in (e["new"] or ""))
        assert ID_A not in insert["new"] and mask_idcard(ID_A) in insert["new"]
        _no_full_ids(json.dumps(privacy.mask_audit_entry(insert), ensure_ascii=False))
    finally:
        s.close()


def test_audit_covers_every_change_import_restore_and_reveal(db_path, tmp_path):
    from app.core.safety import password

    s = Store.open(db_path)
    rid = s.save("key_persons", _person("张三", ID_A))
    s.save("key_persons", {**_person("张三", ID_A), "village": "新村"}, row_id=rid)
    s.delete("key_persons", rid)
    s.restore("key_persons", rid)
    s.delete("key_persons", rid)
    s.purge("key_persons")
    s.insert_many("study_sessions", [{"date": "2024-01-01", "form": "其他", "audience": "其他", "topic": "t"}] * 4)
    s.set_setting("town", "某镇")
    s.set_report_text(2024, "不足", "人手不够")
    password.set_password(s, "pw-2024!")
    s.close()
    made = backup.make_backup(db_path)
    s = Store.open(db_path)
    reveal.reveal_idcard(
        s, "key_persons", s.insert_clean("key_persons", s.validator("key_persons").check(_person("李四", ID_B)))
    )
    s.close()
    backup.restore(db_path, made)
    s = Store.open(db_path)
    try:
        actions = [e["action"] for e in reversed(s.audit_entries(500))]
    finally:
        s.close()
    assert actions == [
        "insert",
        "update",
        "delete",
        "restore",
        "delete",
        "purge",
        "import",
        "setting",
        "report_text",
        "password",
        "restore_backup",
    ]  # fmt: skip  (the backup's own entry was written after the copy; the restore is last)
    safety = backup.list_backups(db_path)
    from app.core.storage import dbapi  # the password encrypted the file and its copies

    conn = dbapi.connect(next(p for p in safety if "before-restore" in p.name))
    tail = [r[0] for r in conn.execute("SELECT action FROM audit ORDER BY id")][-3:]
    conn.close()
    assert tail == ["backup", "insert", "reveal"]


def test_audit_log_cannot_be_edited(store):
    store.save("meetings", {"date": "2024-01-01", "title": "会", "meeting_type": "党委会", "chair": "甲"})
    with pytest.raises(sqlite3.DatabaseError, match="操作日志不可修改"):
        store.conn.execute("UPDATE audit SET note = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="操作日志不可删除"):
        store.conn.execute("DELETE FROM audit")
    assert len(store.audit_entries()) == 1
    assert not [n for n in dir(store) if "audit" in n and any(w in n for w in ("delete", "update", "clear", "edit"))]


def test_gui_error_log_never_holds_a_whole_id():
    pytest.importorskip("PySide6")
    import sys

    from app.ui import errors as ui_errors

    try:
        raise ValueError(f"保存失败：{ID_A}")
    except ValueError:
        path = ui_errors.log_exception(*sys.exc_info())
    text = path.read_text(encoding="utf-8")
    assert "ValueError" in text and mask_idcard(ID_A) in text
    _no_full_ids(text)


def test_gui_tables_show_ids_masked(people_db, qapp):
    pytest.importorskip("PySide6")
    from PySide6.QtCore import Qt

    from app.ui.models.audit_model import AuditModel
    from app.ui.models.ledger_model import LedgerModel

    s = Store.open(people_db)
    try:
        shown = []
        for model in (LedgerModel(s, "key_persons"), LedgerModel(s, "visits"), AuditModel(s)):
            assert model.rowCount() > 0
            for r in range(model.rowCount()):
                for c in range(model.columnCount()):
                    for role in (Qt.DisplayRole, Qt.ToolTipRole, Qt.EditRole):
                        value = model.data(model.index(r, c), role)
                        if value is not None:
                            shown.append(str(value))
        text = "\n".join(shown)
        assert mask_idcard(ID_A) in text
        _no_full_ids(text)
    finally:
        s.close()


def test_no_output_of_any_command_holds_a_whole_id_demo_data(tmp_path, capsys):
    """Every command over the demo data set: screen output, exports, the report."""
    from app.core.ledgers import catalog

    db = tmp_path / "demo.db"
    assert main(["--db", str(db), "demo"]) == 0
    conn = sqlite3.connect(db)
    ids = [r[0] for r in conn.execute("SELECT id_number FROM key_persons WHERE id_number IS NOT NULL")]
    conn.close()
    assert len(ids) > 10
    texts = [capsys.readouterr().out]
    for args in (["figures", "--year", "2024"], ["figures", "--year", "2024", "--json"], ["check", "--year", "2024"]):
        main(["--db", str(db), *args])
        captured = capsys.readouterr()
        texts.append(captured.out + captured.err)
    for lg in catalog.LEDGERS:
        out = tmp_path / f"{lg.id}.csv"
        assert main(["--db", str(db), "export", lg.id, str(out)]) == 0
        texts.append(out.read_text(encoding="utf-8-sig"))
    for ledger in ("key_persons", "visits"):
        out = tmp_path / f"{ledger}.xlsx"
        assert main(["--db", str(db), "export", ledger, str(out)]) == 0
        with zipfile.ZipFile(out) as z:
            texts.append("".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()))
    report = tmp_path / "报告.docx"
    if main(["--db", str(db), "report", "--year", "2024", "--out", str(report)]) == 0:
        with zipfile.ZipFile(report) as z:
            texts.append("".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")))
    texts.append(capsys.readouterr().out)
    everything = "\n".join(texts)
    assert "********" in everything  # the roster export shows them masked
    leaked = [n for n in ids if n in everything]
    assert not leaked, f"{len(leaked)} whole ID numbers in command output"
