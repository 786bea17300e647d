"""Evaluate the returns as SQL over the store, and give the rows behind any cell.

The count and sum columns of a return that take the same ledger's rows by the same date field
are one ``SELECT <item>, SUM(CASE WHEN <condition> …) … GROUP BY 1`` over the period's rows,
read through that date column's index (the cost follows the period, not the ledger); other
columns are a statement each.  Rates are computed from two columns' cells; the 合计 row adds
the items up.  ``rows_for`` runs a cell's condition with ``SELECT t.id``, so a cell and its
rows cannot disagree.
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
    field = col.index_field
    hint = indexed_by(store, col.ledger, field) if field else ""
    join = f" {col.join}" if col.join else ""
    return f'"{col.ledger}" AS t{hint}{join}'


def _range_sql(col: Column) -> str:
    """The rows the column may take: live, and dated in the period when it has a date field."""
    rng = f' AND t."{col.in_period}" BETWEEN :lo AND :hi' if col.in_period else ""
    return f"t.deleted_at IS NULL{rng}"


def _aggregate_sql(col: Column) -> str:
    if col.kind == "sum":
        return f'TOTAL(CASE WHEN {col.where} THEN t."{col.sums}" END)'
    return f"SUM(CASE WHEN {col.where} THEN 1 ELSE 0 END)"


def _batches(ret: Return) -> list[list[Column]]:
    """Columns read together: same ledger, date field in the period, join and item."""
    batches: dict[tuple, list[Column]] = {}
    for col in ret.columns:
        if col.kind == "rate":
            continue
        key = (col.ledger, col.in_period, col.join, _group_sql(ret, col)) if col.in_period else (col.key,)
        batches.setdefault(key, []).append(col)
    return list(batches.values())


def _batch_groups(store: Store, ret: Return, cols: list[Column], params: dict[str, Any]) -> dict[str, dict]:
    """column key -> {item: value} for columns read in one statement."""
    first = cols[0]
    any_of = " OR ".join(f"({c.where})" for c in cols)
    sql = (
        f"SELECT {_group_sql(ret, first)}, {', '.join(_aggregate_sql(c) for c in cols)}"
        f" FROM {_from_sql(store, first)} WHERE {_range_sql(first)} AND ({any_of}) GROUP BY 1"
    )
    out: dict[str, dict] = {c.key: {} for c in cols}
    for item, *values in store.conn.execute(sql, params):
        for col, value in zip(cols, values, strict=True):
            out[col.key][item or UNFILLED] = value
    return out


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
    groups: dict[str, dict] = {}
    for cols in _batches(ret):
        groups.update(_batch_groups(store, ret, cols, params))
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
        where = f"{_range_sql(c)} AND ({c.where})"
        if item != TOTAL:
            params["item"] = "" if item == UNFILLED else item
            where += f" AND {_group_sql(ret, c)} = :item"
        sql = f"SELECT t.id FROM {_from_sql(store, c)} WHERE {where}"
        out.setdefault(c.ledger, set()).update(r[0] for r in store.conn.execute(sql, params))
    return [(ledger, sorted(ids)) for ledger, ids in out.items()]
