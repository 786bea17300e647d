"""Issue 18 on the demo: the dispute returns add up and chain, the new returns exist and are
not empty, 填报单位 names the office, 年度累计 sits beside the period, ``--for`` writes what
one office takes; every sheet read back with openpyxl."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from app.cli import main
from app.core.returns.compute import TOTAL, compute, rows_for
from app.core.returns.definitions import RETURNS, RETURNS_LIST, for_recipient
from app.core.returns.display import cell_text, filing_unit

DISPUTE_TITLES = ("矛盾纠纷排查化解情况统计表", "矛盾纠纷类型统计表", "矛盾纠纷预防化解成效统计表")
FLOWS = ("carried", "registered", "success", "failure", "terminated", "open")


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("period", ["2024Q1", "2024Q2", "2024-03", "2024H2"])
@pytest.mark.parametrize("key", ["disputes_by_village", "disputes_by_type"])
def test_every_dispute_row_adds_up_on_the_demo(demo_store, period, key):
    t = compute(demo_store, period, key)
    flows = ["上期未结", "登记", "调解成功", "调解不成", "终止", "期末未结"]
    if key == "disputes_by_village":
        flows.insert(2, "自主排查")
    assert t.header[1 : 1 + len(flows)] == flows
    for item in t.all_items():
        c, r, s, f, x, o = (t.value(item, k) for k in FLOWS)
        assert c + r == s + f + x + o, (item, c, r, s, f, x, o)
    assert t.value(TOTAL, "registered") > 0


def test_first_quarters_closing_is_the_seconds_opening_village_by_village(demo_store):
    q1, q2 = compute(demo_store, "2024Q1", "disputes_by_village"), compute(demo_store, "2024Q2", "disputes_by_village")
    assert q1.items == q2.items
    assert [q1.value(i, "open") for i in q1.all_items()] == [q2.value(i, "carried") for i in q2.all_items()]
    assert q2.value(TOTAL, "carried") > 0  # the demo's Q2 does carry cases over
    # the example: 40 registered in Q2 now reconcile with what was carried in
    assert q2.value(TOTAL, "carried") + q2.value(TOTAL, "registered") == sum(
        q2.value(TOTAL, k) for k in ("success", "failure", "terminated", "open")
    )
    k1, k2 = compute(demo_store, "2024Q1", "key_person_changes"), compute(demo_store, "2024Q2", "key_person_changes")
    assert [k1.value(i, "closing") for i in k1.all_items()] == [k2.value(i, "opening") for i in k2.all_items()]


@pytest.mark.parametrize("key", ["dispute_prevention", "corrections", "resettlement", "publicity", "consultations"])
def test_the_new_returns_are_filled_by_the_demo(demo_store, key):
    t = compute(demo_store, "2024", key)
    assert any(t.value(TOTAL, c.key) for c in t.ret.columns if c.kind != "rate"), key
    for c in t.ret.columns:  # every column is declared with its definition, and its rows open
        assert c.definition, (key, c.key)
        if c.kind == "count":
            ids = [i for _, rows in rows_for(demo_store, "2024", key, TOTAL, c.key) for i in rows]
            assert len(ids) == t.value(TOTAL, c.key), (key, c.key)


def test_penalty_kinds_and_ten_thousands(demo_store):
    t = compute(demo_store, "2024", "enforcement")
    kinds = ("warnings", "fined", "confiscated", "suspended", "stopped", "other_penalties")
    assert sum(t.value(TOTAL, k) for k in kinds) == t.value(TOTAL, "penalties") == 6
    assert t.value(TOTAL, "fines_wan") == pytest.approx(t.value(TOTAL, "fines") / 10000)
    assert cell_text(t.ret.column("fines_wan"), 0.55) == "0.5500"


def test_office_phone_and_seal_on_the_sheet(capsys, demo_store, db_path, tmp_path):
    for setting in ("office=司法所", "phone=023-70601234"):
        assert run(capsys, "--db", str(db_path), "settings", setting)[0] == 0
    out = tmp_path / "r.xlsx"
    assert run(capsys, "--db", str(db_path), "returns", "--period", "2024Q2", "--out", str(out))[0] == 0
    wb = load_workbook(out)
    assert len(wb.worksheets) == len(RETURNS_LIST)
    for ws in wb.worksheets:
        assert ws["A2"].value == (
            "填报单位：丰都县武平镇司法所（盖章）　　联系电话：023-70601234　　统计时段：2024年4月1日至2024年6月30日"
        )
        assert ws.cell(ws.max_row, 1).value.startswith("填表人：")


def test_without_an_office_the_issuer_as_before(demo_store):
    assert filing_unit(demo_store) == "丰都县武平镇人民政府"
    demo_store.set_setting("office", "司法所")
    assert filing_unit(demo_store) == "丰都县武平镇司法所（盖章）"


def test_year_to_date_columns_beside_the_period(capsys, demo_store, db_path, tmp_path):
    out = tmp_path / "ytd.xlsx"
    code, _, _ = run(capsys, "--db", str(db_path), "returns", "--period", "2024Q2", "--ytd",
                     "--name", "矛盾纠纷排查化解", "--out", str(out))  # fmt: skip
    assert code == 0
    ws = load_workbook(out).active
    t = compute(demo_store, "2024Q2", "disputes_by_village", ytd=True)
    own = len(t.ret.columns)
    assert ws.cell(3, 2).value == "本期（4月1日至6月30日）"
    assert ws.cell(3, 2 + own).value == "年度累计（1月1日至6月30日）"
    assert [c.value for c in ws[4]][1 : 1 + 2 * own] == [c.label for c in t.ret.columns] * 2
    assert ws.print_title_rows == "$3:$4"
    total = next(r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] == TOTAL)
    ytd = dict(zip([c.key for c in t.ret.columns], total[1 + own : 1 + 2 * own], strict=True))
    assert (
        ytd["registered"]
        == t.value(TOTAL, "ytd:registered")
        == compute(demo_store, "2024-01-01..2024-06-30", "disputes_by_village").value(TOTAL, "registered")
    )
    assert ytd["carried"] + ytd["registered"] == ytd["success"] + ytd["failure"] + ytd["terminated"] + ytd["open"]
    assert ytd["open"] == total[1 + [c.key for c in t.ret.columns].index("open")]  # the same stock at the end


@pytest.mark.parametrize(
    ("recipient", "titles"),
    [
        ("司法局", [*DISPUTE_TITLES, "重点人群变动情况表", "社区矫正对象情况统计表", "安置帮教工作情况统计表",
                 "普法宣传活动情况统计表", "法律咨询情况统计表"]),
        ("综治", [*DISPUTE_TITLES, "重点人群变动情况表"]),
        ("党政办", ["行政执法情况统计表", "普法宣传活动情况统计表"]),
    ],
)  # fmt: skip
def test_one_workbook_per_recipient(capsys, demo_store, db_path, tmp_path, recipient, titles):
    out = tmp_path / f"{recipient}.xlsx"
    code, stdout, _ = run(capsys, "--db", str(db_path), "returns", "--period", "2024Q2", "--for", recipient,
                          "--out", str(out))  # fmt: skip
    assert code == 0 and f"报送{recipient}" in stdout
    wb = load_workbook(out)
    assert [ws["A1"].value for ws in wb.worksheets] == [f"武平镇2024年第二季度{t}" for t in titles]
    assert [r.title for r in for_recipient(recipient)] == titles


def test_recipient_errors_are_one_chinese_line(capsys, demo_store, db_path, tmp_path):
    out = tmp_path / "x.xlsx"
    code, _, err = run(
        capsys, "--db", str(db_path), "returns", "--period", "2024Q2", "--for", "乡政府", "--out", str(out)
    )
    assert code == 2 and "司法局、综治、党政办" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "--db", str(db_path), "returns", "--period", "2024Q2", "--for", "党政办",
                       "--name", "社区矫正", "--out", str(out))  # fmt: skip
    assert code == 2 and "党政办不报送" in err and not out.exists()
    assert RETURNS["enforcement"].recipients == ("党政办",)


def test_dated_rows_are_read_through_their_indexes(demo_store):
    """Speed stays flat (issue 18): no return reads a dated ledger whole; the disputes in play
    come through the 登记日期 cover index, the (结案日期, 登记日期) index and the partial index
    of disputes never closed.  Rosters (重点人员) are small and read whole."""
    import importlib

    from app.core.storage import schema

    compute_module = importlib.import_module("app.core.returns.compute")
    params = {"lo": "2024-04-01", "hi": "2024-06-30", "before": "2024-03-31"}
    seen = set()
    for ret in RETURNS_LIST:
        for cols, sql in compute_module.statements(demo_store, ret):
            plan = " | ".join(r[3] for r in demo_store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
            seen.add(plan)
            if cols[0].ledger != "key_persons":
                assert "SCAN" not in plan, (ret.key, plan)
            if cols[0].ledger == "disputes":
                for index in (
                    "disputes_registered_on_cover",
                    schema.CLOSED_DISPUTES_INDEX,
                    schema.UNCLOSED_DISPUTES_INDEX,
                ):
                    assert index in plan, (ret.key, plan)
    assert seen
