"""Words of the report that depend on when it is written: the five-year 普法 plan of a year and
the Party meetings a report may cite.  A report of year Y is written after 31 Dec Y, so it cites
only meetings held by then (the 2023 report cannot cite the 二十届三中全会 of July 2024).

The table is data: a meeting held after this program was written is added here (until then a
report cites the ones before it, which is never wrong); the office can always reword 四、.
"""

from __future__ import annotations

import datetime as dt

# (date, 届, 全会: 0 for the 全国代表大会 itself, n for the n-th plenary session)
MEETINGS: tuple[tuple[str, int, int], ...] = (
    ("2017-10-18", 19, 0),
    ("2018-01-18", 19, 2),
    ("2018-02-26", 19, 3),
    ("2019-10-28", 19, 4),
    ("2020-10-26", 19, 5),
    ("2021-11-08", 19, 6),
    ("2022-10-16", 20, 0),
    ("2023-02-26", 20, 2),
    ("2024-07-15", 20, 3),
    ("2025-10-20", 20, 4),
)
PUFA_FIRST_YEAR = 1986  # 一五普法: 1986–1990, one plan every five years
_NUMERALS = "零一二三四五六七八九十"


def _cn(n: int) -> str:
    """1..99 in Chinese numerals (二十, 十九)."""
    if n < 10:
        return _NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[ones] if ones else "")


def pufa(year: int) -> str:
    """The 普法 plan in force in ``year``: 2021–2025 -> 八五, 2026–2030 -> 九五."""
    return f"{_cn((year - PUFA_FIRST_YEAR) // 5 + 1)}五"


def party_meetings(year: int) -> str:
    """The latest 全国代表大会 held by 31 Dec ``year`` and its plenary sessions since (the
    first, which elects the leadership, is not cited): ``党的二十大、二十届二中及三中全会``."""
    end = dt.date(year, 12, 31).isoformat()
    held = [m for m in MEETINGS if m[0] <= end]
    if not held:
        return "党的十九大"
    congress = max(c for _d, c, n in held if n == 0)
    plenums = [n for _d, c, n in held if c == congress and n]
    name = f"党的{_cn(congress)}大"
    if not plenums:
        return name
    term = _cn(congress)
    if len(plenums) > 3:
        return f"{name}和{term}届历次全会"
    parts = [f"{_cn(n)}中" for n in plenums]
    joined = parts[0] if len(parts) == 1 else "、".join(parts[:-1]) + "及" + parts[-1]
    return f"{name}、{term}届{joined}全会"
