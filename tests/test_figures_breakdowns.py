"""The breakdowns behind the charts: months, types, 领域, key-person changes, visits."""

from __future__ import annotations

from app.core.figures.breakdowns import breakdowns
from app.core.figures.compute import compute
from app.core.ledgers import catalog

from .test_figures import AFTER, BEFORE, HI, LO, MID, Y, add

KEYS = [
    "disputes.by_month",
    "disputes.by_type",
    "disputes.mediation_success_rate",
    "inspections.by_domain",
    "inspections.by_month",
    "study.by_month",
    "publicity.by_month",
    "key_persons.changes",
    "visits.per_person_month",
]


def test_shapes_on_an_empty_store(store):
    b = breakdowns(store, Y)
    assert list(b) == KEYS
    for key in ("disputes.by_month", "inspections.by_month", "study.by_month", "publicity.by_month"):
        assert b[key] == [0] * 12
    assert list(b["disputes.by_type"]) == list(catalog.get("disputes").field("dispute_type").choices)
    assert list(b["inspections.by_domain"]) == list(catalog.DOMAINS)
    assert b["disputes.mediation_success_rate"] is None
    assert list(b["key_persons.changes"]) == ["社区矫正对象", "安置帮教对象", "吸毒人员", "严重精神障碍患者"]
    assert b["visits.per_person_month"] == {}


def test_by_month_and_by_type_at_the_year_edges(store):
    add(store, "disputes", registered_on=LO, dispute_type="合同")
    add(store, "disputes", registered_on=HI, dispute_type="合同")
    add(store, "disputes", registered_on=MID, dispute_type="物业")
    add(store, "disputes", registered_on=BEFORE, dispute_type="物业")
    add(store, "disputes", registered_on=AFTER, dispute_type="医疗")
    add(store, "disputes", registered_on=MID, dispute_type="医疗", deleted=True)
    add(store, "inspections", date=f"{Y}-03-05", domain="消防安全", method="综合查一次")
    add(store, "inspections", date=f"{Y}-03-09", domain="教育")
    add(store, "study_sessions", date=f"{Y}-02-01", audience="法律明白人")
    add(store, "publicity_events", date=f"{Y}-11-30", target="学校")
    b = breakdowns(store, Y)
    assert b["disputes.by_month"] == [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]
    by_type = b["disputes.by_type"]
    assert by_type["合同"] == 2 and by_type["物业"] == 1 and by_type["医疗"] == 0 and sum(by_type.values()) == 3
    assert b["inspections.by_domain"]["消防安全"] == 1 and b["inspections.by_domain"]["教育"] == 1
    assert sum(b["inspections.by_domain"].values()) == 2  # all methods, 综合查一次 included
    assert b["inspections.by_month"][2] == 2
    assert b["study.by_month"][1] == 1
    assert b["publicity.by_month"][10] == 1


def test_office_added_choices_appear_in_order(store):
    store.set_setting("choices.disputes.dispute_type", ["网络购物"])
    add(store, "disputes", registered_on=MID, dispute_type="网络购物")
    by_type = breakdowns(store, Y)["disputes.by_type"]
    assert list(by_type)[-1] == "网络购物" and by_type["网络购物"] == 1


def test_mediation_success_rate_over_disputes_closed_in_the_year(store):
    for status, closed in (("调解成功", LO), ("调解成功", HI), ("调解成功", MID), ("调解不成", MID)):
        add(store, "disputes", source="法院委派", registered_on=f"{Y - 1}-12-01", status=status, closed_on=closed)
    add(store, "disputes", registered_on=MID, status="终止", closed_on=MID)
    add(store, "disputes", registered_on=MID, status="调解不成", closed_on=AFTER)
    add(store, "disputes", registered_on=MID, status="调解不成", closed_on=MID, deleted=True)
    assert breakdowns(store, Y)["disputes.mediation_success_rate"] == 0.75


def test_key_person_changes_add_up(store):
    cat = "安置帮教对象"
    add(store, "key_persons", category=cat, listed_on=f"{Y - 1}-04-01")  # opening, closing
    add(store, "key_persons", category=cat, listed_on=f"{Y - 1}-04-01", released_on=MID)  # opening, released
    add(store, "key_persons", category=cat, listed_on=f"{Y - 2}-04-01", released_on=LO)  # on the roster on 1 Jan
    add(store, "key_persons", category=cat, listed_on=f"{Y - 2}-04-01", released_on=BEFORE)  # gone before
    add(store, "key_persons", category=cat, listed_on=LO)  # added, closing
    add(store, "key_persons", category=cat, listed_on=f"{Y}-02-01", released_on=HI)  # added, released
    add(store, "key_persons", category=cat, listed_on=f"{Y}-02-01", released_on=AFTER)  # added, closing
    add(store, "key_persons", category=cat, listed_on=AFTER)
    add(store, "key_persons", category=cat, listed_on=MID, deleted=True)
    add(store, "key_persons", category="吸毒人员", listed_on=f"{Y - 1}-04-01")
    changes = breakdowns(store, Y)["key_persons.changes"]
    c = changes[cat]
    assert c == {"opening": 3, "added": 3, "released": 3, "closing": 3}
    assert c["opening"] + c["added"] - c["released"] == c["closing"]
    assert changes["吸毒人员"] == {"opening": 1, "added": 0, "released": 0, "closing": 1}
    assert changes["社区矫正对象"] == {"opening": 0, "added": 0, "released": 0, "closing": 0}
    figs = compute(store, Y)
    assert (figs["resettlement.active"], figs["resettlement.added"], figs["resettlement.released"]) == (3, 3, 3)
    # last year's closing is this year's opening
    assert breakdowns(store, Y - 1)["key_persons.changes"][cat]["closing"] == c["opening"]


def test_visits_per_person_month(store):
    a = add(store, "key_persons", category="社区矫正对象", listed_on=f"{Y - 1}-03-01")
    b = add(store, "key_persons", category="安置帮教对象", listed_on=f"{Y}-05-01")
    gone = add(store, "key_persons", category="安置帮教对象", listed_on=f"{Y - 3}-03-01", released_on=BEFORE)
    for date in (LO, f"{Y}-01-20", HI, AFTER, BEFORE):
        store.save("visits", {"date": date, "person_id": a, "visitor": "刘明秀", "method": "入户走访"})
    vid = store.save("visits", {"date": MID, "person_id": a, "visitor": "刘明秀", "method": "电话"})
    store.delete("visits", vid)
    per = breakdowns(store, Y)["visits.per_person_month"]
    assert per[a] == [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert per[b] == [0] * 12  # on the roster, never visited: shown with zeros
    assert gone not in per
