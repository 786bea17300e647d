"""The four returns of DESIGN.md section 3b on hand-made rows at the edges of 2024Q2: a dispute
registered on 31 March and closed on 1 April, a person listed on the quarter's first day,
deleted rows, rows of other periods; and the rows behind every cell."""

from __future__ import annotations

import pytest

from app.core import periods
from app.core.returns.compute import TOTAL, compute, compute_all, rows_for
from app.core.returns.definitions import RETURNS, RETURNS_LIST, UNFILLED, find
from app.core.returns.display import cell_text
from tests.test_figures import idcard

Q = periods.parse("2024Q2")


def dispute(store, registered, village, status="调解中", closed=None, source="群众申请", deleted=False, **extra):
    row = {"registered_on": registered, "source": source, "dispute_type": extra.pop("dispute_type", "邻里"),
           "village": village, "summary": "纠纷", "status": status, "closed_on": closed, **extra}  # fmt: skip
    rid = store.save("disputes", row)
    if deleted:
        store.delete("disputes", rid)
    return rid


@pytest.fixture
def disputes(store):
    store.set_setting("villages", ["东村", "西村"])
    ids = {
        "d1": dispute(store, "2024-03-31", "东村", "调解成功", "2024-04-01", "自主排查", agreement="书面", amount=1000),
        "d2": dispute(store, "2024-04-01", "东村", "调解不成", "2024-06-30", dispute_type="合同"),
        "d3": dispute(store, "2024-06-30", "西村", source="自主排查"),
        "d4": dispute(store, "2024-05-10", "", "调解成功", "2024-07-01", agreement="口头", amount=500),
        "d5": dispute(store, "2024-05-10", "南村", "调解成功", "2024-05-20", agreement="书面", amount=200.5),
        "d8": dispute(store, "2024-01-10", "东村"),  # still open at the quarter's end
    }
    dispute(store, "2024-05-01", "东村", "调解成功", "2024-05-02", deleted=True)
    dispute(store, "2023-05-01", "东村", "调解成功", "2023-05-03")
    dispute(store, "2024-07-01", "西村", source="自主排查")  # registered after the quarter
    return ids


def test_disputes_by_village_cells(disputes, store):
    t = compute(store, Q, "disputes_by_village")
    assert t.items == ["东村", "西村", "南村", UNFILLED]  # settings order, others, then 未填
    assert t.header == [
        "村（社区）",
        "上期未结",
        "登记",
        "自主排查",
        "调解成功",
        "调解不成",
        "终止",
        "期末未结",
        "成功率",
        "书面协议",
        "口头协议",
        "涉及金额（元）",
        "涉及人数",
    ]

    def row(item):
        return [t.value(item, c.key) for c in t.ret.columns]

    # 上期未结 登记 自主排查 成功 不成 终止 期末未结 成功率 书面 口头 金额 人数
    # d1 closed 1 April counts (and was carried in: registered 31 March)
    assert row("东村") == [2, 1, 0, 1, 1, 0, 1, 0.5, 1, 0, 1000.0, 0]
    assert row("西村") == [0, 1, 1, 0, 0, 0, 1, None, 0, 0, 0.0, 0]
    assert row("南村") == [0, 1, 0, 1, 0, 0, 0, 1.0, 1, 0, 200.5, 0]
    assert row(UNFILLED) == [0, 1, 0, 0, 0, 0, 1, None, 0, 0, 0.0, 0]  # closed 1 July: open on 30 June
    assert row(TOTAL) == [2, 4, 1, 2, 1, 0, 3, pytest.approx(2 / 3), 2, 0, 1200.5, 0]


def test_disputes_first_quarter_sees_the_other_side_of_the_edge(disputes, store):
    t = compute(store, periods.parse("2024Q1"), "disputes_by_village")
    assert t.items == ["东村", "西村"]  # settings villages always listed; nothing else in Q1
    assert t.value("东村", "registered") == 2  # d1 on 31 March, d8
    assert t.value("东村", "success") == 0  # closed on 1 April: next quarter
    assert t.value("东村", "open") == 2  # d1 still open on 31 March
    assert cell_text(t.ret.column("success_rate"), t.value(TOTAL, "success_rate")) == "—"


def test_rows_behind_dispute_cells(disputes, store):
    d = disputes
    assert rows_for(store, Q, "disputes_by_village", "东村", "success") == [("disputes", [d["d1"]])]
    assert rows_for(store, Q, "disputes_by_village", "东村", "success_rate") == [("disputes", [d["d1"], d["d2"]])]
    assert rows_for(store, Q, "disputes_by_village", TOTAL, "open") == [
        ("disputes", sorted([d["d3"], d["d4"], d["d8"]]))
    ]
    assert rows_for(store, Q, "disputes_by_village", UNFILLED, "registered") == [("disputes", [d["d4"]])]
    assert rows_for(store, Q, "disputes_by_village", "南村", "amount") == [("disputes", [d["d5"]])]
    assert rows_for(store, Q, "disputes_by_village", "西村", "success") == [("disputes", [])]


@pytest.mark.parametrize("ret", RETURNS_LIST, ids=lambda r: r.key)
def test_every_cell_agrees_with_its_rows(demo_store, ret):
    """On the demo quarter: each count cell is the number of its rows; totals add up."""
    t = compute(demo_store, Q, ret)
    for item in t.all_items():
        for col in ret.columns:
            ids = [i for _, rows in rows_for(demo_store, Q, ret, item, col.key) for i in rows]
            if col.kind == "count":
                assert t.value(item, col.key) == len(ids), (item, col.key)
            if col.kind != "rate" and not col.money:
                assert t.value(TOTAL, col.key) == sum(t.value(i, col.key) for i in t.items)


def test_disputes_by_type(disputes, store):
    t = compute(store, Q, "disputes_by_type")
    assert t.items == list(store.choices("disputes", "dispute_type"))  # the 15 types in catalog order
    assert len(t.items) == 15
    assert [t.value("邻里", k) for k in ("registered", "success", "failure")] == [3, 2, 0]
    assert [t.value("合同", k) for k in ("registered", "success", "failure")] == [1, 0, 1]
    assert t.value("合同", "success_rate") == 0.0
    assert t.value("婚姻家庭", "success_rate") is None
    assert [t.value(TOTAL, k) for k in ("registered", "success", "failure")] == [4, 2, 1]


def person(store, category, listed, released=None, deleted=False, **extra) -> int:
    rid = store.save("key_persons", {"name": "某人", "id_number": idcard(), "category": category,
                                     "listed_on": listed, "released_on": released, **extra})  # fmt: skip
    if deleted:
        store.delete("key_persons", rid)
    return rid


def visit(store, pid, date, deleted=False) -> int:
    rid = store.save("visits", {"date": date, "person_id": pid, "visitor": "刘明秀", "method": "入户走访"})
    if deleted:
        store.delete("visits", rid)
    return rid


def test_key_person_changes(store):
    p1 = person(store, "安置帮教对象", "2024-04-01")  # listed on the quarter's first day
    person(store, "安置帮教对象", "2023-01-01", "2024-03-31")  # released the day before
    p3 = person(store, "安置帮教对象", "2023-01-01", "2024-04-01")
    p4 = person(store, "社区矫正对象", "2022-01-01", "2024-06-30")
    p5 = person(store, "社区矫正对象", "2022-01-01", reoffended_on="2024-05-05")
    p6 = person(store, "吸毒人员", "2024-05-01")
    person(store, "社区矫正对象", "2024-07-01")
    v1 = visit(store, p5, "2024-04-01")
    visit(store, p5, "2024-03-31")
    v3 = visit(store, p1, "2024-06-30")
    visit(store, p1, "2024-05-01", deleted=True)
    visit(store, p6, "2024-05-01")
    store.delete("key_persons", p6)  # a deleted person's visits do not count

    t = compute(store, Q, "key_person_changes")
    assert t.items == ["社区矫正对象", "安置帮教对象", "吸毒人员", "严重精神障碍患者"]
    keys = [c.key for c in t.ret.columns]
    assert keys == ["opening", "added", "released", "closing", "reoffended", "visits"]
    assert [t.value("社区矫正对象", k) for k in keys] == [2, 0, 1, 1, 1, 1]
    assert [t.value("安置帮教对象", k) for k in keys] == [1, 1, 1, 1, 0, 1]
    assert [t.value("吸毒人员", k) for k in keys] == [0, 0, 0, 0, 0, 0]
    assert [t.value(TOTAL, k) for k in keys] == [3, 1, 2, 2, 1, 2]
    for item in t.all_items():  # 期初 + 新增 − 解除 = 期末
        assert t.value(item, "opening") + t.value(item, "added") - t.value(item, "released") == t.value(item, "closing")
    assert rows_for(store, Q, "key_person_changes", "安置帮教对象", "added") == [("key_persons", [p1])]
    assert rows_for(store, Q, "key_person_changes", TOTAL, "released") == [("key_persons", [p3, p4])]
    assert rows_for(store, Q, "key_person_changes", TOTAL, "visits") == [("visits", [v1, v3])]


def test_enforcement(store):
    def insp(date, domain, method, deleted=False):
        rid = store.save("inspections", {"date": date, "target": "某校", "domain": domain, "method": method,
                                         "officers": "甲、乙", "outcome": "未发现问题"})  # fmt: skip
        if deleted:
            store.delete("inspections", rid)
        return rid

    def pen(date, domain, amount):
        return store.save("penalties", {"decided_on": date, "decision_no": f"罚{date}", "party": "某人",
                                        "violation": "违法", "domain": domain, "penalty": "罚款",
                                        "amount": amount, "legal_review": "是"})  # fmt: skip

    i1 = insp("2024-04-01", "教育", "日常检查")
    i2 = insp("2024-06-30", "教育", "综合查一次")
    insp("2024-03-31", "教育", "日常检查")
    insp("2024-05-01", "食品安全", "专项检查", deleted=True)
    pen("2024-04-01", "食品安全", 2000)
    p2 = pen("2024-05-05", None, 300.5)
    pen("2024-07-01", "教育", 100)
    t = compute(store, Q, "enforcement")
    assert t.items[:13] == list(store.choices("inspections", "domain")) and t.items[13:] == [UNFILLED]
    keys = ["inspections", "joint", "penalties", "fines"]
    assert [t.value("教育", k) for k in keys] == [1, 1, 0, 0.0]
    assert [t.value("食品安全", k) for k in keys] == [0, 0, 1, 2000.0]
    assert [t.value(UNFILLED, k) for k in keys] == [0, 0, 1, 300.5]
    assert [t.value(TOTAL, k) for k in keys] == [1, 1, 2, 2300.5]
    assert cell_text(t.ret.column("fines"), t.value(TOTAL, "fines")) == "2,300.50"
    assert rows_for(store, Q, "enforcement", "教育", "inspections") == [("inspections", [i1])]
    assert rows_for(store, Q, "enforcement", "教育", "joint") == [("inspections", [i2])]
    assert rows_for(store, Q, "enforcement", UNFILLED, "fines") == [("penalties", [p2])]


def test_empty_database_gives_zero_rows_and_dashes(store):
    for t in compute_all(store, Q):
        for item in t.all_items():
            for col in t.ret.columns:
                text = cell_text(col, t.value(item, col.key))
                assert text == ("—" if col.kind == "rate" else "0." + "0" * col.decimals if col.money else "0")


def test_find_by_key_title_or_short_name():
    assert find("矛盾纠纷类型统计表") is RETURNS["disputes_by_type"]
    assert find("enforcement") is RETURNS["enforcement"]
    assert find("重点人群") is RETURNS["key_person_changes"]
    with pytest.raises(KeyError, match="多张"):
        find("矛盾纠纷")
    with pytest.raises(KeyError, match="没有名为"):
        find("不存在")


def test_a_fifth_return_is_one_declaration(store, monkeypatch):
    """A new return needs no code: declare it and it computes and gives its rows."""
    from app.core.returns import definitions
    from app.core.returns.definitions import Column, Return

    fifth = Return("consultations", "法律咨询情况统计表", "咨询方式", "consultations", "channel",
                   columns=(Column("count", "咨询次数", ledger="consultations", in_period="date"),))  # fmt: skip
    monkeypatch.setitem(definitions.RETURNS, fifth.key, fifth)
    a = store.save("consultations", {"date": "2024-04-01", "channel": "电话", "matter": "继承"})
    store.save("consultations", {"date": "2024-03-31", "channel": "电话", "matter": "继承"})
    t = compute(store, Q, "consultations")
    assert t.value("电话", "count") == 1 and t.value(TOTAL, "count") == 1
    assert rows_for(store, Q, "consultations", "电话", "count") == [("consultations", [a])]
