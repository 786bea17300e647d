"""The facts the county's return forms ask for (涉及人数, 纠纷规模, 防止事项; 衔接, 安置, 帮教),
filled into the demo rows afterwards from a random source of their own: the rows the reference
report counts are drawn exactly as before, so none of its figures moves."""

from __future__ import annotations

import random
from typing import Any

Row = dict[str, Any]
GROUP_PRONE = ("征地拆迁", "劳动争议", "山林土地", "环境污染")


def _dispute(rng: random.Random, row: Row) -> None:
    dtype, ok = row.get("dispute_type"), row.get("status") == "调解成功"
    people = rng.randint(2, 3) if dtype in ("婚姻家庭", "邻里") else rng.randint(2, 5)
    scale = "一般"
    if dtype in GROUP_PRONE and rng.random() < 0.25:
        scale, people = "群体性", rng.randint(6, 28)
    elif rng.random() < 0.05:
        scale = "重大"
    prevented = "无"
    if ok:
        roll = rng.random()
        if scale == "群体性" and roll < 0.6:
            prevented = "防止群体性上访"
        elif roll < 0.08:
            prevented = "防止民转刑"
        elif dtype == "婚姻家庭" and roll < 0.12:
            prevented = "防止自杀"
    row.update(people=people, scale=scale, prevented=prevented)


def _person(rng: random.Random, row: Row) -> None:
    if row.get("category") != "安置帮教对象":
        return
    row.update(
        handover="必接必送" if rng.random() < 0.92 else "未衔接",
        placed="是" if rng.random() < 0.88 else "否",
        helped="是" if rng.random() < 0.97 else "否",
    )


def fill(out: dict[str, list[Row]], seed: int) -> None:
    """Add the form fields to the generated rows, in place."""
    rng = random.Random(seed * 31 + 18)
    for row in out.get("disputes", []):
        _dispute(rng, row)
    for row in out.get("key_persons", []):
        _person(rng, row)
