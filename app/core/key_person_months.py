"""The 重点人群 变动 by month: who was on the roster at each month's start and end, who was
listed and who released in it.  Same definitions as the year's ``key_person_changes``
(figures), so January's 月初 is the 期初 and December's 月末 the 期末."""

from __future__ import annotations

import calendar


def on_roster(row: dict, day: str) -> bool:
    """On the roster at the end of ``day``: listed by then and not released by then."""
    start, end = row.get("listed_on"), row.get("released_on")
    return bool(start) and start <= day and (not end or end > day)


def month_end(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def monthly_changes(rows: list[dict], year: int) -> list[dict[str, list[int]]]:
    """For each month of ``year``: ids 月初 (on the roster at the end of the month before),
    新增 (listed in the month), 解除 (released in it), 月末 (on the roster at its end).

    Same definitions as the year's ``key_person_changes``, so January's 月初 is the 期初 and
    December's 月末 the 期末.
    """
    out = []
    before = f"{year - 1:04d}-12-31"
    for m in range(1, 13):
        lo, hi = f"{year:04d}-{m:02d}-01", month_end(year, m)
        out.append(
            {
                "opening": [r["id"] for r in rows if on_roster(r, before)],
                "added": [r["id"] for r in rows if r.get("listed_on") and lo <= r["listed_on"] <= hi],
                "released": [r["id"] for r in rows if r.get("released_on") and lo <= r["released_on"] <= hi],
                "closing": [r["id"] for r in rows if on_roster(r, hi)],
            }
        )
        before = hi
    return out


def year_change_ids(rows: list[dict], year: int) -> dict[str, list[int]]:
    """The ids behind the year's 期初/新增/解除/期末 of some rows."""
    months = monthly_changes(rows, year)
    return {
        "opening": months[0]["opening"],
        "added": [i for m in months for i in m["added"]],
        "released": [i for m in months for i in m["released"]],
        "closing": months[-1]["closing"],
    }
