"""A pack's rows go through the validator before they are merged (issue 19, item 3).

A pack edited by hand (or written by a broken program) holding a formula as a 日期, 乱写 as
a 状态 or abc as an amount: each such row is a conflict with the validator's reason, in the
dry run's list (command line and the 数据交换 page) and in the audit, and is not written.
A value the validator accepts in another spelling is written as an import would write it.
The CSV export's formula guard covers every column, a date or number column too.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from app.cli import main
from app.core.exchange import container
from app.core.exchange.merge import merge_pack
from app.core.exchange.pack import make_pack
from app.core.io.exporter import export_ledger
from app.core.ledgers.validation import id_check_char
from app.core.storage.store import Store

PW = "武平镇法治台账2024"
FORMULA = '=HYPERLINK("http://example.com/x","点我")'
ID_OK = "50023019901009785" + id_check_char("50023019901009785")
ID_BAD = ID_OK[:-1] + ("0" if ID_OK[-1] != "0" else "1")


def _dispute(i: int, **kw) -> dict:
    return {"registered_on": f"2024-03-0{i}", "source": "自主排查", "dispute_type": "邻里", "summary": f"纠纷{i}",
            "status": "调解中", **kw}  # fmt: skip


@pytest.fixture
def source(tmp_path) -> Store:
    s = Store.open(tmp_path / "source.db")
    s.set_setting("office", "司法所")
    for i in range(1, 7):
        s.save("disputes", _dispute(i))
    person = {"name": "王五", "id_number": ID_OK, "category": "社区矫正对象", "listed_on": "2024-02-01"}
    p = s.save("key_persons", person)
    s.save("visits", {"date": "2024-03-01", "person_id": p, "visitor": "李", "method": "电话"})
    yield s
    s.close()


def _tampered(
    source: Store, tmp: Path, name: str, edits: list[tuple[str, tuple]], ledgers=None, password: str | None = PW
) -> Path:
    """The source's pack with ``edits`` (SQL, params) run on its rows, rewritten as a valid
    container (the checksum vouches for the bytes, not for the values)."""
    make_pack(source, tmp / "clean.fzpack", ledgers, password=password, plain=password is None)
    box = container.read(tmp / "clean.fzpack")
    inner = sqlite3.connect(":memory:")
    inner.deserialize(container.open_body(box, password))
    for sql, params in edits:
        inner.execute(sql, params)
    inner.commit()
    header = {k: v for k, v in box.header.items() if k not in ("format", "encrypted", "kdf", "cipher")}
    path = tmp / name
    container.write(path, header, inner.serialize(), password)
    return path


def _uid(store: Store, ledger: str, row: int) -> str:
    return store.get(ledger, row)["uid"]


EDITS = [
    ("UPDATE disputes SET registered_on = ? WHERE summary = '纠纷1'", (FORMULA,)),
    ("UPDATE disputes SET status = ? WHERE summary = '纠纷2'", ("乱写",)),
    ("UPDATE disputes SET amount = ? WHERE summary = '纠纷3'", ("abc",)),
    ("UPDATE disputes SET registered_on = ? WHERE summary = '纠纷4'", ("2024/3/5",)),  # valid, another spelling
    ("UPDATE disputes SET mediator = ?, status = '调解成功' WHERE summary = '纠纷5'", ("  张三 ",)),  # no 结案日期
    ("UPDATE key_persons SET id_number = ?", (ID_BAD,)),
]


def test_a_tampered_pack_writes_no_invalid_value(source, tmp_path, capsys):
    pack = _tampered(source, tmp_path, "bad.fzpack", EDITS)
    db = tmp_path / "target.db"
    Store.open(db).close()

    capsys.readouterr()
    assert main(["--db", str(db), "merge", str(pack), "--password", PW, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "新增 2，更新 0，删除 0，冲突 6（其中数据无效、未合并 6）" in out
    for reason in ("不是可识别的日期", "“乱写”不在可选值中", "应为数字，收到“abc”", "必须填写结案日期",
                   "身份证号校验位不正确", "所指的重点人员名册记录数据无效"):  # fmt: skip
        assert reason in out, reason
    assert out.count("数据无效，未合并") == 6
    assert ID_BAD not in out and ID_OK not in out

    s = Store.open(db)
    try:
        assert s.count("disputes") == 0  # the dry run wrote nothing
        result = merge_pack(s, pack, PW)
        assert result.summary() == "新增 2，更新 0，删除 0，冲突 6（其中数据无效、未合并 6）"
        rows = {r["summary"]: r for r in s.rows("disputes")}
        assert sorted(rows) == ["纠纷4", "纠纷6"]
        assert rows["纠纷4"]["registered_on"] == "2024-03-05"  # as an import would write it
        assert s.count("key_persons") == 0 and s.count("visits") == 0
        refused = [e for e in s.audit_entries(500) if e["action"] == "merge_invalid"]
        assert len(refused) == 6 and all("数据无效，未合并" in e["note"] for e in refused)
        assert any("乱写" in e["note"] for e in refused)
        assert not [e for e in s.audit_entries(500) if ID_BAD in str(e) or ID_OK in str(e)]
        assert main(["--db", str(db), "check", "--year", "2024"]) in (0, 1)
        export_ledger(s, "disputes", tmp_path / "d.csv")
        assert FORMULA not in (tmp_path / "d.csv").read_text("utf-8-sig")
    finally:
        s.close()


def test_an_invalid_update_leaves_our_row_as_it_was(source, tmp_path):
    s = Store.open(tmp_path / "target.db")
    try:
        make_pack(source, tmp_path / "first.fzpack", password=PW)
        assert merge_pack(s, tmp_path / "first.fzpack", PW).total("new") == 8
        uid = _uid(source, "disputes", 1)
        later = "2099-01-01T00:00:00"
        pack = _tampered(
            source, tmp_path, "update.fzpack",
            [("UPDATE disputes SET amount = 'abc', updated_at = ? WHERE uid = ?", (later, uid)),
             ("UPDATE disputes SET amount = 12.5, updated_at = ? WHERE summary = '纠纷2'", (later,))],
        )  # fmt: skip
        result = merge_pack(s, pack, PW)
        assert (result.total("updated"), result.total("conflicts")) == (1, 1)
        (c,) = result.conflicts
        assert c.uid == uid and "应为数字" in c.reason and "数据无效" in c.winner_text
        ours = s.conn.execute("SELECT amount, updated_at FROM disputes WHERE uid = ?", (uid,)).fetchone()
        assert ours[0] is None and ours[1] != later
        assert s.conn.execute("SELECT amount FROM disputes WHERE summary = '纠纷2'").fetchone()[0] == 12.5
        entry = next(e for e in s.audit_entries(50) if e["action"] == "merge_invalid")
        assert entry["row_uid"] == uid and entry["old"] and "abc" in entry["new"]
    finally:
        s.close()


def test_a_row_s_own_times_are_checked_too(source, tmp_path):
    pack = _tampered(
        source, tmp_path, "times.fzpack",
        [("UPDATE disputes SET deleted_at = ? WHERE summary = '纠纷5'", (FORMULA,)),
         ("UPDATE disputes SET created_at = NULL WHERE summary = '纠纷6'", ()),
         ("UPDATE disputes SET updated_at = '2024-03-05 08:00' WHERE summary = '纠纷4'", ())],
        ["disputes"], password=None,
    )  # fmt: skip
    s = Store.open(tmp_path / "target.db")
    try:
        result = merge_pack(s, pack)
        reasons = sorted(c.reason for c in result.conflicts)
        assert len(reasons) == 2 and "删除时间" in reasons[0] + reasons[1] and "创建时间为空" in reasons[0] + reasons[1]
        assert sorted(r["summary"] for r in s.rows("disputes")) == ["纠纷1", "纠纷2", "纠纷3", "纠纷4"]
        assert s.count("disputes", deleted=True) == 0
    finally:
        s.close()


def test_the_csv_guard_covers_date_and_number_columns(tmp_path):
    s = Store.memory()
    s.conn.execute(  # as an older merge could have written them
        "INSERT INTO disputes (uid, registered_on, source, dispute_type, summary, status, amount, created_at,"
        " updated_at) VALUES ('u1', ?, '自主排查', '邻里', '纠纷', '调解中', ?, '2024-03-05', '2024-03-05')",
        (FORMULA, "=1+2"),
    )
    path = tmp_path / "d.csv"
    export_ledger(s, "disputes", path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["登记日期"] == "'" + FORMULA and row["涉及金额（元）"] == "'=1+2"
    s.close()


def test_the_exchange_page_lists_invalid_rows_and_merges_the_rest(qtbot, source, tmp_path, monkeypatch):
    pytest.importorskip("pytestqt")
    from PySide6.QtCore import Qt

    from app.ui.pages import exchange_page

    pack = _tampered(source, tmp_path, "bad.fzpack", EDITS[:3], ["disputes"], password=None)
    target = Store.open(tmp_path / "target.db")
    monkeypatch.setattr(exchange_page.file_dialogs, "open_file_name", lambda *a, **k: str(pack))
    page = exchange_page.ExchangePage(target)
    qtbot.addWidget(page)
    page.show()
    qtbot.mouseClick(page.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.preview is not None, timeout=30000)
    assert "冲突 3" in page.counts.text() and page.conflicts.isVisible()
    model = page.conflict_model
    results = sorted(model.index(r, 6).data() for r in range(model.rowCount()))
    assert len(results) == 3 and all(r.startswith("数据无效，未合并：") for r in results)
    assert any("不是可识别的日期" in r for r in results) and any("乱写" in r for r in results)
    assert target.count("disputes") == 0
    qtbot.mouseClick(page.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_merge is not None, timeout=30000)
    assert sorted(r["summary"] for r in target.rows("disputes")) == ["纠纷4", "纠纷5", "纠纷6"]
    target.close()


def test_a_pending_mark_lets_only_its_own_fields_be_empty(source, tmp_path):
    """A 待补充 row travels with its mark (issue 16), but the mark excuses only an empty field it
    names: 乱写 in a field it names, an empty field it does not name, or a mark that is not
    the program's JSON are refused like any invalid value."""
    edits = [
        ("UPDATE disputes SET source = NULL, incomplete = ? WHERE summary = '纠纷1'", ('{"source": "村里报的"}',)),
        ("UPDATE disputes SET source = ?, incomplete = ? WHERE summary = '纠纷2'", ("乱写", '{"source": "乱写"}')),
        ("UPDATE disputes SET source = NULL, incomplete = ? WHERE summary = '纠纷3'", ('{"status": ""}',)),
        ("UPDATE disputes SET incomplete = ? WHERE summary = '纠纷4'", ("=HYPERLINK(1)",)),
    ]
    pack = _tampered(source, tmp_path, "pending.fzpack", edits, ["disputes"], password=None)
    target = Store.open(tmp_path / "target.db")
    try:
        result = merge_pack(target, pack)
        got = {r["summary"]: r for r in target.rows("disputes")}
        assert got["纠纷1"]["source"] is None and got["纠纷1"]["incomplete"] == '{"source": "村里报的"}'
        assert {"纠纷2", "纠纷3", "纠纷4"}.isdisjoint(got)
        assert {"纠纷5", "纠纷6"} <= set(got)
        assert result.counts["disputes"]["invalid"] == 3
    finally:
        target.close()
