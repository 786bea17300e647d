"""Evaluate the returns as SQL over the store, and give the rows behind any cell.

The count and sum columns of a return that take the same ledger's rows by the same date field
(or row set) are one ``SELECT <item>, SUM(CASE WHEN <condition> …) … GROUP BY 1`` over the
period's rows, read through that date column's index — or, for a row set, through the union of
its index reads (the disputes registered in the period, closed since its start, or never
closed) — so the cost follows the period, not the ledger.  Rates are computed from two columns' cells; the 合计 row adds
the items up.  ``rows_for`` runs a cell's condition with ``SELECT t.id``, so a cell and its
rows cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from app.core.figures.compute import indexed_by
from app.core.periods import Period, as_period
from app.core.storage.store import Store

from .definitions import RETURNS, RETURNS_LIST, UNFILLED, Column, Return, RowSet

TOTAL = "合计"


YTD = "ytd:"  # a column key with this prefix is the 年度累计 cell of the column


def ytd_period(period: Period) -> Period:
    """年度累计: from 1 January of the year the period ends in, to the period's last day."""
    return Period(dt.date(period.end.year, 1, 1), period.end, "range")


@dataclass
class ReturnTable:
    """One return for one period: ``items`` (the rows, without 合计) and ``cells[item][column]``
    (``cells[TOTAL]`` too).  Counts are ints, money sums floats (元), rates fractions or None.
    With 年度累计 (``ytd``), ``ytd_cells`` holds the same columns from 1 January, and the key
    ``ytd:<column>`` reads them."""

    ret: Return
    period: Period
    items: list[str]
    cells: dict[str, dict[str, Any]] = field(default_factory=dict)
    ytd_cells: dict[str, dict[str, Any]] | None = None

    @property
    def title(self) -> str:
        return self.ret.title

    @property
    def ytd(self) -> bool:
        return self.ytd_cells is not None

    @property
    def keys(self) -> list[str]:
        """The columns as shown: the period's, then (with 年度累计) the same again as ``ytd:…``."""
        own = [c.key for c in self.ret.columns]
        return [*own, *(f"{YTD}{k}" for k in own)] if self.ytd else own

    @property
    def header(self) -> list[str]:
        return [self.ret.item_label, *(self.label(k) for k in self.keys)]

    def label(self, key: str) -> str:
        return f"累计{self.column(key).label}" if key.startswith(YTD) else self.column(key).label

    def column(self, key: str) -> Column:
        return self.ret.column(key.removeprefix(YTD))

    def value(self, item: str, column: str) -> Any:
        if column.startswith(YTD):
            assert self.ytd_cells is not None, "no 年度累计 computed"
            return self.ytd_cells[item][column.removeprefix(YTD)]
        return self.cells[item][column]

    def all_items(self) -> list[str]:
        """The rows as printed: the items, then 合计."""
        return [*self.items, TOTAL]


def _group_sql(ret: Return, col: Column) -> str:
    """The item a row falls in: the field trimmed, '' when empty."""
    expr = col.group or f't."{ret.item_field}"'
    return f"COALESCE(NULLIF(TRIM({expr}), ''), '')"


def _hint(store: Store, ledger: str, index: str) -> str:
    """``INDEXED BY``: ``index`` a date field (its cover or own index) or an index's name."""
    found = store.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (index,)).fetchone()
    return f' INDEXED BY "{index}"' if found else indexed_by(store, ledger, index)


def _from_sql(store: Store, col: Column) -> str:
    field = None if col.among else col.index_field
    hint = indexed_by(store, col.ledger, field) if field else ""
    join = f" {col.join}" if col.join else ""
    return f'"{col.ledger}" AS t{hint}{join}'


def _among_sql(store: Store, rows: RowSet) -> str:
    """The ids of a row set: one index read per part, united."""
    return " UNION ".join(
        f'SELECT id FROM "{rows.ledger}"{_hint(store, rows.ledger, index)} WHERE {cond}' for index, cond in rows.parts
    )


def _range_sql(store: Store, col: Column) -> str:
    """The rows the column may take: live, and dated in the period when it has a date field
    (or in its row set)."""
    if col.among:
        return f"t.deleted_at IS NULL AND t.id IN ({_among_sql(store, col.among)})"
    rng = f' AND t."{col.in_period}" BETWEEN :lo AND :hi' if col.in_period else ""
    return f"t.deleted_at IS NULL{rng}"


def _aggregate_sql(col: Column) -> str:
    if col.kind == "sum":
        return f'TOTAL(CASE WHEN {col.where} THEN t."{col.sums}" END)'
    return f"SUM(CASE WHEN {col.where} THEN 1 ELSE 0 END)"


def _batches(ret: Return) -> list[list[Column]]:
    """Columns read together: same ledger, rows (date field in the period or row set), index,
    join and item."""
    batches: dict[tuple, list[Column]] = {}
    for col in ret.columns:
        if col.kind == "rate":
            continue
        among = col.among.key if col.among else None
        key = (col.ledger, col.in_period, among, col.by, col.join, _group_sql(ret, col))
        batches.setdefault(key, []).append(col)
    return list(batches.values())


def statements(store: Store, ret: Return) -> list[tuple[list[Column], str]]:
    """The statements a return runs: ``(columns, SQL)``, one per batch of columns read
    together (for ``EXPLAIN QUERY PLAN`` in the tests: the rows come through the indexes)."""
    out = []
    for cols in _batches(ret):
        first = cols[0]
        any_of = " OR ".join(f"({c.where})" for c in cols)
        sql = (
            f"SELECT {_group_sql(ret, first)}, {', '.join(_aggregate_sql(c) for c in cols)}"
            f" FROM {_from_sql(store, first)} WHERE {_range_sql(store, first)} AND ({any_of}) GROUP BY 1"
        )
        out.append((cols, sql))
    return out


def _batch_groups(store: Store, cols: list[Column], sql: str, params: dict[str, Any]) -> dict[str, dict]:
    """column key -> {item: value} for columns read in one statement."""
    out: dict[str, dict] = {c.key: {} for c in cols}
    for item, *values in store.conn.execute(sql, params):
        for col, value in zip(cols, values, strict=True):
            out[col.key][item or UNFILLED] = value
    return out


def _base_items(store: Store, ret: Return) -> list[str]:
    if ret.items == "villages":
        return [str(v).strip() for v in store.setting("villages", []) or [] if str(v).strip()]
    if ret.item_choices is not None:
        return list(ret.item_choices)
    return list(store.choices(ret.item_ledger, ret.item_field))


def _ordered_items(base: list[str], found: set[str]) -> list[str]:
    """The declared items in their order, then other values found (sorted), then 未填."""
    extra = sorted(found - set(base) - {UNFILLED})
    return [*base, *extra, *([UNFILLED] if UNFILLED in found else [])]


def _rate(num: Any, den: Any) -> float | None:
    return None if not den else float(num) / float(den)


def _clean(col: Column, value: Any) -> Any:
    if col.money:
        return round(float(value or 0) / col.scale, col.decimals)
    return int(value or 0)


def _groups(store: Store, ret: Return, period: Period) -> dict[str, dict]:
    groups: dict[str, dict] = {}
    for cols, sql in statements(store, ret):
        groups.update(_batch_groups(store, cols, sql, period.params()))
    return groups


def _cells(ret: Return, items: list[str], groups: dict[str, dict]) -> dict[str, dict[str, Any]]:
    """Every item's cells, 合计 (sums of the raw values: 万元 not rounded twice), and the rates."""
    cells = {item: {k: _clean(ret.column(k), g.get(item, 0)) for k, g in groups.items()} for item in items}
    cells[TOTAL] = {k: _clean(ret.column(k), sum(g.get(i, 0) or 0 for i in items)) for k, g in groups.items()}
    for col in ret.columns:
        if col.kind == "rate" and col.ratio:
            num, dens = col.ratio
            for row in cells.values():
                row[col.key] = _rate(row[num], sum(row[d] for d in dens))
    return cells


def compute(store: Store, period: Period | int | str, ret: Return | str, *, ytd: bool = False) -> ReturnTable:
    """The return ``ret`` (a ``Return`` or its key) for ``period``; with ``ytd``, its 年度累计
    (from 1 January to the period's end) beside."""
    period = as_period(period)
    ret = RETURNS[ret] if isinstance(ret, str) else ret
    groups = _groups(store, ret, period)
    year_groups = _groups(store, ret, ytd_period(period)) if ytd else {}
    found = {item for g in (*groups.values(), *year_groups.values()) for item in g}
    items = _ordered_items(_base_items(store, ret), found)
    table = ReturnTable(ret, period, items, _cells(ret, items, groups))
    if ytd:
        table.ytd_cells = _cells(ret, items, year_groups)
    return table


def compute_all(
    store: Store, period: Period | int | str, returns: list[Return] | None = None, *, ytd: bool = False
) -> list[ReturnTable]:
    """Every return (or those given) for ``period``, in declaration order."""
    period = as_period(period)
    return [compute(store, period, r, ytd=ytd) for r in (returns or RETURNS_LIST)]


def rows_for(
    store: Store, period: Period | int | str, ret: Return | str, item: str, column: str
) -> list[tuple[str, list[int]]]:
    """The rows behind one cell: ``[(ledger id, [row ids])]``.  ``item`` is a row's label
    (合计 for all items; 未填 for the rows with the field empty); a rate's rows are its
    denominator's rows; ``ytd:<column>`` the 年度累计 cell's."""
    period = as_period(period)
    if column.startswith(YTD):
        period, column = ytd_period(period), column.removeprefix(YTD)
    ret = RETURNS[ret] if isinstance(ret, str) else ret
    col = ret.column(column)
    cols = [ret.column(k) for k in col.ratio[1]] if col.kind == "rate" and col.ratio else [col]
    out: dict[str, set[int]] = {}
    for c in cols:
        params: dict[str, Any] = period.params()
        where = f"{_range_sql(store, c)} AND ({c.where})"
        if item != TOTAL:
            params["item"] = "" if item == UNFILLED else item
            where += f" AND {_group_sql(ret, c)} = :item"
        sql = f"SELECT t.id FROM {_from_sql(store, c)} WHERE {where}"
        out.setdefault(c.ledger, set()).update(r[0] for r in store.conn.execute(sql, params))
    return [(ledger, sorted(ids)) for ledger, ids in out.items()]
