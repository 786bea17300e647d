"""Property tests of issue 18: every return with stocks and flows adds up on every row, for
random data — rows whose 状态 and 结案日期 disagree, or whose dates run backwards, included —
and every kind of period; one period's closing stock is the next one's opening stock; and the
SQL (read through the row sets' indexes) agrees with a plain reading of the definitions."""

from __future__ import annotations

import datetime as dt
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core import periods
from app.core.returns.compute import TOTAL, compute
from app.core.storage.store import Store

FIRST, LAST = dt.date(2023, 10, 1), dt.date(2025, 3, 31)
days = st.dates(FIRST, LAST)
VILLAGES = ("东村", "西村")
STATES = ("待调解", "调解中", "调解成功", "调解不成", "终止")
CLOSED = ("调解成功", "调解不成", "终止")
DISPUTE_FLOWS = ("disputes_by_village", "disputes_by_type")
FLOWS = ("carried", "registered", "success", "failure", "terminated", "open")
ROSTERS = ("key_person_changes", "corrections", "resettlement")


def iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


@st.composite
def dispute(draw):
    registered = draw(days)
    status = draw(st.sampled_from(STATES))
    shape = draw(st.sampled_from(("agrees", "agrees", "agrees", "no_date", "backwards", "dated_open")))
    closed = None
    if (status in CLOSED and shape == "agrees") or shape == "dated_open":
        closed = registered + dt.timedelta(days=draw(st.integers(0, 200)))
    elif shape == "backwards":
        closed = registered - dt.timedelta(days=draw(st.integers(1, 200)))
    return {
        "registered_on": iso(registered) if draw(st.integers(0, 15)) else draw(st.sampled_from((None, ""))),
        "source": draw(st.sampled_from(("自主排查", "群众申请"))),
        "dispute_type": draw(st.sampled_from(("邻里", "合同", "自定义"))),
        "village": draw(st.sampled_from((*VILLAGES, "南村", "", None))),
        "summary": "纠纷",
        "status": status,
        "closed_on": iso(closed) if closed or draw(st.booleans()) else "",
        "deleted_at": "2025-01-01" if draw(st.integers(0, 6)) == 0 else None,
    }


@st.composite
def person(draw):
    listed = draw(days)
    released = None
    if draw(st.booleans()):
        released = listed + dt.timedelta(days=draw(st.integers(-60, 400)))  # sometimes before: bad data
    category = draw(st.sampled_from(("社区矫正对象", "安置帮教对象", "吸毒人员")))
    return {
        "name": "某人",
        "category": category,
        "subcategory": draw(st.sampled_from(("管制", "缓刑", "假释", None))),
        "village": draw(st.sampled_from((*VILLAGES, None))),
        "listed_on": iso(listed),
        "released_on": iso(released) if released else draw(st.sampled_from((None, ""))),
        "handover": draw(st.sampled_from(("必接必送", "未衔接", None))),
        "deleted_at": "2025-01-01" if draw(st.integers(0, 6)) == 0 else None,
    }


@st.composite
def period(draw) -> periods.Period:
    kind = draw(st.sampled_from(("year", "half", "quarter", "month", "range")))
    y = draw(st.sampled_from((2024, 2024, 2025)))
    if kind == "year":
        return periods.year(y)
    if kind == "half":
        return periods.half(y, draw(st.integers(1, 2)))
    if kind == "quarter":
        return periods.quarter(y, draw(st.integers(1, 4)))
    if kind == "month":
        return periods.month(y, draw(st.integers(1, 12)))
    start = draw(st.dates(dt.date(2023, 11, 1), dt.date(2025, 2, 1)))
    return periods.between(start, start + dt.timedelta(days=draw(st.integers(0, 120))))


def insert(store: Store, ledger: str, rows: list[dict]) -> None:
    for row in rows:
        row = {"uid": str(uuid.uuid4()), "created_at": "2024-01-01", "updated_at": "2024-01-01", **row}
        cols = ", ".join(f'"{c}"' for c in row)
        store.conn.execute(f'INSERT INTO "{ledger}" ({cols}) VALUES ({", ".join("?" * len(row))})', list(row.values()))


# -- the definitions of DESIGN.md section 3b, read plainly -------------------------------------


def registered_by(r: dict, day: str) -> bool:
    return r["registered_on"] is not None and r["registered_on"] <= day


def closed_by(r: dict, day: str) -> bool:
    return r["status"] in CLOSED and bool(r["closed_on"]) and r["closed_on"] <= day


def open_at(r: dict, day: str) -> bool:
    return registered_by(r, day) and not closed_by(r, day)


def plain_disputes(rows: list[dict], p: periods.Period) -> dict[str, int]:
    live = [r for r in rows if r["deleted_at"] is None]
    b, lo, hi = p.before, p.lo, p.hi

    def closed_in(r: dict) -> bool:
        return registered_by(r, hi) and closed_by(r, hi) and not (registered_by(r, b) and closed_by(r, b))

    return {
        "carried": sum(open_at(r, b) for r in live),
        "registered": sum(bool(r["registered_on"]) and lo <= r["registered_on"] <= hi for r in live),
        "success": sum(closed_in(r) and r["status"] == "调解成功" for r in live),
        "failure": sum(closed_in(r) and r["status"] == "调解不成" for r in live),
        "terminated": sum(closed_in(r) and r["status"] == "终止" for r in live),
        "open": sum(open_at(r, hi) for r in live),
    }


def cell(t, item: str, key: str) -> int:
    """A cell, 0 for an item the table does not list (nothing of it in that period)."""
    return t.value(item, key) if item in t.cells else 0


def check_flows(store: Store, p: periods.Period, *, ytd: bool = False) -> dict:
    """Assert every identity of ``p``'s returns (and of their 年度累计); the tables by key."""
    tables = {}
    prefixes = ("", "ytd:") if ytd else ("",)
    for key in DISPUTE_FLOWS:
        t = tables[key] = compute(store, p, key, ytd=ytd)
        for item in t.all_items():
            for x in prefixes:
                v = {k: t.value(item, x + k) for k in FLOWS}
                assert v["carried"] + v["registered"] == v["success"] + v["failure"] + v["terminated"] + v["open"], (
                    key,
                    item,
                    x,
                    v,
                )
    for key in ROSTERS:
        t = tables[key] = compute(store, p, key, ytd=ytd)
        for item in t.all_items():
            for x in prefixes:
                v = {k: t.value(item, x + k) for k in ("opening", "added", "released", "closing")}
                assert v["opening"] + v["added"] - v["released"] == v["closing"], (key, item, x, v)
    return tables


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    disputes=st.lists(dispute(), max_size=40),
    persons=st.lists(person(), max_size=25),
    p=period(),
    gap=st.integers(0, 100),
    ytd=st.booleans(),
)
def test_stocks_and_flows_add_up_and_chain(disputes, persons, p, gap, ytd):
    store = Store.memory()
    try:
        store.set_setting("villages", list(VILLAGES))
        insert(store, "disputes", disputes)
        insert(store, "key_persons", persons)
        tables = check_flows(store, p, ytd=ytd)
        # the SQL agrees with the definitions read plainly
        t = tables["disputes_by_village"]
        assert {k: t.value(TOTAL, k) for k in plain_disputes(disputes, p)} == plain_disputes(disputes, p)
        if ytd:
            year_start = periods.between(dt.date(p.end.year, 1, 1), p.end)
            assert {k: t.value(TOTAL, f"ytd:{k}") for k in plain_disputes(disputes, year_start)} == plain_disputes(
                disputes, year_start
            )
        # the next adjacent period (any length) opens with this one's closing stock, row by row
        nxt = periods.between(p.end + dt.timedelta(days=1), p.end + dt.timedelta(days=1 + gap))
        after = check_flows(store, nxt)
        for key in DISPUTE_FLOWS:
            for item in tables[key].all_items():
                assert tables[key].value(item, "open") == cell(after[key], item, "carried"), (key, item)
        for key in ROSTERS:
            for item in tables[key].all_items():
                assert tables[key].value(item, "closing") == cell(after[key], item, "opening"), (key, item)
    finally:
        store.close()
