"""Property tests: the SQL figures agree with a plain-Python reading of DESIGN's definitions."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.figures.breakdowns import breakdowns
from app.core.figures.compute import compute
from app.core.storage.store import Store

Y = 2024
days = st.dates(dt.date(Y - 2, 11, 1), dt.date(Y + 1, 2, 28))
SOURCES = ("自主排查", "群众申请", "法院委派", "部门移送")
STATES = ("待调解", "调解中", "调解成功", "调解不成", "终止")


@st.composite
def dispute(draw):
    registered = draw(days)
    status = draw(st.sampled_from(STATES))
    closed = None
    if status in ("调解成功", "调解不成", "终止") or draw(st.booleans()):
        closed = registered + dt.timedelta(days=draw(st.integers(0, 120)))
    return {
        "registered_on": registered.isoformat(),
        "source": draw(st.sampled_from(SOURCES)),
        "status": status,
        "closed_on": closed and closed.isoformat(),
        "deleted": draw(st.booleans()) and draw(st.booleans()),
    }


@st.composite
def person(draw):
    listed = draw(days)
    released = None
    if draw(st.booleans()):
        released = listed + dt.timedelta(days=draw(st.integers(0, 500)))
    return {
        "category": draw(st.sampled_from(("社区矫正对象", "安置帮教对象"))),
        "listed_on": listed.isoformat(),
        "released_on": released and released.isoformat(),
        "deleted": draw(st.integers(0, 5)) == 0,
    }


def in_year(date: str | None) -> bool:
    return bool(date) and date.startswith(f"{Y}-")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(dispute(), max_size=25))
def test_dispute_figures_match_the_definitions(rows):
    store = Store.memory()
    for r in rows:
        values = {k: v for k, v in r.items() if k != "deleted"}
        rid = store.save("disputes", values | {"dispute_type": "邻里", "summary": "纠纷"})
        if r["deleted"]:
            store.delete("disputes", rid)
    live = [r for r in rows if not r["deleted"]]
    result = compute(store, Y)
    assert result["disputes.screened"] == sum(in_year(r["registered_on"]) and r["source"] == "自主排查" for r in live)
    assert result["disputes.court_delegated"] == sum(
        in_year(r["registered_on"]) and r["source"] == "法院委派" for r in live
    )
    assert result["disputes.mediated"] == sum(
        in_year(r["closed_on"]) and r["status"] in ("调解成功", "调解不成") and r["source"] != "法院委派" for r in live
    )
    by_month = breakdowns(store, Y)["disputes.by_month"]
    assert by_month == [sum(r["registered_on"].startswith(f"{Y}-{m:02d}") for r in live) for m in range(1, 13)]
    store.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(person(), max_size=25))
def test_roster_figures_match_the_definitions(rows):
    from .test_figures import idcard

    store = Store.memory()
    for r in rows:
        values = {k: v for k, v in r.items() if k != "deleted"}
        rid = store.save("key_persons", values | {"name": "某", "id_number": idcard()})
        if r["deleted"]:
            store.delete("key_persons", rid)
    live = [r for r in rows if not r["deleted"]]
    end, start = f"{Y}-12-31", f"{Y - 1}-12-31"

    def active(r, at):
        return r["listed_on"] <= at and (r["released_on"] is None or r["released_on"] > at)

    result = compute(store, Y)
    changes = breakdowns(store, Y)["key_persons.changes"]
    for category, prefix in (("社区矫正对象", "corrections"), ("安置帮教对象", "resettlement")):
        mine = [r for r in live if r["category"] == category]
        assert result[f"{prefix}.active"] == sum(active(r, end) for r in mine)
        assert result[f"{prefix}.released"] == sum(in_year(r["released_on"]) for r in mine)
        c = changes[category]
        assert c["opening"] == sum(active(r, start) for r in mine)
        assert c["added"] == sum(in_year(r["listed_on"]) for r in mine)
        assert c["opening"] + c["added"] - c["released"] == c["closing"] == result[f"{prefix}.active"]
    assert result["resettlement.added"] == changes["安置帮教对象"]["added"]
    store.close()
