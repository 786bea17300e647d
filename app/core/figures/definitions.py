"""The figures (DESIGN.md section 3), one named definition each.

A definition is data, not code: the ledger, which rows of a period it covers (its *scope*: by
a date field inside the period, or "active on its last day"), an extra SQL condition, and the
SQL aggregate taken over the scope.  ``compute.py`` turns a definition into one SQL statement;
the same scope gives the rows behind the number (``rows_for``), so a figure can always show
its rows.  Written for the year (section 3), every definition holds for any period (3b).

Period bounds enter SQL as the named parameters ``:lo`` (first day) and ``:hi`` (last day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from app.core.ledgers import catalog

Kind = Literal["count", "sum", "rate", "ranking"]

LOST_RESULTS = ("撤销", "确认违法", "责令履行")
MEDIATED_STATES = ("调解成功", "调解不成")


@dataclass(frozen=True)
class Figure:
    """One figure of the annual report.

    ``scope`` is ``"year"`` (``by`` field in 1 Jan..31 Dec Y; ``by`` defaults to the ledger's
    first date field) or ``"active"`` (start ≤ 31 Dec Y and end empty or > 31 Dec Y, with the
    ledger's start/end fields).  ``value`` is an SQL aggregate over the rows of the scope that
    also satisfy ``where``; the table is aliased ``t``.  For ``kind="ranking"`` ``value`` is the
    column to group by and the figure is the ``limit`` most frequent values.
    """

    key: str
    label: str
    unit: str
    ledger: str
    kind: Kind
    value: str
    where: str = "1"
    scope: Literal["year", "active"] = "year"
    by: str | None = None
    limit: int = 0
    definition: str = ""


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


COUNT = "COUNT(*)"


def _sum(col: str) -> str:
    return f'COALESCE(SUM(t."{col}"), 0)'


def _share(cond: str) -> str:
    """Fraction of the scope's rows meeting ``cond``; NULL (None) over no rows."""
    return f"AVG(CASE WHEN {cond} THEN 1.0 ELSE 0.0 END)"


# Whether an active officer's name appears in an inspection of year Y.  inspections.officers
# holds names joined by 、; wrapping both sides in 、 matches whole names only.  The unary +
# keeps SQLite on the date index (the year's rows) rather than the deleted_at one (all rows).
_NAMED_IN_INSPECTION = (
    "EXISTS (SELECT 1 FROM inspections i WHERE +i.deleted_at IS NULL AND i.date BETWEEN :lo AND :hi"
    " AND instr('、' || i.officers || '、', '、' || t.name || '、') > 0)"
)

_MONTHS = "COUNT(DISTINCT substr(t.date, 1, 7))"
# 对象类型 of the 普法宣传台账 the report names one by one (企业 has its own sentence)
PUBLICITY_TARGETS = (("school", "学校"), ("village", "村（社区）"), ("market", "集市"), ("office", "机关单位"),
                     ("online", "线上"))  # fmt: skip
_ONLINE = "t.audience = '行政执法人员' AND t.form = '线上培训'"
_ALL_STAFF = "t.form = '专题培训' AND t.audience = '全体干部职工'"

_DEFS: tuple[Figure, ...] = (
    # -- 学法 ---------------------------------------------------------------------------------
    Figure("study.sessions", "法治学习教育", "次", "study_sessions", "count", COUNT,
           "t.audience IS NOT '法律明白人'", definition="学法培训台账中对象不是法律明白人的场次"),
    Figure("study.all_staff_trainings", "全体干部职工法治专题培训", "场次", "study_sessions", "count", COUNT,
           _ALL_STAFF, definition="形式为专题培训、对象为全体干部职工的场次"),
    Figure("study.officer_trainees", "行政执法人员线上培训人数", "人", "study_sessions", "sum", _sum("participants"),
           _ONLINE, definition="对象为行政执法人员的线上培训参加人数之和"),
    Figure("study.officer_passed", "行政执法人员线上培训考试合格人数", "人", "study_sessions", "sum", _sum("passed"),
           _ONLINE, definition="对象为行政执法人员的线上培训考试合格人数之和"),
    Figure("study.literate_trainings", "法律明白人专题培训", "次", "study_sessions", "count", COUNT,
           "t.audience = '法律明白人'", definition="对象为法律明白人的培训场次"),
    # -- 领导责任 -------------------------------------------------------------------------------
    Figure("meetings.count", "法治建设专题会议", "次", "meetings", "count", COUNT,
           "t.meeting_type = '法治建设专题会议'", definition="会议类型为法治建设专题会议的次数"),
    Figure("meetings.matters", "专题会议研究事项", "项", "meetings", "sum", _sum("matters"),
           "t.meeting_type = '法治建设专题会议'", definition="法治建设专题会议研究事项数之和"),
    # -- 依法决策 -------------------------------------------------------------------------------
    Figure("docs.count", "行政规范性文件", "件", "normative_documents", "count", COUNT,
           definition="按印发日期计的规范性文件件数"),
    Figure("docs.filed_rate", "规范性文件备案率", "%", "normative_documents", "rate", _share("t.filed = '是'"),
           definition="是否备案为是的件数 / 文件件数"),
    Figure("docs.lawful_rate", "规范性文件合法合规率", "%", "normative_documents", "rate",
           _share("t.review IN ('合法', '修改后合法')"), definition="合法性审查为合法或修改后合法的件数 / 文件件数"),
    # -- 营商环境 -------------------------------------------------------------------------------
    Figure("enterprise.visits", "企业对接服务", "次", "enterprise_visits", "count", COUNT,
           definition="企业服务台账的次数"),
    Figure("enterprise.resolved", "解决企业诉求", "项", "enterprise_visits", "sum", _sum("resolved"),
           definition="解决诉求数之和"),
    Figure("publicity.enterprise_events", "进企业法治宣传", "场次", "publicity_events", "count", COUNT,
           "t.target = '企业'", definition="对象类型为企业的普法宣传场次"),
    Figure("publicity.enterprise_materials", "进企业发放宣传资料", "份", "publicity_events", "sum", _sum("materials"),
           "t.target = '企业'", definition="对象类型为企业的发放资料份数之和"),
    Figure("lawsuits.reconsiderations", "行政复议案件", "件", "lawsuits", "count", COUNT,
           "t.case_type = '行政复议'", definition="类型为行政复议的件数"),
    Figure("lawsuits.litigations", "行政诉讼案件", "件", "lawsuits", "count", COUNT,
           "t.case_type = '行政诉讼'", definition="类型为行政诉讼的件数"),
    Figure("lawsuits.lost", "行政复议诉讼败诉（被纠错）", "件", "lawsuits", "count", COUNT,
           f"t.result IN {_in(LOST_RESULTS)}", definition="结果为撤销、确认违法或责令履行的件数"),
    # -- 行政执法 -------------------------------------------------------------------------------
    Figure("enforcement.officers", "执法人员", "人", "enforcement_officers", "count", COUNT, scope="active",
           definition="年末在岗的执法人员（持证日期 ≤ 12月31日，未离岗或离岗日期在其后）"),
    Figure("enforcement.activity_rate", "执法活跃率", "%", "enforcement_officers", "rate",
           _share(_NAMED_IN_INSPECTION), scope="active", definition="年末在岗执法人员中当年参加过行政检查的比例"),
    Figure("enforcement.matters", "承接执法事项", "项", "enforcement_matters", "count", COUNT, scope="active",
           definition="年末仍承接的执法事项"),
    Figure("enforcement.top_domains", "重点执法领域", "", "inspections", "ranking", "domain", limit=5,
           definition="行政检查次数最多的5个领域（次数相同按领域列表顺序）"),
    Figure("enforcement.joint_inspections", "综合查一次", "次", "inspections", "count", COUNT,
           "t.method = '综合查一次'", definition="检查方式为综合查一次的次数"),
    Figure("enforcement.inspections", "行政检查", "次", "inspections", "count", COUNT,
           "t.method IS NOT '综合查一次'", definition="检查方式不是综合查一次的次数"),
    Figure("enforcement.penalties", "行政处罚", "次", "penalties", "count", COUNT,
           definition="按决定日期计的行政处罚次数"),
    # -- 矛盾纠纷 -------------------------------------------------------------------------------
    Figure("disputes.screened", "自主排查矛盾纠纷", "件", "disputes", "count", COUNT,
           "t.source = '自主排查'", definition="按登记日期计、来源为自主排查的纠纷件数"),
    Figure("disputes.mediated", "完成人民调解案件", "件", "disputes", "count", COUNT,
           f"t.status IN {_in(MEDIATED_STATES)} AND t.source IS NOT '法院委派'", by="closed_on",
           definition="按结案日期计、状态为调解成功或调解不成、来源不是法院委派的件数"),
    Figure("consultations.count", "法律咨询服务", "次", "consultations", "count", COUNT,
           definition="法律咨询台账的次数"),
    Figure("disputes.court_delegated", "法院委派诉前调解", "件", "disputes", "count", COUNT,
           "t.source = '法院委派'", definition="按登记日期计、来源为法院委派的纠纷件数"),
    # -- 重点人群 -------------------------------------------------------------------------------
    Figure("corrections.released", "解除社区矫正对象", "名", "key_persons", "count", COUNT,
           "t.category = '社区矫正对象'", by="released_on", definition="当年解除的社区矫正对象"),
    Figure("corrections.active", "在册社区矫正对象", "名", "key_persons", "count", COUNT,
           "t.category = '社区矫正对象'", scope="active", definition="年末在册的社区矫正对象"),
    Figure("resettlement.active", "在册安置帮教对象", "名", "key_persons", "count", COUNT,
           "t.category = '安置帮教对象'", scope="active", definition="年末在册的安置帮教对象"),
    Figure("resettlement.added", "新增安置帮教对象", "名", "key_persons", "count", COUNT,
           "t.category = '安置帮教对象'", by="listed_on", definition="当年列管的安置帮教对象"),
    Figure("resettlement.released", "解除安置帮教对象", "名", "key_persons", "count", COUNT,
           "t.category = '安置帮教对象'", by="released_on", definition="当年解除的安置帮教对象"),
    Figure("key_persons.reoffended", "重点人员重新犯罪", "名", "key_persons", "count", COUNT,
           by="reoffended_on", definition="重新犯罪日期在当年的重点人员"),
    # -- 法律明白人 -----------------------------------------------------------------------------
    Figure("literates.count", "结对法律明白人", "名", "legal_literates", "count", COUNT, scope="active",
           definition="年末在册的法律明白人"),
    # -- beyond the table of DESIGN.md section 3: what else the report states (issue 17) ----------
    Figure("study.leader_sessions", "理论学习中心组学法", "次", "study_sessions", "count", COUNT,
           "t.form = '理论学习中心组'", definition="形式为理论学习中心组的学习场次"),
    Figure("study.forms", "法治学习教育的形式", "", "study_sessions", "ranking", "form",
           "t.audience IS NOT '法律明白人'", limit=8,
           definition="法治学习教育用过的形式（场次多的在前，相同按形式列表顺序）"),
    Figure("study.online_sessions", "线上学法", "次", "study_sessions", "count", COUNT,
           "t.form = '线上培训'", definition="形式为线上培训的场次"),
    Figure("legality.reviews", "合法性审查", "件", "legality_reviews", "count", COUNT,
           definition="合法性审查台账的件数"),
    Figure("enterprise.months", "开展企业走访的月份", "个月", "enterprise_visits", "count", _MONTHS,
           definition="有企业服务记录的月份数"),
    Figure("disputes.screened_months", "开展自主排查的月份", "个月", "disputes", "count",
           "COUNT(DISTINCT substr(t.registered_on, 1, 7))", "t.source = '自主排查'",
           definition="有来源为自主排查的纠纷登记的月份数"),
    Figure("publicity.events", "普法宣传活动", "场次", "publicity_events", "count", COUNT,
           definition="普法宣传台账的场次"),
    Figure("publicity.participants", "普法宣传参与人次", "人次", "publicity_events", "sum", _sum("participants"),
           definition="参与人数之和"),
    Figure("publicity.materials", "普法宣传发放资料", "份", "publicity_events", "sum", _sum("materials"),
           definition="发放资料份数之和"),
    *(
        Figure(f"publicity.{key}_events", f"进{target}普法宣传" if target != "线上" else "线上普法宣传", "场次",
               "publicity_events", "count", COUNT, f"t.target = '{target}'",
               definition=f"对象类型为{target}的普法宣传场次")
        for key, target in PUBLICITY_TARGETS
    ),
    Figure("key_persons.active", "在册重点人员", "名", "key_persons", "count", COUNT, scope="active",
           definition="年末在册的重点人员（各类别合计）"),
    Figure("visits.count", "重点人员走访", "次", "visits", "count", COUNT, definition="走访记录的次数"),
    Figure("visits.months", "开展重点人员走访的月份", "个月", "visits", "count", _MONTHS,
           definition="有走访记录的月份数"),
)  # fmt: skip

FIGURES: dict[str, Figure] = {f.key: f for f in _DEFS}
KEYS: tuple[str, ...] = tuple(FIGURES)


def fields_used(fig: Figure) -> set[str]:
    """The ledger fields a figure reads: in its value and condition (``t.x``, ``t."x"``), the
    date that places a row in the period, or the start and end of "active"."""

    lg = catalog.get(fig.ledger)
    used = set(re.findall(r'\bt\."?(\w+)"?', f"{fig.value} {fig.where}"))
    if fig.kind == "ranking":
        used.add(fig.value)
    if fig.scope == "active":
        used |= {k for k in (lg.start_field, lg.end_field) if k}
    else:
        used.add(fig.by or lg.date_field or "")
    return used & set(lg.keys)


def figures_using(ledger_id: str, keys: set[str]) -> list[Figure]:
    """The figures of a ledger that read any of ``keys``: a row lacking one of them may
    leave such a figure short."""
    return [f for f in _DEFS if f.ledger == ledger_id and fields_used(f) & keys]
