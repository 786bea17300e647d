"""Data-quality checks (DESIGN.md section 4), including rows only raw SQL could write."""

from __future__ import annotations

import datetime as dt
import uuid

from app.core.checks import as_of, run
from app.core.ledgers import catalog
from app.core.report.checks import Finding

from .test_figures import AFTER, HI, MID, Y, add, idcard

DEC31 = dt.date(Y, 12, 31)


def raw_insert(store, ledger: str, **values) -> int:
    """Write a row past the validator, as an old file or another tool might have."""
    lg = catalog.get(ledger)
    row = {"uid": str(uuid.uuid4()), "created_at": "2024-01-01", "updated_at": "2024-01-01", **values}
    assert set(values) <= set(lg.keys)
    cols = ", ".join(f'"{c}"' for c in row)
    cur = store.conn.execute(f'INSERT INTO "{lg.id}" ({cols}) VALUES ({", ".join("?" * len(row))})', list(row.values()))
    return cur.lastrowid


def by_code(found: list[Finding]) -> dict[str, Finding]:
    return {f.code: f for f in found}


def test_clean_data_has_no_findings(store):
    store.set_setting("county", "丰都县")
    store.set_setting("town", "白马镇")
    add(store, "disputes", registered_on=MID, status="调解成功", closed_on=MID)
    add(store, "normative_documents", issued_on=MID)
    found = run(store, Y, today=dt.date(Y + 1, 3, 1))
    # only what the report side says about ledgers left empty (tests/test_checks_report.py)
    assert {f.code for f in found} == {"ledger_empty", "report_omitted"}


def test_as_of_is_31_dec_or_today():
    assert as_of(Y, dt.date(Y + 1, 1, 5)) == DEC31
    assert as_of(Y, dt.date(Y, 6, 15)) == dt.date(Y, 6, 15)


def test_disputes_open_more_than_30_days(store):
    late = add(store, "disputes", registered_on=f"{Y}-11-30", status="调解中")  # 31 days on 31 Dec
    add(store, "disputes", registered_on=f"{Y}-12-01", status="待调解")  # 30 days: not yet
    early = add(store, "disputes", registered_on=f"{Y}-03-01", status="待调解", parties="甲、乙")
    add(store, "disputes", registered_on=f"{Y}-03-01", status="调解成功", closed_on=f"{Y}-09-01")
    add(store, "disputes", registered_on=f"{Y}-03-01", status="调解中", deleted=True)
    f = by_code(run(store, Y, today=dt.date(Y + 1, 6, 1)))["disputes_open"]
    assert f.severity == "warning" and f.ledger == "disputes"
    assert f.row_ids == [early, late]
    assert "已31天" in f.detail and "甲、乙" in f.detail and len(f.detail.splitlines()) == 2
    # during the year: judged as of today, not as of 31 Dec
    f = by_code(run(store, Y, today=dt.date(Y, 4, 15)))["disputes_open"]
    assert f.row_ids == [early]


def test_an_open_dispute_without_its_source_or_summary_reads_without_stray_punctuation(store):
    """来源 is a column many offices' sheets lack (a 待补充 row): the line names the parties."""
    raw_insert(store, "disputes", registered_on=f"{Y}-03-01", status="调解中", parties="甲、乙", summary="宅基地")
    raw_insert(store, "disputes", registered_on=f"{Y}-03-02", status="调解中", source="群众申请", summary="欠薪")
    raw_insert(store, "disputes", registered_on=f"{Y}-03-03", status="调解中", parties="丙、丁")  # no 概况 either
    f = by_code(run(store, Y, today=dt.date(Y + 1, 6, 1)))["disputes_open"]
    assert f.detail.splitlines()[0].strip().startswith(f"{Y}-03-01 甲、乙，宅基地（调解中")
    assert f"{Y}-03-02 群众申请：（未填当事人），欠薪" in f.detail
    assert f"{Y}-03-03 丙、丁（调解中" in f.detail


def test_inspections_need_two_officers_from_the_roster(store):
    for name in ("张三", "李四"):
        store.save("enforcement_officers", {"name": name, "cert_no": name, "certified_on": f"{Y - 1}-01-01"})
    add(store, "inspections", date=MID, officers="张三、李四")
    one = raw_insert(store, "inspections", date=MID, target="超市", domain="食品安全", method="日常检查",
                     officers="张三", outcome="未发现问题")  # fmt: skip
    none = raw_insert(store, "inspections", date=HI, target="学校", domain="教育", method="日常检查",
                      outcome="未发现问题")  # fmt: skip
    raw_insert(store, "inspections", date=AFTER, target="学校", domain="教育", method="日常检查",
               officers="张三", outcome="未发现问题")  # fmt: skip
    stranger = add(store, "inspections", date=MID, officers="张三、王麻子")
    store.save("enforcement_officers", {"name": "老周", "cert_no": "9", "certified_on": f"{Y - 3}-01-01",
                                        "left_on": f"{Y}-03-01"})  # fmt: skip
    add(store, "inspections", date=f"{Y}-02-28", officers="张三、老周")  # still on duty
    retired = add(store, "inspections", date=f"{Y}-03-01", officers="老周、李四")  # left that day
    found = by_code(run(store, Y))
    few = found["inspection_officers"]
    assert few.severity == "error" and few.row_ids == [one, none]
    assert "仅1名" in few.detail and "仅0名" in few.detail
    unknown = found["inspection_unknown_officer"]
    assert unknown.severity == "warning" and unknown.row_ids == [retired, stranger]
    assert "王麻子 不在执法人员名册中" in unknown.detail and "老周 当日未持证在岗" in unknown.detail


def test_penalties_without_legal_review(store):
    add(store, "penalties", decided_on=MID)
    bad = add(store, "penalties", decided_on=MID, legal_review="否", decision_no="罚2号")
    nulled = raw_insert(store, "penalties", decided_on=HI, decision_no="罚3号", party="某", violation="v",
                        penalty="警告")  # fmt: skip
    add(store, "penalties", decided_on=AFTER, legal_review="否")
    f = by_code(run(store, Y))["penalties_unreviewed"]
    assert f.row_ids == [bad, nulled] and "罚2号" in f.detail


def _visit(store, person: int, date: str) -> int:
    return store.save("visits", {"date": date, "person_id": person, "visitor": "刘明秀", "method": "入户走访"})


def test_key_persons_without_a_visit_in_a_month(store):
    new = add(store, "key_persons", name="新人", category="社区矫正对象", listed_on=f"{Y}-03-15")
    for m in (3, 4, 5, 6, 8, 9, 10, 11, 12):  # no visit in July
        _visit(store, new, f"{Y}-{m:02d}-20")
    left = add(store, "key_persons", name="走人", category="安置帮教对象", listed_on=f"{Y - 2}-01-01",
               released_on=f"{Y}-02-10")  # fmt: skip
    _visit(store, left, f"{Y}-01-10")
    _visit(store, left, f"{Y}-02-03")
    add(store, "key_persons", name="吸毒", category="吸毒人员", listed_on=f"{Y - 1}-01-01")  # not visited monthly
    lazy = add(store, "key_persons", name="漏访", category="安置帮教对象", listed_on=f"{Y - 1}-01-01")
    gone = _visit(store, lazy, f"{Y}-01-05")
    store.delete("visits", gone)  # a deleted visit is no visit
    f = by_code(run(store, Y))["visits_missing"]
    assert f.row_ids == [new, lazy]
    lines = f.detail.splitlines()
    assert lines[0] == "新人（社区矫正对象）：7月无走访记录"
    assert lines[1].startswith("漏访（安置帮教对象）：1月、2月") and "12月" in lines[1]
    # during the year only the months so far count
    f = by_code(run(store, Y, today=dt.date(Y, 5, 20)))["visits_missing"]
    assert f.row_ids == [lazy] and "6月" not in f.detail and "5月" in f.detail


def test_invalid_id_numbers(store):
    good = idcard()
    add(store, "key_persons", id_number=good)
    bad_number = good[:17] + ("0" if good[17] != "0" else "1")
    bad = raw_insert(store, "key_persons", name="错号", category="安置帮教对象", listed_on=f"{Y - 1}-01-01",
                     id_number=bad_number)  # fmt: skip
    missing = raw_insert(store, "key_persons", name="无号", category="社区矫正对象", listed_on=f"{Y - 1}-01-01")
    raw_insert(store, "key_persons", name="吸毒", category="吸毒人员", listed_on=f"{Y - 1}-01-01")  # optional
    raw_insert(store, "key_persons", name="早走", category="安置帮教对象", listed_on=f"{Y - 5}-01-01",
               released_on=f"{Y - 1}-03-01", id_number="123")  # fmt: skip
    f = by_code(run(store, Y))["idcards_invalid"]
    assert f.severity == "error" and f.row_ids == [bad, missing]
    assert bad_number not in f.detail and "校验位" in f.detail and "未填写身份证号" in f.detail


def test_documents_not_filed_or_not_lawful(store):
    add(store, "normative_documents", issued_on=MID)
    unfiled = add(store, "normative_documents", issued_on=MID, filed="否", title="关于森林防火的通告")
    unreviewed = add(store, "normative_documents", issued_on=HI, review="未审查")
    add(store, "normative_documents", issued_on=AFTER, filed="否", review="不合法")
    found = by_code(run(store, Y))
    assert found["documents_not_filed"].row_ids == [unfiled]
    assert "森林防火" in found["documents_not_filed"].detail
    assert found["documents_not_lawful"].row_ids == [unreviewed]


def test_errors_come_first(store):
    add(store, "normative_documents", issued_on=MID, filed="否")
    raw_insert(store, "inspections", date=MID, target="x", domain="教育", method="日常检查", officers="甲",
               outcome="未发现问题")  # fmt: skip
    found = run(store, Y)
    assert [f.severity for f in found] == sorted((f.severity for f in found), key=lambda s: s != "error")
    assert found[0].severity == "error"
    assert found[0].count == len(found[0].row_ids) == 1
    assert set(found[0].as_dict()) == {"code", "title", "severity", "ledger", "row_ids", "detail"}
    assert all(f.severity in ("error", "warning") and f.title for f in found)


def test_dispute_status_and_closing_date_disagree(store):
    """Issue 18: a row the returns can only count one way is named, however it was written."""
    no_date = raw_insert(store, "disputes", registered_on=MID, source="其他", dispute_type="邻里", summary="s",
                         status="调解成功")  # fmt: skip
    open_dated = raw_insert(store, "disputes", registered_on=MID, source="其他", dispute_type="邻里", summary="s",
                            status="调解中", closed_on=HI)  # fmt: skip
    backwards = raw_insert(store, "disputes", registered_on=HI, source="其他", dispute_type="邻里", summary="s",
                           status="终止", closed_on=MID)  # fmt: skip
    add(store, "disputes", registered_on=MID, status="调解成功", closed_on=MID)  # agrees
    raw_insert(store, "disputes", registered_on=AFTER, source="其他", dispute_type="邻里", summary="s",
               status="调解成功")  # fmt: skip  # registered after the year: another year's finding
    f = by_code(run(store, Y, today=dt.date(Y + 1, 3, 1)))["dispute_dates_disagree"]
    assert f.severity == "error" and f.ledger == "disputes"
    assert sorted(f.row_ids) == sorted([no_date, open_dated, backwards])
    assert "未填结案日期" in f.detail and "状态为调解中" in f.detail and "早于登记日期" in f.detail
