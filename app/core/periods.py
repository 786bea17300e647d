"""Periods of DESIGN.md section 3b: a year, a half-year, a quarter, a month, or any range.

A ``Period`` is a first and a last day (both included) with the code a script writes
(``2025Q2``) and the label a clerk reads (``2025年第二季度``).  Figures and returns take their
bounds from it as the SQL parameters ``:lo`` and ``:hi`` (ISO dates), and ``:before`` (the day
before the period, for "active at the start").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from app.core.ledgers.validation import parse_date

Kind = Literal["year", "half", "quarter", "month", "range"]

_QUARTER_NAMES = ("一", "二", "三", "四")


class PeriodError(ValueError):
    """A period a clerk typed that cannot be read; the message is one Chinese line."""


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    kind: Kind = "range"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(f"统计时段的结束日期 {self.end.isoformat()} 早于开始日期 {self.start.isoformat()}")

    # -- as SQL parameters ----------------------------------------------------------------

    @property
    def lo(self) -> str:
        return self.start.isoformat()

    @property
    def hi(self) -> str:
        return self.end.isoformat()

    @property
    def before(self) -> str:
        """The day before the first day: "active at the start" is active on this day's end."""
        return (self.start - dt.timedelta(days=1)).isoformat()

    def params(self) -> dict[str, str]:
        return {"lo": self.lo, "hi": self.hi, "before": self.before}

    # -- names ------------------------------------------------------------------------------

    @property
    def year(self) -> int:
        """The year the period lies in (its first day's, for a range across a new year)."""
        return self.start.year

    @property
    def code(self) -> str:
        """What ``--period`` takes: ``2025``, ``2025H1``, ``2025Q2``, ``2025-03``; a range as
        ``2025-01-05..2025-02-03``."""
        y = self.start.year
        if self.kind == "year":
            return f"{y}"
        if self.kind == "half":
            return f"{y}H{1 if self.start.month == 1 else 2}"
        if self.kind == "quarter":
            return f"{y}Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{y}-{self.start.month:02d}"
        return f"{self.lo}..{self.hi}"

    @property
    def label(self) -> str:
        """``2025年``, ``2025年上半年``, ``2025年第二季度``, ``2025年3月``, or the range's days."""
        y = self.start.year
        if self.kind == "year":
            return f"{y}年"
        if self.kind == "half":
            return f"{y}年{'上' if self.start.month == 1 else '下'}半年"
        if self.kind == "quarter":
            return f"{y}年第{_QUARTER_NAMES[(self.start.month - 1) // 3]}季度"
        if self.kind == "month":
            return f"{y}年{self.start.month}月"
        return self.span_label

    @property
    def span_label(self) -> str:
        """``2025年4月1日至2025年6月30日``: the 统计时段 line of a return."""
        return f"{chinese_date(self.start)}至{chinese_date(self.end)}"

    # -- neighbours -------------------------------------------------------------------------

    def year_before(self) -> Period:
        """The same period a year earlier (同比); 29 February becomes the 28th."""
        return Period(_shift_year(self.start, -1), _shift_year(self.end, -1), self.kind)

    def previous(self) -> Period:
        """The period just before, of the same kind (环比); a range: as many days before."""
        if self.kind == "year":
            return year(self.start.year - 1)
        if self.kind in ("half", "quarter", "month"):
            months = {"half": 6, "quarter": 3, "month": 1}[self.kind]
            return _months(*_add_months(self.start.year, self.start.month, -months), months, self.kind)
        days = (self.end - self.start).days + 1
        return Period(self.start - dt.timedelta(days=days), self.start - dt.timedelta(days=1))

    def __str__(self) -> str:
        return self.label


def chinese_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _shift_year(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _add_months(y: int, m: int, n: int) -> tuple[int, int]:
    k = y * 12 + (m - 1) + n
    return k // 12, k % 12 + 1


def _months(y: int, m: int, count: int, kind: Kind) -> Period:
    ey, em = _add_months(y, m, count - 1)
    return Period(dt.date(y, m, 1), dt.date(ey, em, calendar.monthrange(ey, em)[1]), kind)


def year(y: int) -> Period:
    return _months(_check_year(y), 1, 12, "year")


def half(y: int, h: int) -> Period:
    return _months(_check_year(y), 1 if h == 1 else 7, 6, "half")


def quarter(y: int, q: int) -> Period:
    return _months(_check_year(y), 3 * (q - 1) + 1, 3, "quarter")


def month(y: int, m: int) -> Period:
    return _months(_check_year(y), m, 1, "month")


def between(start: dt.date | str, end: dt.date | str) -> Period:
    """Any range of days, both included; dates as a clerk writes them (``2025/3/5``)."""
    return Period(_date(start), _date(end), "range")


def _check_year(y: int) -> int:
    if not 1900 <= int(y) <= 2999:
        raise PeriodError(f"年份 {y} 不在 1900–2999 之间")
    return int(y)


def _date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if not parsed:
        raise PeriodError(f"无法识别的日期“{value}”，请写成 2025-04-01 或 2025年4月1日")
    return dt.date.fromisoformat(str(parsed))


_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(\d{4})年?"), "year"),
    (re.compile(r"(\d{4})[Hh]([12])"), "half"),
    (re.compile(r"(\d{4})年?([上下])半年"), "half_cn"),
    (re.compile(r"(\d{4})[Qq]([1-4])"), "quarter"),
    (re.compile(r"(\d{4})年?第?([一二三四1-4])季度"), "quarter_cn"),
    (re.compile(r"(\d{4})[-/.](\d{1,2})"), "month"),
    (re.compile(r"(\d{4})年(\d{1,2})月"), "month"),
    (re.compile(r"(\S+?)(?:\.\.|至|~|～)(\S+)"), "range"),
)


def parse(text: str | int) -> Period:
    """``2025``, ``2025H1``/``H2``, ``2025Q1``..``Q4``, ``2025-03``, ``D..D``; the Chinese labels
    (``2025年第二季度``, ``2025年上半年``, ``2025年3月``) read back too.

    >>> parse("2025Q2").label, parse("2025Q2").span_label
    ('2025年第二季度', '2025年4月1日至2025年6月30日')
    """
    s = str(text).strip().replace(" ", "")
    for pattern, kind in _PATTERNS:
        m = pattern.fullmatch(s)
        if not m:
            continue
        if kind == "range":
            return between(m.group(1), m.group(2))
        y = int(m.group(1))
        if kind == "year":
            return year(y)
        if kind == "half":
            return half(y, int(m.group(2)))
        if kind == "half_cn":
            return half(y, 1 if m.group(2) == "上" else 2)
        if kind in ("quarter", "quarter_cn"):
            q = m.group(2)
            return quarter(y, int(q) if q.isdigit() else _QUARTER_NAMES.index(q) + 1)
        mo = int(m.group(2))
        if not 1 <= mo <= 12:
            raise PeriodError(f"月份 {mo} 不在 1–12 之间")
        return month(y, mo)
    raise PeriodError(f"无法识别的统计时段“{text}”，可写 2025、2025H1、2025Q2、2025-03 或用 --from/--to 指定日期")


def as_period(value: Period | int | str) -> Period:
    """A period from what callers hold: a ``Period``, a year (``2024``) or a code."""
    if isinstance(value, Period):
        return value
    if isinstance(value, int):
        return year(value)
    return parse(value)


# -- the picks of the window's period picker ---------------------------------------------------


def this_month(today: dt.date) -> Period:
    return month(today.year, today.month)


def last_month(today: dt.date) -> Period:
    return this_month(today).previous()


def this_quarter(today: dt.date) -> Period:
    return quarter(today.year, (today.month - 1) // 3 + 1)


def last_quarter(today: dt.date) -> Period:
    return this_quarter(today).previous()


def this_half(today: dt.date) -> Period:
    return half(today.year, 1 if today.month <= 6 else 2)


def last_half(today: dt.date) -> Period:
    return this_half(today).previous()
