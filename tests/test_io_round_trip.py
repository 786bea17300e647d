"""The Excel round trip: export, edit the sheet as Excel would (openpyxl), import: the rows
named by 记录编号 change only in the edited fields (audited per row), rows with an empty
记录编号 are added, rows left out are kept.  And the command line's face of import."""

import json

import pytest
from openpyxl import load_workbook

from app.cli import main
from app.core.io.exporter import export_ledger
from app.core.io.importer import import_file, preview_import
from app.core.ledgers.validation import id_check_char
from app.core.storage.store import Store
from tests.fixtures.clerk_book import clerk_workbook
from tests.fixtures.sheets import write_csv


def _disputes(store):
    rows = [
        {"registered_on": "2024-03-02", "source": "群众申请", "dispute_type": "邻里", "village": "双龙村",
         "summary": "排水沟", "status": "调解中"},
        {"registered_on": "2024-04-09", "source": "自主排查", "dispute_type": "婚姻家庭", "village": "金竹村",
         "summary": "赡养", "status": "待调解"},
        {"registered_on": "2024-05-20", "source": "法院委派", "dispute_type": "合同", "summary": "欠款",
         "status": "调解中"},
    ]  # fmt: skip
    return [store.save("disputes", r) for r in rows]


def _header(ws):
    return {c.value: c.column for c in ws[2]}


def test_export_edit_in_excel_import_updates_only_the_changed_fields(store, tmp_path):
    ids = _disputes(store)
    path = tmp_path / "纠纷.xlsx"
    export_ledger(store, "disputes", path)
    wb = load_workbook(path)
    ws = wb.active
    col = _header(ws)
    # row 3 is the first record: it is closed; row 5 (the third) is left out of the sheet
    ws.cell(3, col["状态"], "调解成功")
    ws.cell(3, col["结案日期"], "2024-03-06")
    ws.cell(4, col["村（社区）"], "金竹村")  # unchanged value written again
    ws.delete_rows(5)
    ws.append(["2024-06-01", "其他", "物业", "双龙村", None, "停车", None, "待调解"])  # a new row, no 记录编号
    wb.save(path)

    before = store.get("disputes", ids[1])
    result = import_file(store, "disputes", path)
    assert result.written and result.ok, [str(e) for e in result.errors]
    assert (result.count, result.updated, result.unchanged) == (1, 1, 1)
    first = store.get("disputes", ids[0])
    assert (first["status"], first["closed_on"], first["village"]) == ("调解成功", "2024-03-06", "双龙村")
    assert store.get("disputes", ids[1])["updated_at"] == before["updated_at"]  # untouched
    assert store.get("disputes", ids[2])["deleted_at"] is None  # left out, never deleted
    assert store.count("disputes") == 4
    updates = [e for e in store.audit_entries() if e["action"] == "update"]
    assert len(updates) == 1 and updates[0]["row_id"] == ids[0]
    assert json.loads(updates[0]["old"]) == {"status": "调解中", "closed_on": None}
    assert json.loads(updates[0]["new"]) == {"status": "调解成功", "closed_on": "2024-03-06"}
    # once more: nothing changes, nothing is added
    again = import_file(store, "disputes", path)
    assert (again.count, again.updated, again.duplicates) == (0, 0, 1) and store.count("disputes") == 4


def test_the_preview_counts_updates_and_commit_writes_them(store, tmp_path):
    from app.core.io.importer import commit_import

    ids = _disputes(store)
    path = tmp_path / "纠纷.xlsx"
    export_ledger(store, "disputes", path)
    wb = load_workbook(path)
    wb.active.cell(4, _header(wb.active)["纠纷概况"], "赡养老人")
    wb.save(path)
    preview = preview_import(store, "disputes", path)
    assert (preview.count, preview.updated, preview.unchanged) == (0, 1, 2)
    assert store.get("disputes", ids[1])["summary"] == "赡养"
    assert commit_import(store, preview) == 1
    assert store.get("disputes", ids[1])["summary"] == "赡养老人"


def test_a_deleted_rows_record_number_is_a_row_error(store, tmp_path):
    ids = _disputes(store)
    path = tmp_path / "纠纷.xlsx"
    export_ledger(store, "disputes", path)
    store.delete("disputes", ids[0])
    result = import_file(store, "disputes", path)
    assert not result.written
    assert [str(e) for e in result.errors] == [
        "第3行 记录编号：这条记录已删除（在回收站中）：请先恢复，或清空记录编号作为新记录导入"
    ]


def test_masked_id_numbers_of_an_export_import_back_unchanged(store, tmp_path):
    first17 = "50023019850505123"
    pid = store.save(
        "key_persons",
        {"name": "赵六", "id_number": first17 + id_check_char(first17), "category": "社区矫正对象",
         "listed_on": "2024-01-01"},
    )  # fmt: skip
    path = tmp_path / "名册.xlsx"
    export_ledger(store, "key_persons", path)  # masked by default
    wb = load_workbook(path)
    wb.active.cell(3, _header(wb.active)["责任人"], "刘明")
    wb.save(path)
    result = import_file(store, "key_persons", path)
    assert result.written and result.updated == 1, [str(e) for e in result.errors]
    row = store.get("key_persons", pid)
    assert row["responsible"] == "刘明" and row["id_number"] == first17 + id_check_char(first17)


def test_an_unknown_record_number_is_added_keeping_it(tmp_path):
    a, b = Store.memory(), Store.memory()
    try:
        _disputes(a)
        path = tmp_path / "纠纷.csv"
        export_ledger(a, "disputes", path)
        assert import_file(b, "disputes", path).count == 3
        assert {r["uid"] for r in b.rows("disputes")} == {r["uid"] for r in a.rows("disputes")}
        assert import_file(b, "disputes", path).count == 0  # the second time: the same uids, unchanged
    finally:
        a.close()
        b.close()


# -- the command line ----------------------------------------------------------------------------


def _run(db_path, *argv):
    return main(["--db", str(db_path), *argv])


def test_cli_import_without_a_ledger_prints_the_plan(db_path, tmp_path, capsys):
    path = clerk_workbook(tmp_path / "台账.xlsx", disputes=True)
    assert _run(db_path, "import", str(path)) == 0
    out, err = capsys.readouterr()
    assert "导入计划（工作表 → 台账）：" in out
    assert "  一季度 → 学法培训台账（第3行为表头，3 行）" in out
    assert "  矛盾纠纷 → 矛盾纠纷台账（第3行为表头，3 行）" in out
    assert "已导入 8 行（学法培训台账 5 行，矛盾纠纷台账 3 行）。" in out
    assert "注意：工作表“填表说明”没有导入" in err
    assert _run(db_path, "import", str(path)) == 0
    out = capsys.readouterr().out
    assert "已导入 0 行" in out and "8 条与已有记录完全相同，没有重复导入（要导入请加 --keep-duplicates）。" in out
    assert _run(db_path, "import", "study_sessions", str(path), "--sheet", "一季度", "--keep-duplicates") == 0
    assert "已导入 3 行到学法培训台账。" in capsys.readouterr().out


def test_cli_map_and_map_value(db_path, tmp_path, capsys):
    path = write_csv(
        tmp_path / "a.csv", [["日期", "方式", "对象", "主题", "心得"], ["2024-01-02", "夜校", "其他", "x", "好"]]
    )
    assert _run(db_path, "import", "study_sessions", str(path), "--dry-run") == 0
    out, err = capsys.readouterr()
    assert "注意：这些列认不出是学法培训台账的哪一项，没有导入：“方式”、“心得”" in err
    assert "--map 原列名=字段" in err and "学法培训台账 1 行待补充（形式 1 行）" in out
    argv = ["import", "学法培训台账", str(path), "--map", "方式=形式", "--map", "心得=不导入"]
    assert _run(db_path, *argv, "--map-value", "形式=夜校:其他") == 0
    assert "已导入 1 行到学法培训台账。" in capsys.readouterr().out
    path2 = write_csv(
        tmp_path / "b.csv", [["日期", "方式", "对象", "主题", "心得"], ["2025-01-02", "夜校", "其他", "y", ""]]
    )
    assert _run(db_path, "import", "study_sessions", str(path2)) == 0  # remembered
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--map", "方式"], "“方式”的写法不对，应写成 原列名=字段"),
        (["--map", "方式=不存在"], "学法培训台账没有字段“不存在”"),
        (["--map-value", "形式=夜校:晚会"], "“晚会”不是形式的可选值，可选：党委会"),
        (["--map-value", "主题=a:b"], "学法培训台账没有可选值字段“主题”"),
    ],
)
def test_cli_bad_mappings_are_one_chinese_line(db_path, tmp_path, capsys, args, message):
    path = write_csv(tmp_path / "a.csv", [["日期", "形式", "对象", "主题"], ["2024-01-02", "其他", "其他", "x"]])
    assert _run(db_path, "import", "study_sessions", str(path), *args) == 2
    assert message in capsys.readouterr().err
