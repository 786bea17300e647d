"""The periodic returns (报表) of DESIGN.md section 3b, one declaration each.

A return is a table: its rows are the items of one field (村（社区）, 纠纷类型, 类别, 领域),
its columns are named definitions like the figures' — a ledger, the date field that falls in
the period, a condition (SQL over the table alias ``t`` with the parameters ``:lo``, ``:hi``
and ``:before``), a count or a sum — or a rate of two other columns.  ``compute.py`` turns
the columns into ``GROUP BY`` statements and gives the rows behind any cell; a fifth return
is one more ``Return(...)`` in ``RETURNS_LIST``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["count", "sum", "rate"]
Items = Literal["choices", "villages"]

UNFILLED = "未填"  # the row of rows whose field is empty


@dataclass(frozen=True)
class Column:
    """One column of a return.

    ``kind="count"`` counts, ``kind="sum"`` adds up the column ``sums`` of, the live rows of
    ``ledger`` whose date field ``in_period`` lies in the period (when given) and that meet
    ``where``, grouped by the return's item (``group`` overrides the expression, e.g. through
    a ``join``).  Columns without ``in_period`` (期初, 期末未结) say in ``where`` which rows
    they take, and in ``by`` which date index to read them through.  ``kind="rate"``:
    ``ratio = (numerator, (denominator columns…))``, ``—`` when the denominator is 0.
    ``money`` sums are 元 with two decimals.
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

    @property
    def index_field(self) -> str | None:
        """The date column whose index the column's rows are read through."""
        return self.in_period or self.by


@dataclass(frozen=True)
class Return:
    """One return: ``title`` (the sheet's title after ``{town}{period}``), its items — the
    choice list of ``item_field`` in ``item_ledger`` (``items="choices"``) or the settings'
    villages (``"villages"``), then any other value found, then 未填 — and its columns."""

    key: str
    title: str
    item_label: str
    item_ledger: str
    item_field: str
    columns: tuple[Column, ...]
    items: Items = "choices"
    short: str = ""  # what ``--name`` may also say

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"报表“{self.title}”没有“{key}”这一栏")


def _active(start: str, end: str, at: str) -> str:
    return f't."{start}" <= {at} AND (t."{end}" IS NULL OR t."{end}" = \'\' OR t."{end}" > {at})'


_DISPUTES = {"ledger": "disputes"}
_REGISTERED = {**_DISPUTES, "in_period": "registered_on"}
_CLOSED = {**_DISPUTES, "in_period": "closed_on"}
_KEY_PERSONS = {"ledger": "key_persons"}
_INSPECTED = {"ledger": "inspections", "in_period": "date"}
_DECIDED = {"ledger": "penalties", "in_period": "decided_on"}


def _dispute_outcomes() -> tuple[Column, ...]:
    return (
        Column("success", "调解成功", **_CLOSED, where="t.status = '调解成功'",
               definition="结案日期在本期、状态为调解成功的件数"),
        Column("failure", "调解不成", **_CLOSED, where="t.status = '调解不成'",
               definition="结案日期在本期、状态为调解不成的件数"),
        Column("success_rate", "成功率", kind="rate", ratio=("success", ("success", "failure")),
               definition="调解成功 / (调解成功 + 调解不成)"),
    )  # fmt: skip


_REGISTERED_COLUMN = Column("registered", "登记", **_REGISTERED, definition="登记日期在本期的件数")

RETURNS_LIST: tuple[Return, ...] = (
    Return(
        "disputes_by_village", "矛盾纠纷排查化解情况统计表", "村（社区）", "disputes", "village",
        items="villages", short="矛盾纠纷排查化解",
        columns=(
            _REGISTERED_COLUMN,
            Column("screened", "自主排查", **_REGISTERED, where="t.source = '自主排查'",
                   definition="登记日期在本期、来源为自主排查的件数"),
            *_dispute_outcomes(),
            Column("written", "书面协议", **_CLOSED, where="t.status = '调解成功' AND t.agreement = '书面'",
                   definition="本期调解成功、协议形式为书面的件数"),
            Column("amount", "涉及金额（元）", kind="sum", **_CLOSED, where="t.status = '调解成功'", sums="amount",
                   money=True, definition="本期调解成功的纠纷涉及金额之和"),
            # read through the 结案日期 index: the rows still open or closed after the period
            # (few), not every dispute registered before its end (the whole history)
            Column("open", "期末未结", **_DISPUTES, by="closed_on",
                   where="(t.closed_on IS NULL OR t.closed_on = '' OR t.closed_on > :hi) AND t.registered_on <= :hi",
                   definition="登记日期不晚于期末、结案日期为空或在期末之后的件数"),
        ),
    ),
    Return(
        "disputes_by_type", "矛盾纠纷类型统计表", "纠纷类型", "disputes", "dispute_type", short="矛盾纠纷类型",
        columns=(_REGISTERED_COLUMN, *_dispute_outcomes()),
    ),
    Return(
        "key_person_changes", "重点人群变动情况表", "类别", "key_persons", "category", short="重点人群变动",
        columns=(
            Column("opening", "期初", **_KEY_PERSONS, where=_active("listed_on", "released_on", ":before"),
                   definition="本期第一天的前一天在册的人数"),
            Column("added", "新增", **_KEY_PERSONS, in_period="listed_on", definition="列管日期在本期的人数"),
            Column("released", "解除", **_KEY_PERSONS, in_period="released_on", definition="解除日期在本期的人数"),
            Column("closing", "期末", **_KEY_PERSONS, where=_active("listed_on", "released_on", ":hi"),
                   definition="本期最后一天在册的人数"),
            Column("reoffended", "重新犯罪", **_KEY_PERSONS, in_period="reoffended_on",
                   definition="重新犯罪日期在本期的人数"),
            Column("visits", "走访次数", ledger="visits", in_period="date",
                   join="JOIN key_persons AS p ON p.id = t.person_id AND p.deleted_at IS NULL", group="p.category",
                   definition="本期走访记录中该类别人员的走访次数"),
        ),
    ),
    Return(
        "enforcement", "行政执法情况统计表", "领域", "inspections", "domain", short="行政执法",
        columns=(
            Column("inspections", "行政检查", **_INSPECTED, where="t.method IS NOT '综合查一次'",
                   definition="日期在本期、检查方式不是综合查一次的检查次数"),
            Column("joint", "综合查一次", **_INSPECTED, where="t.method = '综合查一次'",
                   definition="日期在本期、检查方式为综合查一次的次数"),
            Column("penalties", "行政处罚", **_DECIDED, definition="决定日期在本期的行政处罚次数"),
            Column("fines", "罚没金额（元）", kind="sum", **_DECIDED, sums="amount", money=True,
                   definition="决定日期在本期的行政处罚罚没金额之和"),
        ),
    ),
)  # fmt: skip

RETURNS: dict[str, Return] = {r.key: r for r in RETURNS_LIST}


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
