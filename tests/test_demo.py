"""The demo data set reproduces every number of the reference report, and obeys every rule."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core import checks
from app.core.demo.generator import DemoError, fill, generate
from app.core.figures.approx import approx, rate
from app.core.figures.compute import compute
from app.core.ledgers import catalog
from app.core.ledgers.validation import parse_idcard
from app.core.storage.store import Store

# every figure of reference/2024-wuping-report.txt, as the report writes it
REFERENCE = {
    "study.sessions": "10余",  # 全年共组织开展法治学习教育10余次
    "study.all_staff_trainings": 6,  # 法治专题培训6场次
    "study.officer_trainees": 9,  # 线上培训9人，均已完成学习考试
    "study.officer_passed": 9,
    "study.literate_trainings": 4,  # 对“法律明白人”进行专题培训4次
    "meetings.count": 6,  # 主持召开法治建设专题会议6次
    "meetings.matters": 10,  # 研究解决法治建设重大事项10项
    "docs.filed_rate": "100%",  # 备案率及合法合规率均达100%
    "docs.lawful_rate": "100%",
    "enterprise.visits": "80余",  # 全年开展对接服务80余次
    "enterprise.resolved": "20余",  # 回应解决企业诉求20余项
    "publicity.enterprise_events": "10余",  # 进企业法治宣传共10余场次
    "publicity.enterprise_materials": "200余",  # 发放宣传资料200余份
    "lawsuits.reconsiderations": 0,  # 全年未发生行政复议、行政诉讼案件
    "lawsuits.litigations": 0,
    "lawsuits.lost": 0,
    "enforcement.officers": 8,  # 配备执法人员8人
    "enforcement.activity_rate": "100%",  # 全年执法活跃率达100%
    "enforcement.matters": 91,  # 承接执法事项91项
    "enforcement.top_domains": ["教育", "食品安全", "交通运输", "消防安全", "生态环境"],
    "enforcement.joint_inspections": 5,  # 开展综合查一次5次
    "enforcement.inspections": 114,  # 行政检查114次
    "enforcement.penalties": 6,  # 实施行政处罚6次
    "disputes.screened": 58,  # 全年累计自主排查矛盾纠纷58件
    "disputes.mediated": 120,  # 完成人民调解案件120件
    "consultations.count": "130余",  # 提供法律咨询服务130余次
    "disputes.court_delegated": 49,  # 处理法院委派矛盾纠纷诉前调解49件
    "corrections.released": 1,  # 累计解除社区矫正对象1名
    "corrections.active": 4,  # 目前在册4名
    "resettlement.active": 48,  # 在册安置帮教对象48名
    "resettlement.added": 12,  # 新增12名
    "resettlement.released": 12,  # 解除12名
    "key_persons.reoffended": 0,  # 零犯罪
    "literates.count": 37,  # 结对37名“法律明白人”
}


def as_written(key: str, value):
    """A figure the way the reference report writes it."""
    expected = REFERENCE[key]
    if isinstance(expected, str) and expected.endswith("%"):
        return rate(value)
    if isinstance(expected, str):
        return approx(value)
    return value


def assert_reproduces_reference(result: dict) -> None:
    assert set(REFERENCE) <= set(result)
    wrong = {k: result[k] for k in REFERENCE if as_written(k, result[k]) != REFERENCE[k]}
    assert wrong == {}
    # the rates are exactly one, the approximate counts inside the ranges the brief fixes
    assert result["docs.filed_rate"] == result["docs.lawful_rate"] == result["enforcement.activity_rate"] == 1.0
    assert 10 <= result["study.sessions"] <= 19
    assert result["docs.count"] > 0


@pytest.fixture(scope="module")
def demo_store():
    store = Store.memory()
    counts = fill(store)
    yield store, counts
    store.close()


def test_demo_reproduces_every_reference_figure(demo_store):
    store, _ = demo_store
    assert_reproduces_reference(compute(store, 2024))


def test_every_ledger_is_populated_and_every_row_obeys_the_rules(demo_store):
    store, counts = demo_store
    assert set(counts) == {lg.id for lg in catalog.LEDGERS}
    for lg in catalog.LEDGERS:
        rows = store.rows(lg.id)
        assert rows, lg.id
        validator = store.validator(lg.id)
        for row in rows:
            stored = {k: row[k] for k in lg.keys}
            clean, errors = validator.clean(stored)
            assert errors == [], (lg.id, row["id"], errors)
            assert clean == stored  # stored exactly as entry would store it
    ids = [r["id_number"] for r in store.rows("key_persons")]
    assert all(parse_idcard(n) == n and n.startswith("500230") for n in ids)
    assert len(set(ids)) == len(ids)


def test_settings_villages_and_variety(demo_store):
    store, _ = demo_store
    assert store.settings()["county"] == "丰都县" and store.settings()["town"] == "武平镇"
    assert store.issuer == "丰都县武平镇人民政府"
    villages = store.setting("villages")
    assert len(villages) >= 8 and all(v.endswith(("村", "社区")) for v in villages)
    disputes = store.rows("disputes", 2024)
    assert len({d["dispute_type"] for d in disputes}) >= 10
    assert len({d["registered_on"][5:7] for d in disputes}) == 12
    assert len({d["village"] for d in disputes}) >= 8
    assert len({d["summary"] for d in disputes}) > 50


def test_rows_outside_the_year_and_deleted_rows_exist(demo_store):
    store, _ = demo_store
    for ledger in ("disputes", "inspections", "consultations", "study_sessions"):
        assert store.count(ledger, 2023) > 0 and store.count(ledger, 2025) > 0, ledger
    assert sum(store.count(lg.id, deleted=True) for lg in catalog.LEDGERS) >= 2
    # people on the rosters across the year end (ending in 2025)
    assert store.rows("key_persons", where="released_on > '2024-12-31'")
    assert store.rows("enforcement_officers", where="left_on > '2024-12-31'")


def test_year_before_is_plausible_for_comparison(demo_store):
    store, _ = demo_store
    now, before = compute(store, 2024), compute(store, 2023)
    for key, value in now.items():
        if isinstance(value, int) and value > 0:
            assert 0 < before[key] <= value * 1.5, key
    assert before != now
    assert before["lawsuits.reconsiderations"] == 1  # the year before had one case


def test_checks_on_the_demo_year_are_few_and_not_errors(demo_store):
    store, _ = demo_store
    found = checks.run(store, 2024, today=dt.date(2025, 3, 1))
    # one open dispute; 行政复议诉讼 has no case in 2024 (the report says 未发生): named, not an error
    assert [(f.code, f.severity, f.ledger) for f in found] == [
        ("disputes_open", "warning", "disputes"),
        ("ledger_empty", "warning", "lawsuits"),
    ]
    assert found[0].count == 1
    assert checks.run(store, 2023, today=dt.date(2025, 3, 1)) == []


def test_refuses_a_database_with_rows(store):
    store.save("consultations", {"date": "2024-03-01", "channel": "来访", "matter": "继承"})
    with pytest.raises(DemoError, match="已有台账数据"):
        fill(store)
    assert store.count("consultations") == 1


def test_generation_is_deterministic():
    assert generate(2024) == generate(2024)


@pytest.mark.parametrize("year", [2025, 2028])  # 2028 is a leap year, and so is 2024's -4
def test_other_years_shift_the_same_figures(year):
    store = Store.memory()
    fill(store, year=year)
    result = compute(store, year)
    assert_reproduces_reference(result)
    assert store.count("disputes", year + 1) > 0
    assert checks.run(store, year, today=dt.date(year + 1, 2, 1))[0].severity == "warning"
    store.close()
