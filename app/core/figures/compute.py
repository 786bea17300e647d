"""Evaluate figure definitions as SQL over the store.

Each figure is one ``SELECT <aggregate> FROM <ledger> AS t WHERE <scope>`` with the period's
bounds as parameters, so the cost follows the period's rows (the date columns are indexed),
never a Python loop over the ledger.  A period is a ``periods.Period``; a plain year (``2024``)
is the period ``2024``, so year callers stay as they were.
"""

from __future__ import annotations

from typing import Any

from app.core.ledgers import catalog
from app.core.periods import Period, as_period
from app.core.storage.store import Store

from .definitions import FIGURES, Figure

PeriodLike = Period | int | str


def period_params(period: PeriodLike) -> dict[str, str]:
    """``:lo`` / ``:hi`` (first and last day) and ``:before`` (the day before) of a period."""
    return as_period(period).params()


year_params = period_params  # the name the year-only callers know


def active_sql(ledger_id: str, alias: str = "t", at: str = ":hi") -> str:
    """Rows active at ``at`` (a date parameter): start ≤ at and (no end or end > at)."""
    lg = catalog.get(ledger_id)
    s, e = f'{alias}."{lg.start_field}"', f'{alias}."{lg.end_field}"'
    return f"{s} <= {at} AND ({e} IS NULL OR {e} = '' OR {e} > {at})"


def indexed_by(store: Store, ledger_id: str, column: str) -> str:
    """``INDEXED BY`` the column's index, when it exists.

    Without it SQLite prefers the ``deleted_at`` or a choice-column index (an equality) to the
    date range, and a figure would read every year's rows: its cost would grow with the ledger.
    """
    names = [f"{ledger_id}_{column}_cover", f"{ledger_id}_{column}"]  # the covering one first
    found = {
        r[0]
        for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN (?, ?)", names)
    }
    name = next((n for n in names if n in found), None)
    return f' INDEXED BY "{name}"' if name else ""


def from_sql(store: Store, fig: Figure) -> str:
    """The FROM clause of a figure: its ledger as ``t``, read through the year's date index."""
    table = f'"{fig.ledger}" AS t'
    if fig.scope == "active":
        return table  # rosters are small; the planner picks category or start-date indexes
    return table + indexed_by(store, fig.ledger, fig.by or catalog.get(fig.ledger).date_field)


def scope_sql(fig: Figure) -> str:
    """The WHERE clause selecting the rows a figure counts (table alias ``t``)."""
    if fig.scope == "active":
        cond = active_sql(fig.ledger)
    else:
        by = fig.by or catalog.get(fig.ledger).date_field
        cond = f't."{by}" BETWEEN :lo AND :hi'
    return f"t.deleted_at IS NULL AND {cond} AND ({fig.where})"


def _ranking_sql(store: Store, fig: Figure, params: dict[str, Any]) -> str:
    """Most frequent values first; ties in the field's choice-list order."""
    col = f't."{fig.value}"'
    whens = []
    for i, choice in enumerate(store.choices(fig.ledger, fig.value)):
        params[f"c{i}"] = choice
        whens.append(f"WHEN :c{i} THEN {i}")
    order = f"CASE {col} {' '.join(whens)} ELSE {len(whens)} END" if whens else "0"
    return (
        f"SELECT {col} FROM {from_sql(store, fig)} WHERE {scope_sql(fig)} AND {col} IS NOT NULL"
        f" GROUP BY {col} ORDER BY COUNT(*) DESC, {order}, {col} LIMIT {int(fig.limit)}"
    )


def value(store: Store, period: PeriodLike, key: str) -> Any:
    """One figure for ``period`` (a year, or any ``Period``)."""
    fig = FIGURES[key]
    params: dict[str, Any] = period_params(period)
    if fig.kind == "ranking":
        return [r[0] for r in store.conn.execute(_ranking_sql(store, fig, params), params)]
    sql = f"SELECT {fig.value} FROM {from_sql(store, fig)} WHERE {scope_sql(fig)}"
    (result,) = store.conn.execute(sql, params).fetchone()
    if fig.kind == "rate":
        return None if result is None else float(result)
    return int(result or 0)


def compute(store: Store, period: PeriodLike) -> dict[str, Any]:
    """Every figure of DESIGN.md section 3 for ``period`` (a year or any ``Period``), keyed as
    there: "in Y" is in the period, "active at year end" active on its last day.

    Counts and sums are ints; rates are fractions (1.0 = 100%) or None over no rows;
    ``enforcement.top_domains`` is a list of 领域, most inspections first.
    """
    period = as_period(period)
    return {key: value(store, period, key) for key in FIGURES}


def compare(store: Store, period: PeriodLike) -> dict[str, dict[str, Any]]:
    """The figures of ``period`` and of the same period a year before (同比):
    ``{'current': …, 'previous': …}``."""
    period = as_period(period)
    return {"current": compute(store, period), "previous": compute(store, period.year_before())}


def rows_for(store: Store, period: PeriodLike, key: str) -> list[tuple[str, list[int]]]:
    """The rows behind a figure: ``[(ledger id, [row ids])]``.

    For counts and sums these are exactly the rows aggregated; for a rate, the rows it is a
    share of; for the 执法活跃率 also the year's inspections it looked for names in.
    """
    fig = FIGURES[key]
    params = period_params(period)
    sql = f"SELECT t.id FROM {from_sql(store, fig)} WHERE {scope_sql(fig)} ORDER BY t.id"
    ids = [r[0] for r in store.conn.execute(sql, params)]
    out = [(fig.ledger, ids)]
    if key == "enforcement.activity_rate":
        insp = store.conn.execute(
            "SELECT id FROM inspections WHERE +deleted_at IS NULL AND date BETWEEN :lo AND :hi ORDER BY id", params
        )
        out.append(("inspections", [r[0] for r in insp]))
    return out
