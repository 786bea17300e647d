"""待补充 (issue 16): a clerk's workbook goes in whole.  Missing columns, empty required cells
and values nothing reads make 待补充 rows (the text kept), not refusals; only what cannot be
a record is refused, and with --skip-bad saved to a rejects workbook; --fill sets a missing
column; figures count such rows wherever they do not depend on what is missing; check lists
them; packs carry them; the form still refuses an incomplete row and completes it when saved.
Numbers past their declared bound are bad rows, never an OverflowError (issue 19 item 5)."""

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.cli import main
from app.core import checks
from app.core.figures.compute import compute
from app.core.io.importer import import_file
from app.core.ledgers import catalog
from app.core.ledgers.validation import ValidationError, parse_int
from app.core.storage.store import Store
from tests.fixtures.sheets import write_csv, write_xlsx


def _run(db, *args):
    return main(["--db", str(db), *map(str, args)])


@contextmanager
def opened(db):
    s = Store.open(db)
    try:
        yield s
    finally:
        s.close()


CONSULT = [["咨询日期", "咨询人姓名", "咨询内容", "解答人"]] + [
    [f"2024-0{m}-0{m}", f"张{m}", f"问题{m}", "李律师"] for m in range(1, 6)
]


# -- bounds (issue 19 item 5) -----------------------------------------------------------------------


def test_every_count_and_amount_declares_an_upper_bound():
    for lg in catalog.LEDGERS:
        for f in lg.fields:
            if f.kind in ("int", "decimal"):
                assert f.max_value is not None and f.max_value <= 2**53, (lg.id, f.key)


def test_a_number_too_big_to_store_is_a_bad_row_in_dry_run_and_import(db_path, tmp_path, capsys):
    rows = [
        ["日期", "形式", "对象", "主题", "参加人数"],
        ["2024-03-05", "党委会", "领导班子", "宪法", "99999999999999999999"],
    ]
    path = write_csv(tmp_path / "a.csv", rows)
    for extra in (["--dry-run"], []):
        assert _run(db_path, "import", "study_sessions", path, *extra) == 2
        err = capsys.readouterr().err
        assert "第2行 参加人数：数字太大" in err and "Overflow" not in err and "Traceback" not in err
    with opened(db_path) as s:
        assert s.count("study_sessions") == 0
        with pytest.raises(ValidationError, match="数字太大"):  # the form's validator says the same
            s.save("study_sessions", {"date": "2024-03-05", "form": "党委会", "audience": "领导班子",
                                      "topic": "x", "participants": 10**12})  # fmt: skip


@pytest.mark.parametrize(
    ("text", "value"),
    [("三十二人", 32), ("一百二十份", 120), ("两百", 200), ("约300人", 300), ("300余人", 300), ("近200份", 200),
     ("三十多人", 30), ("50人左右", 50), ("一千零五", 1005), ("三万", 30000)],
)  # fmt: skip
def test_numbers_as_clerks_write_them(text, value):
    assert parse_int(text) == value


@pytest.mark.parametrize(
    ("ledger_id", "key", "written", "option"),
    [("study_sessions", "form", "集中学习", "干部职工会"), ("study_sessions", "form", "会前学法", "党委会"),
     ("study_sessions", "audience", "机关干部", "全体干部职工"), ("disputes", "status", "正在调解", "调解中"),
     ("disputes", "status", "调解不成功", "调解不成"), ("disputes", "agreement", "口头协议", "口头"),
     ("disputes", "agreement", "手写协议", "书面"), ("publicity_events", "target", "进企业", "企业"),
     ("consultations", "channel", "当面咨询", "来访"), ("lawsuits", "case_type", "复议", "行政复议")],
)  # fmt: skip
def test_values_clerks_write(store, ledger_id, key, written, option):
    plan = dict((f.key, conv) for f, conv in store.validator(ledger_id).plan)
    assert plan[key](written) == option


# -- 待补充 rows: stored, counted, listed, completed -------------------------------------------------


def test_rows_without_a_required_column_count_in_figures_that_do_not_need_it(store, tmp_path):
    result = import_file(store, "consultations", write_csv(tmp_path / "咨询.csv", CONSULT))
    assert result.written and result.count == 5 and result.incomplete == 5
    assert compute(store, 2024)["consultations.count"] == 5  # the count does not need 咨询方式
    disputes = [["登记日期", "纠纷类型", "纠纷概况", "状态", "结案日期"],
                ["2024-03-01", "邻里", "吵架", "调解成功", "2024-03-05"],
                ["2024-04-01", "合同", "欠款", "调解成功", ""]]  # fmt: skip
    import_file(store, "disputes", write_csv(tmp_path / "纠纷.csv", disputes))
    figures = compute(store, 2024)
    assert figures["disputes.mediated"] == 1  # 来源 missing: not 法院委派; 结案日期 missing: not closed in Y
    assert figures["disputes.screened"] == 0  # this one needs 来源 = 自主排查, which is missing
    marks = [json.loads(r["incomplete"]) for r in store.rows("disputes")]
    assert marks == [{"source": ""}, {"source": "", "closed_on": ""}]


def test_check_lists_incomplete_rows_and_the_figures_they_may_leave_short(store, tmp_path):
    rows = [["日期", "形式", "主题"], ["2024-03-05", "茶话会", "宪法"], ["2024-04-05", "专题培训", "民法典"]]
    import_file(store, "study_sessions", write_csv(tmp_path / "a.csv", rows))
    (found,) = [f for f in checks.run(store, 2024) if f.code == "incomplete"]
    assert found.ledger == "study_sessions" and found.count == 2
    assert found.detail.splitlines() == ["2024-03-05 宪法：缺形式（原文“茶话会”）、对象", "2024-04-05 民法典：缺对象"]
    assert "全体干部职工法治专题培训" in found.title and "法律明白人专题培训" in found.title


def test_the_form_stays_strict_and_saving_completes_the_row(store, tmp_path):
    rows = [["日期", "形式", "主题"], ["2024-03-05", "茶话会", "宪法"]]
    import_file(store, "study_sessions", write_csv(tmp_path / "a.csv", rows))
    (row,) = store.rows("study_sessions")
    plain = {k: row[k] for k in catalog.get("study_sessions").keys}
    with pytest.raises(ValidationError, match="必填"):
        store.save("study_sessions", plain, row["id"])
    store.save("study_sessions", {**plain, "form": "其他", "audience": "全体干部职工"}, row["id"])
    after = store.get("study_sessions", row["id"])
    assert after["incomplete"] is None and after["form"] == "其他"
    assert not [f for f in checks.run(store, 2024) if f.code == "incomplete"]
    entry = store.audit_entries(limit=1)[0]
    assert "incomplete" not in (entry["old"] or "") + (entry["new"] or "")  # no internal key in the log


def test_a_pack_carries_incomplete_rows(tmp_path):
    from app.core.exchange.merge import merge_pack
    from app.core.exchange.pack import make_pack

    a, b = Store.open(tmp_path / "a.db"), Store.open(tmp_path / "b.db")
    try:
        a.set_setting("office", "司法所")
        b.set_setting("office", "党政办")
        import_file(a, "consultations", write_csv(tmp_path / "咨询.csv", CONSULT))
        make_pack(a, tmp_path / "p.fzpack", ["consultations"])
        merge_pack(b, tmp_path / "p.fzpack")
        assert [r["incomplete"] for r in b.rows("consultations")] == [r["incomplete"] for r in a.rows("consultations")]
        assert b.rows("consultations")[0]["incomplete"] == '{"channel": ""}'
    finally:
        a.close()
        b.close()


# -- the command line: --fill, --skip-bad, --rejects, check ---------------------------------------


def test_cli_fill_sets_a_missing_column_and_is_remembered(db_path, tmp_path, capsys):
    path = write_csv(tmp_path / "咨询.csv", CONSULT)
    assert _run(db_path, "import", "法律咨询台账", path, "--dry-run") == 0
    assert "法律咨询台账 5 行待补充（咨询方式 5 行）" in capsys.readouterr().out
    assert _run(db_path, "import", "法律咨询台账", path, "--fill", "咨询方式=当面咨询") == 0
    out = capsys.readouterr().out
    assert "已导入 5 行到法律咨询台账。" in out and "待补充" not in out
    with opened(db_path) as s:
        assert {r["channel"] for r in s.rows("consultations")} == {"来访"} and s.count_incomplete("consultations") == 0
    path2 = write_csv(tmp_path / "咨询2025.csv", [CONSULT[0], ["2025-01-02", "王五", "问题", "李律师"]])
    assert _run(db_path, "import", "法律咨询台账", path2) == 0  # the fill is remembered
    with opened(db_path) as s:
        assert s.count_incomplete("consultations") == 0
    assert _run(db_path, "import", "法律咨询台账", path2, "--fill", "咨询方式=飞鸽") == 2
    assert "--fill 咨询方式=飞鸽" in capsys.readouterr().err


def test_cli_skip_bad_writes_the_rest_and_the_rejects_workbook(db_path, tmp_path, capsys):
    from openpyxl import load_workbook

    rows = [["序号", "活动时间", "活动名称", "参加人数", "发放资料"],
            [1, "2024-03-15", "消费者权益日", "约300人", "两百份"],
            [2, "2024.6.31", "禁毒宣传", "四十人", "50份"],
            [3, "2024-07-01", "宪法宣传", "-20人", "50份"],
            [4, "2024-08-01", "防诈骗", "三十二人", "一百二十份"]]  # fmt: skip
    path = write_xlsx(tmp_path / "普法.xlsx", rows)
    assert _run(db_path, "import", path) == 2  # all or nothing without --skip-bad
    assert "加 --skip-bad 可先导入其余 2 行" in capsys.readouterr().err
    out_file = tmp_path / "改.xlsx"
    assert _run(db_path, "import", path, "--skip-bad", "--rejects", out_file) == 0
    out = capsys.readouterr().out
    assert f"2 行有问题，没有导入，已另存到 {out_file}" in out and "已导入 2 行到普法宣传台账" in out
    with opened(db_path) as s:
        got = [(r["date"], r["participants"], r["materials"]) for r in s.rows("publicity_events")]
    assert got == [("2024-03-15", 300, 200), ("2024-08-01", 32, 120)]
    sheet = load_workbook(out_file).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["序号", "活动时间", "活动名称", "参加人数", "发放资料", "原因"]
    assert [v[:5] for v in values[1:]] == [[2, "2024.6.31", "禁毒宣传", "四十人", "50份"],
                                           [3, "2024-07-01", "宪法宣传", "-20人", "50份"]]  # fmt: skip
    assert "日期" in values[1][5] and "参与人数" in values[2][5]
    # fixed, the rejects workbook imports as it is (原因 ignored); the first file again doubles nothing
    sheet["B2"], sheet["D3"] = "2024-06-30", "20人"
    sheet.parent.save(out_file)
    assert _run(db_path, "import", "普法宣传台账", out_file) == 0
    assert _run(db_path, "import", path, "--skip-bad") == 0
    assert "2 条与已有记录完全相同" in capsys.readouterr().out
    assert (tmp_path / "普法（未导入）.xlsx").exists()  # the default: beside the source
    with opened(db_path) as s:
        assert s.count("publicity_events") == 4


def test_cli_check_names_incomplete_rows(db_path, tmp_path, capsys):
    _run(db_path, "import", "consultations", write_csv(tmp_path / "咨询.csv", CONSULT))
    capsys.readouterr()
    assert _run(db_path, "check", "--year", "2024") == 0
    out = capsys.readouterr().out
    assert "[提醒] 法律咨询台账有待补充的记录（缺少必填项或取值未认出）（法律咨询台账，5 条）" in out
    assert "  2024-01-01 问题1：缺咨询方式" in out


# -- hostile files ---------------------------------------------------------------------------------


def far_cell_workbook(path: Path) -> Path:
    """A 5 KB .xlsx whose one cell is at XFD1048576 (calamine would ask for 512 GiB)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["XFD1048576"] = "x"
    wb.save(path)
    return path


def test_a_far_cell_sheet_is_refused_in_one_line_and_the_process_lives(db_path, tmp_path):
    path = far_cell_workbook(tmp_path / "远.xlsx")
    assert path.stat().st_size < 10_000
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--db", str(db_path), "import", "学法培训台账", str(path)],
        capture_output=True, text=True, timeout=120, env={**os.environ, **env},
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert "超出台账可能的大小" in line and "200000 行" in line


def test_a_far_cell_sheet_beside_good_ones_is_skipped_by_name(store, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "一季度"
    ws.append(["日期", "形式", "对象", "主题"])
    ws.append(["2024-01-05", "专题培训", "全体干部职工", "宪法"])
    wb.create_sheet("乱")["XFD1048576"] = "x"
    wb.save(tmp_path / "学法.xlsx")
    result = import_file(store, None, tmp_path / "学法.xlsx")
    assert result.written and result.count == 1
    assert "工作表“乱”没有导入（超出台账可能的大小，没有读取）" in result.warnings()


def test_an_exported_incomplete_row_imports_back_unchanged(store, tmp_path):
    from app.core.io.exporter import export_ledger

    rows = [["日期", "形式", "主题"], ["2024-03-05", "茶话会", "宪法"]]
    import_file(store, "study_sessions", write_csv(tmp_path / "a.csv", rows))
    export_ledger(store, "study_sessions", tmp_path / "导出.xlsx")
    again = import_file(store, "study_sessions", tmp_path / "导出.xlsx")  # by 记录编号
    assert again.ok and again.count == 0 and store.count("study_sessions") == 1
    (row,) = store.rows("study_sessions")
    assert json.loads(row["incomplete"]) == {"form": "茶话会", "audience": ""}  # the text survives the trip


def test_a_person_named_by_an_id_is_refused_if_its_check_digit_is_wrong_and_never_shown_whole(store, tmp_path):
    from app.core.ledgers.validation import id_check_char

    first17 = "50023019800101123"
    good = first17 + id_check_char(first17)  # a valid number nobody in the roster has
    wrong = first17 + ("0" if good[-1] != "0" else "1")
    rows = [
        ["日期", "重点人员", "走访人", "走访方式"],
        ["2024-03-02", good, "周干部", "电话"],
        ["2024-03-03", wrong, "周干部", "电话"],
    ]
    result = import_file(store, "visits", write_csv(tmp_path / "走访.csv", rows), skip_bad=True)
    assert result.bad_rows == 1 and result.count == 1 and result.incomplete == 1
    (found,) = [f for f in checks.run(store, 2024) if f.code == "incomplete"]
    assert good not in found.detail and "500230********" in found.detail


def test_an_ods_repeating_one_cell_a_hundred_million_times_is_refused_in_one_line(db_path, tmp_path):
    import zipfile

    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="S">'
        '<table:table-row table:number-rows-repeated="999999">'
        '<table:table-cell table:number-columns-repeated="100" office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    path = tmp_path / "重复.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--db", str(db_path), "import", "学法培训台账", str(path)],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert "超出台账可能的大小" in line


def test_an_ods_with_the_usual_empty_rows_repeated_imports(store, tmp_path):
    import zipfile

    from tests.fixtures.sheets import write_ods

    plain = write_ods(
        tmp_path / "a.ods", [["日期", "形式", "对象", "主题"], ["2024-01-05", "专题培训", "全体干部职工", "宪法"]]
    )
    with zipfile.ZipFile(plain) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    # as LibreOffice ends every sheet: the rest of its rows and columns, repeated and empty
    trailing = (
        b'<table:table-row table:number-rows-repeated="1048574">'
        b'<table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>'
    )
    parts["content.xml"] = parts["content.xml"].replace(b"</table:table>", trailing, 1)
    path = tmp_path / "学法.ods"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert b"1048574" in zipfile.ZipFile(path).read("content.xml")
    assert import_file(store, "study_sessions", path).count == 1


def test_an_xls_reaching_column_256_is_refused_in_one_line(store, tmp_path):
    import xlwt

    from app.core.io.readers import ReadError

    wb = xlwt.Workbook()
    ws = wb.add_sheet("S")
    ws.write(0, 0, "日期")
    ws.write(65535, 255, "x")
    wb.save(str(tmp_path / "远.xls"))
    with pytest.raises(ReadError, match="超出台账可能的大小"):
        import_file(store, "study_sessions", tmp_path / "远.xls")


def test_an_id_number_is_refused_only_when_its_check_digit_is_wrong(store, tmp_path):
    from app.core.ledgers.validation import id_check_char

    first17 = "50023019800101123"
    good = first17 + id_check_char(first17)
    wrong = first17 + ("0" if good[-1] != "0" else "1")
    rows = [["姓名", "身份证号", "类别", "列管日期"],
            ["甲", good, "吸毒人员", "2024-01-01"],
            ["乙", "暂无", "吸毒人员", "2024-01-02"],  # not a number at all: 待补充, the text kept
            ["丙", wrong, "吸毒人员", "2024-01-03"]]  # fmt: skip
    result = import_file(store, "key_persons", write_csv(tmp_path / "名册.csv", rows), skip_bad=True)
    assert result.count == 2 and result.bad_rows == 1 and result.incomplete == 1
    assert "校验位" in result.errors[0].message and result.errors[0].row == 4
    assert json.loads(store.rows("key_persons")[1]["incomplete"]) == {"id_number": "暂无"}
