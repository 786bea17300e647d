"""``demo`` and ``figures``."""

from __future__ import annotations

import json
from typing import Any

from app.cli.common import open_store
from app.cli.errors import CliError
from app.cli.period_args import period_of
from app.core.demo.generator import DemoError, fill
from app.core.figures.approx import rate
from app.core.figures.compute import compute
from app.core.figures.definitions import FIGURES, Figure
from app.core.ledgers import catalog


def cmd_demo(args) -> int:
    store = open_store(args)
    try:
        counts = fill(store, year=args.year)
    except DemoError as exc:
        raise CliError(str(exc)) from None
    finally:
        store.close()
    total = sum(counts.values())
    print(f"已填入{args.year}年演示数据（丰都县武平镇），共 {total} 行：")
    for lg in catalog.LEDGERS:
        print(f"  {lg.name}：{counts.get(lg.id, 0)} 行")
    return 0


def show(value: Any, fig: Figure) -> str:
    """A figure as the table shows it: exact number, rate in %, list joined by 、."""
    if fig.kind == "rate":
        return rate(value)
    if fig.kind == "ranking":
        return "、".join(value) if value else "—"
    return f"{value}{fig.unit}"


def cmd_figures(args) -> int:
    period = period_of(args)
    store = open_store(args)
    try:
        town = str(store.setting("town") or "")
        if getattr(args, "town", None) and args.town.strip() != town:
            raise CliError(f"本数据库是{town}的台账，没有“{args.town}”的数据", code=2)
        current = compute(store, period)
        previous = None if args.json else compute(store, period.year_before())
    finally:
        store.close()
    if args.json:
        print(json.dumps(current, ensure_ascii=False, indent=2))
        return 0
    labels = [(fig.label, show(current[key], fig), show(previous[key], fig)) for key, fig in FIGURES.items()]
    width = max(_width(label) for label, _, _ in labels) + 2
    cur_width = max(_width(v) for _, v, _ in labels if _width(v) <= 16) + 2  # a long list may overhang
    print(_pad("项目", width) + _pad(period.label, cur_width) + period.year_before().label)
    for label, cur, prev in labels:
        print(_pad(label, width) + _pad(cur, cur_width) + prev)
    return 0


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 1)
