"""Evaluate the returns as SQL over the store, and give the rows behind any cell.

Each count or sum column is one ``SELECT <item>, <aggregate> … GROUP BY 1`` over the period's
rows (read through the date column's index, so the cost follows the period, not the ledger);
rates are computed from two columns' cells; the 合计 row adds the items up.  ``rows_for``
runs the same condition with ``SELECT t.id``, so a cell and its rows cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.figures.compute import indexed_by
from app.core.periods import Period, as_period
from app.core.store import Store

from .definitions import RETURNS, RETURNS_LIST, UNFILLED, Column, Return

TOTAL = "合计"


@dataclass
class ReturnTable:
    """One return for one period: ``items`` (the rows, without 合计) and ``cells[item][column]``
    (``cells[TOTAL]`` too).  Counts are ints, money sums floats (元), rates fractions or None."""

    ret: Return
    period: Period
    items: list[str]
    cells: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.ret.title

    @property
    def header(self) -> list[str]:
        return [self.ret.item_label, *(c.label for c in self.ret.columns)]

    def value(self, item: str, column: str) -> Any:
        return self.cells[item][column]

    def all_items(self) -> list[str]:
        """The rows as printed: the items, then 合计."""
        return [*self.items, TOTAL]


def _group_sql(ret: Return, col: Column) -> str:
    """The item a row falls in: the field trimmed, '' when empty."""
    expr = col.group or f't."{ret.item_field}"'
    return f"COALESCE(NULLIF(TRIM({expr}), ''), '')"


def _from_sql(store: Store, col: Column) -> str:
    hint = indexed_by(store, col.ledger, col.by) if col.by else ""
    join = f" {col.join}" if col.join else ""
    return f'"{col.ledger}" AS t{hint}{join}'


def _scope_sql(col: Column) -> str:
    return f"t.deleted_at IS NULL AND ({col.where})"


def _column_groups(store: Store, ret: Return, col: Column, params: dict[str, Any]) -> dict[str, Any]:
    sql = f"SELECT {_group_sql(ret, col)}, {col.value} FROM {_from_sql(store, col)} WHERE {_scope_sql(col)} GROUP BY 1"
    return {item or UNFILLED: value for item, value in store.conn.execute(sql, params)}


def _base_items(store: Store, ret: Return) -> list[str]:
    if ret.items == "villages":
        return [str(v).strip() for v in store.setting("villages", []) or [] if str(v).strip()]
    return list(store.choices(ret.item_ledger, ret.item_field))


def _ordered_items(base: list[str], found: set[str]) -> list[str]:
    """The declared items in their order, then other values found (sorted), then 未填."""
    extra = sorted(found - set(base) - {UNFILLED})
    return [*base, *extra, *([UNFILLED] if UNFILLED in found else [])]


def _rate(num: Any, den: Any) -> float | None:
    return None if not den else float(num) / float(den)


def _clean(col: Column, value: Any) -> Any:
    if col.money:
        return round(float(value or 0), 2)
    return int(value or 0)


def compute(store: Store, period: Period | int | str, ret: Return | str) -> ReturnTable:
    """The return ``ret`` (a ``Return`` or its key) for ``period``."""
    period = as_period(period)
    ret = RETURNS[ret] if isinstance(ret, str) else ret
    params = period.params()
    groups = {c.key: _column_groups(store, ret, c, params) for c in ret.columns if c.kind != "rate"}
    found = {item for g in groups.values() for item in g}
    items = _ordered_items(_base_items(store, ret), found)
    table = ReturnTable(ret, period, items)
    for item in items:
        table.cells[item] = {k: _clean(ret.column(k), g.get(item, 0)) for k, g in groups.items()}
    table.cells[TOTAL] = {k: _clean(ret.column(k), sum(table.cells[i][k] for i in items)) for k in groups}
    for col in ret.columns:
        if col.kind == "rate" and col.ratio:
            num, dens = col.ratio
            for row in table.cells.values():
                row[col.key] = _rate(row[num], sum(row[d] for d in dens))
    return table


def compute_all(store: Store, period: Period | int | str, returns: list[Return] | None = None) -> list[ReturnTable]:
    """Every return (or those given) for ``period``, in declaration order."""
    period = as_period(period)
    return [compute(store, period, r) for r in (returns or RETURNS_LIST)]


def rows_for(
    store: Store, period: Period | int | str, ret: Return | str, item: str, column: str
) -> list[tuple[str, list[int]]]:
    """The rows behind one cell: ``[(ledger id, [row ids])]``.  ``item`` is a row's label
    (合计 for all items; 未填 for the rows with the field empty); a rate's rows are its
    denominator's rows."""
    period = as_period(period)
    ret = RETURNS[ret] if isinstance(ret, str) else ret
    col = ret.column(column)
    cols = [ret.column(k) for k in col.ratio[1]] if col.kind == "rate" and col.ratio else [col]
    out: dict[str, set[int]] = {}
    for c in cols:
        params: dict[str, Any] = period.params()
        where = _scope_sql(c)
        if item != TOTAL:
            params["item"] = "" if item == UNFILLED else item
            where += f" AND {_group_sql(ret, c)} = :item"
        sql = f"SELECT t.id FROM {_from_sql(store, c)} WHERE {where}"
        out.setdefault(c.ledger, set()).update(r[0] for r in store.conn.execute(sql, params))
    return [(ledger, sorted(ids)) for ledger, ids in out.items()]
