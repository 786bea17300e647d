"""The ledgers as declarations (DESIGN.md section 2).

One ``Ledger`` per 台账: its table, form, list view, import/export template and validation
all follow from the declaration here, with no other code.  Field keys are ASCII column names;
labels are the Chinese headers clerks see and type in spreadsheets.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from app.core.ledgers import aliases as A

Kind = Literal["date", "int", "decimal", "text", "longtext", "choice", "names", "ref", "idcard", "phone"]

DOMAINS = (
    "教育", "食品安全", "交通运输", "消防安全", "生态环境", "农业农村", "自然资源",
    "城乡建设", "应急管理", "市场监管", "卫生健康", "文化旅游", "其他",
)  # fmt: skip

CLOSED_DISPUTE_STATES = ("调解成功", "调解不成", "终止")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None  # ledger id a "ref" field points at
    min_value: float | None = None
    min_count: int = 0  # "names": how many names at least
    indexed: bool = False  # figures filter or join by it
    width: int = 12  # column width in characters, for tables and spreadsheets
    help: str = ""
    aliases: tuple[str, ...] = ()  # other column names clerks use (catalog_aliases)
    value_aliases: tuple[tuple[str, str], ...] = ()  # (what clerks write, option) for a choice
    # personal information (个人信息保护法) that never leaves the database whole: masked in
    # tables, exports, messages and the audit; a ledger holding one, or referring to one
    # that does, travels only in encrypted packs (``privacy``).  Only the 身份证号 is: a
    # 姓名 names the row in every list and message, and the 联系电话 of 执法人员 and 法律明白人
    # are published contact numbers (a 重点人员's phone travels encrypted with the roster).
    personal: bool = False

    @property
    def is_date(self) -> bool:
        return self.kind == "date"


@dataclass(frozen=True)
class Rule:
    """A cross-field rule.  ``kind`` names a check in ``validation.RULES``."""

    kind: Literal["le", "date_order", "required_when", "min_names"]
    fields: tuple[str, ...]
    when: tuple[str, ...] = ()  # for required_when: values of fields[1] that make fields[0] required
    message: str = ""


@dataclass(frozen=True)
class Ledger:
    id: str
    name: str
    group: str
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = ()
    start_field: str | None = None  # "active at year end" start date
    end_field: str | None = None  # "active at year end" end date
    title_field: str | None = None  # what names a row in messages and pickers
    _by_key: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_key.update({f.key: f for f in self.fields})

    def field(self, key: str) -> Field:
        return self._by_key[key]

    def has_field(self, key: str) -> bool:
        return key in self._by_key

    def get_field(self, key: str) -> Field | None:
        return self._by_key.get(key)

    @property
    def date_field(self) -> str | None:
        """The row's first date field: the one that places it in a year."""
        return next((f.key for f in self.fields if f.kind == "date"), None)

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.fields]

    def by_label(self) -> dict[str, Field]:
        return {f.label: f for f in self.fields}


def D(key: str, label: str, required: bool = False, **kw) -> Field:
    return Field(key, label, "date", required, indexed=kw.pop("indexed", True), width=12, **kw)


def C(key: str, label: str, choices: tuple[str, ...], required: bool = False, **kw) -> Field:
    return Field(key, label, "choice", required, choices=choices, **kw)  # in the cover index


def I(key: str, label: str, **kw) -> Field:  # noqa: E743
    return Field(key, label, "int", min_value=0, width=8, **kw)


def T(key: str, label: str, required: bool = False, width: int = 16) -> Field:
    return Field(key, label, "text", required, width=width)


def L(key: str, label: str, required: bool = False) -> Field:
    return Field(key, label, "longtext", required, width=30)


VILLAGE = "village"
PHONE = Field("phone", "联系电话", "phone", width=14)

LEDGERS: tuple[Ledger, ...] = (
    Ledger(
        "study_sessions", "学法培训台账", "学法普法",
        (
            D("date", "日期", True),
            C("form", "形式", ("党委会", "理论学习中心组", "干部职工会", "专题培训", "线上培训", "专题讲座", "旁听庭审", "其他"), True),
            C("audience", "对象", ("全体干部职工", "领导班子", "党员干部", "行政执法人员", "法律明白人", "村（社区）干部", "其他"), True),
            T("topic", "主题", True, width=30),
            I("participants", "参加人数"),
            I("passed", "考试合格人数"),
            T("speaker", "主讲人"),
            L("note", "备注"),
        ),
        rules=(Rule("le", ("passed", "participants"), message="考试合格人数不能大于参加人数"),),
        title_field="topic",
    ),
    Ledger(
        "meetings", "专题会议台账", "领导责任",
        (
            D("date", "日期", True),
            T("title", "会议名称", True, width=30),
            C("meeting_type", "会议类型", ("法治建设专题会议", "党委会", "政府常务会议", "其他"), True),
            T("chair", "主持人", True, width=10),
            I("matters", "研究事项数"),
            L("decisions", "议定事项"),
            L("note", "备注"),
        ),
        title_field="title",
    ),
    Ledger(
        "normative_documents", "规范性文件台账", "依法决策",
        (
            T("doc_no", "文号", True, width=20),
            T("title", "标题", True, width=36),
            D("issued_on", "印发日期", True),
            C("review", "合法性审查", ("合法", "修改后合法", "不合法", "未审查"), True),
            C("filed", "是否备案", ("是", "否"), True),
            D("filed_on", "备案日期"),
            L("note", "备注"),
        ),
        rules=(Rule("date_order", ("issued_on", "filed_on"), message="备案日期不能早于印发日期"),),
        title_field="title",
    ),
    Ledger(
        "legality_reviews", "合法性审查台账", "依法决策",
        (
            D("date", "日期", True),
            T("matter", "审查事项", True, width=30),
            C("matter_type", "事项类型", ("重大行政决策", "行政协议（合同）", "规范性文件", "重大执法决定", "其他"), True),
            T("reviewer", "审查人", width=10),
            C("opinion", "审查意见", ("合法", "修改后合法", "不合法")),
            L("note", "备注"),
        ),
        title_field="matter",
    ),
    Ledger(
        "enterprise_visits", "企业服务台账", "营商环境",
        (
            D("date", "日期", True),
            T("company", "企业名称", True, width=24),
            T("officer", "服务专员", True, width=10),
            I("collected", "收集诉求数"),
            I("resolved", "解决诉求数"),
            L("requests", "诉求内容"),
            L("handling", "办理情况"),
        ),
        rules=(Rule("le", ("resolved", "collected"), message="解决诉求数不能大于收集诉求数"),),
        title_field="company",
    ),
    Ledger(
        "publicity_events", "普法宣传台账", "学法普法",
        (
            D("date", "日期", True),
            T("title", "活动名称", True, width=26),
            C("target", "对象类型", ("企业", "学校", "村（社区）", "集市", "机关单位", "线上", "其他"), True),
            T("place", "地点（单位）", width=18),
            L("content", "宣传内容"),
            I("participants", "参与人数"),
            I("materials", "发放资料份数"),
            L("note", "备注"),
        ),
        title_field="title",
    ),
    Ledger(
        "lawsuits", "行政复议诉讼台账", "营商环境",
        (
            D("date", "日期", True),
            C("case_type", "类型", ("行政复议", "行政诉讼"), True),
            T("cause", "案由", True, width=26),
            T("applicant", "申请人（原告）", width=12),
            C("result", "结果", ("审理中", "维持", "驳回", "撤销", "确认违法", "责令履行", "和解撤回", "其他"), True),
            L("note", "备注"),
        ),
        title_field="cause",
    ),
    Ledger(
        "enforcement_officers", "执法人员名册", "行政执法",
        (
            T("name", "姓名", True, width=10),
            T("cert_no", "执法证号", True, width=18),
            T("category", "执法类别", width=14),
            D("certified_on", "持证日期", True),
            D("left_on", "离岗日期"),
            PHONE,
        ),
        rules=(Rule("date_order", ("certified_on", "left_on"), message="离岗日期不能早于持证日期"),),
        start_field="certified_on", end_field="left_on", title_field="name",
    ),
    Ledger(
        "enforcement_matters", "执法事项清单", "行政执法",
        (
            T("title", "事项名称", True, width=36),
            C("domain", "领域", DOMAINS, True),
            D("taken_on", "承接日期", True),
            D("cancelled_on", "取消日期"),
            L("basis", "实施依据"),
        ),
        rules=(Rule("date_order", ("taken_on", "cancelled_on"), message="取消日期不能早于承接日期"),),
        start_field="taken_on", end_field="cancelled_on", title_field="title",
    ),
    Ledger(
        "inspections", "行政检查台账", "行政执法",
        (
            D("date", "日期", True),
            T("target", "检查对象", True, width=24),
            C("domain", "领域", DOMAINS, True),
            C("method", "检查方式", ("日常检查", "专项检查", "综合查一次", "双随机一公开", "投诉举报核查"), True),
            Field("officers", "执法人员", "names", True, min_count=2, width=16, help="至少2名，以、分隔"),
            L("findings", "发现问题"),
            C("outcome", "处理结果", ("未发现问题", "责令整改", "立案查处", "移送有关部门"), True),
            D("fix_by", "整改期限", indexed=False),
            D("fixed_on", "整改完成日期", indexed=False),
        ),
        rules=(Rule("min_names", ("officers",), message="执法人员至少需要2名"),),
        title_field="target",
    ),
    Ledger(
        "penalties", "行政处罚台账", "行政执法",
        (
            D("decided_on", "决定日期", True),
            T("decision_no", "决定书文号", True, width=22),
            T("party", "当事人", True, width=16),
            L("violation", "违法行为", True),
            C("domain", "领域", DOMAINS),
            C("penalty", "处罚种类", ("警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "吊销许可证件", "责令停产停业", "责令关闭", "其他"), True),
            Field("amount", "罚没金额（元）", "decimal", min_value=0, width=12),
            C("legal_review", "法制审核", ("是", "否"), True),
            Field("officers", "执法人员", "names", width=16),
            L("note", "备注"),
        ),
        title_field="decision_no",
    ),
    Ledger(
        "disputes", "矛盾纠纷台账", "矛盾纠纷",
        (
            D("registered_on", "登记日期", True),
            C("source", "来源", ("自主排查", "群众申请", "法院委派", "部门移送", "其他"), True),
            C("dispute_type", "纠纷类型", ("婚姻家庭", "邻里", "房屋宅基地", "合同", "生产经营", "损害赔偿", "山林土地", "征地拆迁", "环境污染", "劳动争议", "消费", "医疗", "道路交通事故", "物业", "其他"), True),
            Field(VILLAGE, "村（社区）", "text", width=12),
            T("parties", "当事人", width=16),
            L("summary", "纠纷概况", True),
            T("mediator", "调解员", width=10),
            C("status", "状态", ("待调解", "调解中", "调解成功", "调解不成", "终止"), True),
            D("closed_on", "结案日期"),
            C("agreement", "协议形式", ("书面", "口头", "无")),
            Field("amount", "涉及金额（元）", "decimal", min_value=0, width=12),
            L("follow_up", "回访情况"),
            # for the county's forms (returns/definitions.py): 司法部《人民调解统计报表》 and the
            # 矛盾纠纷排查化解 tables of the 综治 (平安建设) offices.  One 防止事项 per dispute,
            # not three yes/no fields: the forms count a dispute once under one heading (件),
            # and its 涉及人数 gives the 人 beside it.
            I("people", "涉及人数"),
            C("scale", "纠纷规模", ("一般", "重大", "群体性")),
            C("prevented", "防止事项", ("无", "防止民转刑", "防止群体性上访", "防止自杀")),
        ),
        rules=(
            Rule("required_when", ("closed_on", "status"), when=CLOSED_DISPUTE_STATES, message="状态为调解成功、调解不成或终止时，必须填写结案日期"),
            Rule("date_order", ("registered_on", "closed_on"), message="结案日期不能早于登记日期"),
        ),
        title_field="summary",
    ),
    Ledger(
        "consultations", "法律咨询台账", "矛盾纠纷",
        (
            D("date", "日期", True),
            T("person", "咨询人", width=10),
            Field(VILLAGE, "村（社区）", "text", width=12),
            C("channel", "咨询方式", ("来访", "电话", "网络", "上门"), True),
            C("category", "咨询类别", ("婚姻家庭", "劳动", "土地", "合同", "继承", "侵权", "其他")),
            L("matter", "咨询事项", True),
            T("answered_by", "解答人", width=10),
        ),
        title_field="matter",
    ),
    Ledger(
        "key_persons", "重点人员名册", "重点人群",
        (
            T("name", "姓名", True, width=10),
            Field("id_number", "身份证号", "idcard", width=20, personal=True, help="社区矫正对象、安置帮教对象必填"),
            C("category", "类别", ("社区矫正对象", "安置帮教对象", "吸毒人员", "严重精神障碍患者"), True),
            C("subcategory", "细类", ("管制", "缓刑", "假释", "暂予监外执行", "刑满释放", "解除矫正", "其他")),
            Field(VILLAGE, "村（社区）", "text", width=12),
            D("listed_on", "列管日期", True),
            D("released_on", "解除日期"),
            C("release_reason", "解除原因", ("期满解除", "收监执行", "死亡", "迁出", "其他")),
            D("reoffended_on", "重新犯罪日期"),
            T("responsible", "责任人", width=10),
            PHONE,
            # 安置帮教 (司法部《安置帮教工作统计表》): the 衔接 at release and whether the person
            # is 安置 and 帮教; 社区矫正's 矫正类别 is the 细类 above
            C("handover", "衔接情况", ("必接必送", "未衔接")),
            C("placed", "是否安置", ("是", "否")),
            C("helped", "是否帮教", ("是", "否")),
        ),
        rules=(
            Rule("required_when", ("id_number", "category"), when=("社区矫正对象", "安置帮教对象"), message="社区矫正对象、安置帮教对象必须填写身份证号"),
            Rule("date_order", ("listed_on", "released_on"), message="解除日期不能早于列管日期"),
        ),
        start_field="listed_on", end_field="released_on", title_field="name",
    ),
    Ledger(
        "visits", "走访记录", "重点人群",
        (
            D("date", "日期", True),
            Field("person_id", "重点人员", "ref", True, ref="key_persons", indexed=True, width=12, help="填身份证号，或名册中唯一的姓名"),
            T("visitor", "走访人", True, width=10),
            C("method", "走访方式", ("入户走访", "电话", "视频", "来访"), True),
            L("record", "情况记录"),
        ),
        title_field="record",
    ),
    Ledger(
        "legal_literates", "法律明白人名册", "法律明白人",
        (
            T("name", "姓名", True, width=10),
            Field(VILLAGE, "村（社区）", "text", True, width=12),
            T("adviser", "结对法律顾问", True, width=12),
            D("recognized_on", "认定日期", True),
            D("exited_on", "退出日期"),
            PHONE,
        ),
        rules=(Rule("date_order", ("recognized_on", "exited_on"), message="退出日期不能早于认定日期"),),
        start_field="recognized_on", end_field="exited_on", title_field="name",
    ),
)  # fmt: skip


def _with_aliases(lg: Ledger) -> Ledger:
    """The ledger with the column and value aliases of ``catalog_aliases`` on its fields."""
    fields = []
    for f in lg.fields:
        names = (*A.COMMON_COLUMNS.get(f.label, ()), *A.COLUMNS.get(lg.id, {}).get(f.key, ()))
        values = dict(A.YES_NO) if set(f.choices) == {"是", "否"} else {}
        values.update(A.VALUES.get(lg.id, {}).get(f.key, {}))
        fields.append(replace(f, aliases=tuple(dict.fromkeys(names)), value_aliases=tuple(values.items())))
    return replace(lg, fields=tuple(fields), _by_key={})


LEDGERS = tuple(_with_aliases(lg) for lg in LEDGERS)

GROUPS: tuple[str, ...] = (
    "学法普法",
    "依法决策",
    "营商环境",
    "行政执法",
    "矛盾纠纷",
    "重点人群",
    "法律明白人",
    "领导责任",
)

BY_ID: dict[str, Ledger] = {lg.id: lg for lg in LEDGERS}
BY_NAME: dict[str, Ledger] = {lg.name: lg for lg in LEDGERS}


def in_group_order() -> list[Ledger]:
    """The ledgers as the window's side bar lists them: group by group."""
    return [lg for group in GROUPS for lg in LEDGERS if lg.group == group]


def get(ledger: str) -> Ledger:
    """A ledger by id or by 台账 name; ``KeyError`` with a Chinese message otherwise."""
    lg = BY_ID.get(ledger) or BY_NAME.get(ledger)
    if lg is None:
        raise KeyError(f"没有名为“{ledger}”的台账。可用的台账：" + "、".join(f"{x.name}({x.id})" for x in LEDGERS))
    return lg


def describe() -> list[dict]:
    """The catalog as plain data, for ``ledgers --json`` and for other tools."""
    out = []
    for lg in LEDGERS:
        out.append(
            {
                "id": lg.id,
                "name": lg.name,
                "group": lg.group,
                "date_field": lg.date_field,
                "fields": [
                    {
                        "key": f.key,
                        "label": f.label,
                        "type": f.kind,
                        "required": f.required,
                        **({"choices": list(f.choices)} if f.choices else {}),
                        **({"ref": f.ref} if f.ref else {}),
                        **({"min_count": f.min_count} if f.min_count else {}),
                    }
                    for f in lg.fields
                ],
                "rules": [{"kind": r.kind, "fields": list(r.fields), "message": r.message} for r in lg.rules],
            }
        )
    return out
