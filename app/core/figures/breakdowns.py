"""The breakdowns behind the charts: by month, by type, by 领域, key-person changes, visits.

All are SQL ``GROUP BY`` aggregates over the year's rows; Python only places the groups into
fixed shapes (12 months, every choice of a list in its order, zeros included).
"""

from __future__ import annotations

from typing import Any

from app.core.ledgers import catalog
from app.core.storage.store import Store

from .compute import PeriodLike, active_sql, from_sql, indexed_by, period_params, scope_sql, year_params
from .compute import value as figure_value
from .definitions import FIGURES

_MONTH = 'CAST(substr(t."{col}", 6, 2) AS INTEGER)'


def _by_month(store: Store, ledger_id: str, params: dict, col: str | None = None, where: str = "1") -> list[int]:
    col = col or catalog.get(ledger_id).date_field
    month = _MONTH.format(col=col)
    months = [0] * 12
    table = f'"{ledger_id}" AS t{indexed_by(store, ledger_id, col)}'
    sql = (
        f"SELECT {month}, COUNT(*) FROM {table} WHERE t.deleted_at IS NULL"
        f' AND t."{col}" BETWEEN :lo AND :hi AND ({where}) GROUP BY 1'
    )
    for m, n in store.conn.execute(sql, params):
        if m and 1 <= m <= 12:
            months[m - 1] = n
    return months


def _by_choice(store: Store, ledger_id: str, key: str, params: dict, where: str = "1") -> dict[str, int]:
    """Counts per value of a choice field, in the list's order, zeros included."""
    date = catalog.get(ledger_id).date_field
    out = dict.fromkeys(store.choices(ledger_id, key), 0)
    table = f'"{ledger_id}" AS t{indexed_by(store, ledger_id, date)}'
    sql = (
        f'SELECT t."{key}", COUNT(*) FROM {table} WHERE t.deleted_at IS NULL'
        f' AND t."{date}" BETWEEN :lo AND :hi AND ({where}) AND t."{key}" IS NOT NULL GROUP BY 1'
    )
    for value, n in store.conn.execute(sql, params):
        out[value] = n
    return out


def mediation_success_rate(store: Store, period: PeriodLike) -> float | None:
    """调解成功 / (调解成功 + 调解不成) of the disputes closed in ``period`` (all sources)."""
    (share,) = store.conn.execute(
        "SELECT AVG(CASE WHEN t.status = '调解成功' THEN 1.0 ELSE 0.0 END) FROM disputes AS t"
        + indexed_by(store, "disputes", "closed_on")
        + " WHERE t.deleted_at IS NULL AND t.closed_on BETWEEN :lo AND :hi AND t.status IN ('调解成功', '调解不成')",
        period_params(period),
    ).fetchone()
    return None if share is None else float(share)


def key_person_changes(store: Store, period: PeriodLike) -> dict[str, dict[str, int]]:
    """Per 类别: 期初 (active the day before the period), 新增, 解除, 期末 (active on its last day)."""
    params = period_params(period)
    sql = (
        "SELECT t.category,"
        f" SUM(CASE WHEN {active_sql('key_persons', at=':before')} THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN t.listed_on BETWEEN :lo AND :hi THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN t.released_on BETWEEN :lo AND :hi THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {active_sql('key_persons')} THEN 1 ELSE 0 END)"
        " FROM key_persons AS t WHERE t.deleted_at IS NULL AND t.listed_on <= :hi GROUP BY t.category"
    )
    zero = {"opening": 0, "added": 0, "released": 0, "closing": 0}
    out = {c: dict(zero) for c in store.choices("key_persons", "category")}
    for category, opening, added, released, closing in store.conn.execute(sql, params):
        if category is None:
            continue
        out[category] = {"opening": opening, "added": added, "released": released, "closing": closing}
    return out


def visits_per_person_month(store: Store, year: int) -> dict[int, list[int]]:
    """person_id -> 12 monthly visit counts, for everyone on the roster at some time in the
    year (zeros included) and anyone visited in it."""
    params = year_params(year)
    out: dict[int, list[int]] = {}
    on_roster = (
        "SELECT t.id FROM key_persons AS t WHERE t.deleted_at IS NULL AND t.listed_on <= :hi"
        " AND (t.released_on IS NULL OR t.released_on = '' OR t.released_on >= :lo) ORDER BY t.id"
    )
    for (pid,) in store.conn.execute(on_roster, params):
        out[pid] = [0] * 12
    sql = (
        f"SELECT t.person_id, {_MONTH.format(col='date')}, COUNT(*) FROM visits AS t"
        " JOIN key_persons AS p ON p.id = t.person_id AND p.deleted_at IS NULL"
        " WHERE t.deleted_at IS NULL AND t.date BETWEEN :lo AND :hi GROUP BY 1, 2"
    )
    for pid, month, n in store.conn.execute(sql, params):
        if month and 1 <= month <= 12:
            out.setdefault(pid, [0] * 12)[month - 1] = n
    return out


def figure_by_month(store: Store, key: str, period: PeriodLike) -> list[int]:
    """The rows figure ``key`` counts, by the month of the date it counts them by: the 12
    numbers add up to the figure (one definition for the sentence and its chart)."""
    fig = FIGURES[key]
    col = fig.by or catalog.get(fig.ledger).date_field
    months = [0] * 12
    sql = f"SELECT {_MONTH.format(col=col)}, COUNT(*) FROM {from_sql(store, fig)} WHERE {scope_sql(fig)} GROUP BY 1"
    for m, n in store.conn.execute(sql, period_params(period)):
        if m and 1 <= m <= 12:
            months[m - 1] = n
    return months


def figure_by_choice(store: Store, key: str, field: str, period: PeriodLike) -> dict[str, int]:
    """The rows figure ``key`` counts, by ``field`` (every choice in list order, zeros
    included; a value outside the list after them): they add up to the figure."""
    fig = FIGURES[key]
    out = dict.fromkeys(store.choices(fig.ledger, field), 0)
    sql = f'SELECT t."{field}", COUNT(*) FROM {from_sql(store, fig)} WHERE {scope_sql(fig)} GROUP BY 1'
    for choice, n in store.conn.execute(sql, period_params(period)):
        out[choice if choice is not None else "未填"] = n
    return out


# the figures of the 重点人群 sentence, the only ones a published chart shows of key persons
# (吸毒人员 / 严重精神障碍患者 counts stay on internal pages and returns)
PUBLISHED_KEY_PERSONS = {
    "社区矫正对象": (("released", "corrections.released"), ("active", "corrections.active")),
    "安置帮教对象": (
        ("added", "resettlement.added"),
        ("released", "resettlement.released"),
        ("active", "resettlement.active"),
    ),
}


def published_key_persons(store: Store, period: PeriodLike) -> dict[str, dict[str, int]]:
    """类别 -> the report's figures of it (新增 / 解除 / 年末在册), as the text states them."""
    out = {}
    for cat, items in PUBLISHED_KEY_PERSONS.items():
        out[cat] = {name: figure_value(store, period, key) for name, key in items}
    return out


def report_breakdowns(store: Store, year: int) -> dict[str, Any]:
    """What the report's charts draw, each split from one figure of the text (so it adds up to
    the number the text states): 自主排查 by month, 人民调解 by type, 行政检查 by 领域,
    法治学习教育 and 普法宣传 by month, and the 重点人群 sentence's figures."""
    return {
        "disputes.screened_by_month": figure_by_month(store, "disputes.screened", year),
        "disputes.mediated_by_type": figure_by_choice(store, "disputes.mediated", "dispute_type", year),
        "enforcement.inspections_by_domain": figure_by_choice(store, "enforcement.inspections", "domain", year),
        "study.sessions_by_month": figure_by_month(store, "study.sessions", year),
        "publicity.events_by_month": figure_by_month(store, "publicity.events", year),
        "key_persons.published": published_key_persons(store, year),
    }


def breakdowns(store: Store, year: int) -> dict[str, Any]:
    """The breakdowns of DESIGN.md sections 3 and 4 for ``year`` (see the module doc)."""
    p = year_params(year)
    return {
        "disputes.by_month": _by_month(store, "disputes", p),
        "disputes.by_type": _by_choice(store, "disputes", "dispute_type", p),
        "disputes.mediation_success_rate": mediation_success_rate(store, year),
        "inspections.by_domain": _by_choice(store, "inspections", "domain", p),
        "inspections.by_month": _by_month(store, "inspections", p),
        "study.by_month": _by_month(store, "study_sessions", p),
        "publicity.by_month": _by_month(store, "publicity_events", p),
        "key_persons.changes": key_person_changes(store, year),
        "visits.per_person_month": visits_per_person_month(store, year),
    }
