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
COUNT_MAX = 10**9  # a count (人数, 份数, 事项数): far past any office, far inside SQLite's INTEGER
AMOUNT_MAX = 10**12  # an amount in 元: exact in a REAL to the fen


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None  # ledger id a "ref" field points at
    min_value: float | None = None
    max_value: float | None = None  # every int/decimal field has one: what SQLite stores and a ledger can mean
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
    # a "ref" field: what purging the row it points at does to the rows that point at it.
    # "refuse": the purge is refused while any row points at it; "cascade": the pointing
    # rows already in the 回收站 are purged with it (a 重点人员's deleted 走访记录), live ones
    # still refuse it
    on_purge: Literal["refuse", "cascade"] = "refuse"

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
    # a unique field a reference to this ledger may be typed as, besides a unique title (a
    # 重点人员 by 身份证号)
    lookup_field: str | None = None
    picker_fields: tuple[str, ...] = ()  # what a reference picker shows beside the title
    overview: str | None = None  # the title of the ledger's own overview page, if it has one
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


def date_field(key: str, label: str, required: bool = False, **kw) -> Field:
    return Field(key, label, "date", required, indexed=kw.pop("indexed", True), width=12, **kw)


def choice_field(key: str, label: str, choices: tuple[str, ...], required: bool = False, **kw) -> Field:
    return Field(key, label, "choice", required, choices=choices, **kw)  # in the cover index


def number_field(key: str, label: str, **kw) -> Field:
    return Field(key, label, "int", min_value=0, max_value=COUNT_MAX, width=8, **kw)


def text_field(key: str, label: str, required: bool = False, width: int = 16) -> Field:
    return Field(key, label, "text", required, width=width)


def long_text_field(key: str, label: str, required: bool = False) -> Field:
    return Field(key, label, "longtext", required, width=30)


VILLAGE = "village"
PHONE = Field("phone", "联系电话", "phone", width=14)

LEDGERS: tuple[Ledger, ...] = (
    Ledger(
        "study_sessions", "学法培训台账", "学法普法",
        (
            date_field("date", "日期", True),
            choice_field("form", "形式", ("党委会", "理论学习中心组", "干部职工会", "专题培训", "线上培训", "专题讲座", "旁听庭审", "其他"), True),
            choice_field("audience", "对象", ("全体干部职工", "领导班子", "党员干部", "行政执法人员", "法律明白人", "村（社区）干部", "其他"), True),
            text_field("topic", "主题", True, width=30),
            number_field("participants", "参加人数"),
            number_field("passed", "考试合格人数"),
            text_field("speaker", "主讲人"),
            long_text_field("note", "备注"),
        ),
        rules=(Rule("le", ("passed", "participants"), message="考试合格人数不能大于参加人数"),),
        title_field="topic",
    ),
    Ledger(
        "meetings", "专题会议台账", "领导责任",
        (
            date_field("date", "日期", True),
            text_field("title", "会议名称", True, width=30),
            choice_field("meeting_type", "会议类型", ("法治建设专题会议", "党委会", "政府常务会议", "其他"), True),
            text_field("chair", "主持人", True, width=10),
            number_field("matters", "研究事项数"),
            long_text_field("decisions", "议定事项"),
            long_text_field("note", "备注"),
        ),
        title_field="title",
    ),
    Ledger(
        "normative_documents", "规范性文件台账", "依法决策",
        (
            text_field("doc_no", "文号", True, width=20),
            text_field("title", "标题", True, width=36),
            date_field("issued_on", "印发日期", True),
            choice_field("review", "合法性审查", ("合法", "修改后合法", "不合法", "未审查"), True),
            choice_field("filed", "是否备案", ("是", "否"), True),
            date_field("filed_on", "备案日期"),
            long_text_field("note", "备注"),
        ),
        rules=(Rule("date_order", ("issued_on", "filed_on"), message="备案日期不能早于印发日期"),),
        title_field="title",
    ),
    Ledger(
        "legality_reviews", "合法性审查台账", "依法决策",
        (
            date_field("date", "日期", True),
            text_field("matter", "审查事项", True, width=30),
            choice_field("matter_type", "事项类型", ("重大行政决策", "行政协议（合同）", "规范性文件", "重大执法决定", "其他"), True),
            text_field("reviewer", "审查人", width=10),
            choice_field("opinion", "审查意见", ("合法", "修改后合法", "不合法")),
            long_text_field("note", "备注"),
        ),
        title_field="matter",
    ),
    Ledger(
        "enterprise_visits", "企业服务台账", "营商环境",
        (
            date_field("date", "日期", True),
            text_field("company", "企业名称", True, width=24),
            text_field("officer", "服务专员", True, width=10),
            number_field("collected", "收集诉求数"),
            number_field("resolved", "解决诉求数"),
            long_text_field("requests", "诉求内容"),
            long_text_field("handling", "办理情况"),
        ),
        rules=(Rule("le", ("resolved", "collected"), message="解决诉求数不能大于收集诉求数"),),
        title_field="company",
    ),
    Ledger(
        "publicity_events", "普法宣传台账", "学法普法",
        (
            date_field("date", "日期", True),
            text_field("title", "活动名称", True, width=26),
            choice_field("target", "对象类型", ("企业", "学校", "村（社区）", "集市", "机关单位", "线上", "其他"), True),
            text_field("place", "地点（单位）", width=18),
            long_text_field("content", "宣传内容"),
            number_field("participants", "参与人数"),
            number_field("materials", "发放资料份数"),
            long_text_field("note", "备注"),
        ),
        title_field="title",
    ),
    Ledger(
        "lawsuits", "行政复议诉讼台账", "营商环境",
        (
            date_field("date", "日期", True),
            choice_field("case_type", "类型", ("行政复议", "行政诉讼"), True),
            text_field("cause", "案由", True, width=26),
            text_field("applicant", "申请人（原告）", width=12),
            choice_field("result", "结果", ("审理中", "维持", "驳回", "撤销", "确认违法", "责令履行", "和解撤回", "其他"), True),
            long_text_field("note", "备注"),
        ),
        title_field="cause",
    ),
    Ledger(
        "enforcement_officers", "执法人员名册", "行政执法",
        (
            text_field("name", "姓名", True, width=10),
            text_field("cert_no", "执法证号", True, width=18),
            text_field("category", "执法类别", width=14),
            date_field("certified_on", "持证日期", True),
            date_field("left_on", "离岗日期"),
            PHONE,
        ),
        rules=(Rule("date_order", ("certified_on", "left_on"), message="离岗日期不能早于持证日期"),),
        start_field="certified_on", end_field="left_on", title_field="name",
    ),
    Ledger(
        "enforcement_matters", "执法事项清单", "行政执法",
        (
            text_field("title", "事项名称", True, width=36),
            choice_field("domain", "领域", DOMAINS, True),
            date_field("taken_on", "承接日期", True),
            date_field("cancelled_on", "取消日期"),
            long_text_field("basis", "实施依据"),
        ),
        rules=(Rule("date_order", ("taken_on", "cancelled_on"), message="取消日期不能早于承接日期"),),
        start_field="taken_on", end_field="cancelled_on", title_field="title",
    ),
    Ledger(
        "inspections", "行政检查台账", "行政执法",
        (
            date_field("date", "日期", True),
            text_field("target", "检查对象", True, width=24),
            choice_field("domain", "领域", DOMAINS, True),
            choice_field("method", "检查方式", ("日常检查", "专项检查", "综合查一次", "双随机一公开", "投诉举报核查"), True),
            Field("officers", "执法人员", "names", True, min_count=2, width=16, help="至少2名，以、分隔"),
            long_text_field("findings", "发现问题"),
            choice_field("outcome", "处理结果", ("未发现问题", "责令整改", "立案查处", "移送有关部门"), True),
            date_field("fix_by", "整改期限", indexed=False),
            date_field("fixed_on", "整改完成日期", indexed=False),
        ),
        rules=(Rule("min_names", ("officers",), message="执法人员至少需要2名"),),
        title_field="target",
    ),
    Ledger(
        "penalties", "行政处罚台账", "行政执法",
        (
            date_field("decided_on", "决定日期", True),
            text_field("decision_no", "决定书文号", True, width=22),
            text_field("party", "当事人", True, width=16),
            long_text_field("violation", "违法行为", True),
            choice_field("domain", "领域", DOMAINS),
            choice_field("penalty", "处罚种类", ("警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "吊销许可证件", "责令停产停业", "责令关闭", "其他"), True),
            Field("amount", "罚没金额（元）", "decimal", min_value=0, max_value=AMOUNT_MAX, width=12),
            choice_field("legal_review", "法制审核", ("是", "否"), True),
            Field("officers", "执法人员", "names", width=16),
            long_text_field("note", "备注"),
        ),
        title_field="decision_no",
    ),
    Ledger(
        "disputes", "矛盾纠纷台账", "矛盾纠纷",
        (
            date_field("registered_on", "登记日期", True),
            choice_field("source", "来源", ("自主排查", "群众申请", "法院委派", "部门移送", "其他"), True),
            choice_field("dispute_type", "纠纷类型", ("婚姻家庭", "邻里", "房屋宅基地", "合同", "生产经营", "损害赔偿", "山林土地", "征地拆迁", "环境污染", "劳动争议", "消费", "医疗", "道路交通事故", "物业", "其他"), True),
            Field(VILLAGE, "村（社区）", "text", width=12),
            text_field("parties", "当事人", width=16),
            long_text_field("summary", "纠纷概况", True),
            text_field("mediator", "调解员", width=10),
            choice_field("status", "状态", ("待调解", "调解中", "调解成功", "调解不成", "终止"), True),
            date_field("closed_on", "结案日期"),
            choice_field("agreement", "协议形式", ("书面", "口头", "无")),
            Field("amount", "涉及金额（元）", "decimal", min_value=0, max_value=AMOUNT_MAX, width=12),
            long_text_field("follow_up", "回访情况"),
            # for the county's forms (returns/definitions.py): 司法部《人民调解统计报表》 and the
            # 矛盾纠纷排查化解 tables of the 综治 (平安建设) offices.  One 防止事项 per dispute,
            # not three yes/no fields: the forms count a dispute once under one heading (件),
            # and its 涉及人数 gives the 人 beside it.
            number_field("people", "涉及人数"),
            choice_field("scale", "纠纷规模", ("一般", "重大", "群体性")),
            choice_field("prevented", "防止事项", ("无", "防止民转刑", "防止群体性上访", "防止自杀")),
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
            date_field("date", "日期", True),
            text_field("person", "咨询人", width=10),
            Field(VILLAGE, "村（社区）", "text", width=12),
            choice_field("channel", "咨询方式", ("来访", "电话", "网络", "上门"), True),
            choice_field("category", "咨询类别", ("婚姻家庭", "劳动", "土地", "合同", "继承", "侵权", "其他")),
            long_text_field("matter", "咨询事项", True),
            text_field("answered_by", "解答人", width=10),
        ),
        title_field="matter",
    ),
    Ledger(
        "key_persons", "重点人员名册", "重点人群",
        (
            text_field("name", "姓名", True, width=10),
            Field("id_number", "身份证号", "idcard", width=20, personal=True, help="社区矫正对象、安置帮教对象必填"),
            choice_field("category", "类别", ("社区矫正对象", "安置帮教对象", "吸毒人员", "严重精神障碍患者"), True),
            choice_field("subcategory", "细类", ("管制", "缓刑", "假释", "暂予监外执行", "刑满释放", "解除矫正", "其他")),
            Field(VILLAGE, "村（社区）", "text", width=12),
            date_field("listed_on", "列管日期", True),
            date_field("released_on", "解除日期"),
            choice_field("release_reason", "解除原因", ("期满解除", "收监执行", "死亡", "迁出", "其他")),
            date_field("reoffended_on", "重新犯罪日期"),
            text_field("responsible", "责任人", width=10),
            PHONE,
            # 安置帮教 (司法部《安置帮教工作统计表》): the 衔接 at release and whether the person
            # is 安置 and 帮教; 社区矫正's 矫正类别 is the 细类 above
            choice_field("handover", "衔接情况", ("必接必送", "未衔接")),
            choice_field("placed", "是否安置", ("是", "否")),
            choice_field("helped", "是否帮教", ("是", "否")),
        ),
        rules=(
            Rule("required_when", ("id_number", "category"), when=("社区矫正对象", "安置帮教对象"), message="社区矫正对象、安置帮教对象必须填写身份证号"),
            Rule("date_order", ("listed_on", "released_on"), message="解除日期不能早于列管日期"),
        ),
        start_field="listed_on", end_field="released_on", title_field="name",
        lookup_field="id_number", picker_fields=(VILLAGE, "category"), overview="重点人群总览",
    ),
    Ledger(
        "visits", "走访记录", "重点人群",
        (
            date_field("date", "日期", True),
            Field("person_id", "重点人员", "ref", True, ref="key_persons", indexed=True, width=12, help="填身份证号，或名册中唯一的姓名", on_purge="cascade"),
            text_field("visitor", "走访人", True, width=10),
            choice_field("method", "走访方式", ("入户走访", "电话", "视频", "来访"), True),
            long_text_field("record", "情况记录"),
        ),
        title_field="record",
    ),
    Ledger(
        "legal_literates", "法律明白人名册", "法律明白人",
        (
            text_field("name", "姓名", True, width=10),
            Field(VILLAGE, "村（社区）", "text", True, width=12),
            text_field("adviser", "结对法律顾问", True, width=12),
            date_field("recognized_on", "认定日期", True),
            date_field("exited_on", "退出日期"),
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
