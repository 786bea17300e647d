"""``--period P`` / ``--from D --to D`` (and ``--year Y`` where a command had it): one period."""

from __future__ import annotations

from app.cli.errors import CliError
from app.core import periods


def add_period_options(sp, *, year: bool = False) -> None:
    if year:
        sp.add_argument("--year", type=int, help="年份（等同于 --period 年份）")
    sp.add_argument("--period", metavar="P", help="统计时段：2025、2025H1、2025Q2、2025-03")
    sp.add_argument("--from", dest="date_from", metavar="D", help="起始日期（与 --to 一起用）")
    sp.add_argument("--to", dest="date_to", metavar="D", help="截止日期（含当天）")


def period_of(args) -> periods.Period:
    """The one period the options name; a Chinese ``CliError`` (exit 2) otherwise."""
    year = getattr(args, "year", None)
    given = [x for x in (year is not None, bool(args.period), bool(args.date_from or args.date_to)) if x]
    if len(given) != 1:
        options = "--year、--period 或 --from/--to" if hasattr(args, "year") else "--period 或 --from/--to"
        raise CliError(f"请用 {options} 之一指定统计时段（只能指定一种）", code=2)
    try:
        if year is not None:
            return periods.year(year)
        if args.period:
            return periods.parse(args.period)
        if not (args.date_from and args.date_to):
            raise CliError("--from 与 --to 要一起使用", code=2)
        return periods.between(args.date_from, args.date_to)
    except periods.PeriodError as exc:
        raise CliError(str(exc), code=2) from None
