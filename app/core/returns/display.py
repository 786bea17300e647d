"""A return's cells as a clerk reads them: counts as they are, rates ``88.9%`` (``—`` over zero
rows), money in 元 with two decimals (万元 with four); and the office that files it."""

from __future__ import annotations

from typing import Any

from app.core.figures.approx import rate
from app.core.storage.store import Store

from .definitions import Column

SEAL = "（盖章）"


def cell_text(col: Column, value: Any) -> str:
    if col.kind == "rate":
        return rate(value)
    if col.money:
        return f"{float(value or 0):,.{col.decimals}f}"
    return str(int(value or 0))


def filing_unit(store: Store) -> str:
    """填报单位: ``{county}{town}{office}（盖章）`` when this PC's office is named (丰都县武平镇司法所
    （盖章）); otherwise the issuer (丰都县武平镇人民政府), as before."""
    office = (store.setting("office") or "").strip()
    town = (store.setting("town") or "").strip()
    if office and town:
        county = (store.setting("county") or "").strip()
        unit = office if office.startswith((county + town) if county else town) else f"{county}{town}{office}"
        return f"{unit}{SEAL}"
    return store.issuer


def info_text(unit: str, phone: str, span: str) -> str:
    """Row 2 of a sheet: ``填报单位：…　　联系电话：…　　统计时段：…`` (no 联系电话 when unset)."""
    tel = f"联系电话：{phone}　　" if phone else ""
    return f"填报单位：{unit}　　{tel}统计时段：{span}"
