"""The periodic returns (报表) of DESIGN.md section 3b, one declaration each.

A return is a table: its rows are the items of one field (村（社区）, 纠纷类型, 类别, 领域),
its columns are named definitions like the figures' — a ledger, the rows it may take (a date
field in the period, or a named ``RowSet``), a condition (SQL over the table alias ``t`` with
the parameters ``:lo``, ``:hi`` and ``:before``), a count or a sum — or a rate of two other
columns.  ``compute.py`` turns the columns into ``GROUP BY`` statements and gives the rows
behind any cell; one more return is one more ``Return(...)`` in ``RETURNS_LIST``.

Stocks and flows are written from the same predicates, so they add up on every row whatever
the data (a closed 状态 without a 结案日期, a 结案日期 before the 登记日期):

- a dispute is *registered by* day d when 登记日期 ≤ d, *closed by* d when its 状态 is closed
  and its 结案日期 is not empty and ≤ d; *open at* d = registered by d and not closed by d;
- 上期未结 = open at the day before, 期末未结 = open at the last day, 登记 = registered in the
  period, 办结 (调解成功 / 调解不成 / 终止 by 状态) = registered and closed by the last day but
  not both by the day before.  Then 上期未结 + 登记 = 办结 + 期末未结 on every row, and one
  period's 期末未结 is the next one's 上期未结.  (For a valid row 办结 is simply "结案日期 in
  the period"; a row closed "before" it was registered counts as closed when registered.)
- a person likewise: listed by d, released by d, on the roster at d; 期初 + 新增 − 解除 = 期末.

The forms followed (titles and issuing bodies; the columns are ours): 司法部《人民调解统计报表》
and 《人民调解工作情况统计表》; the 综治中心 (平安建设) 《矛盾纠纷排查化解情况统计表》; 司法部
《社区矫正工作统计表》 and 《安置帮教工作统计表》; 司法部《行政执法统计年报》 (处罚种类, 罚没金额);
全国普法办《普法依法治理工作统计表》; 司法部《公共法律服务（法律咨询）统计表》.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from app.core.ledgers.catalog import CLOSED_DISPUTE_STATES
from app.core.storage.schema import CLOSED_DISPUTES_INDEX, UNCLOSED_DISPUTE_SQL, UNCLOSED_DISPUTES_INDEX

Kind = Literal["count", "sum", "rate"]
Items = Literal["choices", "villages"]

UNFILLED = "未填"  # the row of rows whose field is empty

# who takes which return (``returns --for``): the county's 司法局, the 综治中心 (平安建设), and
# the town's 党政办 (法治政府建设 and 行政执法)
RECIPIENTS: tuple[str, ...] = ("司法局", "综治", "党政办")


@dataclass(frozen=True)
class RowSet:
    """The rows a group of columns may take, as a union of index reads: ``parts`` are
    ``(index, condition)`` — ``index`` a date field (read through its cover or own index) or
    an index's name — with the period's parameters.  Lets a stock (上期未结) be read without
    the whole history."""

    key: str
    ledger: str
    parts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Column:
    """One column of a return.

    ``kind="count"`` counts, ``kind="sum"`` adds up the column ``sums`` of, the live rows of
    ``ledger`` whose date field ``in_period`` lies in the period (when given; or those of the
    ``RowSet`` ``among``) and that meet ``where``, grouped by the return's item (``group``
    overrides the expression, e.g. through a ``join``).  Columns with neither say in ``where``
    which rows they take (a roster is read whole; ``by`` names a date index to read through).
    ``kind="rate"``: ``ratio = (numerator, (denominator columns…))``, ``—`` when the
    denominator is 0.  ``money`` sums are 元 with two decimals; ``scale`` divides them (万元).
    """

    key: str
    label: str
    kind: Kind = "count"
    ledger: str = ""
    in_period: str | None = None
    where: str = "1"
    sums: str | None = None
    by: str | None = None
    join: str = ""
    group: str | None = None
    ratio: tuple[str, tuple[str, ...]] | None = None
    money: bool = False
    definition: str = ""
    among: RowSet | None = None
    scale: int = 1  # 10000: a sum of 元 shown in 万元

    @property
    def index_field(self) -> str | None:
        """The date column whose index the column's rows are read through."""
        return self.in_period or self.by

    @property
    def decimals(self) -> int:
        """元 with two decimals; a scaled sum (万元) with four: whole 元 stay exact."""
        return 2 if self.scale == 1 else 4


@dataclass(frozen=True)
class Return:
    """One return: ``title`` (the sheet's title after ``{town}{period}``), its items — the
    choice list of ``item_field`` in ``item_ledger`` (``items="choices"``; ``item_choices``
    narrows it) or the settings' villages (``"villages"``), then any other value found, then
    未填 — its columns, and the offices it goes to (``recipients``)."""

    key: str
    title: str
    item_label: str
    item_ledger: str
    item_field: str
    columns: tuple[Column, ...]
    items: Items = "choices"
    short: str = ""  # what ``--name`` may also say, and the sheet's name
    recipients: tuple[str, ...] = RECIPIENTS
    item_choices: tuple[str, ...] | None = None

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"报表“{self.title}”没有“{key}”这一栏")


# -- the predicates every stock and flow is written from ----------------------------------------

_CLOSED_STATES = ", ".join(f"'{s}'" for s in CLOSED_DISPUTE_STATES)


def _registered_by(day: str) -> str:
    return f"IFNULL(t.registered_on <= {day}, 0)"


def _closed_by(day: str) -> str:
    return f"(IFNULL(t.status, '') IN ({_CLOSED_STATES}) AND IFNULL(t.closed_on, '') <> '' AND t.closed_on <= {day})"


def _open_at(day: str) -> str:
    return f"({_registered_by(day)} AND NOT {_closed_by(day)})"


CLOSED_IN_PERIOD = (
    f"({_registered_by(':hi')} AND {_closed_by(':hi')}"
    f" AND NOT ({_registered_by(':before')} AND {_closed_by(':before')}))"
)
REGISTERED_IN_PERIOD = "t.registered_on BETWEEN :lo AND :hi"


def _listed_by(day: str) -> str:
    return f"IFNULL(t.listed_on <= {day}, 0)"


def _released_by(day: str) -> str:
    return f"(IFNULL(t.released_on, '') <> '' AND t.released_on <= {day})"


def _on_roster(day: str) -> str:
    return f"({_listed_by(day)} AND NOT {_released_by(day)})"


LISTED_IN_PERIOD = "t.listed_on BETWEEN :lo AND :hi"
RELEASED_IN_PERIOD = (
    f"({_listed_by(':hi')} AND {_released_by(':hi')} AND NOT ({_listed_by(':before')} AND {_released_by(':before')}))"
)

# the disputes a period's dispute columns may take: registered in it, registered by its end and
# closed on or after its first day (so open at its start, or closed in it), or never closed by
# a date
DISPUTES_IN_PLAY = RowSet(
    "disputes_in_play",
    "disputes",
    (
        ("registered_on", "registered_on BETWEEN :lo AND :hi"),
        (CLOSED_DISPUTES_INDEX, "closed_on >= :lo AND registered_on <= :hi"),
        (UNCLOSED_DISPUTES_INDEX, f"{UNCLOSED_DISPUTE_SQL} AND registered_on <= :hi"),
    ),
)

_DISPUTES = {"ledger": "disputes", "among": DISPUTES_IN_PLAY}
_KEY_PERSONS = {"ledger": "key_persons"}
_INSPECTED = {"ledger": "inspections", "in_period": "date"}
_DECIDED = {"ledger": "penalties", "in_period": "decided_on"}


def _closed_as(status: str) -> str:
    return f"{CLOSED_IN_PERIOD} AND t.status = '{status}'"


_SUCCESS = _closed_as("调解成功")


def _dispute_flows(*, screened: bool) -> tuple[Column, ...]:
    """上期未结 · 登记 (· 自主排查) · 调解成功 · 调解不成 · 终止 · 期末未结 · 成功率."""
    return (
        Column("carried", "上期未结", **_DISPUTES, where=_open_at(":before"),
               definition="本期第一天的前一天未结的件数（即上期的期末未结）"),
        Column("registered", "登记", **_DISPUTES, where=REGISTERED_IN_PERIOD, definition="登记日期在本期的件数"),
        *((Column("screened", "自主排查", **_DISPUTES, where=f"{REGISTERED_IN_PERIOD} AND t.source = '自主排查'",
                  definition="登记日期在本期、来源为自主排查的件数"),) if screened else ()),
        Column("success", "调解成功", **_DISPUTES, where=_SUCCESS,
               definition="本期办结（结案日期在本期）、状态为调解成功的件数"),
        Column("failure", "调解不成", **_DISPUTES, where=_closed_as("调解不成"),
               definition="本期办结（结案日期在本期）、状态为调解不成的件数"),
        Column("terminated", "终止", **_DISPUTES, where=_closed_as("终止"),
               definition="本期办结（结案日期在本期）、状态为终止的件数"),
        Column("open", "期末未结", **_DISPUTES, where=_open_at(":hi"),
               definition="登记日期不晚于期末、到期末未办结（状态未结，或结案日期为空或在期末之后）的件数；"
                          "上期未结 + 登记 = 调解成功 + 调解不成 + 终止 + 期末未结"),
        Column("success_rate", "成功率", kind="rate", ratio=("success", ("success", "failure")),
               definition="调解成功 / (调解成功 + 调解不成)"),
    )  # fmt: skip


def _roster_flows(category: str, *, reoffended: bool = True) -> tuple[Column, ...]:
    """期初 · 新增 · 解除 · 期末 (· 重新犯罪) of one 类别 of 重点人员 (all when ``category`` is '')."""
    of = f" AND t.category = '{category}'" if category else ""
    return (
        Column("opening", "期初", **_KEY_PERSONS, where=f"{_on_roster(':before')}{of}",
               definition="本期第一天的前一天在册的人数（即上期的期末）"),
        Column("added", "新增", **_KEY_PERSONS, where=f"{LISTED_IN_PERIOD}{of}", definition="列管日期在本期的人数"),
        Column("released", "解除", **_KEY_PERSONS, where=f"{RELEASED_IN_PERIOD}{of}",
               definition="解除日期在本期的人数；期初 + 新增 − 解除 = 期末"),
        Column("closing", "期末", **_KEY_PERSONS, where=f"{_on_roster(':hi')}{of}",
               definition="本期最后一天在册的人数"),
        *((Column("reoffended", "重新犯罪", **_KEY_PERSONS, where=f"t.reoffended_on BETWEEN :lo AND :hi{of}",
                  definition="重新犯罪日期在本期的人数"),) if reoffended else ()),
    )  # fmt: skip


def _penalty_kind(key: str, label: str, kinds: tuple[str, ...]) -> Column:
    names = ", ".join(f"'{k}'" for k in kinds)
    return Column(key, label, **_DECIDED, where=f"t.penalty IN ({names})",
                  definition=f"决定日期在本期、处罚种类为{'、'.join(kinds)}的次数")  # fmt: skip


_OTHER_PENALTIES = ("警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "吊销许可证件",
                    "责令停产停业", "责令关闭")  # fmt: skip


def _prevented(key: str, what: str) -> tuple[Column, Column]:
    where = f"{_SUCCESS} AND t.prevented = '{what}'"
    return (
        Column(f"{key}_cases", f"{what}（件）", **_DISPUTES, where=where,
               definition=f"本期调解成功、防止事项为{what}的件数"),
        Column(f"{key}_people", f"{what}（人）", kind="sum", **_DISPUTES, where=where, sums="people",
               definition=f"本期调解成功、防止事项为{what}的纠纷涉及人数之和"),
    )  # fmt: skip


RETURNS_LIST: tuple[Return, ...] = (
    # 司法部《人民调解统计报表》 (受理/调解成功/协议形式/涉及金额) and the 综治中心《矛盾纠纷排查化解
    # 情况统计表》 (上期结转, 排查, 期末未结)
    Return(
        "disputes_by_village", "矛盾纠纷排查化解情况统计表", "村（社区）", "disputes", "village",
        items="villages", short="矛盾纠纷排查化解", recipients=("司法局", "综治"),
        columns=(
            *_dispute_flows(screened=True),
            Column("written", "书面协议", **_DISPUTES, where=f"{_SUCCESS} AND t.agreement = '书面'",
                   definition="本期调解成功、协议形式为书面的件数"),
            Column("oral", "口头协议", **_DISPUTES, where=f"{_SUCCESS} AND t.agreement = '口头'",
                   definition="本期调解成功、协议形式为口头的件数"),
            Column("amount", "涉及金额（元）", kind="sum", **_DISPUTES, where=_SUCCESS, sums="amount", money=True,
                   definition="本期调解成功的纠纷涉及金额之和"),
            Column("people", "涉及人数", kind="sum", **_DISPUTES, where=REGISTERED_IN_PERIOD, sums="people",
                   definition="登记日期在本期的纠纷涉及人数之和"),
        ),
    ),
    Return(
        "disputes_by_type", "矛盾纠纷类型统计表", "纠纷类型", "disputes", "dispute_type", short="矛盾纠纷类型",
        recipients=("司法局", "综治"), columns=_dispute_flows(screened=False),
    ),
    # 司法部《人民调解工作情况统计表》: 防止民间纠纷转化为刑事案件 / 群体性上访 / 自杀 (件, 人);
    # 重大、群体性纠纷 as the 综治 排查 tables count them
    Return(
        "dispute_prevention", "矛盾纠纷预防化解成效统计表", "村（社区）", "disputes", "village",
        items="villages", short="预防化解成效", recipients=("司法局", "综治"),
        columns=(
            Column("major", "重大纠纷", **_DISPUTES, where=f"{REGISTERED_IN_PERIOD} AND t.scale = '重大'",
                   definition="登记日期在本期、纠纷规模为重大的件数"),
            Column("group_cases", "群体性纠纷", **_DISPUTES, where=f"{REGISTERED_IN_PERIOD} AND t.scale = '群体性'",
                   definition="登记日期在本期、纠纷规模为群体性的件数"),
            Column("group_people", "群体性纠纷涉及人数", kind="sum", **_DISPUTES, sums="people",
                   where=f"{REGISTERED_IN_PERIOD} AND t.scale = '群体性'",
                   definition="登记日期在本期的群体性纠纷涉及人数之和"),
            *_prevented("crime", "防止民转刑"),
            *_prevented("petition", "防止群体性上访"),
            *_prevented("suicide", "防止自杀"),
        ),
    ),
    Return(
        "key_person_changes", "重点人群变动情况表", "类别", "key_persons", "category", short="重点人群变动",
        recipients=("司法局", "综治"),
        columns=(
            *_roster_flows(""),
            Column("visits", "走访次数", ledger="visits", in_period="date",
                   join="JOIN key_persons AS p ON p.id = t.person_id AND p.deleted_at IS NULL", group="p.category",
                   definition="本期走访记录中该类别人员的走访次数"),
        ),
    ),
    # 司法部《社区矫正工作统计表》: 在册 by 矫正类别 (管制, 缓刑, 假释, 暂予监外执行), 收监执行
    Return(
        "corrections", "社区矫正对象情况统计表", "矫正类别", "key_persons", "subcategory", short="社区矫正",
        recipients=("司法局",), item_choices=("管制", "缓刑", "假释", "暂予监外执行"),
        columns=(
            *_roster_flows("社区矫正对象"),
            Column("revoked", "其中收监执行", **_KEY_PERSONS,
                   where=f"{RELEASED_IN_PERIOD} AND t.category = '社区矫正对象' AND t.release_reason = '收监执行'",
                   definition="本期解除、解除原因为收监执行的人数"),
        ),
    ),
    # 司法部《安置帮教工作统计表》 (half-yearly): 衔接 (必接必送), 安置率, 帮教率
    Return(
        "resettlement", "安置帮教工作情况统计表", "村（社区）", "key_persons", "village",
        items="villages", short="安置帮教", recipients=("司法局",),
        columns=(
            *_roster_flows("安置帮教对象", reoffended=False),
            Column("handed_over", "必接必送", **_KEY_PERSONS,
                   where=f"{LISTED_IN_PERIOD} AND t.category = '安置帮教对象' AND t.handover = '必接必送'",
                   definition="本期新增、衔接情况为必接必送的人数"),
            Column("not_handed_over", "未衔接", **_KEY_PERSONS,
                   where=f"{LISTED_IN_PERIOD} AND t.category = '安置帮教对象' AND t.handover = '未衔接'",
                   definition="本期新增、衔接情况为未衔接的人数"),
            Column("handover_rate", "衔接率", kind="rate", ratio=("handed_over", ("added",)),
                   definition="必接必送 / 新增"),
            Column("placed", "已安置", **_KEY_PERSONS,
                   where=f"{_on_roster(':hi')} AND t.category = '安置帮教对象' AND t.placed = '是'",
                   definition="期末在册、是否安置为是的人数"),
            Column("placed_rate", "安置率", kind="rate", ratio=("placed", ("closing",)), definition="已安置 / 期末"),
            Column("helped", "已帮教", **_KEY_PERSONS,
                   where=f"{_on_roster(':hi')} AND t.category = '安置帮教对象' AND t.helped = '是'",
                   definition="期末在册、是否帮教为是的人数"),
            Column("helped_rate", "帮教率", kind="rate", ratio=("helped", ("closing",)), definition="已帮教 / 期末"),
            Column("reoffended", "重新犯罪", **_KEY_PERSONS,
                   where="t.reoffended_on BETWEEN :lo AND :hi AND t.category = '安置帮教对象'",
                   definition="重新犯罪日期在本期的人数"),
        ),
    ),
    # 司法部《行政执法统计年报》: 处罚种类 grouped as the form groups them, 罚没金额 in 万元 too
    Return(
        "enforcement", "行政执法情况统计表", "领域", "inspections", "domain", short="行政执法",
        recipients=("党政办",),
        columns=(
            Column("inspections", "行政检查", **_INSPECTED, where="t.method IS NOT '综合查一次'",
                   definition="日期在本期、检查方式不是综合查一次的检查次数"),
            Column("joint", "综合查一次", **_INSPECTED, where="t.method = '综合查一次'",
                   definition="日期在本期、检查方式为综合查一次的次数"),
            Column("penalties", "行政处罚", **_DECIDED, definition="决定日期在本期的行政处罚次数"),
            Column("fines", "罚没金额（元）", kind="sum", **_DECIDED, sums="amount", money=True,
                   definition="决定日期在本期的行政处罚罚没金额之和"),
            Column("fines_wan", "罚没金额（万元）", kind="sum", **_DECIDED, sums="amount", money=True, scale=10000,
                   definition="决定日期在本期的行政处罚罚没金额之和，以万元计"),
            _penalty_kind("warnings", "警告/通报批评", ("警告", "通报批评")),
            _penalty_kind("fined", "罚款", ("罚款",)),
            _penalty_kind("confiscated", "没收", ("没收违法所得", "没收非法财物")),
            _penalty_kind("suspended", "暂扣/吊销", ("暂扣许可证件", "吊销许可证件")),
            _penalty_kind("stopped", "责令停产停业", ("责令停产停业", "责令关闭")),
            Column("other_penalties", "其他", **_DECIDED,
                   where=f"IFNULL(t.penalty, '') NOT IN ({', '.join(repr(k) for k in _OTHER_PENALTIES)})",
                   definition="决定日期在本期、处罚种类为其他（或未填）的次数"),
        ),
    ),
    # 全国普法办《普法依法治理工作统计表》: 活动场次, 受教育（参与）人次, 发放资料份数
    Return(
        "publicity", "普法宣传活动情况统计表", "对象类型", "publicity_events", "target", short="普法宣传",
        recipients=("司法局", "党政办"),
        columns=(
            Column("events", "活动场次", ledger="publicity_events", in_period="date",
                   definition="日期在本期的普法宣传活动场次"),
            Column("participants", "参与人次", kind="sum", ledger="publicity_events", in_period="date",
                   sums="participants", definition="日期在本期的活动参与人数之和"),
            Column("materials", "资料份数", kind="sum", ledger="publicity_events", in_period="date",
                   sums="materials", definition="日期在本期的活动发放资料份数之和"),
        ),
    ),
    # 司法部《公共法律服务（法律咨询）统计表》: 咨询人次 by 方式 and 类别
    Return(
        "consultations", "法律咨询情况统计表", "咨询类别", "consultations", "category", short="法律咨询",
        recipients=("司法局",),
        columns=(
            Column("consulted", "咨询人次", ledger="consultations", in_period="date",
                   definition="日期在本期的法律咨询人次"),
            *(Column(f"by_{i}", channel, ledger="consultations", in_period="date", where=f"t.channel = '{channel}'",
                     definition=f"日期在本期、咨询方式为{channel}的人次")
              for i, channel in enumerate(("来访", "电话", "网络", "上门"))),
            Column("by_other", "其他方式", ledger="consultations", in_period="date",
                   where="IFNULL(t.channel, '') NOT IN ('来访', '电话', '网络', '上门')",
                   definition="日期在本期、咨询方式为其他或未填的人次"),
        ),
    ),
)  # fmt: skip

RETURNS: dict[str, Return] = {r.key: r for r in RETURNS_LIST}


def for_recipient(recipient: str | None) -> list[Return]:
    """The returns one office takes (all for ``None``); ``KeyError`` with a Chinese message."""
    if not recipient:
        return list(RETURNS_LIST)
    text = recipient.strip()
    if text not in RECIPIENTS:
        raise KeyError(f"没有报送单位“{recipient}”，可选：{'、'.join(RECIPIENTS)}")
    return [r for r in RETURNS_LIST if text in r.recipients]


def choose(names: Sequence[str] | None = None, recipient: str | None = None) -> list[Return]:
    """The returns named (all when none) that ``recipient`` takes (all offices' when none);
    ``KeyError`` with a Chinese message for a wrong name or an empty choice."""
    chosen = [find(n) for n in names] if names else list(RETURNS_LIST)
    if recipient:
        takes = for_recipient(recipient)
        chosen = [r for r in chosen if r in takes]
        if not chosen:
            raise KeyError(f"{recipient.strip()}不报送所选的报表，它报送：{'、'.join(r.title for r in takes)}")
    return chosen


def find(name: str) -> Return:
    """A return by its key, its title or its short name (``--name``)."""
    text = name.strip()
    exact = [r for r in RETURNS_LIST if text in (r.key, r.title, r.short)]
    partial = [r for r in RETURNS_LIST if len(text) >= 2 and text in r.title]
    if exact or len(partial) == 1:
        return (exact or partial)[0]
    names = "、".join(r.title for r in RETURNS_LIST)
    if partial:
        raise KeyError(f"“{name}”可指多张报表，请写全名：{names}")
    raise KeyError(f"没有名为“{name}”的报表，可选：{names}")
