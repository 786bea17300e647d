"""``returns --period P --out FILE.xlsx``: one print-ready sheet per return, read back."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from app.cli import main
from app.core import periods
from app.core.returns.compute import TOTAL, compute, compute_all
from app.core.returns.definitions import RETURNS_LIST
from app.core.returns.display import cell_text


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def workbook(capsys, demo_store, db_path, tmp_path):
    out = tmp_path / "报表.xlsx"
    code, stdout, _ = run(capsys, "--db", str(db_path), "returns", "--period", "2024Q2", "--out", str(out))
    assert code == 0
    assert "武平镇2024年第二季度" in stdout
    return load_workbook(out)


def test_one_sheet_per_return_laid_out_as_the_form(workbook, demo_store):
    assert len(workbook.sheetnames) == len(RETURNS_LIST)
    tables = compute_all(demo_store, "2024Q2")
    for ws, table in zip(workbook.worksheets, tables, strict=True):
        assert ws["A1"].value == f"武平镇2024年第二季度{table.title}"
        assert ws["A2"].value == "填报单位：丰都县武平镇人民政府　　统计时段：2024年4月1日至2024年6月30日"
        header = [c.value for c in ws[3]][: len(table.header)]
        assert header == table.header
        items = table.all_items()
        for r, item in enumerate(items, 4):
            cells = [c.value for c in ws[r]][: len(table.header)]
            assert cells[0] == item
            for col, value in zip(table.ret.columns, cells[1:], strict=True):
                expected = table.value(item, col.key)
                if col.kind == "rate":
                    assert value == cell_text(col, expected)  # 88.9% or —
                else:
                    assert value == pytest.approx(expected)
        total_row = 3 + len(items)
        assert ws.cell(total_row, 1).value == TOTAL
        assert ws.cell(total_row, 1).font.b
        sign = ws.cell(total_row + 2, 1).value
        assert sign.startswith("填表人：") and "审核人：" in sign and "填报日期：" in sign
        assert ws.max_row == total_row + 2  # the signature line is the last


def test_print_ready(workbook):
    for ws in workbook.worksheets:
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == "$3:$3"  # the header on every page
        assert "A1:" in str(ws.merged_cells)
        assert ws["A1"].font.name == "宋体" and ws["A4"].font.name == "宋体"
        header = ws[3][0]
        assert header.border.left.style == "thin" and header.border.bottom.style == "thin"
        assert all(ws.column_dimensions[c].width >= 6 for c in "ABCDE")


def test_rates_and_money_as_the_form_prints_them(workbook):
    ws = workbook["矛盾纠纷排查化解"]
    header = [c.value for c in ws[3]]
    rate_col = header.index("成功率") + 1
    money_col = header.index("涉及金额（元）") + 1
    rates = [ws.cell(r, rate_col).value for r in range(4, ws.max_row - 1)]
    assert "—" in rates and "100%" in rates  # 高峰村 closed nothing this quarter
    assert all(r == "—" or r.endswith("%") for r in rates)
    assert ws.cell(4, money_col).number_format == "#,##0.00"


def test_read_back_with_calamine(workbook, tmp_path, capsys, db_path):
    from python_calamine import CalamineWorkbook

    out = tmp_path / "一张.xlsx"
    code, _, _ = run(capsys, "--db", str(db_path), "returns", "--period", "2024-05", "--name", "行政执法",
                     "--out", str(out))  # fmt: skip
    assert code == 0
    wb = CalamineWorkbook.from_path(str(out))
    assert wb.sheet_names == ["行政执法"]
    rows = wb.get_sheet_by_index(0).to_python()
    assert rows[0][0] == "武平镇2024年5月行政执法情况统计表"
    assert "2024年5月1日至2024年5月31日" in rows[1][0]
    assert rows[2][:5] == ["领域", "行政检查", "综合查一次", "行政处罚", "罚没金额（元）"]
    total = next(r for r in rows if r[0] == TOTAL)
    t = compute(_demo(db_path), periods.parse("2024-05"), "enforcement")
    assert total[1:5] == [t.value(TOTAL, "inspections"), t.value(TOTAL, "joint"), t.value(TOTAL, "penalties"),
                          pytest.approx(t.value(TOTAL, "fines"))]  # fmt: skip


def _demo(db_path):
    from app.core.storage.store import Store

    return Store.open(db_path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2024Q9", "--out", "x.xlsx"], "无法识别的统计时段"),
        (["--period", "2024Q1", "--out", "x.docx"], ".xlsx"),
        (["--period", "2024Q1", "--name", "不存在", "--out", "x.xlsx"], "没有名为"),
        (["--period", "2024Q1", "--town", "白石镇", "--out", "x.xlsx"], "没有“白石镇”的数据"),
        (["--out", "x.xlsx"], "指定统计时段"),
    ],
)
def test_errors_are_one_chinese_line(capsys, store, db_path, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "--db", str(db_path), "returns", *args)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.xlsx").exists()


def test_town_that_matches_is_accepted_and_range_works(capsys, demo_store, db_path, tmp_path):
    out = tmp_path / "r.xlsx"
    code, _stdout, _ = run(capsys, "--db", str(db_path), "returns", "--from", "2024-03-31", "--to", "2024/4/1",
                          "--town", "武平镇", "--name", "矛盾纠纷类型统计表", "--out", str(out))  # fmt: skip
    assert code == 0
    ws = load_workbook(out).active
    assert ws["A1"].value == "武平镇2024年3月31日至2024年4月1日矛盾纠纷类型统计表"
