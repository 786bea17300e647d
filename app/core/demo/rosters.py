"""Demo rosters: 执法人员名册, 执法事项清单, 重点人员名册 (+ 走访记录), 法律明白人名册.

Rosters span years: "active at year end" figures come from start/end dates around the demo
year Y, including people who stay on the roster across the year end.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import pools
from .base import Gen

Row = dict[str, Any]


def officers(g: Gen) -> list[Row]:
    """10 officers; 8 active at the end of Y (one leaves in Y+1), 8 at the end of Y-1."""
    y = g.year
    spans = [  # (certified_on, left_on)
        (f"{y - 1}-03-15", None), (f"{y - 1}-03-15", None), (f"{y - 1}-03-15", None),
        (f"{y - 2}-06-20", None), (f"{y - 2}-06-20", None), (f"{y - 1}-09-08", None),
        (f"{y - 2}-06-20", g.date(y + 1, 3)),  # active across the year end
        (g.date(y, 3, 1, 15), None),  # new in Y
        (f"{y - 3}-05-12", g.date(y, 5, 10, 25)),  # leaves during Y
        (f"{y - 3}-05-12", g.date(y - 1, 7)),  # left the year before
    ]  # fmt: skip
    rows = []
    for i, (start, end) in enumerate(spans):
        rows.append(
            {
                "name": g.name(),
                "cert_no": f"渝执{5002300 + int(start[:4]) % 100 * 100 + i:08d}",
                "category": "综合行政执法",
                "certified_on": start,
                "left_on": end,
                "phone": g.phone(),
            }
        )
    return rows


def matters(g: Gen) -> list[Row]:
    """91 matters active at the end of Y: 87 taken in Y-1 (2 cancelled in Y, 1 in Y+1), 6 new in Y."""
    y = g.year
    titles = [
        (domain, f"对{obj}的{action}")
        for domain, objs in pools.MATTER_OBJECTS.items()
        for obj in objs
        for action in pools.MATTER_ACTIONS
    ]
    g.rng.shuffle(titles)
    spans = (
        [(f"{y - 1}-03-01", None)] * 79
        + [(f"{y - 1}-09-15", None)] * 5
        + [(f"{y - 1}-03-01", f"{y}-07-01")] * 2  # cancelled in Y
        + [(f"{y}-06-18", None)] * 5
        + [(f"{y - 1}-09-15", f"{y + 1}-01-15")]  # cancelled after the year end: still counts
        + [(f"{y}-06-18", None)]
        + [(f"{y + 1}-02-20", None)]  # taken next year
        + [(f"{y}-06-18", None)]  # entered twice by mistake: deleted
    )
    rows = []
    for (domain, title), (start, end) in zip(titles, spans, strict=False):
        rows.append(
            {"title": title, "domain": domain, "taken_on": start, "cancelled_on": end, "basis": pools.LAWS[domain]}
        )
    rows[-1]["_deleted"] = True
    return rows


def _person(g: Gen, category: str, sub: str, listed: str, released: str | None, reason: str | None = None) -> Row:
    female = g.rng.random() < 0.15
    age = g.rng.randint(24, 62)
    return {
        "name": g.name(female),
        "id_number": g.id_number(int(listed[:4]) - age, female),
        "category": category,
        "subcategory": sub,
        "village": g.village(),
        "listed_on": listed,
        "released_on": released,
        "release_reason": reason or ("期满解除" if released else None),
        "reoffended_on": None,
        "responsible": g.rng.choice(pools.JUSTICE_STAFF),
        "phone": g.phone(),
    }


def key_persons(g: Gen) -> list[Row]:
    y, rows = g.year, []
    corr = "社区矫正对象"
    for sub, listed, released in (
        ("缓刑", g.date(y - 1, 5), g.date(y, 6)),  # released in Y
        ("缓刑", g.date(y - 1, 3), None),
        ("假释", g.date(y - 1, 9), None),
        ("缓刑", g.date(y, 4), None),
        ("管制", g.date(y - 2, 11), g.date(y + 1, 3)),  # active across the year end
        ("缓刑", g.date(y - 2, 2), g.date(y - 1, 8)),  # released the year before
        ("缓刑", g.date(y + 1, 1, 5, 20), None),  # listed next year
    ):
        rows.append(_person(g, corr, sub, listed, released))
    res = "安置帮教对象"

    def five_years(listed: str) -> str:
        return g.same_day(listed, int(listed[:4]) + 5)

    for _ in range(12):  # listed Y-5, released in Y after five years: 解除 12
        listed = g.date(y - 5, g.rng.randint(1, 12))
        rows.append(_person(g, res, "刑满释放", listed, five_years(listed)))
    rows[-1]["release_reason"] = "迁出"
    for _ in range(3):  # listed Y-4, released in Y+1
        listed = g.date(y - 4, g.rng.randint(2, 12))
        rows.append(_person(g, res, "刑满释放", listed, five_years(listed)))
    for offset, n in ((-4, 7), (-3, 8), (-2, 8), (-1, 10)):  # on the roster throughout Y
        for _ in range(n):
            rows.append(_person(g, res, "刑满释放", g.date(y + offset, g.rng.randint(1, 12)), None))
    for month in g.rng.sample(range(1, 13), 12):  # 新增 12 in Y
        rows.append(_person(g, res, "刑满释放", g.date(y, month), None))
    for _ in range(9):  # released the year before
        listed = g.date(y - 6, g.rng.randint(1, 12))
        rows.append(_person(g, res, "刑满释放", listed, five_years(listed)))
    rows.append(_person(g, res, "刑满释放", g.date(y + 1, 2), None))  # listed next year
    dup = dict(rows[-2], _deleted=True, id_number=g.id_number(1980, False))  # entered twice, deleted
    rows.append(dup)
    drug = "吸毒人员"
    for offset in (-4, -3, -2, -1):
        rows.append(_person(g, drug, "其他", g.date(y + offset, g.rng.randint(1, 12)), None))
    old = _person(g, drug, "其他", g.date(y - 5, 6), g.date(y - 1, 6), "其他")
    old["reoffended_on"] = g.date(y - 2, 10)  # reoffended long ago: not in Y or Y-1
    rows.append(old)
    for offset in (-6, -5, -4, -3, -2):
        rows.append(_person(g, "严重精神障碍患者", "其他", g.date(y + offset, g.rng.randint(1, 12)), None))
    return rows


def _months_active(p: Row, year: int) -> list[tuple[int, str, str]]:
    """(month, first, last day on the roster) for each month of ``year`` the person is on it."""
    out = []
    for m in range(1, 13):
        first = dt.date(year, m, 1)
        last = (dt.date(year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).isoformat()
        lo = max(first.isoformat(), p["listed_on"])
        hi = min(last, p["released_on"] or last)
        if lo <= hi:
            out.append((m, lo, hi))
    return out


def visits(g: Gen, persons: list[Row]) -> list[Row]:
    """Monthly visits to 社区矫正 and 安置帮教 people in Y-1 and Y (and January Y+1);
    quarterly ones to the others.  ``_person_id`` is the index into ``persons``."""
    rows = []
    methods = {"入户走访": 70, "电话": 15, "视频": 10, "来访": 5}
    for i, p in enumerate(persons):
        if p.get("_deleted"):
            continue
        monthly = p["category"] in ("社区矫正对象", "安置帮教对象")
        for year in (g.year - 1, g.year, g.year + 1):
            for m, lo, hi in _months_active(p, year):
                if year > g.year and m > 1:
                    break
                if not monthly and m % 3:
                    continue
                times = 2 if p["category"] == "社区矫正对象" else 1
                for _ in range(times):
                    day = g.rng.randint(int(lo[8:]), int(hi[8:]))
                    rows.append(
                        {
                            "date": f"{lo[:8]}{day:02d}",
                            "_person_id": i,
                            "visitor": p["responsible"],
                            "method": g.pick(methods),
                            "record": g.rng.choice(
                                (
                                    "在家务农，情绪稳定",
                                    "外出务工，电话联系正常",
                                    "生活正常，无异常情况",
                                    "遵守监管规定，按时报到",
                                )
                            ),
                        }
                    )
    return rows


def literates(g: Gen) -> list[Row]:
    """37 active at the end of Y: 34 from Y-1, 3 from Y; one left in Y; one joins in Y+1."""
    y = g.year
    lawyer_of = {v: pools.LAWYERS[i % len(pools.LAWYERS)] for i, v in enumerate(pools.VILLAGES)}
    starts = [g.date(y - 1, g.rng.choice((4, 5, 6))) for _ in range(35)] + [g.date(y, 7) for _ in range(3)]
    starts.append(g.date(y + 1, 1, 8, 25))
    rows = []
    for i, start in enumerate(starts):
        village = pools.VILLAGES[i % len(pools.VILLAGES)]
        rows.append(
            {
                "name": g.name(),
                "village": village,
                "adviser": lawyer_of[village],
                "recognized_on": start,
                "exited_on": g.date(y, 9) if i == 0 else None,
                "phone": g.phone(),
            }
        )
    return rows
