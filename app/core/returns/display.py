"""A return's cells as a clerk reads them: counts as they are, rates ``88.9%`` (``—`` over zero
rows), money in 元 with two decimals."""

from __future__ import annotations

from typing import Any

from app.core.figures.approx import rate

from .definitions import Column


def cell_text(col: Column, value: Any) -> str:
    if col.kind == "rate":
        return rate(value)
    if col.money:
        return f"{float(value or 0):,.2f}"
    return str(int(value or 0))
