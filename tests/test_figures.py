"""Each figure of DESIGN.md section 3 on hand-made rows at the edges of the year."""

from __future__ import annotations

import pytest

from app.core.figures.approx import approx, rate
from app.core.figures.compute import compute, rows_for
from app.core.figures.compute import value as figure_value
from app.core.figures.definitions import FIGURES
from app.core.ledgers import catalog
from app.core.ledgers.validation import id_check_char

Y = 2024
LO, HI = f"{Y}-01-01", f"{Y}-12-31"
BEFORE, AFTER, MID = f"{Y - 1}-12-31", f"{Y + 1}-01-01", f"{Y}-06-15"

DESIGN_KEYS = [
    "study.sessions",
    "study.all_staff_trainings",
    "study.officer_trainees",
    "study.officer_passed",
    "study.literate_trainings",
    "meetings.count",
    "meetings.matters",
    "docs.count",
    "docs.filed_rate",
    "docs.lawful_rate",
    "enterprise.visits",
    "enterprise.resolved",
    "publicity.enterprise_events",
    "publicity.enterprise_materials",
    "lawsuits.reconsiderations",
    "lawsuits.litigations",
    "lawsuits.lost",
    "enforcement.officers",
    "enforcement.activity_rate",
    "enforcement.matters",
    "enforcement.top_domains",
    "enforcement.joint_inspections",
    "enforcement.inspections",
    "enforcement.penalties",
    "disputes.screened",
    "disputes.mediated",
    "consultations.count",
    "disputes.court_delegated",
    "corrections.released",
    "corrections.active",
    "resettlement.active",
    "resettlement.added",
    "resettlement.released",
    "key_persons.reoffended",
    "literates.count",
]

_seq = iter(range(1, 10**6))


def idcard() -> str:
    first17 = f"500230198001{next(_seq) % 28 + 1:02d}{next(_seq) % 1000:03d}"
    return first17 + id_check_char(first17)


def base(ledger: str) -> dict:
    """A minimal valid row of each ledger used here (the date field is set by the caller)."""
    return {
        "study_sessions": {"form": "专题培训", "audience": "全体干部职工", "topic": "宪法", "participants": 10},
        "meetings": {"title": "会", "meeting_type": "法治建设专题会议", "chair": "冉国平", "matters": 3},
        "normative_documents": {"doc_no": "武平府发〔2024〕1号", "title": "通知", "review": "合法", "filed": "是"},
        "enterprise_visits": {"company": "某公司", "officer": "谭晓燕", "collected": 3, "resolved": 2},
        "publicity_events": {"title": "送法进企业", "target": "企业", "materials": 50},
        "lawsuits": {"case_type": "行政复议", "cause": "不服处罚", "result": "撤销"},
        "inspections": {"target": "小学", "domain": "教育", "method": "日常检查", "officers": "甲、乙",
                        "outcome": "未发现问题"},
        "penalties": {"decision_no": "罚1号", "party": "某人", "violation": "违法", "penalty": "警告",
                      "legal_review": "是"},
        "disputes": {"source": "自主排查", "dispute_type": "邻里", "summary": "排水", "status": "调解中"},
        "consultations": {"channel": "来访", "matter": "继承"},
        "key_persons": {"name": "某人", "category": "安置帮教对象", "listed_on": f"{Y - 3}-05-01"},
    }[ledger]  # fmt: skip


def add(store, ledger: str, deleted: bool = False, **values) -> int:
    row = base(ledger) | values
    if ledger == "key_persons" and "id_number" not in row:
        row["id_number"] = idcard()
    rid = store.save(ledger, row)
    if deleted:
        store.delete(ledger, rid)
    return rid


# key -> (ledger, overrides making a row count, overrides making it not count, value per row)
CASES = {
    "study.sessions": ("study_sessions", {"audience": "党员干部"}, {"audience": "法律明白人"}, 1),
    "study.all_staff_trainings": ("study_sessions", {}, {"form": "党委会"}, 1),
    "study.officer_trainees": (
        "study_sessions", {"audience": "行政执法人员", "form": "线上培训", "participants": 9, "passed": 7},
        {"audience": "行政执法人员", "form": "专题培训", "participants": 9}, 9),
    "study.officer_passed": (
        "study_sessions", {"audience": "行政执法人员", "form": "线上培训", "participants": 9, "passed": 7},
        {"audience": "全体干部职工", "form": "线上培训", "participants": 9, "passed": 9}, 7),
    "study.literate_trainings": ("study_sessions", {"audience": "法律明白人"}, {}, 1),
    "study.online_sessions": ("study_sessions", {"form": "线上培训"}, {"form": "专题培训"}, 1),
    "meetings.count": ("meetings", {}, {"meeting_type": "党委会"}, 1),
    "meetings.matters": ("meetings", {}, {"meeting_type": "政府常务会议"}, 3),
    "docs.count": ("normative_documents", {}, None, 1),
    "enterprise.visits": ("enterprise_visits", {}, None, 1),
    "enterprise.resolved": ("enterprise_visits", {}, None, 2),
    "publicity.enterprise_events": ("publicity_events", {}, {"target": "学校"}, 1),
    "publicity.enterprise_materials": ("publicity_events", {}, {"target": "集市"}, 50),
    "lawsuits.reconsiderations": ("lawsuits", {}, {"case_type": "行政诉讼"}, 1),
    "lawsuits.litigations": ("lawsuits", {"case_type": "行政诉讼"}, {}, 1),
    "lawsuits.lost": ("lawsuits", {"result": "确认违法"}, {"result": "维持"}, 1),
    "enforcement.joint_inspections": ("inspections", {"method": "综合查一次"}, {}, 1),
    "enforcement.inspections": ("inspections", {"method": "双随机一公开"}, {"method": "综合查一次"}, 1),
    "enforcement.penalties": ("penalties", {}, None, 1),
    "disputes.screened": ("disputes", {}, {"source": "群众申请"}, 1),
    "disputes.screened_months": ("disputes", {}, {"source": "群众申请"}, 1),  # LO and HI: two months
    "disputes.court_delegated": ("disputes", {"source": "法院委派"}, {"source": "部门移送"}, 1),
    "disputes.mediated": (
        "disputes", {"source": "群众申请", "status": "调解成功", "registered_on": f"{Y - 1}-12-01"},
        {"source": "法院委派", "status": "调解成功", "registered_on": f"{Y - 1}-12-01"}, 1),
    "consultations.count": ("consultations", {}, None, 1),
    "corrections.released": ("key_persons", {"category": "社区矫正对象"}, {"category": "安置帮教对象"}, 1),
    "resettlement.added": ("key_persons", {}, {"category": "社区矫正对象"}, 1),
    "resettlement.released": ("key_persons", {}, {"category": "社区矫正对象"}, 1),
    "key_persons.reoffended": ("key_persons", {"category": "吸毒人员"}, None, 1),
}  # fmt: skip


def date_field(key: str) -> str:
    fig = FIGURES[key]
    return fig.by or catalog.get(fig.ledger).date_field


@pytest.mark.parametrize("key", sorted(CASES))
def test_year_figure_counts_1_jan_to_31_dec_only(store, key):
    ledger, match, other, per_row = CASES[key]
    field = date_field(key)
    counted = [add(store, ledger, **(match | {field: day})) for day in (LO, HI)]
    for day in (BEFORE, AFTER):  # the neighbouring years
        add(store, ledger, **(match | {field: day}))
    add(store, ledger, deleted=True, **(match | {field: MID}))  # soft-deleted
    if other is not None:
        add(store, ledger, **(other | {field: MID}))
    assert compute(store, Y)[key] == 2 * per_row
    assert rows_for(store, Y, key) == [(ledger, counted)]
    assert compute(store, Y - 1)[key] == per_row  # the 31 Dec row belongs to the year before
    store.delete(ledger, counted[0])
    assert figure_value(store, Y, key) == per_row


# "active at year end": start ≤ 31 Dec and (no end or end > 31 Dec)
ACTIVE = {
    "enforcement.officers": ("enforcement_officers", {"name": "张三", "cert_no": "渝执1"}),
    "enforcement.matters": ("enforcement_matters", {"title": "对学校的检查", "domain": "教育"}),
    "literates.count": ("legal_literates", {"name": "李四", "village": "双龙村", "adviser": "秦世华"}),
    "corrections.active": ("key_persons", {"name": "王五", "category": "社区矫正对象"}),
    "resettlement.active": ("key_persons", {"name": "赵六", "category": "安置帮教对象"}),
}


@pytest.mark.parametrize("key", sorted(ACTIVE))
def test_active_at_year_end(store, key):
    ledger, row = ACTIVE[key]
    lg = catalog.get(ledger)
    start, end = lg.start_field, lg.end_field
    if ledger == "key_persons":
        row = row | {"id_number": idcard()}

    def put(s, e=None, deleted=False, **extra):
        values = row | extra | {start: s, end: e}
        if ledger == "key_persons":
            values["id_number"] = idcard()
            return add(store, ledger, deleted=deleted, **values)
        rid = store.save(ledger, values)
        if deleted:
            store.delete(ledger, rid)
        return rid

    counted = [
        put(HI),  # starts on the last day of the year
        put(f"{Y - 2}-03-01", AFTER),  # ends the day after the year end: still there on 31 Dec
        put(f"{Y - 2}-03-01"),
    ]
    put(AFTER)  # starts next year
    put(f"{Y - 2}-03-01", HI)  # ends on 31 Dec: no longer active at the year end
    put(f"{Y - 2}-03-01", MID)
    put(f"{Y - 2}-03-01", deleted=True)
    if ledger == "key_persons":
        other = "安置帮教对象" if row["category"] == "社区矫正对象" else "社区矫正对象"
        put(f"{Y - 2}-03-01", category=other)
    assert compute(store, Y)[key] == 3
    assert rows_for(store, Y, key) == [(ledger, counted)]
    assert compute(store, Y - 1)[key] == 4  # at the end of Y-1 the HI-ending and MID-ending rows were there


def test_every_design_key_and_empty_store(store):
    result = compute(store, Y)
    assert list(result) == list(FIGURES)
    # section 3's table first, then what else the report states (issue 17: 普法宣传, 走访 …)
    assert list(FIGURES)[: len(DESIGN_KEYS)] == DESIGN_KEYS
    for key, value in result.items():
        kind = FIGURES[key].kind
        if kind == "rate":
            assert value is None, key  # no rows to divide by
        elif kind == "ranking":
            assert value == []
        else:
            assert value == 0 and isinstance(value, int), key


def test_registry_definitions_are_complete():
    for key, fig in FIGURES.items():
        assert fig.key == key
        lg = catalog.get(fig.ledger)
        assert fig.label and fig.definition
        if fig.scope == "active":
            assert lg.start_field and lg.end_field
        elif fig.by:
            assert lg.field(fig.by).kind == "date"


def test_document_rates(store):
    for review, filed in (("合法", "是"), ("修改后合法", "是"), ("不合法", "是"), ("未审查", "否")):
        add(store, "normative_documents", issued_on=MID, review=review, filed=filed)
    add(store, "normative_documents", issued_on=AFTER, review="不合法", filed="否")
    add(store, "normative_documents", issued_on=MID, review="不合法", filed="否", deleted=True)
    result = compute(store, Y)
    assert result["docs.count"] == 4
    assert result["docs.filed_rate"] == 0.75
    assert result["docs.lawful_rate"] == 0.5
    assert rate(result["docs.filed_rate"]) == "75.0%"
    assert compute(store, Y - 1)["docs.filed_rate"] is None


def test_all_filed_and_lawful_is_exactly_one(store):
    for _ in range(7):
        add(store, "normative_documents", issued_on=MID)
    result = compute(store, Y)
    assert result["docs.filed_rate"] == 1.0 and rate(result["docs.filed_rate"]) == "100%"


def test_mediated_counts_by_closing_date_and_state(store):
    add(store, "disputes", source="群众申请", registered_on=f"{Y - 1}-11-01", status="调解不成", closed_on=LO)
    add(store, "disputes", source="自主排查", registered_on=MID, status="调解成功", closed_on=HI)
    add(store, "disputes", source="自主排查", registered_on=MID, status="终止", closed_on=MID)
    add(store, "disputes", source="自主排查", registered_on=MID, status="调解中", closed_on=MID)
    add(store, "disputes", source="其他", registered_on=f"{Y}-12-20", status="调解成功", closed_on=AFTER)
    add(store, "disputes", source="法院委派", registered_on=MID, status="调解成功", closed_on=MID)
    result = compute(store, Y)
    assert result["disputes.mediated"] == 2
    assert result["disputes.screened"] == 3
    assert result["disputes.court_delegated"] == 1
    assert compute(store, Y + 1)["disputes.mediated"] == 1


def test_activity_rate_matches_whole_names_in_the_years_inspections(store):
    for name, left in (("张三", None), ("李四", None), ("王五", None), ("赵六", None), ("钱七", MID)):
        store.save("enforcement_officers", {"name": name, "cert_no": name, "certified_on": f"{Y - 2}-01-01",
                                            "left_on": left})  # fmt: skip
    add(store, "inspections", date=MID, officers="张三丰、李四")  # 张三丰 is not 张三
    add(store, "inspections", date=MID, officers="王五、钱七")
    add(store, "inspections", date=MID, officers="赵六、李四", deleted=True)
    add(store, "inspections", date=BEFORE, officers="赵六、张三")
    assert compute(store, Y)["enforcement.officers"] == 4
    assert compute(store, Y)["enforcement.activity_rate"] == 0.5
    last = add(store, "inspections", date=HI, officers="赵六、张三")
    assert compute(store, Y)["enforcement.activity_rate"] == 1.0
    (ledger, officer_ids), (insp, insp_ids) = rows_for(store, Y, "enforcement.activity_rate")
    assert ledger == "enforcement_officers" and len(officer_ids) == 4
    assert insp == "inspections" and last in insp_ids and len(insp_ids) == 3


def test_top_domains_order_ties_and_limit(store):
    plan = [("食品安全", 2), ("生态环境", 3), ("教育", 2), ("应急管理", 1), ("农业农村", 1), ("消防安全", 1)]
    for domain, n in plan:
        for _ in range(n):
            add(store, "inspections", date=MID, domain=domain)
    add(store, "inspections", date=MID, domain="其他", method="综合查一次")
    for _ in range(5):
        add(store, "inspections", date=MID, domain="交通运输", deleted=True)
        add(store, "inspections", date=AFTER, domain="城乡建设")
    # 3, then the 2s in list order (教育 before 食品安全), then the 1s in list order, five in all
    assert compute(store, Y)["enforcement.top_domains"] == ["生态环境", "教育", "食品安全", "消防安全", "农业农村"]
    assert compute(store, Y + 1)["enforcement.top_domains"] == ["城乡建设"]


def test_study_forms_by_count_then_list_order_without_the_literates_training(store):
    for form, n in (("干部职工会", 1), ("专题讲座", 2), ("党委会", 1)):
        for _ in range(n):
            add(store, "study_sessions", date=MID, form=form, audience="全体干部职工")
    add(store, "study_sessions", date=MID, form="旁听庭审", audience="法律明白人")  # 法律明白人 培训: not 学法
    add(store, "study_sessions", date=MID, form="线上培训", audience="党员干部", deleted=True)
    assert compute(store, Y)["study.forms"] == ["专题讲座", "党委会", "干部职工会"]


def test_reoffended_and_key_person_edges(store):
    add(store, "key_persons", category="吸毒人员", reoffended_on=HI)
    add(store, "key_persons", category="严重精神障碍患者", reoffended_on=AFTER)
    add(store, "key_persons", category="安置帮教对象", reoffended_on=MID, deleted=True)
    assert compute(store, Y)["key_persons.reoffended"] == 1


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0"), (6, "6"), (9, "9"), (10, "10"), (12, "10余"), (19, "10余"), (50, "50"), (83, "80余"),
     (99, "90余"), (100, "100"), (134, "130余"), (206, "200余"), (1001, "1000余")],
)  # fmt: skip
def test_approx_follows_the_reference_habit(n, text):
    assert approx(n) == text


@pytest.mark.parametrize(
    ("x", "text"),
    [(1.0, "100%"), (1, "100%"), (0.875, "87.5%"), (0.5, "50.0%"), (0.99999, "99.9%"), (0.0, "0.0%"), (None, "—")],
)
def test_rate_text(x, text):
    assert rate(x) == text


def test_year_figures_read_only_the_years_rows_through_the_date_index(store):
    """The cost of a figure follows the year's rows, not the ledger's size."""
    from app.core.figures.compute import from_sql, scope_sql, year_params

    for key, fig in FIGURES.items():
        if fig.scope != "year":
            continue
        value = "COUNT(*)" if fig.kind == "ranking" else fig.value
        sql = f"EXPLAIN QUERY PLAN SELECT {value} FROM {from_sql(store, fig)} WHERE {scope_sql(fig)}"
        plan = " | ".join(r[3] for r in store.conn.execute(sql, year_params(Y)))
        idx = f"{fig.ledger}_{date_field(key)}"
        assert f"USING INDEX {idx} (" in plan or f"USING COVERING INDEX {idx}_cover (" in plan, (key, plan)
        assert "SCAN" not in plan, (key, plan)
